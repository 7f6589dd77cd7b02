// start.c: reset, vector table, UART and exit for the Arm MPS2+ AN386 board (Cortex-M4) as
// QEMU emulates it (`qemu-system-arm -machine mps2-an386`).
//
// TEST HARNESS ONLY: it exists because Swift cannot set a stack pointer or lay out a vector
// table. Output goes to CMSDK APB UART0 at 0x40004000 (Arm AN386 application note, memory map;
// CMSDK technical reference, APB UART registers); the exit status goes to the host through Arm
// semihosting (SYS_EXIT_EXTENDED), which QEMU enables with `-semihosting-config enable=on`.
// SPDX-License-Identifier: Apache-2.0

#include "board.h"

// MARK: - UART0 (CMSDK APB UART)

#define UART0_DATA (*(volatile uint32_t *)0x40004000u)
#define UART0_STATE (*(volatile uint32_t *)0x40004004u)
#define UART0_CTRL (*(volatile uint32_t *)0x40004008u)
#define UART0_BAUDDIV (*(volatile uint32_t *)0x40004010u)

enum { UART_STATE_TX_FULL = 1, UART_CTRL_TX_ENABLE = 1 };

static void uart_init(void) {
  UART0_BAUDDIV = 16;  // the smallest divider the UART accepts; QEMU ignores the rate
  UART0_CTRL = UART_CTRL_TX_ENABLE;
}

void board_putc(uint8_t byte) {
  while (UART0_STATE & UART_STATE_TX_FULL) {
  }
  UART0_DATA = byte;
}

// MARK: - Exit through semihosting

__attribute__((noreturn)) void board_exit(int code) {
  // SYS_EXIT_EXTENDED (0x20) with ADP_Stopped_ApplicationExit (0x20026) and the exit code:
  // QEMU exits with that code. On M-profile the semihosting call is `bkpt 0xab`.
  static uint32_t block[2];
  block[0] = 0x20026u;
  block[1] = (uint32_t)code;
  register uint32_t operation __asm__("r0") = 0x20u;
  register uint32_t *argument __asm__("r1") = block;
  __asm__ volatile("bkpt 0xab" : "+r"(operation) : "r"(argument) : "memory");
  for (;;) {
  }
}

// MARK: - Faults

// A Swift trap (a failed precondition, an out-of-bounds index) is an undefined instruction,
// which escalates to HardFault here: report the faulting address and fail the run.
__attribute__((used)) static void fault_report(uint32_t *frame) {
  runtime_puts("\nfault: HardFault at pc ");
  runtime_puthex(frame[6]);
  runtime_puts(" lr ");
  runtime_puthex(frame[5]);
  runtime_puts(" hfsr ");
  runtime_puthex(*(volatile uint32_t *)0xE000ED2Cu);
  runtime_puts(" cfsr ");
  runtime_puthex(*(volatile uint32_t *)0xE000ED28u);
  runtime_puts("\n");
  board_exit(4);
}

__attribute__((naked)) static void fault_handler(void) {
  __asm__ volatile(
      "tst lr, #4\n"
      "ite eq\n"
      "mrseq r0, msp\n"
      "mrsne r0, psp\n"
      "b fault_report\n");
}

// MARK: - Reset

extern uint32_t __data_load[], __data_start[], __data_end[], __bss_start[], __bss_end[];
extern uint8_t __stack_top[];

__attribute__((noreturn)) void reset_handler(void) {
  // .data from its load address in flash to RAM, then .bss to zero.
  for (uint32_t *from = __data_load, *to = __data_start; to < __data_end;) {
    *to++ = *from++;
  }
  for (uint32_t *to = __bss_start; to < __bss_end;) {
    *to++ = 0;
  }
  // CPACR: full access to coprocessors 10 and 11 (the FPU), which the Cortex-M4 code
  // generated for armv7em may use; then synchronise.
  *(volatile uint32_t *)0xE000ED88u |= 0xFu << 20;
  __asm__ volatile("dsb\nisb" ::: "memory");
  uart_init();
  runtime_init();
  runtime_run();
}

// The Cortex-M vector table (Armv7-M ARM B1.5.3): initial stack pointer, then handlers.
__attribute__((section(".vectors"), used)) static void (*const vectors[16])(void) = {
    (void (*)(void))__stack_top,
    reset_handler,
    fault_handler,  // NMI
    fault_handler,  // HardFault
    fault_handler,  // MemManage
    fault_handler,  // BusFault
    fault_handler,  // UsageFault
    0, 0, 0, 0,
    fault_handler,  // SVCall
    fault_handler,  // DebugMonitor
    0,
    fault_handler,  // PendSV
    fault_handler,  // SysTick
};
