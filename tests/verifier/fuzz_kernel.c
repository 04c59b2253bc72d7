/* The kernel's verdict on a fuzzed program (fuzz.h), when bpf() is usable:
 * the oracle that says whether a trapping mutant is one the kernel refuses
 * (bpfvm's verifier is unsound there) and whether a generated program is
 * really valid. bpfvm maps become kernel maps of the same definition (empty:
 * only the verdict matters), map[idx:N] becomes the map's fd. Programs the
 * kernel cannot be shown without more than that (map-in-map, BTF spin locks,
 * raw programs, callx) get no verdict.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/bpf.h>

#include "fuzz.h"
#include "isa/isa.h"
#include "maps/map.h"

#define KERNEL_MAPS 256

static struct {
	const struct bpfvm_map *map;
	int fd;
} kernel_maps[KERNEL_MAPS];
static unsigned kernel_map_cnt;
static char kernel_log[1 << 20];

static long sys_bpf(int cmd, union bpf_attr *attr)
{
	return syscall(SYS_bpf, cmd, attr, sizeof(*attr));
}

/* The kernel map standing for `map`, created on first use; -1 if none can. */
static int kernel_map_fd(const struct bpfvm_map *map)
{
	union bpf_attr attr;
	int fd;

	for (unsigned i = 0; i < kernel_map_cnt; i++)
		if (kernel_maps[i].map == map)
			return kernel_maps[i].fd;
	if (kernel_map_cnt == KERNEL_MAPS || map->region->spin_lock_off >= 0 ||
	    map_type(map) == BPF_MAP_TYPE_ARRAY_OF_MAPS ||
	    map_type(map) == BPF_MAP_TYPE_HASH_OF_MAPS)
		return -1;
	memset(&attr, 0, sizeof(attr));
	attr.map_type = map_type(map);
	attr.key_size = map_key_size(map);
	attr.value_size = map_value_size(map);
	attr.max_entries = map_max_entries(map);
	attr.map_flags = map_flags(map);
	fd = (int)sys_bpf(BPF_MAP_CREATE, &attr);
	if (fd < 0)
		return -1;
	kernel_maps[kernel_map_cnt].map = map;
	kernel_maps[kernel_map_cnt++].fd = fd;
	return fd;
}

/* map[idx:N] -> fd; false if a map has no kernel stand-in. */
static bool translate(const struct fuzz_prog *prog, struct bpf_insn *insns)
{
	for (size_t i = 0; i < prog->insn_cnt; i++) {
		struct bpf_insn *insn = &insns[i];
		int fd;

		if (isa_is_callx(insn))
			return false;
		if (!isa_is_lddw(insn->code) || (insn->src_reg != BPF_PSEUDO_MAP_IDX &&
						  insn->src_reg != BPF_PSEUDO_MAP_IDX_VALUE))
			continue;
		if ((uint32_t)insn->imm >= prog->map_cnt)
			return false;
		fd = kernel_map_fd(prog->maps[insn->imm]);
		if (fd < 0)
			return false;
		insn->src_reg = insn->src_reg == BPF_PSEUDO_MAP_IDX ? BPF_PSEUDO_MAP_FD
								    : BPF_PSEUDO_MAP_VALUE;
		insn->imm = fd;
	}
	return true;
}

/* The log's last line before "processed N insns": the kernel's reason. */
static void last_reason(char *reason, size_t size)
{
	char *end = strstr(kernel_log, "\nprocessed "), *start;

	if (!end)
		end = kernel_log + strlen(kernel_log);
	start = end;
	while (start > kernel_log && start[-1] != '\n')
		start--;
	snprintf(reason, size, "%.*s", (int)(end - start), start);
}

int fuzz_kernel_verdict(const struct fuzz_prog *prog, char *reason, size_t size)
{
	static struct bpf_insn insns[65536];
	union bpf_attr attr;
	int fd;

	reason[0] = '\0';
	if (prog->type == BPFVM_PROG_TYPE_RAW || prog->insn_cnt > 65536)
		return -1;
	memcpy(insns, prog->insns, prog->insn_cnt * sizeof(*insns));
	if (!translate(prog, insns))
		return -1;
	memset(&attr, 0, sizeof(attr));
	attr.prog_type = prog->type;
	attr.expected_attach_type = prog->expected_attach_type;
	attr.insns = (uintptr_t)insns;
	attr.insn_cnt = (uint32_t)prog->insn_cnt;
	attr.license = (uintptr_t)"GPL";
	attr.log_buf = (uintptr_t)kernel_log;
	attr.log_size = sizeof(kernel_log);
	attr.log_level = 1;
	kernel_log[0] = '\0';
	fd = (int)sys_bpf(BPF_PROG_LOAD, &attr);
	if (fd >= 0) {
		close(fd);
		return 1;
	}
	if (errno == EPERM || errno == ENOSYS)
		return -1;
	last_reason(reason, size);
	if (errno == ENOSPC) /* the log overflowed: the verdict stands */
		snprintf(reason, size, "refused (log too long)");
	return 0;
}

bool fuzz_kernel_usable(void)
{
	union bpf_attr attr;
	int fd;

	memset(&attr, 0, sizeof(attr));
	attr.map_type = BPF_MAP_TYPE_ARRAY;
	attr.key_size = 4;
	attr.value_size = 4;
	attr.max_entries = 1;
	fd = (int)sys_bpf(BPF_MAP_CREATE, &attr);
	if (fd < 0)
		return false;
	close(fd);
	return true;
}

void fuzz_kernel_release(void)
{
	for (unsigned i = 0; i < kernel_map_cnt; i++)
		close(kernel_maps[i].fd);
	kernel_map_cnt = 0;
}
