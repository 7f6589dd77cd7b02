/* start.S: entry of the self-test on QEMU's RISC-V `virt` board (rv32imac, machine mode,
 * `-bios none`, so QEMU's reset code jumps straight to _start at 0x80000000).
 * TEST HARNESS ONLY: it exists because Swift cannot set a stack pointer.
 * SPDX-License-Identifier: Apache-2.0
 */

  .section .text.start, "ax"
  .globl _start
_start:
  /* The global pointer, for gp-relative accesses to small data (no relaxation while setting
   * it, or the assembler would compute it relative to itself). */
  .option push
  .option norelax
  la gp, __global_pointer$
  .option pop
  la sp, __stack_top
  /* Traps (a Swift trap is an `unimp`/`ebreak` instruction) go to trap_entry. */
  la t0, trap_entry
  csrw mtvec, t0
  call board_start
1:
  j 1b

  /* mtvec needs a 4-byte aligned base in direct mode. Nothing is saved: the handler reports
   * and ends the run. */
  .p2align 2
trap_entry:
  csrr a0, mcause
  csrr a1, mepc
  csrr a2, mtval
  call trap_report
2:
  j 2b
