/* bpftool's words for keys and values: DATA := [hex] BYTES, and keywords
 * matched as bpftool matches them (any prefix: "he" is "hex"). Kept apart
 * from the runtime so that the fuzzer (tests/cli/fuzz_kv.c) links it alone;
 * errors go through cli_error(). */
#ifndef BPFVM_TOOLS_KV_H
#define BPFVM_TOOLS_KV_H

#include <stdbool.h>
#include <stdint.h>

/* bpftool's is_prefix: `word` is a (possibly empty) prefix of `keyword`. */
bool cli_is_prefix(const char *word, const char *keyword);

/* Parses `size` bytes from *argv as bpftool's parse_bytes does: after an
 * optional "hex", each word is a number read by strtoul, base 16 after
 * "hex", else C's (0x1f, 31, 037), its low byte kept (bpftool truncates
 * 0x100 to 00 as well). Moves argc and argv past the words used. Errors, in
 * bpftool's words: "error parsing byte: W", "NAME expected N bytes got M";
 * returns -1 after printing. */
int cli_parse_bytes(int *argc, char ***argv, void *out, uint32_t size, const char *name);

/* Prints "Error: ..." (to stdout as {"error": ...} with -j, as bpftool's
 * p_err) and returns -1. */
int cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
