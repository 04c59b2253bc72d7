/* Shared by the test programs: the ISA corpus reader and a runtime with the
 * helpers every corpus case may call.
 *
 * A corpus file (tests/isa/NAME.s) holds cases. A case opens with a header of
 * comment lines, then the program text, up to the next "# test:" line:
 *
 *     # test: alu64_div_by_zero_gives_zero     the rule, as the case's name
 *     # mem: 01 02 03                          input memory (hex), optional
 *     # kernel: yes | skb                      run by test_kernel_diff too
 *     # expect: 0x0                            r0 after the run, or:
 *     # expect-error: -22                      load or run fails so
 *     r0 = 42                                  the program, in the syntax
 *     r0 /= 0                                  of bpfvm_asm_parse()
 *     exit
 *
 * The whole case text is handed to the assembler: header lines are comments.
 */
#ifndef BPFVM_TESTS_TESTLIB_H
#define BPFVM_TESTS_TESTLIB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bpfvm/bpfvm.h"

enum corpus_kernel_mode {
	CORPUS_KERNEL_NO,  /* depends on raw mode (r1 = memory, r2 = length) */
	CORPUS_KERNEL_YES, /* pure registers/stack: runs as any program type */
	CORPUS_KERNEL_SKB, /* packet loads: the memory is the skb's packet */
};

struct corpus_case {
	const char *file;
	unsigned line; /* of the "# test:" line */
	char *name;
	char *text; /* the case, header included */
	uint8_t *mem;
	size_t mem_len;
	bool has_expect;
	uint64_t expect;
	bool has_expect_error;
	int expect_error; /* negative errno */
	enum corpus_kernel_mode kernel;
};

struct corpus {
	struct corpus_case *cases;
	size_t count;
};

/* Appends the cases of `path` to `corpus`. A case with a malformed header
 * line, or without exactly one of expect / expect-error, is reported on
 * stderr and left out, so that no runner runs a case it cannot judge.
 * Returns 0, or -1 if the file could not be read or a case was left out. */
int corpus_read_file(struct corpus *corpus, const char *path);

/* A whole file as a NUL-terminated malloc'ed string, or NULL. */
char *testlib_read_file(const char *path);
void corpus_release(struct corpus *corpus);

/* Helpers every corpus runtime has: 5 returns r1 (as the conformance suite's
 * plugin protocol has it), 6 returns r1 + r2 + r3 + r4 + r5. */
#define TESTLIB_HELPER_IDENTITY 5
#define TESTLIB_HELPER_SUM 6

/* A runtime with `engine` and no helpers of the tests; exits 77 (SKIP)
 * when the engine is not available here (-ENOTSUP), 2 on other errors. */
struct bpfvm *testlib_vm_create_engine(enum bpfvm_engine engine);

/* Creates a runtime with the two helpers above; exits on failure. */
struct bpfvm *testlib_vm_create(void);

/* Runs a loaded program over a private writable copy of mem. */
int testlib_run(struct bpfvm_prog *prog, const uint8_t *mem, size_t mem_len,
		uint64_t *retval);

/* Prints the disassembly of a program, indented, to stdout. */
void testlib_print_disasm(const struct bpf_insn *insns, size_t insn_cnt);

/* Counts one check; when it failed, prints "FAIL test: <message>". */
void testlib_check(const char *test, bool ok, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Counts a failure already reported elsewhere (by a forked child). */
void testlib_count_failure(void);

/* Number of failed checks so far. */
unsigned testlib_failed(void);

/* Prints "N passed, M failed"; returns the process exit code. */
int testlib_summary(void);

/* BPF_PROG_LOAD of insns as `prog_type` (license "GPL", the given expected
 * attach type) with a level-1 verifier log in log[size]. Returns the
 * program's fd, or -1 with errno (EPERM, ENOSYS: bpf() is not usable). */
int testlib_kernel_load(uint32_t prog_type, uint32_t expected_attach_type,
			const struct bpf_insn *insns, size_t insn_cnt, char *log, size_t size);

/* Whether the kernel's bpf() can be used here (root, not disabled): a
 * program "r0 = 0; exit" loads. False with errno set, for the SKIP line. */
bool testlib_kernel_usable(void);

/* A libbpf call's result as an errno: -errno for a negative one (libbpf
 * returns -1 or -errno with errno set), else rc itself. */
int testlib_kernel_rc(int rc);

/* What one side of a differential test (the kernel's, bpfvm's) saw, a line
 * per step, compared line by line with the other side's. */
#define TESTLIB_LOG_LINES 128
struct testlib_log {
	char line[TESTLIB_LOG_LINES][192];
	int lines;
};

/* Appends a line (lines past TESTLIB_LOG_LINES are dropped). */
void testlib_log(struct testlib_log *log, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* One check of `test` per line: the kernel's and bpfvm's must be equal (a
 * line that one side lacks is "(nothing)" there). */
void testlib_logs_compare(const char *test, const struct testlib_log *kernel,
			  const struct testlib_log *vm);

/* Prints the log's lines, indented, to stdout. */
void testlib_log_print(const struct testlib_log *log);

/* The kernel verifier's reason in its log: the last line before its
 * statistics ("verification time", "processed N insns") that is neither
 * empty nor a line of source, or the log's last one. */
void testlib_kernel_reason(const char *log, char *buf, size_t size);

#endif
