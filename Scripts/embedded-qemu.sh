#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Runs the published test vectors and a Secure API round trip on two emulated microcontrollers:
# an Arm Cortex-M4 (QEMU `mps2-an386`) and a 32-bit RISC-V rv32imac (QEMU `virt`).
#
# Usage: Scripts/embedded-qemu.sh [--vectors DIR] [--out DIR] [--target armv7em|riscv32]...
#   --vectors DIR   vector files to compile in (default: Vectors/ of this checkout)
#   --out DIR       build directory (default: .embedded-build/qemu, git-ignored)
#   --target NAME   run one board only (repeatable; default: both)
# Environment: EMBEDDED_QEMU_TIMEOUT, seconds allowed for each QEMU run (default 300).
#
# For each board the crypto core (CryptoSupport SHA2 MessageAuthentication BlockCiphers
# Encodings Fernet) and the protocol module (SecureAPI) are compiled with Embedded Swift at
# -Osize, one module at a time with the flags of Scripts/embedded-build.sh plus
# -function-sections, then linked with the self-test (Tests/Embedded/SelfTest), the vectors
# generated from the vector files, and a small test-only C start file and runtime
# (Tests/Embedded/boards), with the toolchain's own ld.lld and --gc-sections. Each board prints
# `<target>: <passed>/<total> vectors passed`; the script fails unless every board passes.
# It also links a minimal device program (Tests/Embedded/Footprint: seal and open one frame
# through the byte APIs, as a weather station would) and prints, for both images, the linked
# code and data size of each module, what the core is made of, and the QEMU run times.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
vectors="$root/Vectors"
out="$root/.embedded-build/qemu"
selected=()
while [ $# -gt 0 ]; do
  case "$1" in
    --vectors) vectors=$(cd "$2" && pwd); shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --target) selected+=("$2"); shift 2 ;;
    *) echo "usage: $0 [--vectors DIR] [--out DIR] [--target armv7em|riscv32]..." >&2; exit 2 ;;
  esac
done
[ ${#selected[@]} -gt 0 ] || selected=(armv7em riscv32)
timeout_seconds=${EMBEDDED_QEMU_TIMEOUT:-300}
embedded="$root/Tests/Embedded"
core_modules=(CryptoSupport SHA2 MessageAuthentication BlockCiphers Encodings Fernet)
modules=("${core_modules[@]}" SecureAPI)

# Step 1: tools. The Swift toolchain brings swiftc, clang, ld.lld and llvm-objdump; QEMU comes
# from Debian (qemu-system-arm for the Cortex-M4 board, qemu-system-misc for RISC-V) and is
# installed when missing. No other C library or compiler runtime is needed: the test harness
# carries its own few functions.
swiftc=$(command -v swiftc)
toolchain=$(dirname "$(readlink -f "$swiftc")")
clang="$toolchain/clang"
lld="$toolchain/ld.lld"
for tool in "$clang" "$lld" "$toolchain/llvm-objdump"; do
  [ -x "$tool" ] || { echo "embedded-qemu: $tool not found next to swiftc" >&2; exit 1; }
done
command -v python3 >/dev/null || { echo "embedded-qemu: python3 is needed" >&2; exit 1; }
missing=()
for target in "${selected[@]}"; do
  case "$target" in
    armv7em) command -v qemu-system-arm >/dev/null || missing+=(qemu-system-arm) ;;
    riscv32) command -v qemu-system-riscv32 >/dev/null || missing+=(qemu-system-misc) ;;
    *) echo "embedded-qemu: unknown target $target (armv7em or riscv32)" >&2; exit 2 ;;
  esac
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "== installing ${missing[*]} with apt-get"
  sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
fi

# Step 2: the vectors. The boards have no file system, so the generator turns every case of
# every vector file into Swift source in the build directory (never committed).
rm -rf "$out"
mkdir -p "$out"
echo "== generating vectors from $vectors"
python3 "$embedded/generate_vectors.py" "$vectors" "$out/GeneratedVectors.swift"

# Per-target settings: Swift target, clang flags for the harness, board directory, QEMU line.
settings() {
  case "$1" in
    armv7em)
      swift_target=armv7em-none-none-eabi
      c_flags=(--target=armv7em-none-eabi -mcpu=cortex-m4 -mthumb -mfloat-abi=soft)
      board=mps2-an386
      # shellcheck disable=SC2054 # the commas belong to QEMU's option syntax
      qemu=(qemu-system-arm -machine mps2-an386 -cpu cortex-m4
        -semihosting-config enable=on,target=native)
      ;;
    riscv32)
      swift_target=riscv32-none-none-eabi
      c_flags=(--target=riscv32-none-elf -march=rv32imac -mabi=ilp32)
      board=virt-rv32
      qemu=(qemu-system-riscv32 -machine virt -cpu rv32 -bios none)
      ;;
  esac
}

# Step 3: compile and link one board's firmware (run for both boards at once, one per core).
# The modules get exactly the flags of Scripts/embedded-build.sh, plus -function-sections so
# that the linker can drop every function the firmware does not reach. Objects are linked in
# dependency order, so standard library code shared by several modules is counted once, against
# the lowest module that uses it.
build() {
  local target=$1 dir="$out/$1"
  settings "$target"
  mkdir -p "$dir"
  local module
  for module in "${modules[@]}"; do
    "$swiftc" -target "$swift_target" -enable-experimental-feature Embedded -wmo -Osize \
      -parse-as-library -strict-memory-safety -package-name SecureAPI -module-name "$module" \
      -Xfrontend -function-sections -I "$dir" \
      -emit-module -emit-module-path "$dir/$module.swiftmodule" \
      -c -o "$dir/$module.o" "$root"/Sources/"$module"/*.swift
  done
  # The self-test itself: the checks plus the generated vectors (`Extern` for `putchar`).
  "$swiftc" -target "$swift_target" -enable-experimental-feature Embedded \
    -enable-experimental-feature Extern -wmo -Osize -parse-as-library \
    -module-name EmbeddedSelfTest -Xfrontend -function-sections -I "$dir" \
    -c -o "$dir/EmbeddedSelfTest.o" "$embedded"/SelfTest/*.swift "$embedded"/Shared/*.swift \
    "$out/GeneratedVectors.swift"
  # The device program that measures what a real firmware carries (byte APIs only).
  "$swiftc" -target "$swift_target" -enable-experimental-feature Embedded \
    -enable-experimental-feature Extern -wmo -Osize -parse-as-library \
    -module-name DeviceFootprint -Xfrontend -function-sections -I "$dir" \
    -c -o "$dir/DeviceFootprint.o" "$embedded"/Footprint/*.swift "$embedded"/Shared/*.swift
  # The test-only start file and C runtime, freestanding.
  local c_common=(-ffreestanding -fno-builtin -nostdlib -Os -ffunction-sections -fdata-sections
    -Wall -Wextra -Werror -I "$embedded/boards/common")
  "$clang" "${c_flags[@]}" "${c_common[@]}" -c "$embedded/boards/common/runtime.c" \
    -o "$dir/runtime.o"
  local start_objects=()
  local source
  for source in "$embedded/boards/$board"/start.*; do
    "$clang" "${c_flags[@]}" "${c_common[@]}" -c "$source" -o "$dir/start${source##*/start}.o"
    start_objects+=("$dir/start${source##*/start}.o")
  done
  local objects=() program
  for module in "${modules[@]}"; do objects+=("$dir/$module.o"); done
  for program in EmbeddedSelfTest DeviceFootprint; do
    "$lld" --gc-sections -T "$embedded/boards/$board/link.ld" -Map "$dir/$program.map" \
      -o "$dir/$program.elf" "${objects[@]}" "$dir/$program.o" "$dir/runtime.o" \
      "${start_objects[@]}"
  done
}

echo "== building ${selected[*]} (Embedded Swift -Osize, ld.lld --gc-sections)"
build_started=$(date +%s)
pids=()
for target in "${selected[@]}"; do
  build "$target" >"$out/$target.build.log" 2>&1 &
  pids+=($!)
done
status=0
for index in "${!selected[@]}"; do
  if ! wait "${pids[$index]}"; then
    echo "embedded-qemu: the ${selected[$index]} build failed:" >&2
    cat "$out/${selected[$index]}.build.log" >&2
    status=1
  fi
done
[ $status -eq 0 ] || exit 1
echo "   built in $(($(date +%s) - build_started)) s (logs: $out/<target>.build.log)"

# Step 4: sizes, from the linker's map of what --gc-sections kept, for the self-test image and
# for the device program (a weather station's seal and open through the byte APIs).
echo "== linked sizes in bytes (code = flash: .text .rodata .ARM.exidx; data = RAM: .data .bss .got)"
for target in "${selected[@]}"; do
  python3 "$embedded/link_sizes.py" "$out/$target/EmbeddedSelfTest.map" "$target self-test" --top 6
  python3 "$embedded/link_sizes.py" "$out/$target/DeviceFootprint.map" "$target device" --brief
done

# Step 5: run each image under QEMU with a time limit. The board prints on its UART and reports
# the exit status through semihosting (Cortex-M4) or the SiFive test device (RISC-V). Sets
# `code` (QEMU's exit status, 124 on time-out) and writes the output to the log.
run() {
  local target=$1 program=$2 log=$3 started elapsed
  settings "$target"
  started=$(date +%s%N)
  set +e
  timeout -k 5 "$timeout_seconds" "${qemu[@]}" -display none -monitor none -serial stdio \
    -kernel "$out/$target/$program.elf" </dev/null | sed -u 's/\r$//' | tee "$log"
  code=${PIPESTATUS[0]}
  set -e
  elapsed=$((($(date +%s%N) - started) / 1000000))
  printf '   %s %s: QEMU exit status %d, run time %d.%03d s\n' \
    "$target" "$program" "$code" $((elapsed / 1000)) $((elapsed % 1000))
  [ "$code" -ne 124 ] || echo "embedded-qemu: $target timed out after $timeout_seconds s" >&2
}

# The self-test passes when QEMU exits 0 AND the summary line shows every case passed; the
# device program when it exits 0 after sealing and opening its frame.
failed=()
for target in "${selected[@]}"; do
  settings "$target"
  echo "== running the $target self-test on ${qemu[*]:0:3}"
  log="$out/$target.selftest.log"
  run "$target" EmbeddedSelfTest "$log"
  summary=$(grep -E "^$target: [0-9]+/[0-9]+ vectors passed$" "$log" || true)
  passed=0 total=x
  [ -z "$summary" ] ||
    read -r passed total < <(echo "$summary" | sed -E 's/^[^:]+: ([0-9]+)\/([0-9]+).*/\1 \2/')
  if [ "$code" -ne 0 ] || [ "$passed" != "$total" ]; then
    failed+=("$target self-test")
  fi
  echo "== running the $target device program"
  log="$out/$target.device.log"
  run "$target" DeviceFootprint "$log"
  if [ "$code" -ne 0 ] || ! grep -q "^footprint: sealed and opened a frame$" "$log"; then
    failed+=("$target device program")
  fi
done

if [ ${#failed[@]} -gt 0 ]; then
  printf 'embedded-qemu: FAILED: %s\n' "${failed[@]}" >&2
  exit 1
fi
echo "embedded-qemu: every board passed"
