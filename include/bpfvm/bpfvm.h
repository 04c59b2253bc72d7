/* bpfvm: a user-space eBPF runtime with the Linux kernel's semantics.
 *
 * Conventions (as libbpf):
 * - Functions that can fail return 0 or a negative errno. After a failure,
 *   bpfvm_errmsg() returns a message with context (program, instruction, line)
 *   that the caller can show; the library itself never prints.
 * - Option structs start with `size_t sz`, set to sizeof(struct ...) by the
 *   caller, so that fields can be added without breaking old callers. A NULL
 *   options pointer means "all defaults".
 * - Instructions are the kernel's `struct bpf_insn` (linux/bpf.h).
 */
#ifndef BPFVM_BPFVM_H
#define BPFVM_BPFVM_H

#include <stddef.h>
#include <stdint.h>
#include <linux/bpf.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Errors ---------------------------------------------------------- */

/* The message recorded by the last failing bpfvm call in this thread
 * ("" if none). Valid until the next bpfvm call in this thread. */
const char *bpfvm_errmsg(void);

/* ---- The runtime ----------------------------------------------------- */

/* A runtime holds the helper table and, in later versions, the maps,
 * namespace and virtual CPUs that its programs share. */
struct bpfvm;

struct bpfvm_opts {
	size_t sz; /* sizeof(struct bpfvm_opts) */
};

/* Creates a runtime with no helpers registered. */
int bpfvm_create(const struct bpfvm_opts *opts, struct bpfvm **vm_out);

/* Frees the runtime. Every program loaded into it must be freed first. */
void bpfvm_destroy(struct bpfvm *vm);

/* ---- Helpers --------------------------------------------------------- */

/* A helper receives r1..r5 and returns r0, like a kernel BPF helper. */
typedef uint64_t (*bpfvm_helper_fn)(uint64_t r1, uint64_t r2, uint64_t r3,
				    uint64_t r4, uint64_t r5);

/* Largest helper id that can be registered. */
#define BPFVM_HELPER_ID_MAX 65535u

/* Registers (or replaces) helper `id` under `name` (used in messages and the
 * disassembler). Programs loaded afterwards may call it; programs already
 * loaded keep the functions they were loaded with, for `call` and `callx`
 * alike. Not safe to call while another thread loads a program into the same
 * runtime; running programs are unaffected.
 * Errors: -EINVAL (NULL fn or name, id > BPFVM_HELPER_ID_MAX), -ENOMEM. */
int bpfvm_helper_register(struct bpfvm *vm, uint32_t id, const char *name,
			  bpfvm_helper_fn fn);

/* ---- Programs -------------------------------------------------------- */

struct bpfvm_prog;

struct bpfvm_prog_opts {
	size_t sz;	      /* sizeof(struct bpfvm_prog_opts) */
	const char *name;     /* shown in messages; default "prog" */
	uint64_t insn_budget; /* raw mode: about how many instructions a run may
			       * execute before it is stopped with -ETIME. It is
			       * charged, never per instruction, by each backward
			       * jump taken (the length of the loop it closes) and
			       * each local call (the length of the callee).
			       * 0 = default (BPFVM_DEFAULT_INSN_BUDGET) */
};

#define BPFVM_DEFAULT_INSN_BUDGET 100000000ull

/* Loads a program in raw mode: its context is a plain memory buffer
 * (r1 = buffer, r2 = its length, r10 = top of the stack), as the ISA
 * conformance suite uses. The program is checked before it can run: every
 * opcode, register and jump target valid, lddw pairs whole, no fall-through
 * past the last instruction, local calls to valid targets with no recursion,
 * at most 8 frames and 512 bytes of stack along any call chain, helper calls
 * to registered helpers. The copy of `insns` is kept; the caller's array is
 * not referenced afterwards.
 * Errors: -EINVAL (malformed program; bpfvm_errmsg() names the instruction),
 * -E2BIG (too many instructions or too much stack), -ENOMEM. */
int bpfvm_prog_load_raw(struct bpfvm *vm, const struct bpf_insn *insns,
			size_t insn_cnt, const struct bpfvm_prog_opts *opts,
			struct bpfvm_prog **prog_out);

/* Frees a program; NULL is allowed. */
void bpfvm_prog_free(struct bpfvm_prog *prog);

/* Runs a raw-mode program once over `mem` (which may be NULL when mem_len is
 * 0; the program may write to it). Legacy packet loads (ld_abs/ld_ind) read
 * from `mem` in network byte order; an out-of-range one returns 0 from the
 * current function (the whole program when made by the main one), as in the
 * kernel.
 * Errors: -ETIME (instruction budget exhausted), -EINVAL (callx to an
 * unregistered helper id). *retval is r0 when the result is 0. */
int bpfvm_prog_run_raw(struct bpfvm_prog *prog, void *mem, size_t mem_len,
		       uint64_t *retval);

/* Number of instructions of the program as loaded, and a pointer to them. */
size_t bpfvm_prog_insn_cnt(const struct bpfvm_prog *prog);
const struct bpf_insn *bpfvm_prog_insns(const struct bpfvm_prog *prog);

/* ---- Assembler and disassembler ------------------------------------ */

/* The text syntax is the kernel verifier's and `bpftool prog dump xlated`'s:
 *
 *     r0 = *(u32 *)(r1 +4)
 *     if r1 > 0x5 goto pc+3        (or: goto label)
 *     r0 = 0x1122334455667788 ll   (lddw)
 *     call 5                       (helper; "call pc+N" or "call label" for
 *                                   local calls, "callx r2" for callx)
 *
 * Labels are `name:` on a line of their own or before an instruction. `;` and
 * `#` start comments. A leading "N:" instruction index, as bpftool prints, is
 * accepted and ignored. */

/* Assembles `text`. On success *insns_out is a malloc'ed array that the
 * caller frees with free(), *insn_cnt_out its length.
 * Errors: -EINVAL (bpfvm_errmsg() names the line and what is wrong),
 * -ENOMEM. */
int bpfvm_asm_parse(const char *text, struct bpf_insn **insns_out,
		    size_t *insn_cnt_out);

/* Formats instruction `idx` of `insns` into buf (NUL-terminated, truncated to
 * size). Returns the number of slots it occupies (1, or 2 for lddw), or
 * -EINVAL if idx is out of range or the instruction is not valid (buf then
 * holds a description such as "invalid opcode 0xff"). */
int bpfvm_disasm_insn(const struct bpf_insn *insns, size_t insn_cnt,
		      size_t idx, char *buf, size_t size);

/* Formats a whole program, one "idx: text\n" line per instruction, into a
 * malloc'ed string the caller frees with free(). Returns NULL on allocation
 * failure. Invalid instructions are printed as such, not skipped. */
char *bpfvm_disasm_prog(const struct bpf_insn *insns, size_t insn_cnt);

#ifdef __cplusplus
}
#endif

#endif
