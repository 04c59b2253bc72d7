/* The libbpf-tools-style corpus (bpf/ *.bpf.c, built against the running
 * kernel's vmlinux.h) loaded program by program into the kernel (libbpf,
 * load only, no attach) and into bpfvm:
 *
 *   - every program the kernel accepts, bpfvm accepts, unless the pair
 *     object/program is listed in expected_differences.txt with a phrase
 *     that docs/differences.md contains (the reason, written down);
 *   - every program named unsafe_* is refused by the kernel and by bpfvm
 *     (bpfvm accepting one is never excused);
 *   - a program the kernel does not verify here (libbpf or the kernel
 *     refused it before the verifier: no BPF LSM, no trampolines) is judged
 *     on bpfvm's verdict alone.
 *
 * Both verification times are printed side by side: the kernel's own
 * "verification time" (log level BPF_LOG_STATS) and bpfvm's
 * verification_ns. Without a usable bpf() the kernel's half is skipped
 * (exit 77 when bpfvm's half passed).
 *
 *   usage: test_corpus OBJDIR EXPECTED_DIFFERENCES DIFFERENCES_MD */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/libbpf.h>

#include "bpfvm/bpfvm.h"
#include "../testlib.h"

#define KERNEL_LOG_SIZE (1u << 20)
#define KERNEL_LOG_STATS 4 /* BPF_LOG_STATS, not in older UAPI headers */
#define MAX_OBJECTS 64

enum verdict { V_OK, V_REFUSED, V_NOT_VERIFIED, V_SKIP };

struct result {
	enum verdict verdict;
	int err;
	char reason[320];
	double verify_us;
};

static const char *expected_text, *differences_md;
static char kernel_log[KERNEL_LOG_SIZE];
static bool kernel_usable = true;

static int quiet_libbpf(enum libbpf_print_level level, const char *fmt, va_list args)
{
	(void)level, (void)fmt, (void)args;
	return 0;
}

static void one_line(char *dst, size_t size, const char *src)
{
	size_t i = 0;

	for (; src[i] && i + 1 < size; i++)
		dst[i] = src[i] == '\n' ? ' ' : src[i];
	dst[i] = 0;
}

/* bpfvm's verdict on program idx, loaded with only it (and what its prog
 * arrays hold) set to autoload, as libbpf loads one program. */
static void bpfvm_verdict(struct bpfvm *vm, const char *path, size_t idx, struct result *res)
{
	struct bpfvm_verifier_stats stats = { .sz = sizeof(stats) };
	struct bpfvm_object *obj = NULL;
	struct bpfvm_prog *prog;
	int err = bpfvm_object_open(vm, path, NULL, &obj);

	memset(res, 0, sizeof(*res));
	if (!err) {
		prog = bpfvm_object_prog(obj, idx);
		err = bpfvm_object_autoload_only(obj, prog);
		if (!err)
			err = bpfvm_object_load(obj);
		if (!err && !bpfvm_prog_id(prog))
			err = -ENOENT;
		if (!bpfvm_prog_verifier_stats(prog, &stats))
			res->verify_us = (double)stats.verification_ns / 1000.0;
	}
	res->verdict = err ? V_REFUSED : V_OK;
	res->err = err;
	if (err)
		one_line(res->reason, sizeof(res->reason), bpfvm_errmsg());
	bpfvm_object_close(obj);
}

static void kernel_verdict(const char *path, const char *name, struct result *res)
{
	struct bpf_object *obj = bpf_object__open_file(path, NULL);
	struct bpf_program *prog;
	const char *stats;
	unsigned long long usec = 0;
	int err;

	memset(res, 0, sizeof(*res));
	if (!obj) {
		res->verdict = V_NOT_VERIFIED;
		snprintf(res->reason, sizeof(res->reason), "libbpf cannot open it");
		return;
	}
	kernel_log[0] = 0;
	bpf_object__for_each_program(prog, obj) {
		bool self = strcmp(bpf_program__name(prog), name) == 0;

		bpf_program__set_autoload(prog, self);
		if (self) {
			bpf_program__set_log_buf(prog, kernel_log, KERNEL_LOG_SIZE);
			/* An unsafe program's reason needs the level-1 log. */
			bpf_program__set_log_level(prog, KERNEL_LOG_STATS |
							 (strncmp(name, "unsafe_", 7) ? 0 : 1));
		}
	}
	err = bpf_object__load(obj);
	stats = strstr(kernel_log, "verification time ");
	if (stats)
		sscanf(stats, "verification time %llu usec", &usec);
	res->verify_us = (double)usec;
	res->err = err;
	if (!err) {
		res->verdict = V_OK;
	} else if (strstr(kernel_log, "processed ")) {
		res->verdict = V_REFUSED;
		testlib_kernel_reason(kernel_log, res->reason, sizeof(res->reason));
	} else {
		res->verdict = V_NOT_VERIFIED;
		snprintf(res->reason, sizeof(res->reason), "no verifier log: %s", strerror(-err));
	}
	bpf_object__close(obj);
}

/* The phrase of docs/differences.md that excuses object/program, or NULL. */
static const char *expected_difference(const char *object, const char *name, char *buf,
				       size_t size)
{
	char key[256];
	const char *line;

	snprintf(key, sizeof(key), "\n%s/%s | ", object, name);
	line = strstr(expected_text, key);
	if (!line)
		return NULL;
	line += strlen(key);
	snprintf(buf, size, "%.*s", (int)strcspn(line, "\n"), line);
	return buf;
}

/* A difference passes only when listed with a phrase docs/differences.md
 * holds; else the failure says what differed. */
static void listed(const char *test, const char *why, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void listed(const char *test, const char *why, const char *fmt, ...)
{
	char what[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (!why)
		testlib_check(test, false, "%s", what);
	else
		testlib_check(test, strstr(differences_md, why) != NULL,
			      "listed difference \"%s\" is not in docs/differences.md", why);
}

static const char *verdict_name(const struct result *res)
{
	static const char *names[] = { "ok", "refused", "n/v", "SKIP" };

	return names[res->verdict];
}

static void judge(const char *object, const char *name, const struct result *k,
		  const struct result *v)
{
	bool unsafe = strncmp(name, "unsafe_", 7) == 0;
	char test[200], phrase[400];

	snprintf(test, sizeof(test), "%s/%s", object, name);
	if (unsafe) {
		testlib_check(test, v->verdict == V_REFUSED, "unsafe program accepted by bpfvm");
		testlib_check(test, k->verdict != V_OK, "unsafe program accepted by the kernel");
		/* For the kernel's reason, in its words, or a wording listed. */
		if (k->verdict == V_REFUSED && v->verdict == V_REFUSED &&
		    !strstr(v->reason, k->reason))
			listed(test, expected_difference(object, name, phrase, sizeof(phrase)),
			       "bpfvm refuses it for another reason: \"%s\", the kernel: \"%s\"",
			       v->reason, k->reason);
		return;
	}
	testlib_check(test, k->verdict != V_REFUSED, "the kernel refuses it: %s", k->reason);
	if (v->verdict == V_OK)
		return;
	listed(test, expected_difference(object, name, phrase, sizeof(phrase)),
	       "bpfvm refuses what the kernel %s: %s",
	       k->verdict == V_OK ? "accepts" : "did not verify", v->reason);
}

static void print_row(const char *object, const char *name, const struct result *k,
		      const struct result *v)
{
	char label[256];

	snprintf(label, sizeof(label), "%s/%s", object, name);
	printf("%-48.48s %-8s %-8s %9.0f %9.1f", label, verdict_name(k), verdict_name(v),
	       k->verify_us, v->verify_us);
	if (k->verify_us > 0 && v->verdict == V_OK && k->verdict == V_OK)
		printf(" %6.2f", v->verify_us / k->verify_us);
	printf("\n");
	if (k->verdict == V_REFUSED || k->verdict == V_NOT_VERIFIED)
		printf("    kernel: %s\n", k->reason);
	if (v->verdict == V_REFUSED)
		printf("    bpfvm:  %s\n", v->reason);
}

static void run_object(struct bpfvm *vm, const char *dir, const char *file)
{
	struct bpfvm_object *obj = NULL;
	char path[1024];
	int err;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	err = bpfvm_object_open(vm, path, NULL, &obj);
	testlib_check(file, err == 0, "bpfvm cannot open it: %s", bpfvm_errmsg());
	for (size_t i = 0; obj && i < bpfvm_object_prog_cnt(obj); i++) {
		char name[128];
		struct result k = { .verdict = V_SKIP }, v;

		snprintf(name, sizeof(name), "%s", bpfvm_prog_name(bpfvm_object_prog(obj, i)));
		bpfvm_verdict(vm, path, i, &v);
		if (kernel_usable)
			kernel_verdict(path, name, &k);
		print_row(file, name, &k, &v);
		judge(file, name, &k, &v);
	}
	bpfvm_object_close(obj);
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static size_t list_objects(const char *dir, char **names)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t cnt = 0;

	while (d && (e = readdir(d)) && cnt < MAX_OBJECTS) {
		size_t len = strlen(e->d_name);

		if (len > 6 && strcmp(e->d_name + len - 6, ".bpf.o") == 0)
			names[cnt++] = strdup(e->d_name);
	}
	if (d)
		closedir(d);
	qsort(names, cnt, sizeof(*names), compare_names);
	return cnt;
}

int main(int argc, char **argv)
{
	static const struct bpf_insn ret0[] = { { .code = 0xb7 }, { .code = 0x95 } };
	char *names[MAX_OBJECTS];
	struct bpfvm *vm;
	size_t cnt;
	int fd;

	if (argc == 2 && strcmp(argv[1], "--no-btf") == 0) {
		printf("SKIP: /sys/kernel/btf/vmlinux or bpftool missing at configure time: the "
		       "corpus (vmlinux.h) was not built\n");
		return 77;
	}
	if (argc != 4) {
		fprintf(stderr, "usage: %s OBJDIR EXPECTED_DIFFERENCES DIFFERENCES_MD\n", argv[0]);
		return 2;
	}
	expected_text = testlib_read_file(argv[2]);
	differences_md = testlib_read_file(argv[3]);
	if (!expected_text || !differences_md)
		return 2;
	libbpf_set_print(quiet_libbpf);
	fd = testlib_kernel_load(BPF_PROG_TYPE_SOCKET_FILTER, 0, ret0, 2, kernel_log,
				 sizeof(kernel_log));
	kernel_usable = fd >= 0;
	if (fd >= 0)
		close(fd);
	else
		printf("SKIP the kernel's half: bpf() is not usable here (%s)\n", strerror(errno));
	vm = testlib_vm_create();
	cnt = list_objects(argv[1], names);
	testlib_check("corpus", cnt >= 15, "only %zu objects in %s", cnt, argv[1]);
	printf("%-48s %-8s %-8s %9s %9s %6s\n", "object/program", "kernel", "bpfvm", "k.verify",
	       "v.verify", "ratio");
	for (size_t i = 0; i < cnt; i++) {
		run_object(vm, argv[1], names[i]);
		free(names[i]);
	}
	printf("(times in usec: the kernel's \"verification time\", bpfvm's verification_ns)\n");
	bpfvm_destroy(vm);
	if (!kernel_usable && !testlib_failed())
		return 77;
	return testlib_summary();
}
