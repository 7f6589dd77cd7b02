#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Compiles the crypto core with Embedded Swift for two microcontroller targets and prints the
# code and data size of each module's object file.
#
# Usage: Scripts/embedded-build.sh [OUTPUT_DIR]
#
# Each module is compiled on its own, in dependency order, with whole-module optimisation at
# -Osize, exactly as a firmware build would link it. The build fails if a core module uses
# anything Embedded Swift forbids (Foundation, existentials, untyped throws, reflection...).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-"$root/.embedded-build"}
modules=(CryptoSupport SHA2 MessageAuthentication BlockCiphers Encodings Fernet SecureAPI)
targets=(armv7em-none-none-eabi riscv32-none-none-eabi)

swiftc=$(command -v swiftc)
objdump=$(dirname "$(readlink -f "$swiftc")")/llvm-objdump
[ -x "$objdump" ] || objdump=$(command -v llvm-objdump || true)

# Prints "text data" for an object: code and read-only data, then writable data, summed from
# llvm-objdump's section table.
sizes() {
  local text=0 data=0 name size
  while read -r _ name size _; do
    case "$name" in
      .text* | .rodata*) text=$((text + 16#$size)) ;;
      .data* | .bss* | .sdata* | .sbss*) data=$((data + 16#$size)) ;;
    esac
  done < <("$objdump" -h "$1" | awk '$1 ~ /^[0-9]+$/')
  echo "$text $data"
}

status=0
for target in "${targets[@]}"; do
  dir="$out/$target"
  rm -rf "$dir"
  mkdir -p "$dir"
  total_text=0
  total_data=0
  printf '%s\n' "$target"
  for module in "${modules[@]}"; do
    if ! "$swiftc" -target "$target" -enable-experimental-feature Embedded -wmo -Osize \
      -parse-as-library -strict-memory-safety -package-name SecureAPI -module-name "$module" \
      -I "$dir" -emit-module -emit-module-path "$dir/$module.swiftmodule" \
      -c -o "$dir/$module.o" "$root"/Sources/"$module"/*.swift; then
      printf '  %-24s FAILED\n' "$module"
      status=1
      break
    fi
    read -r text data < <(sizes "$dir/$module.o")
    total_text=$((total_text + text))
    total_data=$((total_data + data))
    printf '  %-24s text %7d  data %6d  bytes\n' "$module" "$text" "$data"
  done
  printf '  %-24s text %7d  data %6d  bytes\n' "core total" "$total_text" "$total_data"
done
exit $status
