#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Reports how much of a linked self-test image each module takes, from ld.lld's map file.

After --gc-sections only the functions and data that are reachable remain; the map file lists
every input section that was kept, with the object file it came from. Sizes are summed per
object: "code" is what sits in flash (.text, .rodata, .ARM.exidx, the vector table) and "data"
what sits in RAM (.data, .bss, .got; .data also takes its initial image in flash). Standard
library code that several modules use is emitted into each of their objects and kept once, from
the first object on the link line; the script links the modules in dependency order, so shared
code counts against the lowest module that uses it.

Usage: link_sizes.py MAP LABEL [--top N] [--brief]
Prints one line per group (core modules, the core total, the protocol module, the test harness),
whether the core's code is under 48 KiB, what kinds of function it is made of and, with --top,
the N largest kept functions of the core.
"""

import argparse
import collections
import re
import subprocess

CORE = ["CryptoSupport", "SHA2", "MessageAuthentication", "BlockCiphers", "Encodings", "Fernet"]
PROTOCOL = ["SecureAPI"]
HARNESS = {"EmbeddedSelfTest": "self-test (Swift)", "DeviceFootprint": "device program (Swift)", "runtime": "C runtime", "start": "start file"}

FLASH_SECTIONS = (".vectors", ".text", ".rodata", ".ARM.exidx")
RAM_SECTIONS = (".data", ".bss", ".got", ".sdata", ".sbss")

LINE = re.compile(r"^\s*([0-9a-f]+)\s+([0-9a-f]+)\s+([0-9a-f]+)\s+(\d+) (.*)$")
INPUT = re.compile(r"^(.*):\((.*)\)$")


def parse(map_path):
    """Returns {(object, output section): bytes} and [(bytes, object, input section)]."""
    sizes = collections.Counter()
    pieces = []
    output = None
    with open(map_path) as handle:
        for line in handle:
            match = LINE.match(line)
            if not match:
                continue
            size = int(match.group(3), 16)
            rest = match.group(5)
            inner = INPUT.match(rest.strip())
            # Output sections stand in the "Out" column: eight columns less indented than input
            # sections; symbols are indented further still and have no `file:(section)` form.
            if not inner and rest.startswith(".") and not rest.startswith(" "):
                output = rest.strip()
                continue
            if inner and output:
                # `dir/SHA2.o` counts as SHA2; `dir/start.c.o` and `dir/start.S.o` as start.
                obj = inner.group(1).rsplit("/", 1)[-1].split(".", 1)[0]
                sizes[(obj, output)] += size
                pieces.append((size, obj, output, inner.group(2)))
    return sizes, pieces


def totals(sizes, objects):
    """Flash and RAM bytes of a group of objects."""
    flash = sum(v for (o, s), v in sizes.items() if o in objects and s in FLASH_SECTIONS)
    ram = sum(v for (o, s), v in sizes.items() if o in objects and s in RAM_SECTIONS)
    return flash, ram


def symbol_of(section):
    """The function or data name in a -function-sections input section name."""
    for prefix in (".text.", ".rodata."):
        if section.startswith(prefix):
            return section[len(prefix):]
    return section


STRING_WORDS = ("String", "UTF8", "UTF16", "Unicode", "Character", "_allASCII", "Substring")


def kind_of(mangled, plain, output):
    """Sorts a kept piece of the core: the bitsliced AES, the module's own other code, the
    standard library's String and Unicode support, the rest of the standard library and the
    Embedded runtime, or constant data."""
    if output != ".text":
        return "constants"
    own = re.match(r"\$e(\d+)([A-Za-z]+)", mangled)
    if own and own.group(2)[: int(own.group(1))] in CORE + PROTOCOL:
        return "AES-128" if "AES128" in plain else "own code"
    if mangled.startswith("OUTLINED_FUNCTION"):
        return "outlined"
    if any(word in plain for word in STRING_WORDS):
        return "stdlib String/Unicode"
    return "other stdlib+runtime"


def demangle(names):
    """Demangles Swift symbol names with swift-demangle when it is there."""
    try:
        result = subprocess.run(
            ["swift-demangle", "--simplified", "--compact"], input="\n".join(names),
            capture_output=True, text=True, check=True)
        return result.stdout.splitlines()
    except (OSError, subprocess.CalledProcessError):
        return names


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("map")
    parser.add_argument("label", help="how to name the image in the output")
    parser.add_argument("--top", type=int, default=0, help="list the N largest core pieces")
    parser.add_argument("--brief", action="store_true", help="totals only, no per-module rows")
    args = parser.parse_args()
    sizes, pieces = parse(args.map)
    print(f"  {args.label}:")

    def row(label, objects):
        code, data = totals(sizes, objects)
        print(f"    {label:32} code {code:7}  data {data:5}")
        return code

    if not args.brief:
        for module in CORE:
            row(module, {module})
    core = row("core total", set(CORE))
    row("protocol (SecureAPI)", set(PROTOCOL))
    row("core + protocol", set(CORE) | set(PROTOCOL))
    if not args.brief:
        for obj, label in HARNESS.items():
            code, data = totals(sizes, {obj})
            if code or data:
                row(f"harness: {label}", {obj})
    row("whole image", {o for o, _ in sizes})
    verdict = "met" if core < 48 * 1024 else "NOT met"
    print(f"    core code {core} B = {core / 1024:.1f} KiB: target under 48 KiB {verdict}")
    # What the core's code is made of, by kind of function.
    core_pieces = [p for p in pieces if p[1] in CORE and p[2] in FLASH_SECTIONS]
    mangled = [symbol_of(p[3]) for p in core_pieces]
    kinds = collections.Counter()
    for piece, name, plain in zip(core_pieces, mangled, demangle(mangled)):
        kinds[kind_of(name, plain, piece[2])] += piece[0]
    print("    core code by kind: " + ", ".join(
        f"{kind} {size}" for kind, size in kinds.most_common()))
    if args.top:
        kept = sorted(core_pieces, reverse=True)[:args.top]
        names = demangle([symbol_of(p[3]) for p in kept])
        print("    largest kept pieces of the core:")
        for (size, obj, _, _), name in zip(kept, names):
            print(f"      {size:6}  {obj:14} {name[:100]}")


if __name__ == "__main__":
    main()
