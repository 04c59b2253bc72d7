/* A test file of the public BPF conformance suite (`NAME.data`): sections
 * opened by a line holding "--" and a keyword, as the suite's parser reads
 * them:
 *
 *   -- asm      the program in the suite's assembly (suite_asm.h)
 *   -- raw      the program as 64-bit words, one instruction each, opcode in
 *               the low byte; replaces the asm section when both are given
 *   -- mem      the input memory, hex bytes
 *   -- result   the expected r0 (its last line: 0x-hex or decimal; 0 if none)
 *   -- error    the expected error message (its last line; empty: any error)
 *   -- c, -- no register offset   notes for other runtimes, ignored
 *
 * Any other directive (`-- map`, which needs maps the plugin protocol cannot
 * pass) makes the test skipped, as the suite's runner skips it. */
#ifndef BPFVM_CONFORMANCE_DATA_FILE_H
#define BPFVM_CONFORMANCE_DATA_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct conf_test {
	char *asm_text;	    /* the asm section's lines, or NULL */
	uint64_t *raw;	    /* the raw section's words, or NULL */
	size_t raw_cnt;
	uint8_t *mem;	    /* the input memory, or NULL */
	size_t mem_len;
	bool has_result;
	uint64_t result;
	bool has_error;
	char error[256];
	char skip[128];	    /* non-empty: why the test does not run */
};

/* Reads `path` into `test`. Returns 0, or -1 with a message in `err`. */
int conf_test_parse(const char *path, struct conf_test *test, char *err, size_t err_size);
void conf_test_free(struct conf_test *test);

#endif
