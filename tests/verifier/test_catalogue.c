/* The verifier's catalogue (tests/verifier/catalogue/README.md), judged with
 * the kernel as the oracle: every case is verified by bpfvm and, when bpf()
 * is usable, by the running kernel; both verdicts must equal the expected
 * one, and for refusals both reasons must be the expected words (bpfvm may
 * add detail after them). Prints one table row per case and a summary by the
 * part of the verifier that decides the failing cases; exits 1 on any
 * mismatch. Without bpf() the kernel column says SKIP.
 *
 * Usage: test_catalogue CATALOGUE_DIR OBJECT_DIR [NAME_SUBSTRING]
 */
#define _XOPEN_SOURCE 700
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalogue_case.h"

#define PARTS_MAX 32

static char **paths;
static size_t path_cnt, path_cap;

static bool is_case_file(const char *path)
{
	size_t len = strlen(path);

	return (len > 2 && strcmp(path + len - 2, ".s") == 0) ||
	       (len > 6 && strcmp(path + len - 6, ".bpf.c") == 0);
}

static int collect(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)ftw;
	if (flag != FTW_F || !is_case_file(path))
		return 0;
	if (path_cnt == path_cap) {
		path_cap = path_cap ? 2 * path_cap : 256;
		paths = realloc(paths, path_cap * sizeof(*paths));
		if (!paths)
			exit(2);
	}
	paths[path_cnt] = strdup(path);
	if (!paths[path_cnt++])
		exit(2);
	return 0;
}

static int compare_paths(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The case's name: its file name without ".s" or ".bpf.c". */
static size_t case_name(const char *path, const char **name)
{
	const char *slash = strrchr(path, '/');
	size_t len;

	*name = slash ? slash + 1 : path;
	len = strlen(*name);
	return len - (strstr(*name, ".bpf.c") ? 6 : 2);
}

/* Names are the rows of the table and the C programs' names: unique. */
static bool name_is_unique(size_t idx)
{
	const char *name, *other;
	size_t len = case_name(paths[idx], &name);

	for (size_t i = 0; i < path_cnt; i++)
		if (i != idx && case_name(paths[i], &other) == len && !strncmp(name, other, len))
			return false;
	return true;
}

/* Mismatches counted by part. */
static struct {
	char name[32];
	unsigned cases, mismatches;
} parts[PARTS_MAX];

static void count_part(const char *name, bool mismatch)
{
	unsigned i;

	for (i = 0; i < PARTS_MAX && parts[i].name[0]; i++)
		if (strcmp(parts[i].name, name) == 0)
			break;
	if (i == PARTS_MAX)
		return;
	snprintf(parts[i].name, sizeof(parts[i].name), "%s", name);
	parts[i].cases++;
	parts[i].mismatches += mismatch;
}

/* "accept", "reject" (the expected reason), "reject!" (another reason). */
static const char *column(const struct catalogue_case *c, const struct catalogue_verdict *v,
			  bool prefix_ok)
{
	size_t len = strlen(c->reason);

	if (v->skipped)
		return "SKIP";
	if (v->accepted)
		return "accept";
	if (c->expect_accept)
		return "reject!";
	if (prefix_ok ? strncmp(v->reason, c->reason, len) == 0 : strcmp(v->reason, c->reason) == 0)
		return "reject";
	return "reject!";
}

/* A documented difference: bpfvm says what the case's "bpfvm:" line says
 * (accept, or a refusal starting with those words). */
static bool differs_as_documented(const struct catalogue_case *c,
				  const struct catalogue_verdict *b)
{
	if (strcmp(c->bpfvm_differs, "accept") == 0)
		return b->accepted;
	return !b->accepted &&
	       strncmp(b->reason, c->bpfvm_differs, strlen(c->bpfvm_differs)) == 0;
}

/* Both refusals must also carry the kernel's errno (bpfvm returns it from
 * the load as bpf(2) does). */
static bool same_errno(const struct catalogue_verdict *k, const struct catalogue_verdict *b)
{
	return k->skipped || k->accepted || b->accepted || k->err == b->err;
}

static bool judge(const struct catalogue_case *c, const char *kcol, const char *bcol)
{
	const char *want = c->expect_accept ? "accept" : "reject";

	return (strcmp(kcol, "SKIP") == 0 || strcmp(kcol, want) == 0) && strcmp(bcol, want) == 0;
}

/* With CATALOGUE_LOG=1 in the environment, the tail of the kernel's log of
 * a mismatching case: what to read when adding a case. */
static void print_kernel_log(const struct catalogue_verdict *k)
{
	const char *log = catalogue_kernel_log();
	size_t len = strlen(log);

	if (k->skipped || k->accepted || !getenv("CATALOGUE_LOG"))
		return;
	printf("    kernel log (tail):\n%s\n", len > 2048 ? log + len - 2048 : log);
}

static bool run_case(size_t idx, const char *objdir, bool kernel)
{
	const char *path = paths[idx];
	struct catalogue_verdict k = { .skipped = true }, b;
	struct catalogue_case c;
	const char *kcol, *bcol;
	bool ok;

	if (!name_is_unique(idx) || catalogue_case_read(&c, path, objdir)) {
		printf("%-56s %-10s %-8s %-8s %-8s MISMATCH (bad case file or name used twice)\n",
		       path, "-", "-", "-", "-");
		count_part("(bad case)", true);
		return false;
	}
	if (kernel)
		catalogue_run_kernel(&c, &k);
	catalogue_run_bpfvm(&c, &b);
	kcol = column(&c, &k, false);
	bcol = column(&c, &b, true);
	if (c.bpfvm_differs[0]) {
		const char *want = c.expect_accept ? "accept" : "reject";

		ok = (strcmp(kcol, "SKIP") == 0 || strcmp(kcol, want) == 0) &&
		     differs_as_documented(&c, &b);
	} else {
		ok = judge(&c, kcol, bcol) && same_errno(&k, &b);
	}
	printf("%-56s %-10s %-8s %-8s %-8s %s\n", c.name, c.part[0] ? c.part : "-",
	       c.expect_accept ? "accept" : "reject", kcol, bcol,
	       !ok ? "MISMATCH" : c.bpfvm_differs[0] ? "DIFF (documented)" : "OK");
	if (!ok) {
		if (!c.expect_accept)
			printf("    expected: %s\n", c.reason);
		if (!k.skipped)
			printf("    kernel:   %s (%d)\n", k.accepted ? "(accepted)" : k.reason, k.err);
		printf("    bpfvm:    %s (%d)\n", b.accepted ? "(accepted)" : b.reason, b.err);
		print_kernel_log(&k);
	}
	count_part(c.part[0] ? c.part : "-", !ok);
	catalogue_case_release(&c);
	return ok;
}

static void print_summary(unsigned cases, unsigned mismatches)
{
	printf("\n%u cases, %u mismatches\n", cases, mismatches);
	for (unsigned i = 0; i < PARTS_MAX && parts[i].name[0]; i++)
		printf("  %-12s %3u cases, %3u mismatches\n", parts[i].name, parts[i].cases,
		       parts[i].mismatches);
}

int main(int argc, char **argv)
{
	const char *filter = argc > 3 ? argv[3] : NULL;
	unsigned mismatches = 0, run_cnt = 0;
	char why[256];
	bool kernel;

	if (argc < 3) {
		fprintf(stderr, "usage: %s CATALOGUE_DIR OBJECT_DIR [NAME_SUBSTRING]\n", argv[0]);
		return 2;
	}
	if (nftw(argv[1], collect, 16, FTW_PHYS)) {
		perror(argv[1]);
		return 2;
	}
	qsort(paths, path_cnt, sizeof(*paths), compare_paths);
	kernel = catalogue_kernel_usable(why, sizeof(why));
	if (!kernel)
		printf("SKIP the kernel column: %s\n", why);
	printf("%-56s %-10s %-8s %-8s %-8s\n", "case", "part", "expected", "kernel", "bpfvm");
	for (size_t i = 0; i < path_cnt; i++) {
		if (!filter || strstr(paths[i], filter)) {
			mismatches += !run_case(i, argv[2], kernel);
			run_cnt++;
		}
	}
	for (size_t i = 0; i < path_cnt; i++)
		free(paths[i]);
	catalogue_bpfvm_release();
	print_summary(run_cnt, mismatches);
	free(paths);
	return mismatches ? 1 : 0;
}
