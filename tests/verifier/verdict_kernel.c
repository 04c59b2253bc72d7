/* See verdict_kernel.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/btf.h>

#include "../testlib.h"
#include "core/runtime.h"
#include "engine/prog.h"
#include "maps/map.h"
#include "progtypes/progtype.h"
#include "verdict_kernel.h"
#include "verifier/structure.h"
#include "verifier/types.h"

static char kernel_log[1 << 20];

static long sys_bpf(int cmd, union bpf_attr *attr)
{
	return syscall(SYS_bpf, cmd, attr, sizeof(*attr));
}

static enum bpf_prog_type case_type(const struct verdict_case *c)
{
	return c->type ? c->type : BPF_PROG_TYPE_SCHED_CLS;
}

/* BTF for a map value with a lock, as clang emits it for
 *   struct val { struct bpf_spin_lock lock; int x; };
 * types: [1] int, [2] struct bpf_spin_lock { int val; }, [3] struct val. */
static int spin_lock_btf(void)
{
	static const char strings[] = "\0int\0bpf_spin_lock\0val\0lock\0x";
	enum { S_INT = 1, S_LOCK = 5, S_VAL = 19, S_LOCKM = 23, S_X = 28 };
	static const uint32_t types[] = {
		S_INT, BTF_KIND_INT << 24, 4, BTF_INT_SIGNED << 24 | 32,
		S_LOCK, BTF_KIND_STRUCT << 24 | 1, 4, S_VAL, 1, 0,
		S_VAL, BTF_KIND_STRUCT << 24 | 2, 8, S_LOCKM, 2, 0, S_X, 1, 32,
	};
	struct {
		struct btf_header hdr;
		uint32_t types[sizeof(types) / sizeof(types[0])];
		char strings[sizeof(strings)];
	} blob = {
		.hdr = { .magic = BTF_MAGIC, .version = BTF_VERSION, .hdr_len = sizeof(blob.hdr),
			 .type_len = sizeof(types), .str_off = sizeof(types),
			 .str_len = sizeof(strings) },
	};
	union bpf_attr attr;

	memcpy(blob.types, types, sizeof(types));
	memcpy(blob.strings, strings, sizeof(strings));
	memset(&attr, 0, sizeof(attr));
	attr.btf = (uintptr_t)&blob;
	attr.btf_size = sizeof(blob.hdr) + sizeof(types) + sizeof(strings); /* no padding */
	return (int)sys_bpf(BPF_BTF_LOAD, &attr);
}

static int kernel_map(const struct verdict_map *m)
{
	union bpf_attr attr;
	uint32_t key = 0;
	char *value;
	int fd, btf_fd = -1;

	memset(&attr, 0, sizeof(attr));
	attr.map_type = m->type;
	attr.key_size = m->key_size;
	attr.value_size = m->value_size;
	attr.max_entries = m->max_entries;
	attr.map_flags = m->map_flags;
	if (m->spin_lock) {
		btf_fd = spin_lock_btf();
		if (btf_fd < 0)
			return btf_fd;
		attr.btf_fd = (uint32_t)btf_fd;
		attr.btf_key_type_id = 1;
		attr.btf_value_type_id = 3;
	}
	fd = (int)sys_bpf(BPF_MAP_CREATE, &attr);
	if (btf_fd >= 0)
		close(btf_fd);
	if (fd < 0 || !m->rodata)
		return fd;
	value = calloc(1, m->value_size);
	if (!value)
		exit(2);
	memcpy(value, m->rodata, strnlen(m->rodata, m->value_size));
	memset(&attr, 0, sizeof(attr));
	attr.map_fd = (uint32_t)fd;
	attr.key = (uintptr_t)&key;
	attr.value = (uintptr_t)value;
	if (sys_bpf(BPF_MAP_UPDATE_ELEM, &attr) < 0)
		perror("rodata update");
	free(value);
	memset(&attr, 0, sizeof(attr));
	attr.map_fd = (uint32_t)fd;
	if (sys_bpf(BPF_MAP_FREEZE, &attr) < 0)
		perror("rodata freeze");
	return fd;
}

const char *verdict_log_reason(const char *log, char *buf, size_t size)
{
	const char *end = NULL, *at = log, *start;

	/* The last "processed N insns"; a kernel message without its newline
	 * ("expected prog array map for tail call") runs into it. */
	while ((at = strstr(at, "processed ")) != NULL)
		end = at++;
	if (!end)
		end = log + strlen(log);
	while (end > log && end[-1] == '\n')
		end--;
	start = end;
	while (start > log && start[-1] != '\n')
		start--;
	snprintf(buf, size, "%.*s", (int)(end - start), start);
	return buf;
}

bool verdict_kernel(const struct verdict_case *c, const struct bpf_insn *insns, size_t cnt,
		    const char **reason, char *buf, size_t size)
{
	int fds[VERDICT_MAX_MAPS] = { -1, -1, -1, -1 };
	union bpf_attr attr;
	bool ok = true;
	int fd;

	for (int i = 0; i < VERDICT_MAX_MAPS && c->maps[i].type; i++) {
		fds[i] = kernel_map(&c->maps[i]);
		if (fds[i] < 0) {
			snprintf(buf, size, "map %d: %s", i, strerror(errno));
			ok = false;
		}
	}
	memset(&attr, 0, sizeof(attr));
	attr.prog_type = case_type(c);
	attr.expected_attach_type = c->attach_type;
	attr.prog_flags = c->prog_flags;
	attr.insns = (uintptr_t)insns;
	attr.insn_cnt = (uint32_t)cnt;
	attr.license = (uintptr_t)"GPL";
	attr.log_buf = (uintptr_t)kernel_log;
	attr.log_size = sizeof(kernel_log);
	attr.log_level = 1;
	attr.fd_array = (uintptr_t)fds;
	kernel_log[0] = 0;
	*reason = NULL;
	if (ok) {
		fd = (int)sys_bpf(BPF_PROG_LOAD, &attr);
		if (fd >= 0)
			close(fd);
		else
			*reason = verdict_log_reason(kernel_log, buf, size);
	}
	for (int i = 0; i < VERDICT_MAX_MAPS; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	return ok;
}

bool verdict_kernel_usable(void)
{
	struct bpf_insn probe[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	struct verdict_case c = { .name = "probe" };
	const char *reason;
	char buf[256];

	return verdict_kernel(&c, probe, 2, &reason, buf, sizeof(buf)) && !reason;
}

static struct bpfvm_map *bpfvm_side_map(struct bpfvm *vm, const struct verdict_map *m)
{
	struct map_attr attr = {
		.type = m->type, .key_size = m->key_size, .value_size = m->value_size,
		.max_entries = m->max_entries, .map_flags = m->map_flags,
		.has_spin_lock = m->spin_lock, .spin_lock_off = 0, .name = "m",
		.nr_cpus = vm->nr_cpus,
	};
	struct bpfvm_map *map;
	uint32_t key = 0;
	char *value;

	if (map_create(vm, &attr, &map)) {
		fprintf(stderr, "bpfvm map: %s\n", bpfvm_errmsg());
		exit(2);
	}
	if (m->rodata) {
		value = calloc(1, m->value_size);
		if (!value)
			exit(2);
		memcpy(value, m->rodata, strnlen(m->rodata, m->value_size));
		if (bpfvm_map_update(map, &key, value, 0) || bpfvm_map_freeze(map))
			exit(2);
		free(value);
	}
	return map;
}

void verdict_bpfvm(struct bpfvm *vm, const struct verdict_case *c, const struct bpf_insn *insns,
		   size_t cnt, const char **reason, char *buf, size_t size)
{
	struct bpfvm_map *maps[VERDICT_MAX_MAPS] = { 0 };
	struct bpfvm_prog *prog = prog_alloc(vm, "p", "", insns, cnt);
	uint32_t map_cnt = 0;
	const char *msg;
	int err;

	if (!prog)
		exit(2);
	prog->type = case_type(c);
	prog->expected_attach_type = c->attach_type;
	prog->prog_flags = c->prog_flags;
	prog->gpl_compatible = true;
	prog->progtype = progtype_for(prog->type);
	while (map_cnt < VERDICT_MAX_MAPS && c->maps[map_cnt].type) {
		maps[map_cnt] = bpfvm_side_map(vm, &c->maps[map_cnt]);
		map_cnt++;
	}
	prog->maps = calloc(map_cnt + 1, sizeof(*prog->maps));
	if (!prog->maps)
		exit(2);
	for (uint32_t i = 0; i < map_cnt; i++) {
		map_get(maps[i]); /* the program's reference, dropped by prog_destroy */
		prog->maps[i] = maps[i];
	}
	prog->map_cnt = map_cnt;
	if (!prog->progtype) {
		snprintf(buf, size, "bpfvm has no program type %d", prog->type);
		*reason = buf;
		prog_destroy(prog);
		return;
	}
	err = verifier_check_structure(prog);
	if (!err)
		err = verifier_track_types(prog);
	prog_destroy(prog);
	for (uint32_t i = 0; i < map_cnt; i++)
		bpfvm_map_close(maps[i]);
	*reason = NULL;
	if (!err)
		return;
	msg = bpfvm_errmsg();
	*reason = strstr(msg, ": insn ");
	*reason = *reason ? strstr(*reason + 7, ": ") : NULL;
	msg = *reason ? *reason + 2 : msg;
	/* A reason of several lines, as the kernel's: its last line. */
	if (strrchr(msg, '\n'))
		msg = strrchr(msg, '\n') + 1;
	snprintf(buf, size, "%s", msg);
	*reason = buf;
}

/* Whether `got` says `want`: a NULL want is an acceptance; else got starts
 * with want (bpfvm may add detail after the kernel's words). */
static bool same_verdict(const char *want, const char *got)
{
	if (!want || !got)
		return !want && !got;
	return strncmp(got, want, strlen(want)) == 0;
}

unsigned verdict_run_cases(struct bpfvm *vm, const struct verdict_case *cases, size_t cnt)
{
	bool kernel = verdict_kernel_usable();
	unsigned failed = testlib_failed();
	char kbuf[1024], vbuf[2048];

	if (!kernel)
		printf("note: kernel bpf() not usable, comparing with the recorded reasons only\n");
	for (size_t i = 0; i < cnt; i++) {
		const struct verdict_case *c = &cases[i];
		const char *k = NULL, *b;
		struct bpf_insn *insns;
		size_t insn_cnt;

		if (bpfvm_asm_parse(c->text, &insns, &insn_cnt)) {
			testlib_check(c->name, false, "assembler: %s", bpfvm_errmsg());
			continue;
		}
		verdict_bpfvm(vm, c, insns, insn_cnt, &b, vbuf, sizeof(vbuf));
		if (c->pending && !same_verdict(c->reason, b))
			printf("PENDING %s (waits for %s): bpfvm: %s | want: %s\n", c->name,
			       c->pending, b ? b : "(accepted)",
			       c->reason ? c->reason : "(accepted)");
		else
			testlib_check(c->name, same_verdict(c->reason, b), "bpfvm: %s | want: %s",
				      b ? b : "(accepted)",
				      c->reason ? c->reason : "(accepted)");
		if (kernel && !c->kernel_skip) {
			bool ok = verdict_kernel(c, insns, insn_cnt, &k, kbuf, sizeof(kbuf));

			testlib_check(c->name, ok && same_verdict(c->reason, k),
				      "kernel: %s | want: %s", ok ? (k ? k : "(accepted)") : kbuf,
				      c->reason ? c->reason : "(accepted)");
		}
		free(insns);
	}
	return testlib_failed() - failed;
}
