#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Turns the published vector files under Vectors/ into Swift source for the Embedded self-test.

The boards have no file system, so every case of every file is compiled into the firmware. This
script parses the files (the NIST CAVP .rsp format, the RFC 4231 .txt files that share it, and
the Fernet spec .json files), normalises each case into one line of space-separated fields
(hex bytes, `-` for no bytes, or decimal numbers), and writes them as `StaticString` literals,
one per vector file, with the number of cases the file declares. The device parses the lines
back and checks the count, so a case cannot be dropped silently on either side.

Nothing is hand-copied: run it at build time, write the output to a build directory, never
commit it.

Usage: generate_vectors.py VECTORS_DIR OUTPUT.swift
"""

import datetime
import hashlib
import json
import pathlib
import re
import sys

# The fixed key file of the Secure API round trip: 512 characters of the key alphabet, made once
# for this test (it protects nothing). Its SHA-224, which names the key inside every frame, is
# computed here with hashlib and checked on the device against the SHA2 module.
SECURE_API_KEY = (
    "Jq8sWm2ZkR4tVb7nXc1yHd6gLp3fTa9e"
    "Ue5rNw0iOo4pQs8dFg2hKj6lZx1cVb3n"
    "Mq7wEr9tYu5iOp1aSd3fGh7jKl9zXc5v"
    "Bn2mQw4eRt6yUi8oPa0sDf2gHj4kLz6x"
    "Cv8bNm1qWe3rTy5uIo7pAs9dFg1hJk3l"
    "Zx5cVb7nMq9wEr2tYu4iOp6aSd8fGh0j"
    "Kl2zXc4vBn6mQw8eRt0yUi3oPa5sDf7g"
    "Hj9kLz1xCv3bNm5qWe7rTy9uIo2pAs4d"
    "Fg6hJk8lZx0cVb2nMq4wEr6tYu8iOp1a"
    "Sd3fGh5jKl7zXc9vBn1mQw3eRt5yUi7o"
    "Pa9sDf0gHj2kLz4xCv6bNm8qWe0rTy2u"
    "Io4pAs6dFg8hJk0lZx2cVb4nMq6wEr8t"
    "Yu0iOp3aSd5fGh7jKl9zXc1vBn3mQw5e"
    "Rt7yUi9oPa1sDf3gHj5kLz7xCv9bNm0q"
    "We2rTy4uIo6pAs8dFg0hJk2lZx4cVb6n"
    "Mq8wEr0tYu2iOp4aSd6fGh8jKl0zXc3v"
)


def fail(message):
    """Stops the build with a message naming the file and the problem."""
    sys.exit(f"generate_vectors.py: {message}")


def rsp_records(path):
    """Parses a CAVP response file as the host tests do: CRLF read as LF, `#` lines skipped,
    `[...]` lines set the section, a blank line ends a record. Yields (section, first line,
    fields) per record."""
    text = path.read_bytes().decode("utf-8").replace("\r\n", "\n")
    records = []
    section = ""
    fields = {}
    first_line = 0

    def flush():
        nonlocal fields
        if fields:
            records.append((section, first_line, fields))
        fields = {}

    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.strip()
        if not line:
            flush()
        elif line.startswith("#"):
            continue
        elif line.startswith("[") and line.endswith("]"):
            flush()
            section = line[1:-1]
        elif "=" in line:
            if not fields:
                first_line = number
            name, value = line.split("=", 1)
            fields[name.strip()] = value.strip()
        else:
            fail(f"{path}:{number}: unrecognised line")
    flush()
    return records


def count_lines(path, marker):
    """Counts the lines starting with `marker`, independently of the parser (as the host's
    VectorInventoryTests do)."""
    text = path.read_bytes().decode("utf-8").replace("\r\n", "\n")
    return sum(1 for line in text.split("\n") if line.startswith(marker))


def hexfield(record, name, path):
    """A hex field as lowercase hex, checked to be whole bytes."""
    section, line, fields = record
    value = fields.get(name)
    if value is None or not re.fullmatch(r"([0-9a-fA-F]{2})*", value):
        fail(f"{path}:{line}: field {name} missing or not hexadecimal")
    return value.lower()


def hexbytes(data):
    """Bytes as one field: lowercase hex, or `-` for no bytes."""
    return data.hex() if data else "-"


def unix_seconds(text):
    """Parses the Fernet spec's `YYYY-MM-DDTHH:MM:SS±HH:MM` into Unix seconds."""
    moment = datetime.datetime.fromisoformat(text)
    if moment.tzinfo is None:
        fail(f"time {text} has no offset")
    return int(moment.timestamp())


def declared_counts(vectors):
    """The `cases` column of Vectors/README.md, by file, when the README is present."""
    readme = vectors / "README.md"
    if not readme.exists():
        return {}
    counts = {}
    for line in readme.read_text().splitlines():
        match = re.match(r"\| `([^`]+)` \| `[^`]+` \| (\d+) \|", line)
        if match:
            counts[match.group(1)] = int(match.group(2))
    return counts


class Output:
    """Collects the generated vector sets and writes the Swift file."""

    def __init__(self, vectors):
        self.vectors = vectors
        self.declared = declared_counts(vectors)
        self.sets = []
        self.total = 0

    def add(self, relative, identifier, layout, lines, marker_count):
        """Adds one vector file's cases after checking the three counts agree: the lines made,
        the markers in the raw text, and the README's table."""
        if len(lines) != marker_count:
            fail(f"{relative}: parsed {len(lines)} cases but the text has {marker_count}")
        declared = self.declared.get(relative)
        if self.declared and declared != len(lines):
            fail(f"{relative}: {len(lines)} cases but Vectors/README.md declares {declared}")
        for line in lines:
            if not re.fullmatch(r"[0-9a-zA-Z -]+", line):
                fail(f"{relative}: unexpected character in generated line {line[:40]}")
        stem = relative.split("/")[-1].split(".")[0]
        self.sets.append((identifier, stem, relative, layout, lines))
        self.total += len(lines)

    def write(self, destination):
        out = [
            "// GeneratedVectors.swift: every case of the published vector files, for the",
            "// Embedded self-test. Generated at build time by",
            "// Tests/Embedded/generate_vectors.py; do not edit and do not commit.",
            "// SPDX-License-Identifier: Apache-2.0",
            "",
            "/// The generated vector sets, one per file under `Vectors/`.",
            "enum GeneratedVectors {",
            f"  /// The number of cases in all files: {self.total}.",
            f"  static let caseCount = {self.total}",
            "",
            "  /// The Secure API round trip's fixed key file (512 characters).",
            f'  static let secureAPIKey: StaticString = "{SECURE_API_KEY}"',
            "",
            "  /// Its SHA-224 in lowercase hex, as computed by Python's hashlib.",
            "  static let secureAPIKeySHA224: StaticString =",
            f'    "{hashlib.sha224(SECURE_API_KEY.encode()).hexdigest()}"',
        ]
        for identifier, stem, relative, layout, lines in self.sets:
            body = "\n".join("      " + line for line in lines)
            out += [
                "",
                f"  /// `Vectors/{relative}`: {len(lines)} cases of `{layout}`.",
                f"  static let {identifier} = VectorSet(",
                f'    name: "{stem}", count: {len(lines)},',
                '    records: """',
                body,
                '      """)',
            ]
        out.append("}")
        destination.write_text("\n".join(out) + "\n")


def hash_files(output, algorithm):
    """SHA-224/256 ShortMsg, LongMsg (`line message digest`) and Monte (`line seed digest`)."""
    for subset in ("shortmsg", "longmsg"):
        relative = f"SHA2/{algorithm}-cavp-{subset}.rsp"
        path = output.vectors / relative
        lines = []
        for record in rsp_records(path):
            if "Len" not in record[2]:
                continue
            bits = int(record[2]["Len"])
            message = bytes.fromhex(hexfield(record, "Msg", path))[: bits // 8]
            if bits % 8 or len(message) * 8 != bits:
                fail(f"{path}:{record[1]}: Len {bits} does not match the message")
            lines.append(f"{record[1]} {hexbytes(message)} {hexfield(record, 'MD', path)}")
        output.add(
            relative, f"{algorithm}Cavp{subset.capitalize()}", "line message digest", lines,
            count_lines(path, "Len ="))
    relative = f"SHA2/{algorithm}-cavp-monte.rsp"
    path = output.vectors / relative
    records = rsp_records(path)
    seeds = [r for r in records if "Seed" in r[2]]
    if len(seeds) != 1:
        fail(f"{path}: expected one Seed")
    # Each checkpoint starts from the previous published digest (the first from Seed), as the
    # host test does, so every checkpoint is an independent case.
    seed = hexfield(seeds[0], "Seed", path)
    lines = []
    for record in records:
        if "COUNT" not in record[2]:
            continue
        digest = hexfield(record, "MD", path)
        lines.append(f"{record[1]} {seed} {digest}")
        seed = digest
    output.add(
        relative, f"{algorithm}CavpMonte", "line seed digest", lines, count_lines(path, "COUNT ="))


def hmac_files(output):
    """RFC 4231 HMAC-SHA224/256 (`line key message tag`)."""
    for algorithm in ("sha224", "sha256"):
        relative = f"MessageAuthentication/hmac-{algorithm}-rfc4231.txt"
        path = output.vectors / relative
        lines = []
        for record in rsp_records(path):
            if "Len" not in record[2]:
                continue
            message = bytes.fromhex(hexfield(record, "Msg", path))
            if int(record[2]["Len"]) != len(message) * 8:
                fail(f"{path}:{record[1]}: Len does not match the message")
            key = bytes.fromhex(hexfield(record, "Key", path))
            tag = hexfield(record, "MD", path)
            lines.append(f"{record[1]} {hexbytes(key)} {hexbytes(message)} {tag}")
        identifier = f"hmac{algorithm.capitalize()}Rfc4231"
        output.add(relative, identifier, "line key message tag", lines, count_lines(path, "Len ="))


def aes_files(output):
    """AES-128 CBC KAT and MMT (`line direction key iv plaintext ciphertext`, direction E or D
    from the [ENCRYPT] or [DECRYPT] section)."""
    for subset in ("gfsbox", "keysbox", "varkey", "vartxt", "mmt"):
        relative = f"BlockCiphers/aes128-cbc-cavp-{subset}.rsp"
        path = output.vectors / relative
        lines = []
        for record in rsp_records(path):
            if "COUNT" not in record[2]:
                continue
            direction = {"ENCRYPT": "E", "DECRYPT": "D"}.get(record[0])
            if direction is None:
                fail(f"{path}:{record[1]}: unexpected section {record[0]}")
            fields = [hexfield(record, name, path) for name in ("KEY", "IV")]
            if any(len(field) != 32 for field in fields):
                fail(f"{path}:{record[1]}: KEY and IV must be 16 bytes")
            texts = [hexfield(record, name, path) for name in ("PLAINTEXT", "CIPHERTEXT")]
            if len(texts[0]) != len(texts[1]) or len(texts[0]) % 32:
                fail(f"{path}:{record[1]}: texts must be whole blocks of the same length")
            lines.append(" ".join([str(record[1]), direction] + fields + texts))
        output.add(
            relative, f"aes128CbcCavp{subset.capitalize()}",
            "line direction key iv plaintext ciphertext", lines, count_lines(path, "COUNT ="))


def fernet_files(output):
    """The Fernet spec files. generate: `index secret now iv source token`; verify:
    `index secret now ttl source token`; invalid: `index secret now ttl token description`.
    Text fields are hex of their UTF-8 bytes; `now` is converted to Unix seconds here."""
    for kind in ("generate", "verify", "invalid"):
        relative = f"Fernet/fernet-spec-{kind}.json"
        path = output.vectors / relative
        cases = json.loads(path.read_bytes())
        lines = []
        for index, case in enumerate(cases):
            secret = hexbytes(case["secret"].encode())
            now = str(unix_seconds(case["now"]))
            token = hexbytes(case["token"].encode())
            if kind == "generate":
                iv = bytes(case["iv"])
                if len(iv) != 16:
                    fail(f"{path}[{index}]: the IV must be 16 bytes")
                fields = [secret, now, iv.hex(), hexbytes(case["src"].encode()), token]
            elif kind == "verify":
                fields = [secret, now, str(case["ttl_sec"]), hexbytes(case["src"].encode()), token]
            else:
                fields = [secret, now, str(case["ttl_sec"]), token, hexbytes(case["desc"].encode())]
            lines.append(" ".join([str(index)] + fields))
        layout = {
            "generate": "index secret now iv source token",
            "verify": "index secret now ttl source token",
            "invalid": "index secret now ttl token description",
        }[kind]
        output.add(relative, f"fernetSpec{kind.capitalize()}", layout, lines, len(cases))


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    if len(SECURE_API_KEY) != 512 or not SECURE_API_KEY.isalnum():
        fail("the fixed Secure API key must be 512 characters of the key alphabet")
    vectors = pathlib.Path(sys.argv[1])
    output = Output(vectors)
    hash_files(output, "sha224")
    hash_files(output, "sha256")
    hmac_files(output)
    aes_files(output)
    fernet_files(output)
    # Every file the README lists must have been generated, and the other way round.
    generated = {relative for _, _, relative, _, _ in output.sets}
    if output.declared and set(output.declared) != generated:
        fail(f"files differ from Vectors/README.md: {sorted(set(output.declared) ^ generated)}")
    output.write(pathlib.Path(sys.argv[2]))
    print(f"generated {output.total} cases from {len(output.sets)} files in {vectors}")


if __name__ == "__main__":
    main()
