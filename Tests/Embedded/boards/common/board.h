// board.h: what each board's start file provides to the shared test runtime (runtime.c), and
// what the runtime provides back. TEST HARNESS ONLY: never linked into a user's firmware.
// SPDX-License-Identifier: Apache-2.0

#ifndef EMBEDDED_SELFTEST_BOARD_H
#define EMBEDDED_SELFTEST_BOARD_H

#include <stddef.h>
#include <stdint.h>

// Provided by the board (start.c).

/// Sends one byte to the board's UART, waiting while its transmitter is busy.
void board_putc(uint8_t byte);

/// Ends the emulation with `code` as QEMU's exit status (0 passes).
__attribute__((noreturn)) void board_exit(int code);

// Provided by the shared runtime (runtime.c).

/// Writes a NUL-terminated string to the UART.
void runtime_puts(const char *text);

/// Writes a number in decimal.
void runtime_putu(uint32_t value);

/// Writes a number in hexadecimal with a `0x` prefix.
void runtime_puthex(uint32_t value);

/// Prepares the heap and fills the unused stack with a pattern; call first thing, on the stack.
void runtime_init(void);

/// Runs the Swift self-test, prints the heap and stack use, and exits with its result.
__attribute__((noreturn)) void runtime_run(void);

/// The Swift self-test's entry point (Tests/Embedded/SelfTest/SelfTest.swift).
int32_t selftest_main(void);

#endif
