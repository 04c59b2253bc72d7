/* The libFuzzer entry point that every harness of this directory defines.
 *
 * Built with clang (-fsanitize=fuzzer), libFuzzer supplies main(); built
 * with gcc, replay.c does, and feeds the harness each file it is given, so
 * that the regression inputs run under both compilers.
 *
 * A harness returns 0 for every input, accepted or refused; it aborts
 * (fuzz_fail) when the library breaks a promise it can check, such as the
 * assembler not reading back the disassembler's text. The sanitizers report
 * the rest: memory errors, undefined behaviour, and leaks (a refused input
 * must free everything it took, as an accepted one does). */
#ifndef BPFVM_TESTS_FUZZ_HARNESS_H
#define BPFVM_TESTS_FUZZ_HARNESS_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The map memory a harness's runtime may hold (bpfvm_opts.map_memory_max):
 * well under libFuzzer's RSS limit (-rss_limit_mb=4096 in fuzz_run.sh), so
 * that an object asking for maps of gigabytes is refused, not a finding. */
#define FUZZ_MAP_MEMORY_MAX (512ull << 20)

/* Prints what went wrong and aborts, so that libFuzzer saves the input. */
void fuzz_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

#endif
