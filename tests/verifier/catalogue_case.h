/* A case of the verifier's catalogue (tests/verifier/catalogue/README.md):
 * a program, the program type it is loaded as, the maps it uses, and the
 * verdict and reason that the kernel gives it. */
#ifndef BPFVM_TESTS_CATALOGUE_CASE_H
#define BPFVM_TESTS_CATALOGUE_CASE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/bpf.h>

#define CATALOGUE_MAPS_MAX 8
#define CATALOGUE_PATCHES_MAX 4
#define CATALOGUE_REASON_MAX 512

struct catalogue_map {
	enum bpf_map_type type;
	uint32_t key_size, value_size, max_entries, flags;
};

/* An instruction replaced after assembly: the forms the assembler cannot
 * write (unknown opcodes, registers above r10). */
struct catalogue_patch {
	uint32_t idx;
	struct bpf_insn insn;
};

enum catalogue_kind {
	CATALOGUE_ASM, /* NAME.s: assembler text */
	CATALOGUE_OBJ, /* NAME.bpf.c: BPF C compiled by clang into NAME.bpf.o */
};

struct catalogue_case {
	char name[128];
	enum catalogue_kind kind;
	char *text;	   /* the whole file */
	char *object_path; /* CATALOGUE_OBJ: the compiled object */
	enum bpf_prog_type prog_type;
	enum bpf_attach_type attach_type;
	struct catalogue_map maps[CATALOGUE_MAPS_MAX];
	unsigned map_cnt;
	struct catalogue_patch patches[CATALOGUE_PATCHES_MAX];
	unsigned patch_cnt;
	bool expect_accept;
	char reason[CATALOGUE_REASON_MAX]; /* refusals: the kernel's words */
	char part[32];			   /* the part of the verifier that decides it */
	/* "bpfvm: accept" or "bpfvm: <reason>": a documented difference
	 * (docs/differences.md): what bpfvm says instead of the kernel. */
	char bpfvm_differs[CATALOGUE_REASON_MAX];
};

/* Reads the case at `path` (objdir: where NAME.bpf.o is, for C cases).
 * Returns 0, or -1 with the reason on stderr (malformed header). */
int catalogue_case_read(struct catalogue_case *c, const char *path, const char *objdir);
void catalogue_case_release(struct catalogue_case *c);

/* The instructions of an assembler case, patches applied; the caller frees
 * *insns. Returns 0 or -1 (message on stderr). */
int catalogue_case_insns(const struct catalogue_case *c, struct bpf_insn **insns,
			 size_t *cnt);

/* The outcome of one load: accepted, or refused with a reason. */
struct catalogue_verdict {
	bool accepted;
	bool skipped; /* the kernel column without bpf() */
	int err;
	char reason[CATALOGUE_REASON_MAX];
};

/* The line of a verifier log that gives the reason: the last one before
 * "processed N insns" (which some messages lack a newline before), or the
 * last line; the "cur state:" / "old state:" lines that follow "infinite
 * loop detected" are skipped. */
void catalogue_log_reason(const char *log, char *reason, size_t size);

/* Loads the case into bpfvm / into the kernel (bpf(2), libbpf for C). */
void catalogue_run_bpfvm(const struct catalogue_case *c, struct catalogue_verdict *v);
/* Destroys the runtime the bpfvm loads share. */
void catalogue_bpfvm_release(void);
void catalogue_run_kernel(const struct catalogue_case *c, struct catalogue_verdict *v);
bool catalogue_kernel_usable(char *why, size_t size);
/* The kernel's log of the last refusal (empty after an acceptance). */
const char *catalogue_kernel_log(void);

#endif
