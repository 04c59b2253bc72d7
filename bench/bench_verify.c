/* bench_verify: how long bpfvm's verifier takes on every program of a set of
 * objects, and what it decides, side by side with the kernel's.
 *
 * For every program of every BPF object found (by default those the build
 * made under tests/, examples/ and bench/; or the files and directories
 * named on the command line, walked for *.o files whose ELF machine is BPF),
 * one row:
 *
 *   insns      the program's instructions in the ELF section (its own, not
 *              its subprograms')
 *   kernel     the kernel's verdict: ok, or -errno and the last line of the
 *              verifier's log before its statistics; "n/v" (not verified)
 *              when libbpf did not get as far as the kernel's verifier
 *              (no attach target, an object libbpf 1.1 cannot open, ...)
 *   bpfvm      bpfvm's verdict: ok, or -errno and bpfvm_errmsg()
 *   k.proc     "processed N insns" of the kernel's log
 *   v.proc     the same count in bpfvm (bpfvm_prog_verifier_stats)
 *   k.verify   the kernel's own "verification time N usec" (log level
 *              BPF_LOG_STATS): bpf_check() from its start to its statistics,
 *              which covers the proof and the kernel's rewrites after it
 *              (context accesses, helper inlining) and, for a program with
 *              bpf-to-bpf calls, the JIT of its subprograms
 *   k.load     wall time of the BPF_PROG_LOAD call that libbpf issued for
 *              the program: copying the program and its BTF in, the
 *              verification, the JIT, the file descriptor
 *   v.verify   bpfvm's verification_ns: the structural check and the proof
 *   ratio      v.verify / k.verify ("-" when the kernel printed 0 usec)
 *
 * Times are in microseconds, the median of the rounds. Each round opens and
 * loads the object afresh with only the program (and the programs its prog
 * arrays statically hold, bpfvm_object_autoload_only) set to autoload, once
 * in bpfvm and once through libbpf, interleaved. The kernel is at log level
 * BPF_LOG_STATS only (no instruction trace, so the log costs nothing
 * measurable); bpfvm at level 0.
 *
 * The summary counts the verdicts, lists every disagreement and gives the
 * geometric mean of the ratios over the programs both accept. When bpf() is
 * not usable the kernel's columns say SKIP and bpfvm still runs.
 *
 *   usage: bench_verify [--rounds N] [--no-kernel] [OBJECT|DIR]... */
#define _GNU_SOURCE
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <elf.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>

#include "bpfvm/bpfvm.h"
#include "testlib.h"

#define MAX_ROUNDS 64
#define REASON_MAX 400
#define KERNEL_LOG_SIZE (1u << 20)
#define KERNEL_LOG_STATS 4 /* BPF_LOG_STATS, not in older UAPI headers */

enum kernel_verdict { K_SKIP, K_OK, K_REFUSED, K_NOT_VERIFIED };

struct row {
	const char *object; /* path as found */
	char name[128], section[128], type[32];
	size_t insns;
	int vm_err;
	char vm_reason[REASON_MAX];
	uint64_t vm_processed;
	double vm_us[MAX_ROUNDS];
	enum kernel_verdict kernel;
	int k_err;
	char k_reason[REASON_MAX];
	uint64_t k_processed;
	double k_verify_us[MAX_ROUNDS], k_load_us[MAX_ROUNDS];
	int vm_rounds, k_rounds;
};

struct bench {
	int rounds;
	bool kernel;
	char **objects;
	size_t object_cnt, object_cap;
	struct row *rows;
	size_t row_cnt, row_cap;
	char *k_log;
};

/* ---- the kernel's BPF_PROG_LOAD, timed ------------------------------- */

/* The load being watched: libbpf issues bpf(2) through libc's syscall(),
 * and the definition of syscall() below, which the dynamic linker finds in
 * the executable before libc's, times the BPF_PROG_LOAD whose program name
 * is `name` (the kernel keeps BPF_OBJ_NAME_LEN - 1 characters of it). */
static struct {
	const char *name;
	bool seen;
	long ret;
	int err;
	double ns;
} watch;

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static bool watched_load(long number, long cmd, const union bpf_attr *attr)
{
	return watch.name && number == SYS_bpf && cmd == BPF_PROG_LOAD &&
	       strncmp(attr->prog_name, watch.name, BPF_OBJ_NAME_LEN - 1) == 0;
}

long syscall(long number, ...)
{
	static long (*next)(long, ...);
	long arg[6], ret;
	double start;
	va_list ap;

	/* Six arguments whatever the call, as libc's own syscall() reads them. */
	va_start(ap, number);
	for (int i = 0; i < 6; i++)
		arg[i] = va_arg(ap, long);
	va_end(ap);
	if (!next)
		next = (long (*)(long, ...))dlsym(RTLD_NEXT, "syscall");
	if (!watched_load(number, arg[0], (const union bpf_attr *)arg[1]))
		return next(number, arg[0], arg[1], arg[2], arg[3], arg[4], arg[5]);
	start = now_ns();
	ret = next(number, arg[0], arg[1], arg[2], arg[3], arg[4], arg[5]);
	watch.ns = now_ns() - start;
	watch.err = errno;
	watch.ret = ret;
	watch.seen = true;
	return ret;
}

/* ---- finding objects ------------------------------------------------- */

static bool is_bpf_elf(const char *path)
{
	Elf64_Ehdr header;
	FILE *file = fopen(path, "rb");
	bool bpf = false;

	if (!file)
		return false;
	if (fread(&header, sizeof(header), 1, file) == 1)
		bpf = memcmp(header.e_ident, ELFMAG, SELFMAG) == 0 && header.e_machine == EM_BPF;
	fclose(file);
	return bpf;
}

static void add_object(struct bench *b, const char *path)
{
	if (b->object_cnt == b->object_cap) {
		b->object_cap = b->object_cap ? 2 * b->object_cap : 64;
		b->objects = realloc(b->objects, b->object_cap * sizeof(*b->objects));
		if (!b->objects)
			abort();
	}
	b->objects[b->object_cnt++] = strdup(path);
}

static bool has_suffix(const char *name, const char *suffix)
{
	size_t len = strlen(name), suffix_len = strlen(suffix);

	return len >= suffix_len && strcmp(name + len - suffix_len, suffix) == 0;
}

/* Every BPF object under `path` (CMake's own object files are skipped). */
static void find_objects(struct bench *b, const char *path)
{
	struct dirent *entry;
	struct stat st;
	char child[4096];
	DIR *dir;

	if (stat(path, &st))
		return;
	if (!S_ISDIR(st.st_mode)) {
		if (is_bpf_elf(path))
			add_object(b, path);
		return;
	}
	dir = opendir(path);
	if (!dir)
		return;
	while ((entry = readdir(dir))) {
		if (entry->d_name[0] == '.' || strcmp(entry->d_name, "CMakeFiles") == 0)
			continue;
		snprintf(child, sizeof(child), "%s/%s", path, entry->d_name);
		if (stat(child, &st))
			continue;
		if (S_ISDIR(st.st_mode) || has_suffix(entry->d_name, ".o"))
			find_objects(b, child);
	}
	closedir(dir);
}

static int compare_strings(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* ---- one program in bpfvm ------------------------------------------- */

static struct row *new_row(struct bench *b)
{
	if (b->row_cnt == b->row_cap) {
		b->row_cap = b->row_cap ? 2 * b->row_cap : 256;
		b->rows = realloc(b->rows, b->row_cap * sizeof(*b->rows));
		if (!b->rows)
			abort();
	}
	memset(&b->rows[b->row_cnt], 0, sizeof(b->rows[0]));
	return &b->rows[b->row_cnt++];
}

static void one_line(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src);
	for (char *c = dst; *c; c++)
		if (*c == '\n' || *c == '\t')
			*c = ' ';
}

/* The names of the programs loaded with prog `idx` of the object: itself
 * and those its prog arrays statically hold (strdup'ed). */
struct load_set {
	char *names[64];
	size_t cnt;
};

/* bpfvm_errmsg() without the object's path that starts it. */
static void vm_reason(struct row *row, const char *message)
{
	size_t len = strlen(row->object);

	if (strncmp(message, row->object, len) == 0 && strncmp(message + len, ": ", 2) == 0)
		message += len + 2;
	one_line(row->vm_reason, sizeof(row->vm_reason), message);
}

static int vm_open(struct bpfvm *vm, const char *path, size_t idx, struct bpfvm_object **obj_out,
		   struct bpfvm_prog **prog_out)
{
	int err = bpfvm_object_open(vm, path, NULL, obj_out);

	if (err)
		return err;
	*prog_out = bpfvm_object_prog(*obj_out, idx);
	return bpfvm_object_autoload_only(*obj_out, *prog_out);
}

static void vm_round(struct row *row, struct bpfvm *vm, size_t idx, struct load_set *set)
{
	struct bpfvm_verifier_stats stats = { .sz = sizeof(stats) };
	struct bpfvm_object *obj = NULL;
	struct bpfvm_prog *prog = NULL;
	int err = vm_open(vm, row->object, idx, &obj, &prog);

	if (!err)
		err = bpfvm_object_load(obj);
	if (prog && bpfvm_prog_id(prog))
		err = 0; /* loaded, whatever a neighbour did */
	else if (!err)
		err = -ENOENT;
	row->vm_err = err;
	if (err)
		vm_reason(row, bpfvm_errmsg());
	if (prog && !bpfvm_prog_verifier_stats(prog, &stats)) {
		row->vm_processed = stats.insns_processed;
		row->vm_us[row->vm_rounds++] = (double)stats.verification_ns / 1000.0;
	}
	set->cnt = 0;
	for (size_t i = 0; obj && i < bpfvm_object_prog_cnt(obj); i++) {
		struct bpfvm_prog *other = bpfvm_object_prog(obj, i);

		if (bpfvm_prog_autoload(other) && set->cnt < 64)
			set->names[set->cnt++] = strdup(bpfvm_prog_name(other));
	}
	bpfvm_object_close(obj);
}

/* ---- one program in the kernel -------------------------------------- */

static char libbpf_message[512];

/* Keeps libbpf's first warning about a program (or its first warning):
 * why it did not load the program, before "failed to load object". */
static int keep_libbpf_warning(enum libbpf_print_level level, const char *fmt, va_list args)
{
	char line[512];

	if (level != LIBBPF_WARN)
		return 0;
	vsnprintf(line, sizeof(line), fmt, args);
	if (!libbpf_message[0] ||
	    (strstr(line, "prog '") && !strstr(libbpf_message, "prog '")))
		one_line(libbpf_message, sizeof(libbpf_message), line);
	return 0;
}

static bool in_set(const struct load_set *set, const char *name)
{
	for (size_t i = 0; i < set->cnt; i++)
		if (strcmp(set->names[i], name) == 0)
			return true;
	return false;
}

static void kernel_verdict(struct row *row, const char *log)
{
	const char *stats = strstr(log, "verification time ");
	const char *processed = strstr(log, "processed ");
	unsigned long long usec = 0, insns = 0;

	if (stats)
		sscanf(stats, "verification time %llu usec", &usec);
	if (processed)
		sscanf(processed, "processed %llu insns", &insns);
	if (watch.ret >= 0) {
		row->kernel = K_OK;
	} else if (processed) {
		row->kernel = K_REFUSED;
		row->k_err = -watch.err;
		testlib_kernel_reason(log, row->k_reason, sizeof(row->k_reason));
	} else {
		row->kernel = K_NOT_VERIFIED;
		row->k_err = -watch.err;
		snprintf(row->k_reason, sizeof(row->k_reason), "BPF_PROG_LOAD: %s, no verifier log",
			 strerror(watch.err));
		return;
	}
	row->k_processed = insns;
	row->k_verify_us[row->k_rounds] = (double)usec;
	row->k_load_us[row->k_rounds++] = watch.ns / 1000.0;
}

static void kernel_round(struct row *row, const struct load_set *set, char *log)
{
	struct bpf_object *obj = bpf_object__open_file(row->object, NULL);
	struct bpf_program *prog;
	struct bpf_map *map;

	libbpf_message[0] = 0;
	if (!obj) {
		row->kernel = K_NOT_VERIFIED;
		snprintf(row->k_reason, sizeof(row->k_reason), "libbpf cannot open: %s",
			 libbpf_message[0] ? libbpf_message : strerror(errno));
		return;
	}
	/* Maps declared with LIBBPF_PIN_BY_NAME would be pinned under
	 * /sys/fs/bpf by the load and outlive the benchmark: no pinning. */
	bpf_object__for_each_map(map, obj)
		bpf_map__set_pin_path(map, NULL);
	bpf_object__for_each_program(prog, obj) {
		bpf_program__set_autoload(prog, in_set(set, bpf_program__name(prog)));
		if (strcmp(bpf_program__name(prog), row->name) == 0) {
			log[0] = 0;
			bpf_program__set_log_buf(prog, log, KERNEL_LOG_SIZE);
			bpf_program__set_log_level(prog, KERNEL_LOG_STATS);
		}
	}
	memset(&watch, 0, sizeof(watch));
	watch.name = row->name;
	bpf_object__load(obj);
	watch.name = NULL;
	if (watch.seen) {
		kernel_verdict(row, log);
	} else {
		row->kernel = K_NOT_VERIFIED;
		snprintf(row->k_reason, sizeof(row->k_reason), "not loaded by libbpf: %s",
			 libbpf_message);
	}
	bpf_object__close(obj);
}

/* ---- an object ------------------------------------------------------ */

static void fill_row(struct row *row, const char *path, struct bpfvm_prog *prog)
{
	const char *type = libbpf_bpf_prog_type_str(bpfvm_prog_type(prog));

	row->object = path;
	snprintf(row->name, sizeof(row->name), "%s", bpfvm_prog_name(prog));
	snprintf(row->section, sizeof(row->section), "%s", bpfvm_prog_section(prog));
	snprintf(row->type, sizeof(row->type), "%s", type ? type : "?");
	row->insns = bpfvm_prog_insn_cnt(prog);
}

static void free_set(struct load_set *set)
{
	for (size_t i = 0; i < set->cnt; i++)
		free(set->names[i]);
	set->cnt = 0;
}

static void measure_program(struct bench *b, struct row *row, struct bpfvm *vm, size_t idx)
{
	struct load_set set = { .cnt = 0 };

	row->kernel = K_SKIP;
	for (int round = 0; round < b->rounds; round++) {
		vm_round(row, vm, idx, &set);
		/* What libbpf refuses before the kernel, it refuses every time. */
		if (b->kernel && row->kernel != K_NOT_VERIFIED)
			kernel_round(row, &set, b->k_log);
		free_set(&set);
	}
}

/* An object bpfvm cannot open: its programs as libbpf sees them, each
 * refused by bpfvm with the open's error, measured in the kernel alone. */
static void unopened_object(struct bench *b, const char *path, int err)
{
	char reason[REASON_MAX];
	struct bpf_object *obj = bpf_object__open_file(path, NULL);
	struct bpf_program *prog;
	struct row *row;

	snprintf(reason, sizeof(reason), "%s", bpfvm_errmsg());
	/* libbpf 1.x returns NULL when it cannot open the object either. */
	for (prog = obj ? bpf_object__next_program(obj, NULL) : NULL; prog;
	     prog = bpf_object__next_program(obj, prog)) {
		const char *type = libbpf_bpf_prog_type_str(bpf_program__type(prog));
		struct load_set set = { .cnt = 1, .names = { (char *)bpf_program__name(prog) } };

		row = new_row(b);
		row->object = path;
		row->vm_err = err;
		vm_reason(row, reason);
		snprintf(row->name, sizeof(row->name), "%s", bpf_program__name(prog));
		snprintf(row->section, sizeof(row->section), "%s", bpf_program__section_name(prog));
		snprintf(row->type, sizeof(row->type), "%s", type ? type : "?");
		row->insns = bpf_program__insn_cnt(prog);
		row->kernel = K_SKIP;
		for (int round = 0; b->kernel && round < b->rounds; round++)
			if (row->kernel != K_NOT_VERIFIED)
				kernel_round(row, &set, b->k_log);
	}
	bpf_object__close(obj);
	if (obj)
		return;
	row = new_row(b);
	row->object = path;
	row->vm_err = err;
	vm_reason(row, reason);
	snprintf(row->name, sizeof(row->name), "(object)");
	snprintf(row->type, sizeof(row->type), "-");
	row->kernel = b->kernel ? K_NOT_VERIFIED : K_SKIP;
	snprintf(row->k_reason, sizeof(row->k_reason), "libbpf cannot open it either");
}

static void measure_object(struct bench *b, struct bpfvm *vm, const char *path)
{
	struct bpfvm_object *obj;
	int err = bpfvm_object_open(vm, path, NULL, &obj);

	if (err) {
		unopened_object(b, path, err);
		return;
	}
	for (size_t i = 0; i < bpfvm_object_prog_cnt(obj); i++) {
		struct row *row = new_row(b);

		fill_row(row, path, bpfvm_object_prog(obj, i));
		measure_program(b, row, vm, i);
	}
	bpfvm_object_close(obj);
}

/* ---- the report ----------------------------------------------------- */

static int compare_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(const double *samples, int count)
{
	double sorted[MAX_ROUNDS];

	if (!count)
		return 0;
	memcpy(sorted, samples, (size_t)count * sizeof(double));
	qsort(sorted, (size_t)count, sizeof(double), compare_double);
	return count % 2 ? sorted[count / 2] : (sorted[count / 2 - 1] + sorted[count / 2]) / 2;
}

static const char *short_path(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

static bool needs_attach_target(const struct row *row)
{
	static const char *const types[] = { "tracing", "ext", "lsm", "struct_ops" };

	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (strcmp(row->type, types[i]) == 0)
			return true;
	return false;
}

static void verdict_text(char *buf, size_t size, bool ok, int err, const char *not_verified)
{
	if (not_verified)
		snprintf(buf, size, "%s", not_verified);
	else if (ok)
		snprintf(buf, size, "ok");
	else
		snprintf(buf, size, "%s", strerrorname_np(-err) ? strerrorname_np(-err) : "err");
}

static void print_row(const struct row *row)
{
	char label[512], kernel[16], vm[16], ratio[16] = "-", k_verify[16] = "-", k_load[16] = "-";
	char k_proc[16] = "-";
	double vm_us = median(row->vm_us, row->vm_rounds);
	double kv = median(row->k_verify_us, row->k_rounds);

	snprintf(label, sizeof(label), "%s/%s", short_path(row->object), row->name);
	verdict_text(vm, sizeof(vm), !row->vm_err, row->vm_err, NULL);
	verdict_text(kernel, sizeof(kernel), row->kernel == K_OK, row->k_err,
		     row->kernel == K_SKIP ? "SKIP" : row->kernel == K_NOT_VERIFIED ? "n/v" : NULL);
	if (row->k_rounds) {
		snprintf(k_proc, sizeof(k_proc), "%llu", (unsigned long long)row->k_processed);
		snprintf(k_verify, sizeof(k_verify), "%.0f", kv);
		snprintf(k_load, sizeof(k_load), "%.0f", median(row->k_load_us, row->k_rounds));
		if (kv > 0 && row->vm_rounds)
			snprintf(ratio, sizeof(ratio), "%.2f", vm_us / kv);
	}
	printf("%-52.52s %-14.14s %6zu %-8s %-8s %7s %7llu %9s %9s %9.1f %7s\n", label, row->type,
	       row->insns, kernel, vm, k_proc, (unsigned long long)row->vm_processed, k_verify,
	       k_load, vm_us, ratio);
	if (row->kernel == K_REFUSED || row->kernel == K_NOT_VERIFIED)
		printf("    kernel: %s%s\n",
		       row->kernel == K_NOT_VERIFIED && needs_attach_target(row) ?
			       "needs attach target: " : "",
		       row->k_reason);
	if (row->vm_err)
		printf("    bpfvm:  %s\n", row->vm_reason);
}

struct summary {
	size_t programs, k_ok, k_refused, k_unverified, k_attach, vm_ok, both;
	size_t verify_n, verify_zero, load_n;
	double log_verify, log_load;
};

static void count_row(struct summary *s, const struct row *row)
{
	double vm_us = median(row->vm_us, row->vm_rounds);
	double kv = median(row->k_verify_us, row->k_rounds);
	double kl = median(row->k_load_us, row->k_rounds);

	s->programs++;
	s->k_ok += row->kernel == K_OK;
	s->k_refused += row->kernel == K_REFUSED;
	s->k_unverified += row->kernel == K_NOT_VERIFIED;
	s->k_attach += row->kernel == K_NOT_VERIFIED && needs_attach_target(row);
	s->vm_ok += !row->vm_err;
	if (row->kernel != K_OK || row->vm_err || vm_us <= 0)
		return;
	s->both++;
	if (kv > 0) {
		s->log_verify += log(vm_us / kv);
		s->verify_n++;
	} else {
		s->verify_zero++;
	}
	if (kl > 0) {
		s->log_load += log(vm_us / kl);
		s->load_n++;
	}
}

static void print_disagreements(const struct bench *b)
{
	size_t count = 0;

	printf("\ndisagreements (the kernel verified the program and decided otherwise):\n");
	for (size_t i = 0; i < b->row_cnt; i++) {
		const struct row *row = &b->rows[i];
		bool k_ok = row->kernel == K_OK, vm_ok = !row->vm_err;

		if ((row->kernel != K_OK && row->kernel != K_REFUSED) || k_ok == vm_ok)
			continue;
		count++;
		printf("  %s/%s (%s): kernel %s, bpfvm %s\n", row->object, row->name, row->type,
		       k_ok ? "accepts" : row->k_reason, vm_ok ? "accepts" : row->vm_reason);
	}
	if (!count)
		printf("  none\n");
}

static void print_summary(const struct bench *b)
{
	struct summary s = { 0 };

	for (size_t i = 0; i < b->row_cnt; i++)
		count_row(&s, &b->rows[i]);
	printf("\n%zu programs in %zu objects, median of %d rounds\n", s.programs, b->object_cnt,
	       b->rounds);
	printf("bpfvm accepts %zu\n", s.vm_ok);
	if (!b->kernel) {
		printf("kernel: SKIP (bpf() not usable or --no-kernel)\n");
		return;
	}
	printf("kernel accepts %zu, refuses %zu, not verified %zu (%zu of them need an attach "
	       "target)\n",
	       s.k_ok, s.k_refused, s.k_unverified, s.k_attach);
	printf("both accept %zu\n", s.both);
	if (s.verify_n)
		printf("geometric mean of bpfvm verify / kernel verify: %.2f over %zu programs "
		       "(%zu left out: the kernel printed 0 usec)\n",
		       exp(s.log_verify / (double)s.verify_n), s.verify_n, s.verify_zero);
	if (s.load_n)
		printf("geometric mean of bpfvm verify / kernel BPF_PROG_LOAD: %.2f over %zu "
		       "programs\n",
		       exp(s.log_load / (double)s.load_n), s.load_n);
	print_disagreements(b);
}

static void print_header(void)
{
	printf("times in usec, median of the rounds; k.verify: the kernel's \"verification time\" "
	       "(log level 4);\nk.load: wall time of BPF_PROG_LOAD; v.verify: bpfvm's structural "
	       "check and proof;\nratio: v.verify / k.verify. n/v: the kernel's verifier did not "
	       "run (reason below the row)\n\n");
	printf("%-52s %-14s %6s %-8s %-8s %7s %7s %9s %9s %9s %7s\n", "object/program", "type",
	       "insns", "kernel", "bpfvm", "k.proc", "v.proc", "k.verify", "k.load", "v.verify",
	       "ratio");
}

/* ---- main ----------------------------------------------------------- */

static bool kernel_usable(void)
{
	struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	int fd = bpf_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, "probe", "GPL", insns, 2, NULL);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

static int parse_args(struct bench *b, int argc, char **argv)
{
	char dirs[] = BENCH_VERIFY_DIRS, *save = NULL;
	int i = 1;

	for (; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "--rounds") == 0 && i + 1 < argc)
			b->rounds = atoi(argv[++i]);
		else if (strcmp(argv[i], "--no-kernel") == 0)
			b->kernel = false;
		else
			return -1;
	}
	if (b->rounds < 1 || b->rounds > MAX_ROUNDS)
		return -1;
	if (i < argc) {
		for (; i < argc; i++)
			find_objects(b, argv[i]);
		return 0;
	}
	/* The build's own objects (BENCH_VERIFY_DIRS: directories joined by ':'). */
	for (char *dir = strtok_r(dirs, ":", &save); dir; dir = strtok_r(NULL, ":", &save))
		find_objects(b, dir);
	return 0;
}

int main(int argc, char **argv)
{
	struct bench b = { .rounds = 5, .kernel = true };
	struct bpfvm *vm;

	if (parse_args(&b, argc, argv)) {
		fprintf(stderr, "usage: %s [--rounds 1..%d] [--no-kernel] [OBJECT|DIR]...\n",
			argv[0], MAX_ROUNDS);
		return 2;
	}
	qsort(b.objects, b.object_cnt, sizeof(*b.objects), compare_strings);
	libbpf_set_print(keep_libbpf_warning);
	b.kernel = b.kernel && kernel_usable();
	b.k_log = malloc(KERNEL_LOG_SIZE);
	if (!b.k_log || bpfvm_create(NULL, &vm)) {
		fprintf(stderr, "bench_verify: cannot start: %s\n", bpfvm_errmsg());
		return 1;
	}
	print_header();
	for (size_t i = 0; i < b.object_cnt; i++) {
		size_t first = b.row_cnt;

		measure_object(&b, vm, b.objects[i]);
		for (size_t r = first; r < b.row_cnt; r++)
			print_row(&b.rows[r]);
		fflush(stdout);
	}
	print_summary(&b);
	bpfvm_destroy(vm);
	return 0;
}
