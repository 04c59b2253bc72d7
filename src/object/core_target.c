/* The target BTF of CO-RE relocations, and its types by essential name.
 *
 *   btf_custom_path ──► btf__parse (raw BTF, or an ELF's .BTF) ─┐
 *   else /sys/kernel/btf/vmlinux (btf__load_vmlinux_btf) ───────┼─► core_target
 *        parsed once per process, kept for the next objects     │   names[]: (essential
 *   else none: each relocation keeps its local value            ┘   name, id), hashed
 *
 * Candidates for a local type are the target types of a compatible kind
 * whose names equal its name without "___flavor" (libbpf's
 * bpf_core_add_cands); a hash of the essential names finds them, in id
 * order as libbpf lists them, instead of a scan of the kernel's 100,000-odd
 * types per relocated type. Kernel module BTFs, which libbpf searches when
 * vmlinux has no candidate, are not read. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "object/core_relo.h"
#include "object/elf_reader.h"

/* A named type of the target, chained with the others of the same bucket
 * in id order. */
struct core_name {
	const char *name;
	uint32_t len;  /* essential length */
	uint32_t id;
	uint32_t next; /* index in names + 1, 0 at the chain's end */
};

struct core_target {
	struct btf *btf;
	struct core_name *names;
	uint32_t name_cnt;
	uint32_t *heads; /* per bucket: the first entry's index + 1, or 0 */
	uint32_t bucket_mask;
	bool shared;	 /* the kernel's: kept for the process */
};

/* FNV-1a of the essential name. */
static uint32_t name_hash(const char *name, uint32_t len)
{
	uint32_t hash = 2166136261u;

	for (uint32_t i = 0; i < len; i++)
		hash = (hash ^ (uint8_t)name[i]) * 16777619u;
	return hash;
}

/* Types are chained from the last id down, so that each chain runs in id
 * order. */
static int target_index(struct core_target *target)
{
	uint32_t cnt = btf__type_cnt(target->btf), buckets = 1024;

	while (buckets < cnt)
		buckets *= 2;
	target->bucket_mask = buckets - 1;
	target->names = malloc(cnt * sizeof(*target->names));
	target->heads = calloc(buckets, sizeof(*target->heads));
	if (!target->names || !target->heads)
		return -ENOMEM;
	for (uint32_t id = cnt - 1; id > 0; id--) {
		const struct btf_type *t = btf__type_by_id(target->btf, id);
		const char *name = t ? btf__name_by_offset(target->btf, t->name_off) : NULL;
		uint32_t len, bucket, idx = target->name_cnt;

		if (!name || !name[0])
			continue;
		len = (uint32_t)core_essential_name_len(name);
		bucket = name_hash(name, len) & target->bucket_mask;
		target->names[idx] = (struct core_name){ name, len, id, target->heads[bucket] };
		target->heads[bucket] = idx + 1;
		target->name_cnt++;
	}
	return 0;
}

static struct core_target *target_new(struct btf *btf)
{
	struct core_target *target = calloc(1, sizeof(*target));

	if (!target)
		return NULL;
	target->btf = btf;
	if (target_index(target)) {
		free(target->names);
		free(target->heads);
		free(target);
		return NULL;
	}
	return target;
}

void core_target_close(struct core_target *target)
{
	if (!target || target->shared)
		return;
	btf__free(target->btf);
	free(target->names);
	free(target->heads);
	free(target);
}

const struct btf *core_target_btf(const struct core_target *target)
{
	return target->btf;
}

/* ---- the kernel's BTF, once per process ---- */

static pthread_once_t kernel_once = PTHREAD_ONCE_INIT;
static struct core_target *kernel_target;

static void kernel_target_load(void)
{
	struct btf *btf = reader_btf_load_quietly(NULL);

	if (!btf)
		return;
	kernel_target = target_new(btf);
	if (!kernel_target)
		btf__free(btf);
	else
		kernel_target->shared = true;
}

const struct btf *core_kernel_btf(void)
{
	pthread_once(&kernel_once, kernel_target_load);
	return kernel_target ? kernel_target->btf : NULL;
}

static int target_open_custom(struct elf_reader *reader, const char *path,
			      struct core_target **target_out)
{
	struct btf *btf = reader_btf_load_quietly(path);
	int err = btf ? 0 : -errno;

	if (!btf)
		return reader_error(reader, err ? err : -EINVAL, "btf_custom_path '%s': cannot "
				    "read BTF from it (%d)", path, err);
	*target_out = target_new(btf);
	if (!*target_out) {
		btf__free(btf);
		return reader_error(reader, -ENOMEM, "out of memory");
	}
	return 0;
}

int core_target_open(struct elf_reader *reader, const char *custom_path, bool skip_kernel,
		     struct core_target **target_out, const char **what_out)
{
	*target_out = NULL;
	if (custom_path) {
		*what_out = custom_path;
		return target_open_custom(reader, custom_path, target_out);
	}
	*what_out = "the object's own BTF (no kernel BTF)";
	if (skip_kernel)
		return 0;
	pthread_once(&kernel_once, kernel_target_load);
	if (kernel_target) {
		*target_out = kernel_target;
		*what_out = "the running kernel's BTF";
	}
	return 0;
}

int core_target_for_each_candidate(const struct core_target *target,
				   const struct btf *local_btf, uint32_t local_id,
				   int (*fn)(uint32_t targ_id, void *arg), void *arg)
{
	const struct btf_type *local = btf__type_by_id(local_btf, local_id);
	const char *name = local ? btf__name_by_offset(local_btf, local->name_off) : NULL;
	uint32_t len, idx;

	if (!name || !name[0])
		return 0;
	len = (uint32_t)core_essential_name_len(name);
	idx = target->heads[name_hash(name, len) & target->bucket_mask];
	for (; idx; idx = target->names[idx - 1].next) {
		const struct core_name *entry = &target->names[idx - 1];
		int stop;

		if (entry->len != len || memcmp(entry->name, name, len) != 0 ||
		    !core_kinds_compat(local, btf__type_by_id(target->btf, entry->id)))
			continue;
		stop = fn(entry->id, arg);
		if (stop)
			return stop;
	}
	return 0;
}
