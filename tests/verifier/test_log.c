/* The verifier's log: its contents (the failing path at level 1, every path
 * at level 2, the reason, the "processed" line), its buffer (the kernel's
 * ENOSPC and EINVAL rules), the API around it, and loading only the
 * programs that a program needs. When the kernel's bpf() is usable, the
 * instruction lines and the reason are compared with the kernel's log of the
 * same program (a sched_cls program, loaded with log_level 1 or 2): every
 * instruction line the kernel prints, in the same order, and the registers
 * after it where they do not depend on scalar ranges.
 * Usage: test_log log_neighbours.bpf.o optional_program.bpf.o */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/bpf.h>

#include "../testlib.h"
#include "engine/prog.h"

#define SKIP_RETURN_CODE 77
#define LOG_SIZE (1u << 20)

static char kernel_log[LOG_SIZE];
static char bpfvm_log[LOG_SIZE];

/* ---- Programs in the kernel verifier's syntax ------------------------- */

/* Refused on the second path: level 1 keeps only it. */
static const char uninit_on_second_path[] =
	"r0 = 0\n"
	"r2 = *(u32 *)(r1 +0)\n"
	"if r2 > 10 goto pc+4\n"
	"if r2 > 5 goto pc+1\n"
	"r0 = 1\n"
	"r3 = r2\n"
	"exit\n"
	"*(u64 *)(r10 -8) = r1\n"
	"r1 = 7\n"
	"r0 = r5\n"
	"exit\n";

static const char ctx_past_the_end[] =
	"r6 = r1\n"
	"r2 = *(u32 *)(r1 +0)\n"
	"if r2 == 0 goto pc+2\n"
	"r0 = 0\n"
	"exit\n"
	"r0 = *(u32 *)(r6 +200)\n"
	"exit\n";

/* Accepted: spills, stack pointers, a local call with a pointer to the
 * caller's stack. */
static const char spills_and_a_call[] =
	"*(u64 *)(r10 -8) = 0\n"
	"*(u64 *)(r10 -16) = r1\n"
	"r1 = r10\n"
	"r1 += -8\n"
	"call pc+3\n"
	"r2 = *(u64 *)(r10 -16)\n"
	"r0 = 0\n"
	"exit\n"
	"r0 = *(u64 *)(r1 +0)\n"
	"r2 = 100000\n"
	"r3 = -3\n"
	"r0 = 0\n"
	"exit\n";

static const char two_paths[] =
	"r6 = r1\n"
	"r2 = *(u32 *)(r1 +0)\n"
	"r0 = 0\n"
	"if r2 == 0 goto pc+2\n"
	"r3 = r6\n"
	"exit\n"
	"r4 = r10\n"
	"exit\n";

static struct bpf_insn *assemble(const char *text, size_t *cnt)
{
	struct bpf_insn *insns;

	if (bpfvm_asm_parse(text, &insns, cnt)) {
		fprintf(stderr, "assembler: %s\n", bpfvm_errmsg());
		exit(2);
	}
	return insns;
}

/* bpfvm's log of the program as a sched_cls program; returns the error. */
static int bpfvm_verify(struct bpfvm *vm, const char *text, uint32_t level, char *log,
			size_t size)
{
	size_t cnt;
	struct bpf_insn *insns = assemble(text, &cnt);
	struct bpfvm_prog *prog = prog_alloc(vm, "p", "", insns, cnt);
	int err;

	free(insns);
	if (!prog)
		exit(2);
	prog->type = BPF_PROG_TYPE_SCHED_CLS;
	prog->log_level = level;
	prog->log_buf = log;
	prog->log_size = size;
	err = prog_prepare(prog);
	prog_put(prog);
	return err;
}

/* The kernel's; -1 (and errno) when bpf() fails before verifying. */
static int kernel_verify(const char *text, uint32_t level)
{
	union bpf_attr attr;
	size_t cnt;
	struct bpf_insn *insns = assemble(text, &cnt);
	int fd;

	memset(&attr, 0, sizeof(attr));
	attr.prog_type = BPF_PROG_TYPE_SCHED_CLS;
	attr.insns = (uintptr_t)insns;
	attr.insn_cnt = (uint32_t)cnt;
	attr.license = (uintptr_t)"GPL";
	attr.log_buf = (uintptr_t)kernel_log;
	attr.log_size = sizeof(kernel_log);
	attr.log_level = level;
	kernel_log[0] = '\0';
	fd = (int)syscall(SYS_bpf, BPF_PROG_LOAD, &attr, sizeof(attr));
	free(insns);
	if (fd >= 0)
		close(fd);
	return fd >= 0 ? 0 : -errno;
}

static bool contains(const char *log, const char *text)
{
	return strstr(log, text) != NULL;
}

/* ---- Comparing with the kernel's log ----------------------------------- */

/* "N: (op) text": an instruction line (not "N: R1=..." nor "N: safe"). */
static bool is_insn_line(const char *line)
{
	const char *p = line;

	while (*p >= '0' && *p <= '9')
		p++;
	return p != line && p[0] == ':' && p[1] == ' ' && p[2] == '(';
}

/* Where the state after an instruction starts: at its ';', or, at level
 * 1, where a path taken up from the worklist glued its state onto the line
 * of the branch that queued it ("goto pc+4 7: R0=0 ..."). */
static const char *state_start(const char *line, size_t len)
{
	const char *semi = NULL;

	/* Not the ';' inside a var_off "(0x0; 0xff)". */
	for (const char *p = line + 1; p < line + len && !semi; p++)
		if (*p == ';' && p[-1] == ' ')
			semi = p;
	for (const char *p = strchr(line, ')'); p && p < (semi ? semi : line + len); p++) {
		const char *q = p + 1;

		if (*p != ' ')
			continue;
		while (q < line + len && *q >= '0' && *q <= '9')
			q++;
		if (q > p + 1 && q < line + len && *q == ':')
			return p;
	}
	return semi;
}

/* The next instruction line at or after *pos, split into the instruction
 * and the state after it ("" when none). */
static bool next_insn_line(const char **pos, char *insn, char *state, size_t size)
{
	while (**pos) {
		const char *line = *pos, *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);
		const char *semi;

		*pos = end ? end + 1 : line + len;
		if (!is_insn_line(line))
			continue;
		semi = state_start(line, len);
		snprintf(insn, size, "%.*s", (int)((semi ? semi : line + len) - line), line);
		while (strlen(insn) && insn[strlen(insn) - 1] == ' ')
			insn[strlen(insn) - 1] = '\0';
		snprintf(state, size, "%.*s", semi ? (int)(line + len - semi - 1) : 0,
			 semi ? semi + 1 : "");
		return true;
	}
	return false;
}

/* The line before "processed N insns": the reason of a refusal. */
static void reason_of(const char *log, char *out, size_t size)
{
	const char *end = strstr(log, "\nprocessed ");
	const char *start;

	out[0] = '\0';
	if (!end)
		return;
	start = end;
	while (start > log && start[-1] != '\n')
		start--;
	snprintf(out, size, "%.*s", (int)(end - start), start);
}

static void compare_with_kernel(struct bpfvm *vm, const char *name, const char *text,
				uint32_t level)
{
	char kinsn[512], kstate[512], binsn[512], bstate[512], kreason[512], breason[512];
	const char *kpos = kernel_log, *bpos = bpfvm_log;
	int kerr = kernel_verify(text, level);
	int berr = bpfvm_verify(vm, text, level, bpfvm_log, sizeof(bpfvm_log));
	unsigned lines = 0;

	testlib_check(name, !kerr == !berr, "kernel: %d, bpfvm: %d (%s)", kerr, berr,
		      berr ? bpfvm_errmsg() : "");
	while (next_insn_line(&kpos, kinsn, kstate, sizeof(kinsn))) {
		bool found = next_insn_line(&bpos, binsn, bstate, sizeof(binsn));

		lines++;
		testlib_check(name, found && strcmp(kinsn, binsn) == 0,
			      "instruction line %u: kernel '%s', bpfvm '%s'", lines, kinsn,
			      found ? binsn : "(none)");
		if (!found)
			break;
		/* Scalar ranges belong to the scalar part; pointers and
		 * constants are compared. */
		if (kstate[0] && bstate[0] && !strstr(kstate, "scalar(") &&
		    !strstr(bstate, "scalar("))
			testlib_check(name, strcmp(kstate, bstate) == 0,
				      "state after '%s': kernel '%s', bpfvm '%s'", kinsn, kstate,
				      bstate);
	}
	testlib_check(name, lines > 0 && !next_insn_line(&bpos, binsn, bstate, sizeof(binsn)),
		      "bpfvm has more instruction lines than the kernel (%u)", lines);
	reason_of(kernel_log, kreason, sizeof(kreason));
	reason_of(bpfvm_log, breason, sizeof(breason));
	if (kerr)
		testlib_check(name, strcmp(kreason, breason) == 0,
			      "reason: kernel '%s', bpfvm '%s'", kreason, breason);
	if (testlib_failed())
		printf("--- kernel:\n%s--- bpfvm:\n%s", kernel_log, bpfvm_log);
}

/* ---- Without the kernel ------------------------------------------------ */

static void level1_keeps_only_the_failing_path(struct bpfvm *vm)
{
	const char *test = "level1_keeps_only_the_failing_path";
	int err = bpfvm_verify(vm, uninit_on_second_path, 1, bpfvm_log, sizeof(bpfvm_log));

	testlib_check(test, err == -EACCES, "err %d", err);
	testlib_check(test, strstr(bpfvm_errmsg(), "p: insn 9: R5 !read_ok") != NULL,
		      "short message: %s", bpfvm_errmsg());
	testlib_check(test, contains(bpfvm_log, "0: R1=ctx() R10=fp0\n0: (b7) r0 = 0"),
		      "entry state and first line:\n%s", bpfvm_log);
	testlib_check(test, !contains(bpfvm_log, "6: (95) exit"),
		      "the path that ended is still there:\n%s", bpfvm_log);
	testlib_check(test, contains(bpfvm_log, "goto pc+4 7: R0=0 R1=ctx() R2=scalar("),
		      "the failing path's start, as the kernel writes it:\n%s", bpfvm_log);
	testlib_check(test,
		      contains(bpfvm_log, "9: (bf) r0 = r5\nR5 !read_ok\nprocessed 12 insns"),
		      "the failing instruction, the reason, the stats:\n%s", bpfvm_log);
}

static void level2_shows_every_path_on_success(struct bpfvm *vm)
{
	const char *test = "level2_shows_every_path_on_success";
	int err = bpfvm_verify(vm, two_paths, 2, bpfvm_log, sizeof(bpfvm_log));

	testlib_check(test, err == 0, "err %d: %s", err, bpfvm_errmsg());
	testlib_check(test,
		      contains(bpfvm_log, "4: (bf) r3 = r6                       ; "
					  "R3=ctx() R6=ctx()\n5: (95) exit\n"),
		      "the fall-through path:\n%s", bpfvm_log);
	testlib_check(test, contains(bpfvm_log, "\nfrom 3 to 6: R0=0 R1=ctx() R2="),
		      "the queued path's start:\n%s", bpfvm_log);
	testlib_check(test,
		      contains(bpfvm_log, "6: (bf) r4 = r10                      ; "
					  "R4=fp0 R10=fp0\n"),
		      "the queued path:\n%s", bpfvm_log);
	testlib_check(test,
		      contains(bpfvm_log, "\nprocessed 8 insns (limit 1000000) "
					  "max_states_per_insn 0"),
		      "the last line:\n%s", bpfvm_log);
	err = bpfvm_verify(vm, two_paths, 1, bpfvm_log, sizeof(bpfvm_log));
	testlib_check(test, err == 0 && strncmp(bpfvm_log, "processed 8 insns", 17) == 0,
		      "level 1 on success is the last line only:\n%s", bpfvm_log);
	err = bpfvm_verify(vm, spills_and_a_call, 2, bpfvm_log, sizeof(bpfvm_log));
	testlib_check(test,
		      err == 0 && contains(bpfvm_log, "caller:\n R10=fp0 fp-8=0 fp-16=ctx()\n"
						      "callee:\n frame1: R1=fp[0]-8 R10=fp0\n"),
		      "a call shows both frames:\n%s", bpfvm_log);
	testlib_check(test, contains(bpfvm_log, "to caller at 5:\n"), "the return:\n%s", bpfvm_log);
}

static int load_raw(struct bpfvm *vm, uint32_t level, char *buf, uint32_t size,
		    uint32_t *true_size)
{
	struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0, .imm = 1 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	struct bpfvm_prog_opts opts = { .sz = sizeof(opts), .log_level = level, .log_buf = buf,
					.log_size = size, .log_true_size = true_size };
	struct bpfvm_prog *prog = NULL;
	int err = bpfvm_prog_load_raw(vm, insns, 2, &opts, &prog);

	bpfvm_prog_free(prog);
	return err;
}

/* The kernel's rules: a log that does not fit is -ENOSPC, the end kept
 * (or the start, BPF_LOG_FIXED); inconsistent attributes are -EINVAL. */
static void buffer_rules_are_the_kernels(struct bpfvm *vm)
{
	const char *test = "buffer_rules_are_the_kernels";
	char small[20], full[256];
	uint32_t need = 0, need_null = 0;
	int err;

	/* The true size is the most the log ever held (the kernel's len_max):
	 * the path's lines, rewound at level 1 once it verified, count too. */
	err = load_raw(vm, BPFVM_LOG_LEVEL1, full, sizeof(full), &need);
	testlib_check(test, err == 0 && need >= strlen(full) + 1 && contains(full, "processed "),
		      "fits: err %d, need %u, log '%s'", err, need, full);
	err = load_raw(vm, BPFVM_LOG_LEVEL1, small, sizeof(small), NULL);
	testlib_check(test, err == -ENOSPC && strlen(small) == sizeof(small) - 1 &&
			    strcmp(small, full + strlen(full) - (sizeof(small) - 1)) == 0,
		      "rolling: err %d, kept '%s' (%s)", err, small, bpfvm_errmsg());
	err = load_raw(vm, BPFVM_LOG_LEVEL1 | BPFVM_LOG_FIXED, small, sizeof(small), NULL);
	testlib_check(test, err == -ENOSPC && strncmp(small, full, sizeof(small) - 1) == 0,
		      "fixed: err %d, kept '%s'", err, small);
	err = load_raw(vm, BPFVM_LOG_LEVEL1, NULL, 0, &need_null);
	testlib_check(test, err == 0 && need_null == need, "no buffer: err %d, need %u (%u)", err,
		      need_null, need);
	testlib_check(test, load_raw(vm, 0, full, sizeof(full), NULL) == -EINVAL,
		      "a buffer without a level");
	testlib_check(test, load_raw(vm, 1, full, 0, NULL) == -EINVAL, "a buffer without a size");
	testlib_check(test, load_raw(vm, 16, NULL, 0, NULL) == -EINVAL, "unknown level bits");
}

/* ---- Objects: autoload, per-program logs, loading what is needed ------- */

static struct bpfvm_object *open_object(struct bpfvm *vm, const char *path)
{
	struct bpfvm_object *obj;

	if (bpfvm_object_open(vm, path, NULL, &obj)) {
		fprintf(stderr, "%s\n", bpfvm_errmsg());
		exit(2);
	}
	return obj;
}

static uint32_t run_xdp(struct bpfvm_prog *prog, int *err)
{
	uint8_t packet[64] = { 0 };
	struct bpfvm_test_run_opts opts = { .sz = sizeof(opts), .data_in = packet,
					    .data_size_in = sizeof(packet) };

	*err = bpfvm_prog_test_run(prog, &opts);
	return opts.retval;
}

static void refused_program_keeps_its_log(struct bpfvm *vm, const char *path)
{
	const char *test = "refused_program_keeps_its_log";
	struct bpfvm_object *obj = open_object(vm, path);
	struct bpfvm_prog *bad = bpfvm_object_find_prog(obj, "bad_ctx_read");
	const char *log;
	int err = bpfvm_object_load(obj);

	log = bpfvm_prog_verifier_log(bad);
	testlib_check(test, err == -EACCES, "load: %d %s", err, bpfvm_errmsg());
	testlib_check(test, strstr(bpfvm_errmsg(), "invalid bpf_context access off=400 size=4"),
		      "short message: %s", bpfvm_errmsg());
	testlib_check(test,
		      log && contains(log, "0: R1=ctx() R10=fp0\n0: (61) r0 = *(u32 *)(r1 +400)\n"
					   "invalid bpf_context access off=400 size=4\n"
					   "processed 1 insns"),
		      "log:\n%s", log ? log : "(none)");
	testlib_check(test, bpfvm_prog_set_autoload(bad, false) == -EBUSY,
		      "autoload is fixed once the load was attempted");
	bpfvm_object_close(obj);
}

static void good_neighbours_load_without_the_bad_one(struct bpfvm *vm, const char *path)
{
	const char *test = "good_neighbours_load_without_the_bad_one";
	struct bpfvm_object *obj = open_object(vm, path);
	struct bpfvm_prog *entry = bpfvm_object_find_prog(obj, "good_entry");
	struct bpfvm_prog *target = bpfvm_object_find_prog(obj, "good_target");
	struct bpfvm_prog *bad = bpfvm_object_find_prog(obj, "bad_ctx_read");
	struct bpfvm_prog *bad_entry = bpfvm_object_find_prog(obj, "bad_entry");
	struct bpfvm_verifier_stats stats = { .sz = sizeof(stats) };
	static char entry_log[1 << 16];
	uint32_t retval;
	int err;

	testlib_check(test, bpfvm_object_autoload_only(obj, entry) == 0, "%s", bpfvm_errmsg());
	testlib_check(test, bpfvm_prog_autoload(entry) && bpfvm_prog_autoload(target) &&
			    !bpfvm_prog_autoload(bad) && !bpfvm_prog_autoload(bad_entry),
		      "autoload: entry %d target %d bad %d bad_entry %d",
		      bpfvm_prog_autoload(entry), bpfvm_prog_autoload(target),
		      bpfvm_prog_autoload(bad), bpfvm_prog_autoload(bad_entry));
	bpfvm_prog_set_log_buf(entry, entry_log, sizeof(entry_log));
	bpfvm_prog_set_log_level(entry, BPFVM_LOG_LEVEL2);
	err = bpfvm_object_load(obj);
	testlib_check(test, err == 0, "load: %s", bpfvm_errmsg());
	if (err) {
		bpfvm_object_close(obj);
		return;
	}
	retval = run_xdp(entry, &err);
	testlib_check(test, err == 0 && retval == XDP_TX,
		      "good_entry tail-calls good_target: err %d, retval %u", err, retval);
	run_xdp(bad, &err);
	testlib_check(test, err != 0 && bpfvm_prog_id(bad) == 0, "the bad program did not load");
	testlib_check(test, contains(entry_log, "0: R1=ctx() R10=fp0\n") &&
			    contains(entry_log, "call bpf_tail_call#12") &&
			    contains(entry_log, "processed "),
		      "level 2 log of good_entry:\n%s", entry_log);
	testlib_check(test, bpfvm_prog_verifier_stats(entry, &stats) == 0 &&
			    stats.insns_processed > 0 &&
			    stats.log_true_size == strlen(entry_log) + 1,
		      "stats: %llu insns, log %u bytes (%zu)",
		      (unsigned long long)stats.insns_processed, stats.log_true_size,
		      strlen(entry_log) + 1);
	testlib_check(test, bpfvm_prog_verifier_log(entry) == NULL,
		      "a caller's buffer: bpfvm keeps no log of its own");
	bpfvm_object_close(obj);
}

static void object_log_level_without_a_buffer_is_kept(struct bpfvm *vm, const char *path)
{
	const char *test = "object_log_level_without_a_buffer_is_kept";
	struct bpfvm_object_opts opts = { .sz = sizeof(opts), .log_level = BPFVM_LOG_LEVEL1 };
	struct bpfvm_object *obj;
	const char *log;

	if (bpfvm_object_open(vm, path, &opts, &obj)) {
		testlib_check(test, false, "open: %s", bpfvm_errmsg());
		return;
	}
	bpfvm_prog_set_autoload(bpfvm_object_find_prog(obj, "bad_ctx_read"), false);
	testlib_check(test, bpfvm_object_load(obj) == 0, "load: %s", bpfvm_errmsg());
	log = bpfvm_prog_verifier_log(bpfvm_object_find_prog(obj, "good_target"));
	testlib_check(test, log && strncmp(log, "processed 2 insns", 17) == 0, "log: %s",
		      log ? log : "(none)");
	bpfvm_object_close(obj);
}

/* SEC("?xdp"): an XDP program with autoload off until asked for. */
static void question_mark_section_starts_without_autoload(struct bpfvm *vm, const char *path)
{
	const char *test = "question_mark_section_starts_without_autoload";
	struct bpfvm_object *obj = open_object(vm, path);
	struct bpfvm_prog *optional = bpfvm_object_find_prog(obj, "optional_ctx_read");
	struct bpfvm_prog *always = bpfvm_object_find_prog(obj, "always_passes");
	uint32_t retval;
	int err;

	testlib_check(test, optional && bpfvm_prog_type(optional) == BPF_PROG_TYPE_XDP,
		      "'?xdp' gives an XDP program");
	testlib_check(test, !bpfvm_prog_autoload(optional) && bpfvm_prog_autoload(always),
		      "autoload: optional %d, always %d", bpfvm_prog_autoload(optional),
		      bpfvm_prog_autoload(always));
	testlib_check(test, bpfvm_object_load(obj) == 0, "load: %s", bpfvm_errmsg());
	retval = run_xdp(always, &err);
	testlib_check(test, err == 0 && retval == XDP_PASS, "always_passes: %d %u", err, retval);
	testlib_check(test, bpfvm_prog_id(optional) == 0, "the optional program was left out");
	bpfvm_object_close(obj);

	obj = open_object(vm, path);
	optional = bpfvm_object_find_prog(obj, "optional_ctx_read");
	testlib_check(test, bpfvm_prog_set_autoload(optional, true) == 0, "%s", bpfvm_errmsg());
	err = bpfvm_object_load(obj);
	testlib_check(test, err == -EACCES && strstr(bpfvm_errmsg(), "invalid bpf_context access"),
		      "asked for, it is verified (and refused): %d %s", err, bpfvm_errmsg());
	bpfvm_object_close(obj);
}

int main(int argc, char **argv)
{
	struct bpfvm *vm = testlib_vm_create();

	if (argc != 3) {
		fprintf(stderr, "usage: test_log log_neighbours.bpf.o optional_program.bpf.o\n");
		return 2;
	}
	level1_keeps_only_the_failing_path(vm);
	level2_shows_every_path_on_success(vm);
	buffer_rules_are_the_kernels(vm);
	refused_program_keeps_its_log(vm, argv[1]);
	good_neighbours_load_without_the_bad_one(vm, argv[1]);
	object_log_level_without_a_buffer_is_kept(vm, argv[1]);
	question_mark_section_starts_without_autoload(vm, argv[2]);
	if (kernel_verify("r0 = 0\nexit\n", 1)) {
		printf("SKIP (kernel comparison): bpf() not usable: %s\n", strerror(errno));
	} else {
		compare_with_kernel(vm, "kernel_uninit_on_second_path", uninit_on_second_path, 1);
		compare_with_kernel(vm, "kernel_ctx_past_the_end", ctx_past_the_end, 1);
		compare_with_kernel(vm, "kernel_spills_and_a_call_level2", spills_and_a_call, 2);
		compare_with_kernel(vm, "kernel_two_paths_level2", two_paths, 2);
	}
	bpfvm_destroy(vm);
	return testlib_summary();
}
