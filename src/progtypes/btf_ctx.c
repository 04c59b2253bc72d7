/* The attach target's prototype in the kernel's BTF (btf_ctx.h). The
 * kernel finds it at load from attach_btf_id, which libbpf looks up by the
 * section's name: "fentry/do_unlinkat" is the function do_unlinkat,
 * "tp_btf/sched_switch" the typedef btf_trace_sched_switch, "lsm/file_open"
 * the function bpf_lsm_file_open, "iter/task" the function bpf_iter_task.
 *
 * vmlinux has some 150,000 types and libbpf's lookup by name walks them:
 * the named functions, typedefs, structs and unions are indexed once per
 * process, sorted by name, and found by bisection. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/prog.h"
#include "object/core_relo.h"
#include "progtypes/btf_ctx.h"

struct named_type {
	const char *name;
	uint32_t kind;
	uint32_t id;
};

static struct named_type *index_entries;
static size_t index_cnt;
static pthread_once_t index_once = PTHREAD_ONCE_INIT;

static int compare_named(const void *a, const void *b)
{
	const struct named_type *x = a, *y = b;
	int diff = strcmp(x->name, y->name);

	return diff ? diff : (int)x->kind - (int)y->kind;
}

static bool indexed_kind(uint32_t kind)
{
	return kind == BTF_KIND_FUNC || kind == BTF_KIND_TYPEDEF || kind == BTF_KIND_STRUCT ||
	       kind == BTF_KIND_UNION;
}

static void index_load(void)
{
	const struct btf *btf = core_kernel_btf();
	uint32_t cnt = btf ? btf__type_cnt(btf) : 0;

	index_entries = cnt ? malloc(cnt * sizeof(*index_entries)) : NULL;
	if (!index_entries)
		return;
	for (uint32_t id = 1; id < cnt; id++) {
		const struct btf_type *t = btf__type_by_id(btf, id);
		const char *name = btf__name_by_offset(btf, t->name_off);

		if (indexed_kind(btf_kind(t)) && name && name[0])
			index_entries[index_cnt++] = (struct named_type){ name, btf_kind(t), id };
	}
	qsort(index_entries, index_cnt, sizeof(*index_entries), compare_named);
}

const struct btf *btf_ctx_kernel(void)
{
	return core_kernel_btf();
}

uint32_t btf_ctx_find(const char *name, uint32_t kind)
{
	struct named_type key = { name, kind, 0 };
	const struct named_type *hit;

	pthread_once(&index_once, index_load);
	hit = index_cnt ? bsearch(&key, index_entries, index_cnt, sizeof(key), compare_named)
			: NULL;
	return hit ? hit->id : 0;
}

const struct btf_type *btf_ctx_skip_mods(const struct btf *btf, uint32_t id, uint32_t *out_id)
{
	const struct btf_type *t = btf__type_by_id(btf, id);

	while (t && (btf_is_mod(t) || btf_is_typedef(t))) {
		id = t->type;
		t = btf__type_by_id(btf, id);
	}
	if (out_id)
		*out_id = id;
	return t;
}

uint32_t btf_ctx_struct_ptr(const struct btf *btf, uint32_t ptr_id)
{
	const struct btf_type *t = btf_ctx_skip_mods(btf, ptr_id, NULL);
	uint32_t id;

	if (!t || !btf_is_ptr(t))
		return 0;
	t = btf_ctx_skip_mods(btf, t->type, &id);
	return t && btf_is_composite(t) ? id : 0;
}

const char *btf_ctx_name(const struct btf *btf, uint32_t id)
{
	const struct btf_type *t = btf__type_by_id(btf, id);
	const char *name = t ? btf__name_by_offset(btf, t->name_off) : NULL;

	return name ? name : "";
}

/* "fentry.s/do_unlinkat": what follows the first slash. */
static const char *target_name(const struct bpfvm_prog *prog)
{
	const char *slash = prog->section ? strchr(prog->section, '/') : NULL;

	return slash && slash[1] ? slash + 1 : NULL;
}

/* A function's prototype: FUNC -> FUNC_PROTO. */
static const struct btf_type *func_proto(const struct btf *btf, uint32_t func_id)
{
	const struct btf_type *t = func_id ? btf__type_by_id(btf, func_id) : NULL;

	t = t ? btf__type_by_id(btf, t->type) : NULL;
	return t && btf_is_func_proto(t) ? t : NULL;
}

/* A tracepoint's: typedef btf_trace_<name> -> PTR -> FUNC_PROTO. */
static const struct btf_type *trace_proto(const struct btf *btf, const char *name)
{
	char type_name[256];
	const struct btf_type *t;

	snprintf(type_name, sizeof(type_name), "btf_trace_%s", name);
	t = btf_ctx_skip_mods(btf, btf_ctx_find(type_name, BTF_KIND_TYPEDEF), NULL);
	if (!t || !btf_is_ptr(t))
		return NULL;
	t = btf__type_by_id(btf, t->type);
	return t && btf_is_func_proto(t) ? t : NULL;
}

/* The FUNC the kernel attaches to, named with `prefix`. */
static const struct btf_type *prefixed_proto(const struct btf *btf, const char *prefix,
					     const char *name, const char **func_name)
{
	char full[256];
	uint32_t id;

	snprintf(full, sizeof(full), "%s%s", prefix, name);
	id = btf_ctx_find(full, BTF_KIND_FUNC);
	*func_name = id ? btf_ctx_name(btf, id) : NULL;
	return func_proto(btf, id);
}

bool btf_ctx_target(const struct bpfvm_prog *prog, struct btf_target *target)
{
	const char *name = target_name(prog);

	memset(target, 0, sizeof(*target));
	target->btf = btf_ctx_kernel();
	if (!target->btf || !name)
		return false;
	target->name = name;
	if (prog->type == BPF_PROG_TYPE_LSM) {
		target->proto = prefixed_proto(target->btf, "bpf_lsm_", name, &target->name);
	} else if (prog->type != BPF_PROG_TYPE_TRACING) {
		return false;
	} else if (prog->expected_attach_type == BPF_TRACE_RAW_TP) {
		target->proto = trace_proto(target->btf, name);
		target->skip = 1;
	} else if (prog->expected_attach_type == BPF_TRACE_ITER) {
		target->proto = prefixed_proto(target->btf, "bpf_iter_", name, &target->name);
	} else {
		target->proto = func_proto(target->btf, btf_ctx_find(name, BTF_KIND_FUNC));
	}
	return target->proto != NULL;
}
