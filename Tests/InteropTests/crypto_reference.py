#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Reference side of the Swift/Python cross-check (run by InteropTests, not by hand).

Reads a JSON batch of cases on standard input. For each case it recomputes SHA-224, SHA-256,
HMAC-SHA224, HMAC-SHA256 and AES-128-CBC with PKCS7 using pyca `cryptography`, decrypts the
Fernet token Swift made, checks that Swift's tampered token is refused, and makes a Fernet
token and a tampered copy of its own for Swift to check. Writes a JSON list of results on
standard output. Every byte string travels as standard base64.
"""

import base64
import hashlib
import json
import sys

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes, hmac, padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def unb64(text: str) -> bytes:
    return base64.b64decode(text, validate=True)


def digest(algorithm, data: bytes) -> bytes:
    h = hashes.Hash(algorithm)
    h.update(data)
    return h.finalize()


def mac(algorithm, key: bytes, data: bytes) -> bytes:
    h = hmac.HMAC(key, algorithm)
    h.update(data)
    return h.finalize()


def cbc_encrypt(key: bytes, iv: bytes, data: bytes) -> bytes:
    padder = padding.PKCS7(128).padder()
    padded = padder.update(data) + padder.finalize()
    encryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
    return encryptor.update(padded) + encryptor.finalize()


def tamper(token: str, position: int) -> str:
    """Flips one bit of the decoded token and re-encodes it canonically."""
    raw = bytearray(base64.urlsafe_b64decode(token))
    raw[position % len(raw)] ^= 1 << (position % 8)
    return base64.urlsafe_b64encode(bytes(raw)).decode("ascii")


def fernet_token(fernet: Fernet, message: bytes, when: int, iv: bytes) -> str:
    """A token with a chosen IV, so runs are reproducible; falls back to a random IV."""
    make = getattr(fernet, "_encrypt_from_parts", None)
    if make is not None:
        return make(message, when, iv).decode("ascii")
    return fernet.encrypt_at_time(message, when).decode("ascii")


def run_case(case: dict) -> dict:
    message = unb64(case["message"])
    hmac_key = unb64(case["hmacKey"])
    aes_key = unb64(case["aesKey"])
    iv = unb64(case["iv"])
    fernet = Fernet(case["fernetKey"].encode("ascii"))

    try:
        swift_plaintext = b64(fernet.decrypt(case["swiftToken"].encode("ascii")))
    except InvalidToken:
        swift_plaintext = None
    try:
        fernet.decrypt(case["swiftTampered"].encode("ascii"))
        tampered_rejected = False
    except InvalidToken:
        tampered_rejected = True

    python_iv = hashlib.sha256(iv).digest()[:16]
    python_token = fernet_token(fernet, message, case["fernetTime"], python_iv)
    return {
        "id": case["id"],
        "sha224": b64(digest(hashes.SHA224(), message)),
        "sha256": b64(digest(hashes.SHA256(), message)),
        "hmacSha224": b64(mac(hashes.SHA224(), hmac_key, message)),
        "hmacSha256": b64(mac(hashes.SHA256(), hmac_key, message)),
        "cbc": b64(cbc_encrypt(aes_key, iv, message)),
        "swiftTokenPlaintext": swift_plaintext,
        "swiftTamperedRejected": tampered_rejected,
        "pythonToken": python_token,
        "pythonTampered": tamper(python_token, case["tamperPosition"]),
    }


def main() -> int:
    batch = json.load(sys.stdin)
    json.dump([run_case(case) for case in batch["cases"]], sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
