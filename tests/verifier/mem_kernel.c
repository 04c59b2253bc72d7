/* The memory-bounds tests' bench (see mem_kernel.h). */
#include "mem_kernel.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>

#include "../testlib.h"
#include "engine/prog.h"
#include "maps/map.h"
#include "progtypes/progtype.h"
#include "verifier/structure.h"
#include "verifier/types.h"

#define SKIP_RETURN_CODE 77
#define MAP_REF "map[idx:0]"

static char kernel_log[1 << 20];
static bool verbose;

static long sys_bpf(int cmd, union bpf_attr *attr)
{
	return syscall(SYS_bpf, cmd, attr, sizeof(*attr));
}

static int kernel_map(const struct mem_case *c)
{
	union bpf_attr attr;
	int fd;

	memset(&attr, 0, sizeof(attr));
	attr.map_type = BPF_MAP_TYPE_ARRAY;
	attr.key_size = 4;
	attr.value_size = c->value_size;
	attr.max_entries = 1;
	if (c->map == MEM_MAP_RINGBUF) {
		attr.map_type = BPF_MAP_TYPE_RINGBUF;
		attr.key_size = attr.value_size = 0;
		attr.max_entries = 4096;
	}
	if (c->map == MEM_MAP_RDONLY_PROG)
		attr.map_flags = BPF_F_RDONLY_PROG;
	fd = (int)sys_bpf(BPF_MAP_CREATE, &attr);
	if (fd < 0 || c->map != MEM_MAP_RDONLY_PROG)
		return fd;
	memset(&attr, 0, sizeof(attr));
	attr.map_fd = (uint32_t)fd;
	if (sys_bpf(BPF_MAP_FREEZE, &attr)) {
		close(fd);
		return -1;
	}
	return fd;
}

/* The case's text with map[idx:0] turned into map[fd:FD]. */
static char *text_for_kernel(const char *text, int fd)
{
	size_t len = strlen(text) + 1024;
	char *out = malloc(len), *o = out;
	const char *p = text, *hit;

	if (!out)
		exit(2);
	while ((hit = strstr(p, MAP_REF))) {
		o += sprintf(o, "%.*smap[fd:%d]", (int)(hit - p), p, fd);
		p = hit + strlen(MAP_REF);
	}
	strcpy(o, p);
	return out;
}

static enum bpf_prog_type case_type(const struct mem_case *c)
{
	return c->type ? c->type : BPF_PROG_TYPE_SCHED_CLS;
}

static bool kernel_load(enum bpf_prog_type type, const struct bpf_insn *insns, size_t cnt)
{
	int fd = testlib_kernel_load(type,
				     type == BPF_PROG_TYPE_CGROUP_SKB ? BPF_CGROUP_INET_INGRESS : 0,
				     insns, cnt, kernel_log, sizeof(kernel_log));

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

/* Whether the kernel's log ends (before "processed") with the lines of
 * `reason`. */
static bool log_ends_with(const char *reason)
{
	char *end = strstr(kernel_log, "\nprocessed ");
	size_t len = strlen(reason);

	if (!end)
		end = kernel_log + strlen(kernel_log);
	while (end > kernel_log && end[-1] == '\n')
		end--;
	if ((size_t)(end - kernel_log) < len || strncmp(end - len, reason, len) != 0)
		return false;
	return end - len == kernel_log || end[-(long)len - 1] == '\n';
}

/* The log's last line before "processed", or "" if there is none. */
static void last_line(char *out, size_t size)
{
	if (!strstr(kernel_log, "\nprocessed ")) {
		snprintf(out, size, "(no log: %s)", strerror(errno));
		return;
	}
	testlib_kernel_reason(kernel_log, out, size);
}

/* The kernel's verdict: "" accepted, else its log's last lines. */
static void kernel_verdict(const struct mem_case *c, char *out, size_t size)
{
	struct bpf_insn *insns;
	size_t cnt;
	int fd = c->map ? kernel_map(c) : -1;
	char *text = text_for_kernel(c->text, fd);

	if (c->map && fd < 0) {
		snprintf(out, size, "(map: %s)", strerror(errno));
		free(text);
		return;
	}
	if (bpfvm_asm_parse(text, &insns, &cnt)) {
		snprintf(out, size, "(assembler: %s)", bpfvm_errmsg());
	} else {
		out[0] = 0;
		if (kernel_load(case_type(c), insns, cnt))
			; /* accepted: "" */
		else if (c->reason && log_ends_with(c->reason))
			snprintf(out, size, "%s", c->reason);
		else
			last_line(out, size);
		free(insns);
	}
	if (verbose)
		printf("--- kernel log of %s:\n%s\n", c->name, kernel_log);
	free(text);
	if (fd >= 0)
		close(fd);
}

static struct bpfvm_map *bpfvm_case_map(struct bpfvm *vm, const struct mem_case *c)
{
	struct bpfvm_map_create_opts opts = { .sz = sizeof(opts) };
	struct bpfvm_map *map;

	if (c->map == MEM_MAP_RDONLY_PROG)
		opts.map_flags = BPF_F_RDONLY_PROG;
	if (c->map == MEM_MAP_RINGBUF) {
		if (bpfvm_map_create(vm, BPF_MAP_TYPE_RINGBUF, "m", 0, 0, 4096, &opts, &map))
			exit(2);
		return map;
	}
	if (bpfvm_map_create(vm, BPF_MAP_TYPE_ARRAY, "m", 4, c->value_size, 1, &opts, &map))
		exit(2);
	if (c->map == MEM_MAP_RDONLY_PROG && bpfvm_map_freeze(map))
		exit(2);
	return map;
}

/* bpfvm's verdict: "" accepted, else its reason without "<prog>: insn <n>: ". */
static void bpfvm_verdict(struct bpfvm *vm, const struct mem_case *c, char *out, size_t size)
{
	struct bpfvm_prog *prog;
	struct bpf_insn *insns;
	const char *msg, *reason;
	size_t cnt;
	int err;

	if (bpfvm_asm_parse(c->text, &insns, &cnt)) {
		snprintf(out, size, "(assembler: %s)", bpfvm_errmsg());
		return;
	}
	prog = prog_alloc(vm, "p", "", insns, cnt);
	free(insns);
	if (!prog)
		exit(2);
	prog->type = case_type(c);
	prog->progtype = progtype_for(prog->type);
	if (c->map) {
		prog->maps = malloc(sizeof(*prog->maps));
		if (!prog->maps)
			exit(2);
		prog->maps[0] = bpfvm_case_map(vm, c); /* the program's reference */
		prog->map_cnt = 1;
	}
	err = verifier_check_structure(prog);
	if (!err)
		err = verifier_track_types(prog);
	prog_destroy(prog);
	out[0] = 0;
	if (!err)
		return;
	msg = bpfvm_errmsg();
	reason = strstr(msg, ": insn ");
	reason = reason ? strstr(reason + 7, ": ") : NULL;
	snprintf(out, size, "%s", reason ? reason + 2 : msg);
	if (verbose)
		printf("--- bpfvm: %s\n", msg);
}

static bool bpfvm_agrees(const struct mem_case *c, const char *got)
{
	if (!c->reason)
		return !got[0];
	return got[0] && strncmp(got, c->reason, strlen(c->reason)) == 0;
}

int mem_kernel_run(const struct mem_case *cases, unsigned count, int argc, char **argv)
{
	struct bpfvm *vm = testlib_vm_create();
	struct bpf_insn probe[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	bool have_kernel = kernel_load(BPF_PROG_TYPE_SCHED_CLS, probe, 2);
	const char *filter = argc > 1 ? argv[1] : NULL;
	static char got[4096], kgot[4096];

	verbose = filter != NULL;
	if (!have_kernel)
		printf("kernel bpf() not usable (%s): bpfvm's verdicts only\n", strerror(errno));
	for (unsigned i = 0; i < count; i++) {
		const struct mem_case *c = &cases[i];
		bool ok;

		if (filter && !strstr(c->name, filter))
			continue;
		bpfvm_verdict(vm, c, got, sizeof(got));
		ok = bpfvm_agrees(c, got);
		if (c->waits_for && !ok) {
			printf("WAITS for %s: %s: bpfvm: %s\n", c->waits_for, c->name,
			       got[0] ? got : "(accepted)");
		} else {
			testlib_check(c->name, ok, "bpfvm: %s | want: %s", got[0] ? got : "(accepted)",
				      c->reason ? c->reason : "(accepted)");
		}
		if (!have_kernel)
			continue;
		kernel_verdict(c, kgot, sizeof(kgot));
		testlib_check(c->name, c->reason ? strcmp(kgot, c->reason) == 0 : !kgot[0],
			      "kernel: %s | want: %s", kgot[0] ? kgot : "(accepted)",
			      c->reason ? c->reason : "(accepted)");
	}
	bpfvm_destroy(vm);
	/* Without bpf() the cases still judge bpfvm; the kernel's side is
	 * what was skipped. */
	return testlib_summary();
}
