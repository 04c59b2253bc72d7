/* The kernel's verdict on a catalogue case. Assembler cases: the case's maps
 * are created with bpf(2), their fds patched into the lddw (map[idx:N]
 * becomes map[fd:F]), and the program loaded once without a log (the
 * verdict) and, when refused, again with log_level 1 (the reason: the
 * rotating log keeps its tail, where the reason is). C cases: libbpf opens
 * and loads the object, with the log of the program kept. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "catalogue_case.h"

#define KERNEL_LOG_SIZE (1u << 20)

static char kernel_log[KERNEL_LOG_SIZE];

static int quiet(enum libbpf_print_level level, const char *fmt, va_list args)
{
	(void)level, (void)fmt, (void)args;
	return 0;
}

const char *catalogue_kernel_log(void)
{
	return kernel_log;
}

bool catalogue_kernel_usable(char *why, size_t size)
{
	struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	int fd;

	libbpf_set_print(quiet);
	fd = bpf_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, "probe", "GPL", insns, 2, NULL);
	if (fd < 0) {
		snprintf(why, size, "bpf(BPF_PROG_LOAD) failed: %s", strerror(errno));
		return false;
	}
	close(fd);
	return true;
}

static int create_maps(const struct catalogue_case *c, int *fds)
{
	for (unsigned i = 0; i < c->map_cnt; i++) {
		const struct catalogue_map *m = &c->maps[i];
		LIBBPF_OPTS(bpf_map_create_opts, opts, .map_flags = m->flags);

		fds[i] = bpf_map_create(m->type, "catalogue", m->key_size, m->value_size,
					m->max_entries, &opts);
		if (fds[i] < 0)
			return -errno;
	}
	return 0;
}

/* map[idx:N] (BPF_PSEUDO_MAP_IDX / _IDX_VALUE) -> the kernel's fd forms. */
static int patch_map_fds(struct bpf_insn *insns, size_t cnt, const int *fds, unsigned map_cnt)
{
	for (size_t i = 0; i + 1 < cnt; i++) {
		struct bpf_insn *insn = &insns[i];

		if (insn->code != (BPF_LD | BPF_IMM | BPF_DW))
			continue;
		if (insn->src_reg == BPF_PSEUDO_MAP_IDX)
			insn->src_reg = BPF_PSEUDO_MAP_FD;
		else if (insn->src_reg == BPF_PSEUDO_MAP_IDX_VALUE)
			insn->src_reg = BPF_PSEUDO_MAP_VALUE;
		else
			continue;
		if ((unsigned)insn->imm >= map_cnt)
			return -1;
		insn->imm = fds[insn->imm];
		i++;
	}
	return 0;
}

static int load_insns(const struct catalogue_case *c, const struct bpf_insn *insns, size_t cnt,
		      uint32_t log_level)
{
	LIBBPF_OPTS(bpf_prog_load_opts, opts, .expected_attach_type = c->attach_type,
		    .log_level = log_level, .log_buf = log_level ? kernel_log : NULL,
		    .log_size = log_level ? sizeof(kernel_log) : 0);
	int fd;

	kernel_log[0] = 0;
	fd = bpf_prog_load(c->prog_type, "catalogue", "GPL", insns, cnt, &opts);
	if (fd >= 0) {
		close(fd);
		return 0;
	}
	return -errno;
}

static void run_asm(const struct catalogue_case *c, struct catalogue_verdict *v)
{
	int fds[CATALOGUE_MAPS_MAX];
	struct bpf_insn *insns;
	size_t cnt;
	int err;

	for (unsigned i = 0; i < CATALOGUE_MAPS_MAX; i++)
		fds[i] = -1;
	if (catalogue_case_insns(c, &insns, &cnt)) {
		snprintf(v->reason, sizeof(v->reason), "(assembler error)");
		return;
	}
	err = create_maps(c, fds);
	if (err) {
		snprintf(v->reason, sizeof(v->reason), "(map create: %s)", strerror(-err));
	} else if (patch_map_fds(insns, cnt, fds, c->map_cnt)) {
		snprintf(v->reason, sizeof(v->reason), "(lddw of a map the header lacks)");
	} else {
		v->err = load_insns(c, insns, cnt, 0);
		v->accepted = v->err == 0;
		if (!v->accepted) {
			load_insns(c, insns, cnt, 1);
			catalogue_log_reason(kernel_log, v->reason, sizeof(v->reason));
		}
	}
	for (unsigned i = 0; i < CATALOGUE_MAPS_MAX; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	free(insns);
}

/* Opens and loads the object: 0, or -errno (the log, when asked, in kernel_log). */
static int load_obj(const struct catalogue_case *c, bool with_log)
{
	struct bpf_object *obj = bpf_object__open_file(c->object_path, NULL);
	struct bpf_program *prog;
	int err;

	kernel_log[0] = 0;
	if (!obj)
		return -errno;
	bpf_object__for_each_program(prog, obj) {
		if (!with_log)
			continue;
		bpf_program__set_log_buf(prog, kernel_log, sizeof(kernel_log));
		bpf_program__set_log_level(prog, 1);
	}
	err = bpf_object__load(obj);
	bpf_object__close(obj);
	return err;
}

static void run_obj(const struct catalogue_case *c, struct catalogue_verdict *v)
{
	v->err = load_obj(c, false);
	v->accepted = v->err == 0;
	if (v->accepted)
		return;
	load_obj(c, true);
	catalogue_log_reason(kernel_log, v->reason, sizeof(v->reason));
	if (!v->reason[0])
		snprintf(v->reason, sizeof(v->reason), "(libbpf: %s)", strerror(-v->err));
}

void catalogue_run_kernel(const struct catalogue_case *c, struct catalogue_verdict *v)
{
	memset(v, 0, sizeof(*v));
	if (c->kind == CATALOGUE_ASM)
		run_asm(c, v);
	else
		run_obj(c, v);
}
