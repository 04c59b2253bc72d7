/* bpf_probe_read_user / _kernel and their _str forms: the process's memory
 * read by address without ever crashing (-EFAULT and a zeroed destination
 * on a bad address, as the kernel's), strings cut at size - 1 with a NUL,
 * the size-th byte read too, a string running into an unmapped page, a
 * child after fork reading its own memory; bpf_get_current_task stable for
 * a thread. Raw programs, verified, on both engines:
 *
 *   memory: [0, 8) the address to read   [16, 32) the destination
 *   r0: the helper's result */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bpfvm/bpfvm.h"

static int failures;

#define CHECK(cond, ...)                                                           \
	do {                                                                       \
		if (!(cond)) {                                                     \
			fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);       \
			fprintf(stderr, __VA_ARGS__);                              \
			fprintf(stderr, "\n");                                     \
			failures++;                                                \
		}                                                                  \
	} while (0)

struct probe_mem {
	uint64_t src;
	uint64_t unused;
	char dst[16];
};

static int load(struct bpfvm *vm, const char *text, struct bpfvm_prog **prog)
{
	struct bpfvm_prog_opts opts = { .sz = sizeof(opts), .name = "probe",
					.ctx_size = sizeof(struct probe_mem) };
	struct bpf_insn *insns = NULL;
	size_t insn_cnt = 0;
	int err;

	if (bpfvm_asm_parse(text, &insns, &insn_cnt)) {
		fprintf(stderr, "cannot assemble:\n%s\n%s\n", text, bpfvm_errmsg());
		exit(2);
	}
	err = bpfvm_prog_load_raw(vm, insns, insn_cnt, &opts, prog);
	free(insns);
	return err;
}

/* Calls helper `id` (dst = memory + 16, size, src = the address at 0). */
static struct bpfvm_prog *probe_prog(struct bpfvm *vm, int id, int size)
{
	struct bpfvm_prog *prog = NULL;
	char text[256];

	snprintf(text, sizeof(text), "r3 = *(u64 *)(r1 +0)\nr1 += 16\nr2 = %d\ncall %d\nexit",
		 size, id);
	if (load(vm, text, &prog)) {
		fprintf(stderr, "load: %s\n", bpfvm_errmsg());
		exit(2);
	}
	return prog;
}

static int64_t probe(struct bpfvm_prog *prog, const void *src, struct probe_mem *mem)
{
	uint64_t r0 = 0;
	int err;

	memset(mem, 0xff, sizeof(*mem));
	mem->src = (uint64_t)(uintptr_t)src;
	err = bpfvm_prog_run_raw(prog, mem, sizeof(*mem), &r0);
	CHECK(!err, "run: %d %s", err, bpfvm_errmsg());
	return (int64_t)r0;
}

static bool all_zero(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

static void reads(struct bpfvm *vm, const char *engine, int id)
{
	static const char text[16] = "hello, probe!!!";
	struct bpfvm_prog *prog = probe_prog(vm, id, 16);
	struct probe_mem mem;
	int64_t r0;

	r0 = probe(prog, text, &mem);
	CHECK(r0 == 0 && !memcmp(mem.dst, text, 16), "%s helper %d: good address: %lld", engine,
	      id, (long long)r0);
	r0 = probe(prog, (const void *)8, &mem);
	CHECK(r0 == -EFAULT && all_zero(mem.dst, 16), "%s helper %d: bad address: %lld", engine,
	      id, (long long)r0);
	bpfvm_prog_free(prog);
}

static void string_reads(struct bpfvm *vm, const char *engine, int id, char *page_end)
{
	struct bpfvm_prog *prog = probe_prog(vm, id, 16);
	struct probe_mem mem;
	int64_t r0;

	r0 = probe(prog, "abc", &mem);
	CHECK(r0 == 4 && !strcmp(mem.dst, "abc") && (uint8_t)mem.dst[4] == 0xff,
	      "%s helper %d: short string (dst past the NUL untouched): %lld", engine, id, (long long)r0);
	r0 = probe(prog, "0123456789abcdefghij", &mem);
	CHECK(r0 == 16 && !strcmp(mem.dst, "0123456789abcde"),
	      "%s helper %d: long string cut: %lld '%.16s'", engine, id, (long long)r0, mem.dst);
	r0 = probe(prog, (const void *)8, &mem);
	CHECK(r0 == -EFAULT && all_zero(mem.dst, 16), "%s helper %d: bad address: %lld", engine,
	      id, (long long)r0);
	memcpy(page_end - 3, "xy", 3);
	r0 = probe(prog, page_end - 3, &mem);
	CHECK(r0 == 3 && !strcmp(mem.dst, "xy"), "%s helper %d: NUL at a page's end: %lld",
	      engine, id, (long long)r0);
	memcpy(page_end - 2, "xy", 2);
	r0 = probe(prog, page_end - 2, &mem);
	CHECK(r0 == -EFAULT && all_zero(mem.dst, 16),
	      "%s helper %d: string into an unmapped page: %lld", engine, id, (long long)r0);
	bpfvm_prog_free(prog);
}

/* strncpy_from_kernel_nofault reads the size-th byte too (it only then
 * overwrites it with the NUL): 15 readable bytes without a NUL and an
 * unmapped 16th is a fault for a 16-byte read, while 16 readable bytes are
 * a cut string of length 16. */
static void string_reads_size_bytes(struct bpfvm *vm, const char *engine, int id,
				    char *page_end)
{
	struct bpfvm_prog *prog = probe_prog(vm, id, 16);
	struct probe_mem mem;
	int64_t r0;

	memcpy(page_end - 16, "0123456789abcdef", 16);
	r0 = probe(prog, page_end - 16, &mem);
	CHECK(r0 == 16 && !strcmp(mem.dst, "0123456789abcde"),
	      "%s helper %d: 16 bytes up to the page's end: %lld '%.16s'", engine, id,
	      (long long)r0, mem.dst);
	r0 = probe(prog, page_end - 15, &mem);
	CHECK(r0 == -EFAULT && all_zero(mem.dst, 16),
	      "%s helper %d: the 16th byte unmapped is a fault: %lld '%.16s'", engine, id,
	      (long long)r0, mem.dst);
	bpfvm_prog_free(prog);
}

/* A child of fork() reads its own memory, not its parent's (the reads
 * address the process by pid, which fork changes). */
static void read_after_fork(struct bpfvm *vm)
{
	static char text[16] = "parent";
	struct bpfvm_prog *prog = probe_prog(vm, BPF_FUNC_probe_read_user, 16);
	struct probe_mem mem;
	int status = 0;
	pid_t child;

	probe(prog, text, &mem); /* the parent reads first */
	child = fork();
	if (child == 0) {
		strcpy(text, "child");
		probe(prog, text, &mem);
		_exit(strcmp(mem.dst, "child") ? 1 : 0);
	}
	CHECK(child > 0 && waitpid(child, &status, 0) == child && WIFEXITED(status) &&
	      WEXITSTATUS(status) == 0, "a child after fork read another process's memory");
	bpfvm_prog_free(prog);
}

static void current_task(struct bpfvm *vm, const char *engine)
{
	struct bpfvm_prog *prog = NULL;
	struct probe_mem mem = { 0 };
	uint64_t r0 = 0;
	int err = load(vm, "call 35\nr6 = r0\ncall 35\nr0 -= r6\nif r6 != 0 goto out\n"
			   "r0 = 1\nout:\nexit", &prog);

	CHECK(!err, "%s: get_current_task: load: %s", engine, bpfvm_errmsg());
	if (err)
		return;
	err = bpfvm_prog_run_raw(prog, &mem, sizeof(mem), &r0);
	CHECK(!err && r0 == 0, "%s: get_current_task: not stable, or 0: %llu", engine,
	      (unsigned long long)r0);
	bpfvm_prog_free(prog);
}

/* The old forms are for tracing programs only. */
static void old_forms_refused(struct bpfvm *vm)
{
	struct bpfvm_prog *prog = NULL;
	const char *text = "r3 = *(u64 *)(r1 +0)\nr1 += 16\nr2 = 16\ncall 4\nexit";
	int err = load(vm, text, &prog);

	CHECK(err && strstr(bpfvm_errmsg(), "cannot use helper bpf_probe_read#4"),
	      "bpf_probe_read in a raw program: %d %s", err, bpfvm_errmsg());
	bpfvm_prog_free(prog);
}

static uint64_t refuse(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5)
{
	return (uint64_t)-EPERM;
}

/* bpfvm.h: an embedder withdraws the reads by registering their ids. */
static void reads_withdrawn(void)
{
	struct bpfvm_opts opts = { .sz = sizeof(opts), .nr_cpus = 1 };
	static const char secret[16] = "host secret";
	struct bpfvm_prog *prog;
	struct bpfvm *vm = NULL;
	struct probe_mem mem;
	int64_t r0;

	if (bpfvm_create(&opts, &vm)) {
		fprintf(stderr, "bpfvm_create: %s\n", bpfvm_errmsg());
		exit(2);
	}
	CHECK(!bpfvm_helper_register(vm, BPF_FUNC_probe_read_kernel, "no_probe_read", refuse),
	      "register: %s", bpfvm_errmsg());
	prog = probe_prog(vm, BPF_FUNC_probe_read_kernel, 16);
	r0 = probe(prog, secret, &mem);
	CHECK(r0 == -EPERM && memcmp(mem.dst, secret, sizeof(secret)),
	      "a withdrawn probe read still reads: %lld", (long long)r0);
	bpfvm_prog_free(prog);
	bpfvm_destroy(vm);
}

int main(void)
{
	const enum bpfvm_engine engines[] = { BPFVM_ENGINE_INTERP, BPFVM_ENGINE_JIT };
	const char *names[] = { "interp", "jit" };
	long page = sysconf(_SC_PAGESIZE);
	char *pages = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			   -1, 0);

	if (pages == MAP_FAILED || munmap(pages + page, page)) {
		perror("mmap");
		return 2;
	}
	for (int e = 0; e < 2; e++) {
		struct bpfvm_opts opts = { .sz = sizeof(opts), .nr_cpus = 1, .engine = engines[e] };
		struct bpfvm *vm = NULL;

		if (bpfvm_create(&opts, &vm)) {
			if (engines[e] == BPFVM_ENGINE_JIT)
				continue;
			fprintf(stderr, "bpfvm_create: %s\n", bpfvm_errmsg());
			return 2;
		}
		reads(vm, names[e], BPF_FUNC_probe_read_user);
		reads(vm, names[e], BPF_FUNC_probe_read_kernel);
		string_reads(vm, names[e], BPF_FUNC_probe_read_user_str, pages + page);
		string_reads(vm, names[e], BPF_FUNC_probe_read_kernel_str, pages + page);
		string_reads_size_bytes(vm, names[e], BPF_FUNC_probe_read_user_str, pages + page);
		string_reads_size_bytes(vm, names[e], BPF_FUNC_probe_read_kernel_str,
					pages + page);
		current_task(vm, names[e]);
		if (e == 0) {
			old_forms_refused(vm);
			read_after_fork(vm);
		}
		bpfvm_destroy(vm);
	}
	reads_withdrawn();
	munmap(pages, page);
	if (!failures)
		printf("probe_read tests passed\n");
	return failures ? 1 : 0;
}
