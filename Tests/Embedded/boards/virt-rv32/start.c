// start.c: UART, exit and start-up for QEMU's RISC-V `virt` board (`qemu-system-riscv32
// -machine virt -bios none`).
//
// TEST HARNESS ONLY. Output goes to the NS16550A UART at 0x10000000; the exit status goes to
// the host through the SiFive test device at 0x100000 (QEMU hw/misc/sifive_test.c: 0x5555
// passes, `code << 16 | 0x3333` fails with `code`).
// SPDX-License-Identifier: Apache-2.0

#include "board.h"

// MARK: - UART (16550)

#define UART_THR (*(volatile uint8_t *)0x10000000u)
#define UART_LCR (*(volatile uint8_t *)0x10000003u)
#define UART_LSR (*(volatile uint8_t *)0x10000005u)

enum { LSR_TX_EMPTY = 0x20 };

void board_putc(uint8_t byte) {
  while (!(UART_LSR & LSR_TX_EMPTY)) {
  }
  UART_THR = byte;
}

// MARK: - Exit through the SiFive test device

__attribute__((noreturn)) void board_exit(int code) {
  volatile uint32_t *test = (volatile uint32_t *)0x100000u;
  *test = code == 0 ? 0x5555u : ((uint32_t)code << 16) | 0x3333u;
  for (;;) {
  }
}

// MARK: - Traps

__attribute__((noreturn)) void trap_report(uint32_t cause, uint32_t pc, uint32_t value) {
  runtime_puts("\nfault: trap cause ");
  runtime_puthex(cause);
  runtime_puts(" at pc ");
  runtime_puthex(pc);
  runtime_puts(" mtval ");
  runtime_puthex(value);
  runtime_puts("\n");
  board_exit(4);
}

// MARK: - Start

extern uint32_t __data_load[], __data_start[], __data_end[], __bss_start[], __bss_end[];

__attribute__((noreturn)) void board_start(void) {
  // .data from its load address in the "flash" half to RAM, then .bss to zero.
  for (uint32_t *from = __data_load, *to = __data_start; to < __data_end;) {
    *to++ = *from++;
  }
  for (uint32_t *to = __bss_start; to < __bss_end;) {
    *to++ = 0;
  }
  UART_LCR = 0x03;  // 8 data bits, no parity, one stop bit
  runtime_init();
  runtime_run();
}
