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

#include <stdbool.h>
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

/* A runtime holds the helper table, the maps and programs (with their ids),
 * the virtual CPUs and the trace pipe that its programs share. */
struct bpfvm;

/* The engine that runs a runtime's programs (docs/jit.md). Both compute
 * the same results; the interpreter is the reference, the JIT the fast
 * path. Checked runs (bpfvm_test_run_opts.checked) always interpret. */
enum bpfvm_engine {
	/* The BPFVM_ENGINE environment variable ("interp" or "jit") when it
	 * is set, else the JIT on x86-64 and the interpreter elsewhere. */
	BPFVM_ENGINE_DEFAULT = 0,
	BPFVM_ENGINE_INTERP = 1,
	/* Each program is compiled to x86-64 code when it is loaded; a load
	 * that cannot get memory for its code fails with -ENOMEM (no silent
	 * fall-back: a prog array holds programs of one engine only, as the
	 * kernel's holds JITed or interpreted ones). */
	BPFVM_ENGINE_JIT = 2,
};

struct bpfvm_opts {
	size_t sz;	  /* sizeof(struct bpfvm_opts) */
	uint32_t nr_cpus; /* virtual CPUs; 0 = the machine's possible CPUs */
	enum bpfvm_engine engine; /* BPFVM_ENGINE_DEFAULT: see above */
	/* The namespace (see "The namespace" below): with use_ns, or a
	 * non-NULL ns_root, the runtime's maps take their ids from the
	 * namespace, shareable maps live in its files, and pins, opens by path
	 * and by another process's id work. ns_root NULL: the default root
	 * (BPFVM_ROOT; /run/bpfvm for root; $XDG_RUNTIME_DIR/bpfvm). nr_cpus 0
	 * then takes the namespace's CPU count (its first runtime's); another
	 * count than the namespace's is -EINVAL. Without a namespace, maps
	 * are private to the runtime, as before. */
	bool use_ns;
	const char *ns_root;
	/* The most bytes the maps this runtime creates may hold at once (their
	 * regions and per-process arrays), as a memory cgroup bounds the
	 * kernel's map memory: a map that would pass it is refused with
	 * -ENOMEM before anything is allocated. 0: no limit but the machine's
	 * memory. An embedder running objects it did not write sets it (the
	 * fuzzers do). Maps opened by pin or id are not counted. */
	uint64_t map_memory_max;
};

/* Creates a runtime. The kernel's helpers that bpfvm provides (map
 * operations, time, random numbers, trace_printk, packet helpers, ...) are
 * registered under their Linux ids; bpfvm_helper_register() may replace them.
 * Errors: -ENOTSUP (the JIT asked for where there is none), -EINVAL (an
 * unknown engine, or BPFVM_ENGINE set to something else than interp or jit),
 * -ENOMEM. */
int bpfvm_create(const struct bpfvm_opts *opts, struct bpfvm **vm_out);

/* The engine the runtime's programs run on (never BPFVM_ENGINE_DEFAULT). */
enum bpfvm_engine bpfvm_engine(const struct bpfvm *vm);

/* Frees the runtime. Every object, program and map reference obtained from it
 * must be released first. */
void bpfvm_destroy(struct bpfvm *vm);

/* The number of virtual CPUs: the length of a per-CPU map's value array. */
uint32_t bpfvm_nr_cpus(const struct bpfvm *vm);

/* ---- Virtual CPUs ---------------------------------------------------- */

/* A run (one invocation of a program with its whole tail-call chain, or the
 * repeats of one test run) holds one virtual CPU from start to end: per-CPU
 * maps give it that vCPU's values, bpf_get_smp_processor_id() returns it, and
 * no other thread runs on it meanwhile (SEMANTICS.md: per-CPU execution).
 *
 * A thread that is not bound acquires a free vCPU for each run (the one it
 * used last when it is free), waiting while every vCPU is busy. A thread that
 * runs many programs binds to a vCPU once: its runs then take no vCPU of
 * their own. A test run with BPF_F_TEST_RUN_ON_CPU runs on the vCPU it names,
 * waiting for it if another thread holds it. A run nested in another (a
 * helper of the embedder that runs a program) stays on the outer run's vCPU.
 *
 * A thread keeps at most BPFVM_CPU_BINDINGS_MAX bindings, in as many
 * runtimes; it unbinds before the runtime is destroyed. */
#define BPFVM_CPU_BINDINGS_MAX 4

/* Binds the calling thread to vCPU `cpu`, or to any free one when cpu is -1,
 * waiting for none. Returns the vCPU, or -EINVAL (cpu out of range), -EBUSY
 * (another thread holds it, or, with -1, all of them), -EALREADY (this
 * thread is bound in this runtime already), -ENOSPC (too many bindings). */
int bpfvm_cpu_bind(struct bpfvm *vm, int cpu);

/* Releases the calling thread's vCPU in `vm`. Errors: -ENOENT (not bound),
 * -EBUSY (called from inside a run). */
int bpfvm_cpu_unbind(struct bpfvm *vm);

/* The vCPU the calling thread is bound to in `vm`, or -ENOENT. */
int bpfvm_cpu_bound(const struct bpfvm *vm);

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

/* ---- Runtime functions (kfuncs) -------------------------------------- */

/* A runtime function is the user-space counterpart of a kernel kfunc: a C
 * function with a prototype that the verifier checks each call against.
 * Raw programs call it with `call` src_reg=2 (BPF_PSEUDO_KFUNC_CALL), imm =
 * its id (RFC 9669, "call helper by BTF ID"); objects declare it as
 * `extern ... __ksym` and the loader resolves the extern by name, as libbpf
 * resolves kfuncs against the kernel's BTF. */

/* What an argument must be. A memory argument is followed by its size. */
enum bpfvm_kfunc_arg {
	BPFVM_KFUNC_ARG_NONE = 0,   /* no argument (and none after it) */
	BPFVM_KFUNC_ARG_SCALAR,	    /* any initialised value */
	BPFVM_KFUNC_ARG_MEM,	    /* readable, initialised memory of MEM_SIZE bytes */
	BPFVM_KFUNC_ARG_MEM_UNINIT, /* memory of MEM_SIZE bytes the function writes */
	BPFVM_KFUNC_ARG_MEM_SIZE,   /* the previous argument's size: a bounded value,
				     * 0 allowed */
	BPFVM_KFUNC_ARG_CTX,	    /* the program's context, unmoved */
	/* A number the verifier knows at the call (the kernel's __k suffix). */
	BPFVM_KFUNC_ARG_CONST,
	/* The previous argument's size, a number the verifier knows (__szk). */
	BPFVM_KFUNC_ARG_MEM_SIZE_CONST,
	/* Not checked at all (__ign): any value, the function makes no use of
	 * it that could go wrong. */
	BPFVM_KFUNC_ARG_IGNORED,
};

enum bpfvm_kfunc_ret {
	BPFVM_KFUNC_RET_SCALAR = 0, /* r0 is a number */
	BPFVM_KFUNC_RET_VOID,	    /* r0 is not initialised after the call */
	/* r0 points to ret_size bytes the program may read and write, or is
	 * NULL: the program must test it before use. */
	BPFVM_KFUNC_RET_MEM_OR_NULL,
};

struct bpfvm_kfunc {
	size_t sz;	    /* sizeof(struct bpfvm_kfunc) */
	const char *name;   /* the name objects' externs are resolved by */
	uint32_t id;	    /* imm of the call; 1..BPFVM_KFUNC_ID_MAX */
	bpfvm_helper_fn fn; /* receives r1..r5, returns r0 */
	enum bpfvm_kfunc_arg args[5];
	enum bpfvm_kfunc_ret ret;
	uint32_t ret_size;  /* BPFVM_KFUNC_RET_MEM_OR_NULL: bytes, > 0 */
};

/* Ids above this are bpfvm's own kfuncs (bpf_rcu_read_lock, ...). */
#define BPFVM_KFUNC_ID_MAX 0x7fffffffu

/* Registers a runtime function. Built in: bpf_rcu_read_lock /
 * bpf_rcu_read_unlock (no-ops; the verifier pairs them as the kernel does).
 * A kfunc is never replaced: registering an id or a name that is taken
 * (the built-ins' names included) is refused. Kfunc ids and helper ids are
 * separate spaces: a kfunc may have a helper's id, and a program calls it
 * only with `call` src_reg=2 (BPF_PSEUDO_KFUNC_CALL). The same rule as
 * bpfvm_helper_register() applies to threads.
 * Errors: -EINVAL (NULL fn or name, id 0 or > BPFVM_KFUNC_ID_MAX, an
 * argument list where a size does not follow its memory or the reverse,
 * RET_MEM_OR_NULL with ret_size 0), -EEXIST (id or name taken), -ENOMEM. */
int bpfvm_kfunc_register(struct bpfvm *vm, const struct bpfvm_kfunc *kfunc);

/* The id of the runtime function called `name`: 0, or -ENOENT. */
int bpfvm_kfunc_id(const struct bpfvm *vm, const char *name, uint32_t *id);

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
	/* The verifier's log, as BPF_PROG_LOAD's (see "The verifier's log"
	 * below): level (BPFVM_LOG_LEVEL_*), the caller's buffer and its size.
	 * log_true_size, if not NULL, receives the size the whole log needs,
	 * NUL included, also when the load fails. */
	uint32_t log_level;
	uint32_t log_size;
	char *log_buf;
	uint32_t *log_true_size;
	uint32_t ctx_size;    /* raw mode: the size of the buffer runs pass
			       * at least. The verifier proves each access
			       * through r1 within it (r2, the length, is
			       * known to be at least this), and
			       * bpfvm_prog_run_raw refuses a shorter buffer
			       * (-EINVAL). 0: r1 points to no bytes it may
			       * access (never NULL) */
};

#define BPFVM_DEFAULT_INSN_BUDGET 100000000ull

/* Loads a program in raw mode: its context is a plain memory buffer
 * (r1 = buffer, r2 = its length, r10 = top of the stack), as the ISA
 * conformance suite uses. The program is checked before it can run: every
 * opcode, register and jump target valid, lddw pairs whole, no fall-through
 * past the last instruction, local calls to valid targets with no recursion,
 * at most 8 frames and 512 bytes of stack along any call chain, helper calls
 * to registered helpers that a raw program may call (the built-ins that any
 * program type may call, and those registered by the embedder), kfunc calls
 * to registered runtime functions. The copy of `insns` is kept; the caller's
 * array is not referenced afterwards.
 *
 * What a program may read. Through its registers, only what the verifier
 * proved: its buffer (ctx_size bytes), its stack, map values, ring buffer
 * records. Through bpf_probe_read_user / _kernel and their _str forms
 * (which raw programs may call, as every program type may in a root load
 * of the kernel, whose bpf_base_func_proto gives them to CAP_PERFMON), any
 * readable address of the host process: its heap, its stacks, its secrets.
 * Such a read never crashes (an unmapped or unreadable page is -EFAULT), but
 * it discloses memory, and the helper's result or the bytes read may go
 * anywhere the program can write (maps, ring buffers, its return value).
 * This is by design, for tracing the host; an embedder that runs programs it
 * does not trust with its memory withdraws the helpers first: registering
 * ids 112..115 (and 4 and 45 for tracing types) with bpfvm_helper_register()
 * replaces them for every program loaded afterwards.
 *
 * Errors: -EINVAL (malformed program; bpfvm_errmsg() names the instruction),
 * -E2BIG (too many instructions or too much stack), -ENOMEM. */
int bpfvm_prog_load_raw(struct bpfvm *vm, const struct bpf_insn *insns,
			size_t insn_cnt, const struct bpfvm_prog_opts *opts,
			struct bpfvm_prog **prog_out);

/* Frees a program loaded with bpfvm_prog_load_raw(); NULL is allowed.
 * Programs of an object belong to it and are freed by bpfvm_object_close(). */
void bpfvm_prog_free(struct bpfvm_prog *prog);

/* Programs are reference counted, as the kernel's: the object (or the raw
 * load) holds one, every prog array slot that holds the program one, and
 * bpfvm_prog_get_by_id() gives the caller one, dropped with
 * bpfvm_prog_close(). A program outlives its object while a prog array slot
 * or a caller still holds it, and is freed only when no run can still be
 * inside it. Errors: -ENOENT (no loaded program has this id). */
int bpfvm_prog_get_by_id(struct bpfvm *vm, uint32_t id, struct bpfvm_prog **prog_out);
void bpfvm_prog_close(struct bpfvm_prog *prog);

/* Runs a raw-mode program once over `mem` (which may be NULL when mem_len is
 * 0; the program may write to it). Legacy packet loads (ld_abs/ld_ind) read
 * from `mem` in network byte order; an out-of-range one returns 0 from the
 * current function (the whole program when made by the main one), as in the
 * kernel.
 * Errors: -ETIME (instruction budget exhausted), -EINVAL (callx to an
 * unregistered helper id). *retval is r0 when the result is 0. */
int bpfvm_prog_run_raw(struct bpfvm_prog *prog, void *mem, size_t mem_len,
		       uint64_t *retval);

/* ---- The verifier's log --------------------------------------------- */

/* Every program is verified when it is loaded, as the kernel's verifier
 * does, and the verifier can say what it did, in the kernel's words and
 * layout (the bpf(2) BPF_PROG_LOAD log):
 *
 *   level 1  on refusal: the instructions of the failing path as processed,
 *            each with the registers and stack slots it touched
 *            ("5: (2d) if r4 > r3 goto pc+2 ; R3=pkt_end() R4=pkt(off=14,r=14)"),
 *            then the reason; on success only the last line:
 *            "processed N insns (limit 1000000) max_states_per_insn M
 *            total_states T peak_states P mark_read 0"
 *   level 2  every path, on success too ("from 2 to 6: ..." where a queued
 *            path starts)
 *   STATS    "verification time N usec" and "stack depth N" before the last line
 *   FIXED    keep the start of a log that does not fit, not its end
 *
 * The buffer: as the kernel, a log longer than the buffer keeps its end
 * (or, with BPFVM_LOG_FIXED, its start), NUL-terminated, and the load then
 * FAILS with -ENOSPC, even when the program was verified (bpfvm_errmsg()
 * says how many bytes the log needs; so does log_true_size). A buffer
 * without a level, a level with unknown bits, or a size without a buffer
 * (or the reverse) is -EINVAL. A level without a buffer makes bpfvm keep the
 * log itself (its last BPFVM_LOG_KEPT_MAX bytes), read with
 * bpfvm_prog_verifier_log(). The short message of a refusal stays in
 * bpfvm_errmsg(): "<prog>: insn N: <reason>". */
#define BPFVM_LOG_LEVEL1 1u
#define BPFVM_LOG_LEVEL2 2u
#define BPFVM_LOG_STATS 4u
#define BPFVM_LOG_FIXED 8u
#define BPFVM_LOG_KEPT_MAX (16u << 20)

/* Per program of an object, before bpfvm_object_load(), as libbpf's
 * bpf_program__set_log_level / set_log_buf: they override the object's
 * (bpfvm_object_opts). Errors: -EBUSY (already loaded, or load attempted),
 * -EINVAL. */
int bpfvm_prog_set_log_level(struct bpfvm_prog *prog, uint32_t log_level);
uint32_t bpfvm_prog_log_level(const struct bpfvm_prog *prog);
int bpfvm_prog_set_log_buf(struct bpfvm_prog *prog, char *log_buf, size_t log_size);
const char *bpfvm_prog_log_buf(const struct bpfvm_prog *prog, size_t *log_size);

/* BPF_PROG_LOAD's prog_flags, before bpfvm_object_load(), as libbpf's
 * bpf_program__set_flags: they replace those the section name gave
 * (BPF_F_SLEEPABLE for ".s", BPF_F_XDP_HAS_FRAGS for ".frags").
 * BPF_F_STRICT_ALIGNMENT makes the verifier refuse every access not aligned
 * to its size, packets counted from 2 bytes into an aligned buffer
 * (NET_IP_ALIGN), as the kernel on an architecture without efficient
 * unaligned access; BPF_F_ANY_ALIGNMENT overrides it. Errors: -EBUSY
 * (loaded, or load attempted), -EINVAL (a flag bpfvm does not know: those
 * four, and BPF_F_TEST_RND_HI32 / BPF_F_TEST_STATE_FREQ, which change
 * nothing here; BPF_F_SLEEPABLE on a program the kernel lets not sleep:
 * only lsm, fentry/fexit/fmod_ret and iter ones, or those whose section
 * said ".s"). */
int bpfvm_prog_set_flags(struct bpfvm_prog *prog, uint32_t flags);
uint32_t bpfvm_prog_flags(const struct bpfvm_prog *prog);

/* The log that bpfvm kept from the program's last verification: when a log
 * level was asked without a buffer; or, when the verifier refused a program
 * of an object loaded at level 0 without a buffer, a level 1 log made by
 * verifying it once more (as libbpf loads a refused program again at level
 * 1 to show why). NULL when there is none. Valid while the program is. */
const char *bpfvm_prog_verifier_log(const struct bpfvm_prog *prog);

/* What the last verification of the program cost, the numbers of the log's
 * last line. Available after a load, whether it succeeded or not (for a
 * program of an object; a refused raw program is freed). */
struct bpfvm_verifier_stats {
	size_t sz;		      /* sizeof(struct bpfvm_verifier_stats), set by the caller */
	uint64_t insns_processed;     /* "processed N insns" */
	uint32_t max_states_per_insn;
	uint32_t total_states;
	uint32_t peak_states;
	uint32_t log_true_size;	      /* bytes the whole log needed (0: no log) */
	uint64_t verification_ns;     /* the structural check and the proof */
};

/* Errors: -EINVAL (NULL, or sz too small). */
int bpfvm_prog_verifier_stats(const struct bpfvm_prog *prog, struct bpfvm_verifier_stats *stats);

/* Number of instructions of the program as loaded, and a pointer to them. */
size_t bpfvm_prog_insn_cnt(const struct bpfvm_prog *prog);
const struct bpf_insn *bpfvm_prog_insns(const struct bpfvm_prog *prog);

/* Program metadata. A program loaded from an object has the type and
 * expected attach type that its section name gives (libbpf's table); a raw
 * program has BPFVM_PROG_TYPE_RAW and attach type 0. */
#define BPFVM_PROG_TYPE_RAW ((enum bpf_prog_type)0x10000)

const char *bpfvm_prog_name(const struct bpfvm_prog *prog);
/* The ELF section the program came from ("" for a raw program). */
const char *bpfvm_prog_section(const struct bpfvm_prog *prog);
enum bpf_prog_type bpfvm_prog_type(const struct bpfvm_prog *prog);
enum bpf_attach_type bpfvm_prog_expected_attach_type(const struct bpfvm_prog *prog);
/* The program's id in its runtime (0 until loaded). Prog arrays take and
 * return ids where the kernel takes file descriptors and returns ids. */
uint32_t bpfvm_prog_id(const struct bpfvm_prog *prog);
/* Whether the program's license is GPL-compatible (its object's, or the
 * one stored with a program of the namespace): bpftool's "gpl". */
bool bpfvm_prog_gpl_compatible(const struct bpfvm_prog *prog);
/* The program's tag once loaded: bpftool's "tag", the kernel's
 * bpf_prog_info.tag. Linux 6.18 hashes the instructions as loaded, with
 * the map references (fds, value offsets) zeroed, with SHA-256 and keeps its
 * first 8 bytes; bpfvm computes the same, so a program has the tag the
 * kernel gives it when libbpf loads it (docs/namespace.md, "Programs"). */
void bpfvm_prog_tag(const struct bpfvm_prog *prog, uint8_t tag[BPF_TAG_SIZE]);

/* The maps a loaded program references (its lddw instructions), in the
 * order it first uses them; NULL past the end. */
size_t bpfvm_prog_map_cnt(const struct bpfvm_prog *prog);
struct bpfvm_map *bpfvm_prog_map(const struct bpfvm_prog *prog, size_t idx);

/* The program as the engines run it ("xlated", after context rewrites),
 * disassembled as bpftool's `prog dump xlated` prints it: one "idx: text\n"
 * line per instruction, map references as map[id:N] and map[id:N][0]+OFF.
 * A malloc'ed string the caller frees; NULL when out of memory. */
char *bpfvm_prog_disasm(const struct bpfvm_prog *prog);

/* The program's machine code, when its runtime's engine is the JIT (bpftool's
 * "jited" image; docs/jit.md draws its layout): the bytes as they run, with
 * where each instruction of the xlated program (bpfvm_prog_disasm) starts.
 * Code before insn_offsets[0] is bpfvm's entry stub and tail-call entry;
 * code after the last instruction's is its cold paths. The bytes of a
 * constant-key tail call's jump change when its prog array slot does. */
struct bpfvm_jited {
	const uint8_t *code;	      /* read-only, valid while the program is */
	size_t size;
	const uint32_t *insn_offsets; /* insn_cnt offsets into code, ascending */
	uint32_t insn_cnt;	      /* the xlated program's instructions */
};

/* Fills *jited and returns 0; -ENOENT when the interpreter runs the program
 * (or it is not loaded). */
int bpfvm_prog_jited(const struct bpfvm_prog *prog, struct bpfvm_jited *jited);

/* ---- Test runs ------------------------------------------------------- */

/* As the kernel's BPF_PROG_TEST_RUN and libbpf's bpf_test_run_opts: the
 * context is built from data_in (a packet) and/or ctx_in as the kernel builds
 * it for the program type; the program runs `repeat` times (0 = once), each
 * run with a fresh tail-call count; data_out and ctx_out receive the packet
 * and the context after the last run. */
struct bpfvm_test_run_opts {
	size_t sz;		 /* sizeof(struct bpfvm_test_run_opts) */
	const void *data_in;	 /* packet; NULL for context-only types */
	void *data_out;		 /* may be NULL */
	uint32_t data_size_in;
	uint32_t data_size_out;	 /* in: capacity of data_out; out: packet size
				  * (larger than the capacity: -ENOSPC, data_out
				  * holds the first bytes) */
	const void *ctx_in;	 /* may be NULL */
	void *ctx_out;		 /* may be NULL */
	uint32_t ctx_size_in;
	uint32_t ctx_size_out;	 /* in: capacity; out: context size */
	uint32_t retval;	 /* out: r0 of the last run (low 32 bits) */
	int repeat;
	uint32_t duration;	 /* out: average nanoseconds per run: with repeat
				  * > 1, of the thread's CPU time (the kernel's
				  * leaves out the time its loop was
				  * rescheduled); of wall time for one run */
	uint32_t flags;		 /* BPF_F_TEST_RUN_ON_CPU, as the kernel */
	uint32_t cpu;		 /* virtual CPU, with BPF_F_TEST_RUN_ON_CPU */
	/* bpfvm's own: run in checked mode, a slower interpreter that checks
	 * every memory access (loads, stores, atomics, the memory given to
	 * helpers) against the regions the run may touch: the context, the
	 * packet, the active stack frames, the map values that lookups
	 * returned or lddw named, the reserved ring buffer records. Any other
	 * access stops the run with -EFAULT and a message naming the program,
	 * the instruction, the address and size, and the nearest region. A
	 * verified program never traps: a trap is a verifier bug. Tail calls and
	 * callbacks stay in checked mode. */
	bool checked;
};

/* Errors: -EINVAL (context or packet the program type refuses, with the
 * reason in bpfvm_errmsg()), -ENOSPC (data_out or ctx_out too small),
 * -ETIME (instruction budget exhausted), -ENOTSUP (program type has no test
 * run), -EFAULT (checked mode: an access outside the run's regions). */
int bpfvm_prog_test_run(struct bpfvm_prog *prog, struct bpfvm_test_run_opts *opts);

/* ---- Maps ------------------------------------------------------------ */

/* Map types, flags and error codes are the kernel's (linux/bpf.h). A map is
 * reference counted: bpfvm_map_create() and bpfvm_map_get_by_id() return a
 * reference that the caller drops with bpfvm_map_close(); objects and
 * programs that use a map hold their own. */
struct bpfvm_map;

struct bpfvm_map_create_opts {
	size_t sz;			   /* sizeof(struct bpfvm_map_create_opts) */
	uint32_t map_flags;		   /* BPF_F_NO_PREALLOC, BPF_F_RDONLY_PROG, ... */
	const struct bpfvm_map *inner_map; /* template of ARRAY_OF_MAPS / HASH_OF_MAPS */
	uint64_t map_extra;
};

/* Errors as the kernel's BPF_MAP_CREATE: -EINVAL (sizes or flags the type
 * refuses), -E2BIG, -ENOMEM. */
int bpfvm_map_create(struct bpfvm *vm, enum bpf_map_type type, const char *name,
		     uint32_t key_size, uint32_t value_size, uint32_t max_entries,
		     const struct bpfvm_map_create_opts *opts, struct bpfvm_map **map_out);

/* A new reference to the map with this id. Errors: -ENOENT. */
int bpfvm_map_get_by_id(struct bpfvm *vm, uint32_t id, struct bpfvm_map **map_out);

/* Drops a reference; NULL is allowed. */
void bpfvm_map_close(struct bpfvm_map *map);

struct bpfvm_map_info {
	uint32_t type;
	uint32_t id;
	uint32_t key_size;
	uint32_t value_size;
	uint32_t max_entries;
	uint32_t map_flags;
	char name[16]; /* BPF_OBJ_NAME_LEN, as the kernel truncates it */
};

int bpfvm_map_get_info(const struct bpfvm_map *map, struct bpfvm_map_info *info);
const char *bpfvm_map_name(const struct bpfvm_map *map);

/* Bytes that a user-space lookup writes to `value`: value_size, or for per-CPU
 * maps round_up(value_size, 8) * nr_cpus (SEMANTICS.md: per-CPU execution). */
size_t bpfvm_map_value_size_user(const struct bpfvm_map *map);

/* User-space operations, with the kernel's semantics and errno values
 * (BPF_MAP_LOOKUP_ELEM, ...). Values of PROG_ARRAY maps are program ids, of
 * ARRAY_OF_MAPS / HASH_OF_MAPS map ids. QUEUE and STACK take a NULL key.
 * Flags: BPF_ANY, BPF_NOEXIST, BPF_EXIST, BPF_F_LOCK. All are safe to call
 * from several threads while programs run. */
int bpfvm_map_lookup(struct bpfvm_map *map, const void *key, void *value);
int bpfvm_map_lookup_flags(struct bpfvm_map *map, const void *key, void *value,
			   uint64_t flags);
int bpfvm_map_update(struct bpfvm_map *map, const void *key, const void *value,
		     uint64_t flags);
int bpfvm_map_delete(struct bpfvm_map *map, const void *key);
/* key NULL (or not in the map): the first key. -ENOENT after the last. */
int bpfvm_map_get_next_key(struct bpfvm_map *map, const void *key, void *next_key);
int bpfvm_map_lookup_and_delete(struct bpfvm_map *map, const void *key, void *value);
int bpfvm_map_lookup_and_delete_flags(struct bpfvm_map *map, const void *key, void *value,
				      uint64_t flags);
/* Makes the map read-only to user space (as BPF_MAP_FREEZE). */
int bpfvm_map_freeze(struct bpfvm_map *map);

/* Batch operations, as BPF_MAP_*_BATCH: in_batch/out_batch are opaque
 * cursors of key_size bytes (NULL in_batch: from the start); *count is the
 * capacity in elements on entry and the number processed on return; -ENOENT
 * when the end is reached (with *count possibly non-zero). */
struct bpfvm_map_batch_opts {
	size_t sz;
	uint64_t elem_flags;
	uint64_t flags;
};

int bpfvm_map_lookup_batch(struct bpfvm_map *map, void *in_batch, void *out_batch,
			   void *keys, void *values, uint32_t *count,
			   const struct bpfvm_map_batch_opts *opts);
int bpfvm_map_lookup_and_delete_batch(struct bpfvm_map *map, void *in_batch,
				      void *out_batch, void *keys, void *values,
				      uint32_t *count, const struct bpfvm_map_batch_opts *opts);
int bpfvm_map_update_batch(struct bpfvm_map *map, const void *keys, const void *values,
			   uint32_t *count, const struct bpfvm_map_batch_opts *opts);
int bpfvm_map_delete_batch(struct bpfvm_map *map, const void *keys, uint32_t *count,
			   const struct bpfvm_map_batch_opts *opts);

/* ---- The namespace: pins, ids and maps shared between processes ------ */

/* A runtime created with a namespace (bpfvm_opts.use_ns / ns_root) shares
 * it with every process that opens the same root directory, as processes
 * share the kernel's bpffs and object ids (docs/namespace.md):
 * - every map of such a runtime takes its id from the namespace, so ids are
 *   unique across its processes;
 * - maps of the types that hold no process-local state and survive a
 *   process killed in the middle of an update (ARRAY, PERCPU_ARRAY, HASH,
 *   PERCPU_HASH, LPM_TRIE, QUEUE, STACK, PROG_ARRAY) live in a file of the
 *   namespace from their creation: any process of the namespace can open
 *   them by id or by pin, and every process sees every other's writes,
 *   programs' included. A shared PROG_ARRAY holds program ids; each process
 *   runs its own instances of them, brought up to date before each run;
 *   the owner rule and the emptying on the last user reference (of every
 *   process, pins included) hold across processes. The others (map-in-map,
 *   PERF_EVENT_ARRAY,
 *   RINGBUF, DEVMAP, SOCKMAP, and for now LRU_HASH and LRU_PERCPU_HASH)
 *   stay private to their process: pinning them is -EOPNOTSUPP with the
 *   reason in bpfvm_errmsg();
 * - a map lives while it is pinned or some process has it open (or is
 *   killed: its references go with it).
 * Pin paths are absolute paths under the root, or paths relative to it;
 * their directories are made by the caller (mkdir), as on bpffs. */

/* The namespace's root directory, or NULL for a runtime without one. */
const char *bpfvm_ns_root(const struct bpfvm *vm);

/* Pins the map at `path` (bpf_obj_pin). The pin holds the map, as a user
 * reference, until bpfvm_obj_unpin(). The file's mode is the umask's
 * default for 0600; chmod() it to share with other users.
 * Errors: -EEXIST (something is at path), -ENOENT (its directory does not
 * exist), -EPERM (path outside the root), -EOPNOTSUPP (a runtime without
 * namespace, or a map type that is never shared: the message says why),
 * -EACCES. */
int bpfvm_map_pin(struct bpfvm_map *map, const char *path);

/* Removes the pin at `path` (unlink on bpffs); the map goes when nobody
 * has it open any more. Errors: -ENOENT, -EINVAL (not a bpfvm object),
 * -EPERM (outside the root), -EACCES. */
int bpfvm_obj_unpin(struct bpfvm *vm, const char *path);

/* Programs in a namespace. Every program a namespaced runtime loads gets an
 * id of the namespace and is stored there as its instructions before the
 * verifier's rewrites plus its metadata (type, expected attach type, flags,
 * license, name, section, the ids of the maps it uses), while it is loaded
 * somewhere or pinned. Another process gets it by pin or by id: its own
 * instance, made once (verified again, against that process's handles of
 * the same maps, for its engine) and found by id after that.
 * bpfvm_prog_get_by_id() opens another process's program this way.
 * bpfvm_prog_pin: as bpfvm_map_pin (same errors; -EINVAL for a program not
 * loaded). bpfvm_prog_get_by_pin: a reference dropped with
 * bpfvm_prog_close(); -ENOENT, -EINVAL (not a program of this namespace),
 * -EOPNOTSUPP (no namespace, or a map it uses is private to its process),
 * or the verifier's error. bpfvm_obj_unpin removes a program's pin too. */
int bpfvm_prog_pin(struct bpfvm_prog *prog, const char *path);
int bpfvm_prog_get_by_pin(struct bpfvm *vm, const char *path, struct bpfvm_prog **prog_out);

/* Options of an open by pin or id, as bpf_obj_get_opts: file_flags
 * BPF_F_RDONLY opens the map read-only. */
struct bpfvm_obj_get_opts {
	size_t sz; /* sizeof(struct bpfvm_obj_get_opts) */
	uint32_t file_flags;
};

/* A reference to the map pinned at `path` (bpf_obj_get), closed with
 * bpfvm_map_close(). The same map as the runtime's handle of its id, that
 * its programs use; except read-only: with BPF_F_RDONLY, or when the
 * caller may only read the file, a read-only handle whose updates are
 * -EPERM (objects cannot use it; map types whose lookups take the lock in
 * their region cannot be opened from a file the caller may only read:
 * -EACCES). A file that is not a whole, well-formed map of this namespace
 * is refused with -EINVAL and a message saying what is wrong.
 * Errors: -ENOENT, -EACCES, -EINVAL, -EPERM (outside the root),
 * -EOPNOTSUPP (no namespace). */
int bpfvm_map_get_by_pin(struct bpfvm *vm, const char *path,
			 const struct bpfvm_obj_get_opts *opts, struct bpfvm_map **map_out);

/* As bpfvm_map_get_by_id(), for an id of any process of the namespace:
 * the runtime's own map, or another process's shared map, opened.
 * Errors: -ENOENT, -EOPNOTSUPP (the map is private to another process). */
int bpfvm_map_get_by_id_opts(struct bpfvm *vm, uint32_t id, const struct bpfvm_obj_get_opts *opts,
			     struct bpfvm_map **map_out);

/* What the namespace holds, for listing (bpftool map list): one entry per
 * live object of any process. */
enum bpfvm_ns_kind {
	BPFVM_NS_MAP = 1,
	BPFVM_NS_PROG = 2,
};

struct bpfvm_ns_entry {
	uint32_t id;
	enum bpfvm_ns_kind kind;
	uint32_t type; /* enum bpf_map_type, or enum bpf_prog_type (programs) */
	uint32_t expected_attach_type; /* programs */
	uint32_t key_size;
	uint32_t value_size;
	uint32_t max_entries;
	uint32_t map_flags;
	char name[16];
	/* The process a map that cannot be shared lives in, 0 for a shared
	 * map or a program (its file is in the namespace). */
	int pid;
	uint32_t pin_cnt; /* how many pins it has (shared maps, programs) */
	uint8_t tag[BPF_TAG_SIZE]; /* programs: bpfvm_prog_tag() of the loader's */
};

typedef int (*bpfvm_ns_entry_fn)(void *ctx, const struct bpfvm_ns_entry *entry);
typedef int (*bpfvm_ns_pin_fn)(void *ctx, const char *path);

/* Calls fn for each object of the namespace, by id; objects whose last
 * process died are removed first. A non-zero return from fn stops the walk
 * and is returned; else 0. Errors: -EOPNOTSUPP (no namespace), -ENOMEM. */
int bpfvm_ns_list(struct bpfvm *vm, bpfvm_ns_entry_fn fn, void *ctx);

/* Calls fn with the path of each pin of object `id` (bpftool's "pinned"
 * lines), walking the root's tree. Returns 0, fn's non-zero return, or
 * -ENOENT (no shared object with this id), -EOPNOTSUPP. */
int bpfvm_ns_pins(struct bpfvm *vm, uint32_t id, bpfvm_ns_pin_fn fn, void *ctx);

/* ---- Ring buffers, perf buffers, the trace pipe ---------------------- */

/* Calls fn for every record committed to a RINGBUF map since the last call
 * (discarded records are skipped), in order. A non-zero return from fn stops
 * the walk and is returned. Otherwise returns the number of records.
 * A ring of a namespaced runtime is shared (docs/namespace.md): its
 * producers may be programs of other processes, and the reader may be any
 * process that opened it (bpfvm_map_get_by_pin / _by_id), one at a time:
 * -EBUSY while another thread of any process is consuming it. A record
 * whose producer was killed before submitting it is skipped as discarded.
 * -EINVAL: not a RINGBUF, or a ring whose records run past its producer
 * position (a file written by hand). */
typedef int (*bpfvm_ringbuf_sample_fn)(void *ctx, void *data, size_t size);
int bpfvm_ringbuf_consume(struct bpfvm_map *map, bpfvm_ringbuf_sample_fn fn, void *ctx);

/* Calls fn for every record that bpf_perf_event_output wrote to a
 * PERF_EVENT_ARRAY map (each virtual CPU has its own buffer), oldest first,
 * CPU by CPU; lost_fn (may be NULL) for each CPU that dropped records because
 * its buffer was full. Returns the number of records, or a negative errno. */
/* A PERF_EVENT_ARRAY slot has no reader until user space opens one, as in
 * the kernel, where user space places a perf event in each CPU's slot
 * (libbpf's perf_buffer__new, bcc's open_perf_buffer): until then
 * bpf_perf_event_output to that slot fails with -ENOENT and writes nothing.
 * bpfvm_perf_buffer_open() opens every vCPU's slot (its buffer starts
 * empty); bpfvm_perf_buffer_close() closes them (records not consumed are
 * dropped). Errors: -EINVAL (not a PERF_EVENT_ARRAY), -EEXIST (already
 * open), -ENOENT (close: not open), -EBUSY (another thread is opening or
 * closing it). In a namespace the buffers are shared: the reader may be
 * another process than the writers, and open takes over the buffers of a
 * reader process that died (-EEXIST while it lives); consume is -EBUSY
 * while another thread of any process reads a buffer. */
int bpfvm_perf_buffer_open(struct bpfvm_map *map);
int bpfvm_perf_buffer_close(struct bpfvm_map *map);

typedef void (*bpfvm_perf_sample_fn)(void *ctx, int cpu, void *data, uint32_t size);
typedef void (*bpfvm_perf_lost_fn)(void *ctx, int cpu, uint64_t lost);
int bpfvm_perf_buffer_consume(struct bpfvm_map *map, bpfvm_perf_sample_fn fn,
			      bpfvm_perf_lost_fn lost_fn, void *ctx);

/* Reads lines written by bpf_trace_printk since the last read, in the
 * kernel's trace_pipe format ("<comm>-<pid> [<cpu>] ... <ts>: bpf_trace_printk:
 * <message>"). Whole lines only, NUL-terminated; returns the number of bytes
 * (0 when nothing is pending). The pipe keeps the latest 64 KiB. */
long bpfvm_trace_pipe_read(struct bpfvm *vm, char *buf, size_t size);

/* ---- Objects --------------------------------------------------------- */

/* An ELF object built by clang for the BPF target, as libbpf reads it:
 * programs (several per section, named by their symbols), subprograms in
 * .text, BTF-defined and legacy maps, global data, relocations. Opening
 * reads and checks the file; loading creates the maps, applies relocations,
 * verifies and prepares every program, and fills statically initialised
 * prog arrays. */
struct bpfvm_object;

struct bpfvm_object_opts {
	size_t sz;		 /* sizeof(struct bpfvm_object_opts) */
	const char *object_name; /* default: the file name without ".o", as libbpf */
	/* The verifier's log of every program that sets none of its own (as
	 * libbpf's kernel_log_buf/size/level): the programs are verified one
	 * after the other into the same buffer. */
	char *log_buf;
	size_t log_size;
	uint32_t log_level;
	/* CO-RE relocations (preserve_access_index structs, BPF_CORE_READ,
	 * bpf_core_field_exists, ...) are resolved as libbpf does, against
	 * this BTF file (raw BTF, or an ELF file with a .BTF section: libbpf's
	 * btf_custom_path). Default: the running kernel's BTF
	 * (/sys/kernel/btf/vmlinux) when readable, which is what the kernel's
	 * loader would use; else the object's own BTF, so that every
	 * relocation keeps the value the program was compiled with (noted).
	 * A field the target lacks poisons its instruction, as in libbpf: the
	 * verifier rejects the program only if a path reaches it ("invalid func
	 * unknown#195896080"). bpfvm_object_note() tells which BTF was used. */
	const char *btf_custom_path;
	/* Where maps declared __uint(pinning, LIBBPF_PIN_BY_NAME) are pinned
	 * and reused from: <pin_root_path>/<map name> (libbpf's
	 * pin_root_path). Default: the namespace's root. Without a namespace
	 * such maps stay private to the object (noted). */
	const char *pin_root_path;
	/* Kconfig externs (`extern ... __kconfig`): lines "CONFIG_X=value"
	 * (y, n, m, a number or a "string"), one a line, that take precedence
	 * over the system's configuration (/boot/config-$(uname -r), else
	 * /proc/config.gz), as libbpf's kconfig. The LINUX_* ones are bpfvm's
	 * (LINUX_KERNEL_VERSION: the running kernel's). The values live in the
	 * object's read-only, frozen ".kconfig" map. */
	const char *kconfig;
};

/* Errors: -ENOENT, -EINVAL (malformed object; bpfvm_errmsg() names the file,
 * section and symbol), -ENOTSUP (something valid that bpfvm cannot load: named
 * likewise), -ENOMEM. */
int bpfvm_object_open(struct bpfvm *vm, const char *path,
		      const struct bpfvm_object_opts *opts, struct bpfvm_object **obj_out);
int bpfvm_object_open_mem(struct bpfvm *vm, const void *buf, size_t size,
			  const struct bpfvm_object_opts *opts,
			  struct bpfvm_object **obj_out);
int bpfvm_object_load(struct bpfvm_object *obj);
/* Closes the object: its map references (a prog array whose last user
 * reference this was empties its slots) and its programs (each freed unless
 * a prog array slot or a caller still holds it). Waits until no run is
 * inside a program it frees. NULL is allowed. */
void bpfvm_object_close(struct bpfvm_object *obj);

const char *bpfvm_object_name(const struct bpfvm_object *obj);
const char *bpfvm_object_license(const struct bpfvm_object *obj);
size_t bpfvm_object_prog_cnt(const struct bpfvm_object *obj);
struct bpfvm_prog *bpfvm_object_prog(const struct bpfvm_object *obj, size_t idx);
struct bpfvm_prog *bpfvm_object_find_prog(const struct bpfvm_object *obj, const char *name);
size_t bpfvm_object_map_cnt(const struct bpfvm_object *obj);
/* The object's maps in libbpf's order; NULL before bpfvm_object_load(). */
struct bpfvm_map *bpfvm_object_map(const struct bpfvm_object *obj, size_t idx);
struct bpfvm_map *bpfvm_object_find_map(const struct bpfvm_object *obj, const char *name);
/* Loading only some programs, as libbpf's bpf_program__set_autoload: a
 * program whose autoload is off is left out of bpfvm_object_load() (not
 * verified, no id, cannot run); a statically initialised prog array slot
 * that names it stays empty (libbpf fails the load instead). Every program
 * is on by default. Errors: -EBUSY (the object's load was attempted). */
int bpfvm_prog_set_autoload(struct bpfvm_prog *prog, bool autoload);
bool bpfvm_prog_autoload(const struct bpfvm_prog *prog);

/* Turns autoload on for `prog` and the programs it needs, off for the
 * others: those it needs are the programs in the statically initialised
 * slots of the prog arrays it references, and, transitively, those their
 * prog arrays hold. So a bad program in an object does not keep its good
 * neighbours from loading (`bpfvm prog run OBJ name PROG`).
 * Errors: -EINVAL (prog not of obj), -EBUSY (load attempted). */
int bpfvm_object_autoload_only(struct bpfvm_object *obj, struct bpfvm_prog *prog);

/* Reusing maps at load, as libbpf's bpf_map__reuse_fd and
 * bpf_map__set_pin_path (before bpfvm_object_load()). A map with a pin path,
 * or declared __uint(pinning, LIBBPF_PIN_BY_NAME) in a runtime with a
 * namespace (path <pin_root_path>/<name>), is reused from that path if
 * something is pinned there, else created and pinned there. A reused map,
 * given or pinned, must match the object's definition in type, key_size,
 * value_size, max_entries and map_flags: otherwise the load fails with
 * -EINVAL and a message naming the field ("map 'm': couldn't reuse pinned
 * map at '/run/bpfvm/m': parameter mismatch: max_entries (16 there, 8 in
 * the object)"), never with a second map. A reused map is not filled with
 * the object's initial values. */

/* The index of the map called `name` (libbpf's name), or -ENOENT. */
int bpfvm_object_map_index(const struct bpfvm_object *obj, const char *name);

/* Uses `map` (of the same runtime; the object takes its own reference; NULL
 * undoes it) for map idx instead of creating one. The map may come from
 * bpfvm_map_get_by_id(), bpfvm_map_get_by_pin() or another object; a
 * read-only handle is refused at load (-EPERM).
 * Errors: -ENOENT (no such index), -EBUSY (load attempted), -ENOMEM. */
int bpfvm_object_reuse_map(struct bpfvm_object *obj, size_t idx, struct bpfvm_map *map);

/* Sets the pin path of map idx (NULL: none; absolute under the namespace's
 * root, or relative to it). Errors: as bpfvm_object_reuse_map(). */
int bpfvm_object_set_pin_path(struct bpfvm_object *obj, size_t idx, const char *path);

/* What the object asks for that bpfvm accepts but does not honour (a map's
 * numa_node or pinning, .BTF.ext line info, ...): one sentence each, in the
 * order the reader met them. NULL when idx >= bpfvm_object_note_cnt(). */
size_t bpfvm_object_note_cnt(const struct bpfvm_object *obj);
const char *bpfvm_object_note(const struct bpfvm_object *obj, size_t idx);

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
