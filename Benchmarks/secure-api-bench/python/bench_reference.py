#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""The Python half of `secure-api-bench`: the same rows, timed with pyca `cryptography` and,
for seal and open, with the v1 protocol reference `Tests/SecureAPITests/Python/secure_api_v1.py`.

The Swift benchmark starts this script twice (`serve`): once as installed and once with
`OPENSSL_ia32cap` set to turn off AES-NI and SHA-NI. It writes one JSON request per line,

    {"op": "sha256", "size": 16384, "min_seconds": 0.1}

and this script answers one line per request:

    {"seconds": <per call>, "iterations": <n>, "mean_token_bytes": <number or null>}

or {"error": "..."}. The first request for a row warms up and calibrates (the iteration count
doubles, or grows by the shortfall, until one sample lasts `min_seconds`); each request then
times one sample with that count on `time.perf_counter`, with the garbage collector off as
`timeit` does. `{"op": "info"}` answers the versions in use. End of input ends the script.

`plot --input ROWS.json --output OUT.png` draws throughput against size from the benchmark's
JSON rows (`plot --check` only checks that matplotlib is importable). Nothing is installed.
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import json
import os
import random
import secrets
import sys
import time

from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import hashes, hmac, padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

REFERENCE_PATH = os.path.join(
    os.path.dirname(os.path.abspath(__file__)),
    "..", "..", "..", "Tests", "SecureAPITests", "Python", "secure_api_v1.py",
)
ALPHABET = "qwertyuiopasdfghjklzxcvbnm1234567890QWERTYUIOPASDFGHJKLZXCVBNM"


def load_reference():
    """Imports the v1 protocol reference by path (it is not a package)."""
    spec = importlib.util.spec_from_file_location("secure_api_v1", REFERENCE_PATH)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look the module up by name
    spec.loader.exec_module(module)
    return module


class Workloads:
    """Keys, inputs and one callable per row: `run(n)` makes n calls and returns the total
    outer token length for seal and open (None otherwise)."""

    def __init__(self) -> None:
        self.aes_key = os.urandom(16)
        self.iv = os.urandom(16)
        self.hmac_key = os.urandom(32)
        self.fernet = Fernet(Fernet.generate_key())
        self.password = "".join(secrets.choice(ALPHABET) for _ in range(512))
        self._reference = None

    @property
    def reference(self):
        """The v1 reference module, imported on first use."""
        if self._reference is None:
            self._reference = load_reference()
        return self._reference

    def make(self, op: str, size: int):
        """The workload of one row."""
        data = os.urandom(size)
        if op in ("sha224", "sha256"):
            algorithm = hashes.SHA224() if op == "sha224" else hashes.SHA256()

            def run(n):
                for _ in range(n):
                    h = hashes.Hash(algorithm)
                    h.update(data)
                    h.finalize()
            return run
        if op == "hmac-sha256":
            key = self.hmac_key

            def run(n):
                for _ in range(n):
                    h = hmac.HMAC(key, hashes.SHA256())
                    h.update(data)
                    h.finalize()
            return run
        if op.startswith("aes-128-cbc-"):
            return self._make_aes(op, data)
        if op == "fernet-encrypt":
            fernet = self.fernet

            def run(n):
                for _ in range(n):
                    fernet.encrypt(data)
            return run
        if op == "fernet-decrypt":
            fernet = self.fernet
            token = fernet.encrypt(data)

            def run(n):
                for _ in range(n):
                    fernet.decrypt(token)
            return run
        if op in ("seal", "open"):
            return self._make_secure_api(op, size)
        raise ValueError(f"unknown operation {op!r}")

    def _make_aes(self, op: str, data: bytes):
        """AES-128-CBC with or without PKCS7, a new cipher context per call."""
        key, iv = self.aes_key, self.iv
        if op == "aes-128-cbc-encrypt":
            def run(n):
                for _ in range(n):
                    padder = padding.PKCS7(128).padder()
                    padded = padder.update(data) + padder.finalize()
                    encryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
                    encryptor.update(padded) + encryptor.finalize()
            return run
        if op == "aes-128-cbc-encrypt-nopad":
            def run(n):
                for _ in range(n):
                    encryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
                    encryptor.update(data) + encryptor.finalize()
            return run
        if op == "aes-128-cbc-decrypt":
            padder = padding.PKCS7(128).padder()
            padded = padder.update(data) + padder.finalize()
            encryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
            ciphertext = encryptor.update(padded) + encryptor.finalize()

            def run(n):
                for _ in range(n):
                    decryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor()
                    plain = decryptor.update(ciphertext) + decryptor.finalize()
                    unpadder = padding.PKCS7(128).unpadder()
                    unpadder.update(plain) + unpadder.finalize()
            return run
        if op == "aes-128-cbc-decrypt-nopad":
            def run(n):
                for _ in range(n):
                    decryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor()
                    decryptor.update(data) + decryptor.finalize()
            return run
        raise ValueError(f"unknown operation {op!r}")

    def _make_secure_api(self, op: str, size: int):
        """The reference's `seal(body, password)` and `open_token(token, password)`, with a
        fresh random mask per call (sealing) or a pool of 32 tokens with different masks."""
        reference, password = self.reference, self.password
        message = "".join(random.choice(ALPHABET) for _ in range(size)).encode("ascii")
        body = reference.format_time(time.time()).encode("ascii") + b"put" + message
        if op == "seal":
            def run(n):
                total = 0
                for _ in range(n):
                    total += len(reference.seal(body, password))
                return total
            return run
        tokens = [reference.seal(body, password) for _ in range(32)]

        def run(n):
            total = 0
            for call in range(n):
                token = tokens[call % len(tokens)]
                reference.open_token(token, password)
                total += len(token)
            return total
        return run


class Cell:
    """One row's workload, its calibrated iteration count and its token statistics."""

    def __init__(self, run) -> None:
        self.run = run
        self.iterations = 0
        self.token_bytes = 0
        self.calls = 0

    def time(self, n: int) -> float:
        """Seconds taken by n calls, the garbage collector off."""
        enabled = gc.isenabled()
        gc.disable()
        try:
            start = time.perf_counter()
            total = self.run(n)
            elapsed = time.perf_counter() - start
        finally:
            if enabled:
                gc.enable()
        if total is not None:
            self.token_bytes += total
            self.calls += n
        return elapsed

    def sample(self, min_seconds: float) -> float:
        """One timed sample in seconds per call; the first one warms up and calibrates."""
        if self.iterations == 0:
            self.time(1)
            count = 1
            while True:
                elapsed = self.time(count)
                if elapsed >= min_seconds:
                    break
                scaled = int(count * min_seconds / elapsed * 1.2) if elapsed > 0 else 0
                count = max(2 * count, min(100 * count, scaled))
            self.iterations = count
        return self.time(self.iterations) / self.iterations


def info() -> str:
    """The versions in use."""
    import cryptography
    from cryptography.hazmat.backends.openssl import backend
    return (f"Python {sys.version.split()[0]}, cryptography {cryptography.__version__}, "
            f"{backend.openssl_version_text()}")


def serve() -> int:
    """Answers requests from the benchmark until end of input."""
    workloads = Workloads()
    cells: dict[tuple[str, int], Cell] = {}
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            request = json.loads(line)
            if request["op"] == "info":
                answer = {"info": info()}
            else:
                key = (request["op"], int(request["size"]))
                if key not in cells:
                    cells[key] = Cell(workloads.make(*key))
                cell = cells[key]
                seconds = cell.sample(float(request["min_seconds"]))
                mean = cell.token_bytes / cell.calls if cell.calls else None
                answer = {"seconds": seconds, "iterations": cell.iterations,
                          "mean_token_bytes": mean}
        except Exception as error:  # noqa: BLE001 - reported to the benchmark, which stops
            answer = {"error": f"{type(error).__name__}: {error}"}
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()
    return 0


def plot(input_path: str | None, output_path: str, check: bool) -> int:
    """Draws MB/s against size (ms per call for seal and open), ours and Python's."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("secure-api-bench: --plot needs matplotlib, which is not installed; "
              "run `pip install matplotlib` and try again", file=sys.stderr)
        return 1
    if check:
        return 0
    with open(input_path, encoding="utf-8") as file:
        rows = [row for row in json.load(file) if row.get("ours_seconds") is not None]
    operations = list(dict.fromkeys(row["operation"] for row in rows))
    columns = 4
    lines = (len(operations) + columns - 1) // columns
    figure, axes = plt.subplots(lines, columns, figsize=(4 * columns, 3 * lines), squeeze=False)
    series = [("ours_seconds", "ours (Swift)", "C0"), ("python_seconds", "Python", "C1"),
              ("python_software_seconds", "Python, software AES", "C2")]
    for index, operation in enumerate(operations):
        axis = axes[index // columns][index % columns]
        selected = sorted((r for r in rows if r["operation"] == operation), key=lambda r: r["size"])
        per_call = operation in ("seal", "open")
        sizes = [r["size"] for r in selected]
        for key, label, colour in series:
            if per_call:
                values = [r[key] * 1e3 for r in selected]
            else:
                values = [r["size"] / r[key] / 1e6 for r in selected]
            axis.plot(sizes, values, marker="o", label=label, color=colour)
        axis.set_title(operation, fontsize=9)
        axis.set_xscale("symlog" if per_call else "log", base=2 if not per_call else 10)
        axis.set_yscale("log")
        axis.set_xlabel("message characters" if per_call else "bytes", fontsize=8)
        axis.set_ylabel("ms per call" if per_call else "MB/s", fontsize=8)
        axis.tick_params(labelsize=7)
        axis.grid(True, which="both", alpha=0.3)
    for index in range(len(operations), lines * columns):
        axes[index // columns][index % columns].axis("off")
    axes[0][0].legend(fontsize=7)
    figure.suptitle("secure-api-bench: ours (constant-time Swift) vs Python cryptography", fontsize=10)
    figure.tight_layout()
    figure.savefig(output_path, dpi=60)
    return 0


def main(argv: list[str] | None = None) -> int:
    """`serve` or `plot`."""
    parser = argparse.ArgumentParser(prog="bench_reference.py", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("serve", help="answer timing requests on stdin, one JSON line each")
    p = commands.add_parser("plot", help="draw the benchmark's JSON rows")
    p.add_argument("--input", metavar="ROWS.json")
    p.add_argument("--output", metavar="OUT.png", required=True)
    p.add_argument("--check", action="store_true", help="only check that matplotlib imports")
    args = parser.parse_args(argv)
    if args.command == "serve":
        return serve()
    if not args.check and args.input is None:
        parser.error("plot needs --input")
    return plot(args.input, args.output, args.check)


if __name__ == "__main__":
    sys.exit(main())
