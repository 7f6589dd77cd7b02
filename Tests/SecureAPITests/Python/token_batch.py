#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Batch driver for the token interop test (run by SecureAPITests, not by hand).

Reads a JSON batch on standard input: cases with a key file's text, a token sealed by Swift,
and a frame body. For each case it opens Swift's token with the v1 reference, seals the body
with the reference for Swift to open, and reports both as JSON on standard output (byte strings
as standard base64).
"""

import base64
import json
import sys

from cryptography.fernet import InvalidToken

import secure_api_v1 as v1


def run_case(case: dict) -> dict:
    password = case["key"]
    try:
        opened = base64.b64encode(v1.open_token(case["swiftToken"], password)).decode("ascii")
    except (InvalidToken, ValueError):
        opened = None
    body = base64.b64decode(case["body"], validate=True)
    return {"id": case["id"], "swiftBody": opened, "pythonToken": v1.seal(body, password)}


def main() -> int:
    batch = json.load(sys.stdin)
    json.dump([run_case(case) for case in batch["cases"]], sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
