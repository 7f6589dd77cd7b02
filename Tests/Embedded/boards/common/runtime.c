// runtime.c: the freestanding C runtime that the Embedded Swift self-test links against on the
// QEMU boards: memory functions, the compiler's 64-bit helpers, a heap behind posix_memalign /
// free, putchar, the stack protector's symbols, and heap and stack accounting.
//
// TEST HARNESS ONLY: never linked into a user's firmware. A real firmware takes these from its
// SDK's C library (newlib, picolibc) and compiler runtime (libgcc, compiler-rt).
//
// Compiled with -ffreestanding -fno-builtin, so the compiler does not turn the loops below into
// calls to the very functions they implement.
// SPDX-License-Identifier: Apache-2.0

#include "board.h"

// MARK: - Memory functions (Embedded Swift and the compiler call these)

void *memcpy(void *restrict destination, const void *restrict source, size_t count) {
  uint8_t *to = destination;
  const uint8_t *from = source;
  // Word copies when both pointers share word alignment: the self-test copies large buffers.
  if ((((uintptr_t)to | (uintptr_t)from) & 3) == 0) {
    for (; count >= 4; count -= 4, to += 4, from += 4) {
      *(uint32_t *)to = *(const uint32_t *)from;
    }
  }
  while (count--) {
    *to++ = *from++;
  }
  return destination;
}

void *memmove(void *destination, const void *source, size_t count) {
  uint8_t *to = destination;
  const uint8_t *from = source;
  if (to == from || count == 0) {
    return destination;
  }
  if (to < from || to >= from + count) {
    return memcpy(destination, source, count);
  }
  while (count--) {
    to[count] = from[count];
  }
  return destination;
}

void *memset(void *destination, int value, size_t count) {
  uint8_t *to = destination;
  while (count--) {
    *to++ = (uint8_t)value;
  }
  return destination;
}

int memcmp(const void *left, const void *right, size_t count) {
  const uint8_t *a = left;
  const uint8_t *b = right;
  for (size_t index = 0; index < count; index++) {
    if (a[index] != b[index]) {
      return a[index] < b[index] ? -1 : 1;
    }
  }
  return 0;
}

size_t strlen(const char *text) {
  size_t count = 0;
  while (text[count]) {
    count++;
  }
  return count;
}

// MARK: - 64-bit integer helpers (what compiler-rt / libgcc would provide)

// The halves of a 64-bit value; the shifts below work on 32-bit halves only, so that they do
// not compile back into calls to themselves.
typedef union {
  uint64_t all;
  struct {
    uint32_t low;
    uint32_t high;
  } s;
} Halves;

static uint64_t shift_left(uint64_t value, unsigned amount) {
  Halves in = {.all = value}, out;
  amount &= 63;
  if (amount == 0) {
    return value;
  }
  if (amount >= 32) {
    out.s.low = 0;
    out.s.high = in.s.low << (amount - 32);
  } else {
    out.s.low = in.s.low << amount;
    out.s.high = (in.s.high << amount) | (in.s.low >> (32 - amount));
  }
  return out.all;
}

static uint64_t shift_right(uint64_t value, unsigned amount, int arithmetic) {
  Halves in = {.all = value}, out;
  amount &= 63;
  if (amount == 0) {
    return value;
  }
  uint32_t fill = (arithmetic && (int32_t)in.s.high < 0) ? 0xffffffffu : 0;
  if (amount >= 32) {
    out.s.high = fill;
    out.s.low = arithmetic ? (uint32_t)((int32_t)in.s.high >> (amount - 32))
                           : in.s.high >> (amount - 32);
  } else {
    out.s.low = (in.s.low >> amount) | (in.s.high << (32 - amount));
    out.s.high = arithmetic ? (uint32_t)((int32_t)in.s.high >> amount) : in.s.high >> amount;
  }
  return out.all;
}

// Unsigned 64-bit division by shift and subtract, one quotient bit per step; 32-bit operands
// use the CPU's divide instruction (Cortex-M4 `udiv`, RV32M `divu`).
uint64_t __udivmoddi4(uint64_t numerator, uint64_t denominator, uint64_t *remainder) {
  Halves n = {.all = numerator}, d = {.all = denominator};
  if (d.all == 0) {
    runtime_puts("\nruntime: 64-bit division by zero\n");
    board_exit(5);
  }
  if (n.s.high == 0 && d.s.high == 0) {
    if (remainder) {
      *remainder = n.s.low % d.s.low;
    }
    return n.s.low / d.s.low;
  }
  uint64_t quotient = 0, rest = 0, bits = numerator;
  for (int step = 0; step < 64; step++) {
    Halves r = {.all = rest}, b = {.all = bits}, q = {.all = quotient};
    // rest = rest << 1 | top bit of bits; bits <<= 1; quotient <<= 1 (on halves).
    r.s.high = (r.s.high << 1) | (r.s.low >> 31);
    r.s.low = (r.s.low << 1) | (b.s.high >> 31);
    b.s.high = (b.s.high << 1) | (b.s.low >> 31);
    b.s.low <<= 1;
    q.s.high = (q.s.high << 1) | (q.s.low >> 31);
    q.s.low <<= 1;
    rest = r.all;
    bits = b.all;
    quotient = q.all;
    if (rest >= denominator) {
      rest -= denominator;
      quotient |= 1;
    }
  }
  if (remainder) {
    *remainder = rest;
  }
  return quotient;
}

static int64_t divide_signed(int64_t numerator, int64_t denominator, int64_t *remainder) {
  int negative_quotient = (numerator < 0) != (denominator < 0);
  uint64_t n = numerator < 0 ? 0 - (uint64_t)numerator : (uint64_t)numerator;
  uint64_t d = denominator < 0 ? 0 - (uint64_t)denominator : (uint64_t)denominator;
  uint64_t rest;
  uint64_t quotient = __udivmoddi4(n, d, &rest);
  if (remainder) {
    *remainder = numerator < 0 ? -(int64_t)rest : (int64_t)rest;
  }
  return negative_quotient ? -(int64_t)quotient : (int64_t)quotient;
}

#if defined(__arm__)

// ARM EABI run-time helpers (ARM IHI 0043, "Run-time ABI for the ARM Architecture").

uint64_t __aeabi_llsl(uint64_t value, int amount) { return shift_left(value, (unsigned)amount); }
uint64_t __aeabi_llsr(uint64_t value, int amount) {
  return shift_right(value, (unsigned)amount, 0);
}
int64_t __aeabi_lasr(int64_t value, int amount) {
  return (int64_t)shift_right((uint64_t)value, (unsigned)amount, 1);
}

void __aeabi_memcpy(void *d, const void *s, size_t n) { memcpy(d, s, n); }
void __aeabi_memcpy4(void *d, const void *s, size_t n) { memcpy(d, s, n); }
void __aeabi_memcpy8(void *d, const void *s, size_t n) { memcpy(d, s, n); }
void __aeabi_memmove(void *d, const void *s, size_t n) { memmove(d, s, n); }
void __aeabi_memmove4(void *d, const void *s, size_t n) { memmove(d, s, n); }
void __aeabi_memmove8(void *d, const void *s, size_t n) { memmove(d, s, n); }
// Note the EABI argument order: destination, count, value.
void __aeabi_memset(void *d, size_t n, int c) { memset(d, c, n); }
void __aeabi_memset4(void *d, size_t n, int c) { memset(d, c, n); }
void __aeabi_memset8(void *d, size_t n, int c) { memset(d, c, n); }
void __aeabi_memclr(void *d, size_t n) { memset(d, 0, n); }
void __aeabi_memclr4(void *d, size_t n) { memset(d, 0, n); }
void __aeabi_memclr8(void *d, size_t n) { memset(d, 0, n); }

int64_t __aeabi_ldivmod_helper(int64_t n, int64_t d, int64_t *r) { return divide_signed(n, d, r); }

// __aeabi_uldivmod and __aeabi_ldivmod return the quotient in r0:r1 and the remainder in r2:r3,
// which C cannot express: these wrappers call the C division with a stack slot for the
// remainder and load it into r2:r3 (the same shape as compiler-rt's aeabi_uldivmod.S).
__attribute__((naked)) void __aeabi_uldivmod(void) {
  __asm__ volatile(
      "push {r6, lr}\n"
      "sub sp, sp, #16\n"
      "add r6, sp, #8\n"
      "str r6, [sp]\n"
      "bl __udivmoddi4\n"
      "ldrd r2, r3, [sp, #8]\n"
      "add sp, sp, #16\n"
      "pop {r6, pc}\n");
}

__attribute__((naked)) void __aeabi_ldivmod(void) {
  __asm__ volatile(
      "push {r6, lr}\n"
      "sub sp, sp, #16\n"
      "add r6, sp, #8\n"
      "str r6, [sp]\n"
      "bl __aeabi_ldivmod_helper\n"
      "ldrd r2, r3, [sp, #8]\n"
      "add sp, sp, #16\n"
      "pop {r6, pc}\n");
}

#else

// The libgcc / compiler-rt names that RV32 code calls for 64-bit shifts and division.

uint64_t __ashldi3(uint64_t value, int amount) { return shift_left(value, (unsigned)amount); }
uint64_t __lshrdi3(uint64_t value, int amount) { return shift_right(value, (unsigned)amount, 0); }
int64_t __ashrdi3(int64_t value, int amount) {
  return (int64_t)shift_right((uint64_t)value, (unsigned)amount, 1);
}
uint64_t __udivdi3(uint64_t n, uint64_t d) { return __udivmoddi4(n, d, 0); }
uint64_t __umoddi3(uint64_t n, uint64_t d) {
  uint64_t rest;
  __udivmoddi4(n, d, &rest);
  return rest;
}
int64_t __divdi3(int64_t n, int64_t d) { return divide_signed(n, d, 0); }
int64_t __moddi3(int64_t n, int64_t d) {
  int64_t rest;
  divide_signed(n, d, &rest);
  return rest;
}

#endif

// MARK: - Output

int putchar(int character) {
  if (character == '\n') {
    board_putc('\r');
  }
  board_putc((uint8_t)character);
  return character;
}

void runtime_puts(const char *text) {
  while (*text) {
    putchar(*text++);
  }
}

void runtime_putu(uint32_t value) {
  char digits[11];
  int count = 0;
  do {
    digits[count++] = (char)('0' + value % 10);
    value /= 10;
  } while (value);
  while (count) {
    putchar(digits[--count]);
  }
}

void runtime_puthex(uint32_t value) {
  runtime_puts("0x");
  for (int shift = 28; shift >= 0; shift -= 4) {
    putchar("0123456789abcdef"[(value >> shift) & 15]);
  }
}

// MARK: - Stack protector

// Embedded Swift builds with the stack protector on by default. A real firmware sets the guard
// from its hardware random source at boot; this fixed value is for the test only.
uintptr_t __stack_chk_guard = 0x5afe57acu;

__attribute__((noreturn)) void __stack_chk_fail(void) {
  runtime_puts("\nruntime: stack smashing detected\n");
  board_exit(3);
}

// MARK: - Heap

// A size-class allocator on the RAM between the end of .bss and the bottom of the stack (the
// linker script's __heap_start and __heap_end). Every block is a power of two from 32 bytes on,
// starts with a 16-byte header, and returns to a free list of its size; nothing is coalesced.
// That is plenty for the self-test, whose allocations repeat in the same sizes.

extern uint8_t __heap_start[], __heap_end[], __stack_bottom[], __stack_top[];

typedef struct {
  uint32_t size_class;  // log2 of the block size
  uint32_t offset;      // from the block start to the returned pointer
  uint32_t requested;   // bytes asked for, for the accounting
  uint32_t magic;       // catches frees of pointers the heap never returned
} Header;

enum { MAGIC = 0x48454150u, MIN_CLASS = 5, MAX_CLASS = 26 };

static uint8_t *heap_next;
static void *free_lists[MAX_CLASS + 1];
static size_t heap_in_use, heap_peak, requested_in_use, requested_peak;
static uint32_t allocation_count;

int posix_memalign(void **result, size_t alignment, size_t size) {
  if (alignment < 16) {
    alignment = 16;
  }
  if (alignment & (alignment - 1)) {
    return 22;  // EINVAL
  }
  size_t needed = size + sizeof(Header) + (alignment - 16);
  unsigned size_class = MIN_CLASS;
  while (size_class <= MAX_CLASS && ((size_t)1 << size_class) < needed) {
    size_class++;
  }
  if (size_class > MAX_CLASS) {
    return 12;  // ENOMEM
  }
  size_t block_size = (size_t)1 << size_class;
  uint8_t *block = free_lists[size_class];
  if (block) {
    free_lists[size_class] = *(void **)block;
  } else {
    if ((size_t)(__heap_end - heap_next) < block_size) {
      runtime_puts("\nruntime: out of heap memory, asked for ");
      runtime_putu((uint32_t)size);
      runtime_puts(" bytes\n");
      return 12;  // ENOMEM
    }
    block = heap_next;
    heap_next += block_size;
  }
  uintptr_t payload = ((uintptr_t)block + sizeof(Header) + alignment - 1) & ~(alignment - 1);
  Header *header = (Header *)(payload - sizeof(Header));
  header->size_class = size_class;
  header->offset = (uint32_t)(payload - (uintptr_t)block);
  header->requested = (uint32_t)size;
  header->magic = MAGIC;
  heap_in_use += block_size;
  if (heap_in_use > heap_peak) {
    heap_peak = heap_in_use;
  }
  requested_in_use += size;
  if (requested_in_use > requested_peak) {
    requested_peak = requested_in_use;
  }
  allocation_count++;
  *result = (void *)payload;
  return 0;
}

void *malloc(size_t size) {
  void *result;
  return posix_memalign(&result, 16, size) == 0 ? result : 0;
}

void free(void *pointer) {
  if (!pointer) {
    return;
  }
  Header *header = (Header *)((uintptr_t)pointer - sizeof(Header));
  if (header->magic != MAGIC) {
    runtime_puts("\nruntime: free of a pointer the heap did not return: ");
    runtime_puthex((uint32_t)(uintptr_t)pointer);
    runtime_puts("\n");
    board_exit(6);
  }
  header->magic = 0;
  uint8_t *block = (uint8_t *)pointer - header->offset;
  heap_in_use -= (size_t)1 << header->size_class;
  requested_in_use -= header->requested;
  *(void **)block = free_lists[header->size_class];
  free_lists[header->size_class] = block;
}

// MARK: - Start and accounting

enum { STACK_PATTERN = 0xdeadbeefu };

void runtime_init(void) {
  heap_next = (uint8_t *)(((uintptr_t)__heap_start + 15) & ~(uintptr_t)15);
  // Paint the stack below the current frame so the deepest use can be measured afterwards.
  uint32_t here;
  for (uint32_t *word = (uint32_t *)__stack_bottom; word < &here - 64; word++) {
    *word = STACK_PATTERN;
  }
}

__attribute__((noreturn)) void runtime_run(void) {
  int32_t code = selftest_main();
  uint32_t *word = (uint32_t *)__stack_bottom;
  while (word < (uint32_t *)__stack_top && *word == STACK_PATTERN) {
    word++;
  }
  runtime_puts("runtime: heap peak ");
  runtime_putu((uint32_t)requested_peak);
  runtime_puts(" bytes requested (");
  runtime_putu((uint32_t)heap_peak);
  runtime_puts(" in power-of-two blocks), ");
  runtime_putu(allocation_count);
  runtime_puts(" allocations; stack peak ");
  runtime_putu((uint32_t)((uint8_t *)__stack_top - (uint8_t *)word));
  runtime_puts(" bytes\n");
  board_exit(code);
}
