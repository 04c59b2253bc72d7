/* Program lifecycle: allocate, prepare (check, track types, decode, assign an
 * id), destroy. Raw programs and programs of objects share it. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/error.h"
#include "core/opts.h"
#include "core/runtime.h"
#include "engine/interp.h"
#include "engine/jit.h"
#include "engine/prog.h"
#include "engine/prog_tag.h"
#include "engine/vcpu.h"
#include "isa/isa.h"
#include "maps/map.h"
#include "ns/ns_prog.h"
#include "progtypes/progtype.h"
#include "verifier/log.h"
#include "verifier/structure.h"
#include "verifier/types.h"

void prog_destroy(struct bpfvm_prog *prog)
{
	if (!prog)
		return;
	if (prog->id)
		id_table_remove(&prog->vm->prog_ids, prog->id);
	ns_prog_release(prog);
	interp_free(prog->interp);
	jit_free(prog->jit);
	for (uint32_t i = 0; i < prog->map_cnt; i++)
		map_put(prog->maps[i]);
	free(prog->maps);
	free(prog->subprogs);
	free(prog->kept_log);
	free(prog->insns);
	free(prog->section);
	free(prog->name);
	free(prog);
}

void prog_get(struct bpfvm_prog *prog)
{
	atomic_fetch_add_explicit(&prog->refcnt, 1, memory_order_relaxed);
}

bool prog_try_get(struct bpfvm_prog *prog)
{
	uint32_t refs = atomic_load_explicit(&prog->refcnt, memory_order_relaxed);

	while (refs)
		if (atomic_compare_exchange_weak(&prog->refcnt, &refs, refs + 1))
			return true;
	return false;
}

static bool prog_try_get_object(void *prog)
{
	return prog_try_get(prog);
}

static void prog_destroy_deferred(void *prog)
{
	prog_destroy(prog);
}

void prog_put(struct bpfvm_prog *prog)
{
	uint32_t id;

	if (!prog || atomic_fetch_sub_explicit(&prog->refcnt, 1, memory_order_acq_rel) != 1)
		return;
	/* No new reference can be taken by id from here on; runs that found
	 * the program in a slot before it was emptied may still be inside. */
	id = prog->id;
	prog->id = 0;
	id_table_remove(&prog->vm->prog_ids, id);
	vcpu_free_after_grace(prog->vm, prog_destroy_deferred, prog);
}

void bpfvm_prog_free(struct bpfvm_prog *prog)
{
	/* Programs of an object belong to it (bpfvm_object_close); raw
	 * programs, the only ones without a section, to their loader. */
	if (prog && !prog->section[0])
		prog_put(prog);
}

int bpfvm_prog_get_by_id(struct bpfvm *vm, uint32_t id, struct bpfvm_prog **prog_out)
{
	struct bpfvm_prog *prog;

	if (!vm || !prog_out) {
		vm_error("bpfvm_prog_get_by_id: NULL argument");
		return -EINVAL;
	}
	prog = id_table_get(&vm->prog_ids, id, prog_try_get_object);
	if (!prog && vm->ns)
		/* Another process's program: this process's instance of it. */
		return ns_prog_open(vm, NULL, id, prog_out);
	if (!prog) {
		vm_error("no program with id %u", id);
		return -ENOENT;
	}
	*prog_out = prog;
	return 0;
}

void bpfvm_prog_close(struct bpfvm_prog *prog)
{
	prog_put(prog);
}

struct bpfvm_prog *prog_alloc(struct bpfvm *vm, const char *name, const char *section,
			      const struct bpf_insn *insns, size_t insn_cnt)
{
	struct bpfvm_prog *prog = calloc(1, sizeof(*prog));

	if (!prog)
		return NULL;
	prog->vm = vm;
	atomic_init(&prog->refcnt, 1);
	prog->insn_cnt = (uint32_t)insn_cnt;
	prog->insn_budget = BPFVM_DEFAULT_INSN_BUDGET;
	prog->autoload = true;
	prog->name = strdup(name);
	prog->section = strdup(section);
	prog->insns = malloc(insn_cnt * sizeof(*insns));
	if (!prog->name || !prog->section || !prog->insns) {
		prog_destroy(prog);
		return NULL;
	}
	memcpy(prog->insns, insns, insn_cnt * sizeof(*insns));
	return prog;
}

static uint64_t prog_now_ns(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec;
}

/* The reason of a refusal that did not come through the type tracking's
 * types_error (the structural check): bpfvm_errmsg() without the
 * "<prog>: " and "insn N: " that the log does not repeat. */
static void prog_log_reason(const struct bpfvm_prog *prog, struct verifier_log *log)
{
	const char *reason = bpfvm_errmsg();
	size_t name_len = strlen(prog->name);
	unsigned idx;
	int skip = 0;

	if (strncmp(reason, prog->name, name_len) == 0 && strncmp(reason + name_len, ": ", 2) == 0)
		reason += name_len + 2;
	if (sscanf(reason, "insn %u: %n", &idx, &skip) == 1 && skip)
		reason += skip;
	verifier_log_write(log, "%s\n", reason);
}

/* The end of the log, as the kernel's bpf_check: the reason, or at level
 * 1 nothing of a verified program's paths; the stats; the last line. */
static void prog_log_end(const struct bpfvm_prog *prog, struct verifier_log *log, int err)
{
	const struct bpfvm_verifier_stats *stats = &prog->verifier_stats;

	if (!log->level)
		return;
	if (err && !log->reason_written)
		prog_log_reason(prog, log);
	if (!err && !(log->level & VERIFIER_LOG_LEVEL2))
		verifier_log_reset(log, 0);
	if (log->level & VERIFIER_LOG_STATS) {
		verifier_log_write(log, "verification time %llu usec\nstack depth ",
				   (unsigned long long)(stats->verification_ns / 1000));
		for (uint32_t i = 0; i < prog->subprog_cnt; i++) {
			uint32_t depth = prog->subprogs[i].stack_depth;

			verifier_log_write(log, "%s%u", i ? "+" : "", depth);
		}
		verifier_log_write(log, "%s\n", prog->subprog_cnt ? "" : "0");
	}
	verifier_log_write(log,
			   "processed %llu insns (limit 1000000) max_states_per_insn %u "
			   "total_states %u peak_states %u mark_read 0\n",
			   (unsigned long long)stats->insns_processed, stats->max_states_per_insn,
			   stats->total_states, stats->peak_states);
}

/* The structural check (unless already passed), then the proof. */
static int prog_verify_steps(struct bpfvm_prog *prog, bool *structure_ok)
{
	struct types_stats types;
	uint64_t start = prog_now_ns();
	int err = 0;

	memset(&types, 0, sizeof(types));
	if (!*structure_ok)
		err = verifier_check_structure(prog);
	*structure_ok = !err;
	if (!err)
		err = verifier_track_types_stats(prog, &types);
	prog->verifier_stats = (struct bpfvm_verifier_stats){
		.sz = sizeof(prog->verifier_stats),
		.insns_processed = types.insns_processed,
		.max_states_per_insn = types.max_states_per_insn,
		.total_states = (uint32_t)types.states_stored,
		.peak_states = (uint32_t)types.states_stored,
		.verification_ns = prog_now_ns() - start,
	};
	return err;
}

/* The log bpfvm keeps when no buffer was given: a ring of
 * BPFVM_LOG_KEPT_MAX bytes (untouched pages cost nothing), trimmed after. */
static int prog_log_open(struct bpfvm_prog *prog, uint32_t level, struct verifier_log *log,
			 char **own)
{
	char *buf = prog->log_buf;
	size_t size = prog->log_size;

	*own = NULL;
	if (level && !buf) {
		*own = buf = malloc(BPFVM_LOG_KEPT_MAX);
		size = BPFVM_LOG_KEPT_MAX;
		if (!buf) {
			vm_error("%s: out of memory for the verifier log", prog->name);
			return -ENOMEM;
		}
	}
	if (size > UINT32_MAX || verifier_log_init(log, level, buf, (uint32_t)size)) {
		free(*own);
		vm_error("%s: invalid verifier log: level %u, buffer %s, size %zu", prog->name,
			 level, buf ? "set" : "NULL", size);
		return -EINVAL;
	}
	return 0;
}

static void prog_log_keep(struct bpfvm_prog *prog, char *own)
{
	char *trimmed;

	if (!own)
		return;
	trimmed = realloc(own, strlen(own) + 1);
	free(prog->kept_log);
	prog->kept_log = trimmed ? trimmed : own;
}

/* -ENOSPC replaces the result when the caller's buffer was too small, as
 * in the kernel; the message keeps the verifier's reason, if any. */
static int prog_log_truncated(const struct bpfvm_prog *prog, int err)
{
	char reason[1024];

	snprintf(reason, sizeof(reason), "%s", err ? bpfvm_errmsg() : prog->name);
	vm_error("%s: verifier log truncated: the log needs %u bytes, the buffer has %zu", reason,
		 prog->verifier_stats.log_true_size, prog->log_size);
	return -ENOSPC;
}

/* A refused program of an object verified at level 0 without a buffer:
 * verified again at level 1 for the log that says why (libbpf's retry). */
static void prog_log_refusal(struct bpfvm_prog *prog, bool structure_ok)
{
	struct bpfvm_verifier_stats stats = prog->verifier_stats;
	struct verifier_log log;
	char reason[1024];
	uint32_t true_size;
	char *own;

	snprintf(reason, sizeof(reason), "%s", bpfvm_errmsg());
	if (prog_log_open(prog, VERIFIER_LOG_LEVEL1, &log, &own) == 0) {
		prog->log = &log;
		if (structure_ok)
			prog_verify_steps(prog, &structure_ok);
		else
			vm_error("%s", reason);
		prog->log = NULL;
		prog_log_end(prog, &log, -EACCES);
		verifier_log_finalize(&log, &true_size);
		prog_log_keep(prog, own);
	}
	prog->verifier_stats = stats;
	vm_error("%s", reason);
}

static int prog_verify(struct bpfvm_prog *prog)
{
	struct verifier_log log;
	bool structure_ok = false;
	char *own;
	int err, log_err;

	err = prog_log_open(prog, prog->log_level, &log, &own);
	if (err)
		return err;
	prog->log = &log;
	err = prog_verify_steps(prog, &structure_ok);
	prog->log = NULL;
	prog_log_end(prog, &log, err);
	log_err = verifier_log_finalize(&log, &prog->verifier_stats.log_true_size);
	prog_log_keep(prog, own);
	if (log_err && !own)
		return prog_log_truncated(prog, err);
	if (err && err != -ENOMEM && !prog->log_level && !prog->log_buf && prog->obj)
		prog_log_refusal(prog, structure_ok);
	return err;
}

/* vm->stack_max (core/runtime.h) covers this program before it can run. */
static void prog_raise_stack_reach(const struct bpfvm_prog *prog)
{
	uint32_t reach = prog->stack_max < ISA_MAX_STACK ? prog->stack_max : ISA_MAX_STACK;
	uint32_t seen = atomic_load_explicit(&prog->vm->stack_max, memory_order_relaxed);

	reach = (reach + 7) & ~7u;
	while (seen < reach && !atomic_compare_exchange_weak(&prog->vm->stack_max, &seen, reach))
		;
}

/* The id of a prepared program: the runtime's next, or in a namespaced
 * runtime the namespace's (ns/ns_prog.h), with the program's file written
 * from `loaded`, its instructions before the verifier's rewrites. */
static int prog_assign_id(struct bpfvm_prog *prog, const struct bpf_insn *loaded,
			  uint32_t loaded_cnt)
{
	int64_t id;
	int err;

	if (!prog->vm->ns) {
		id = id_table_add(&prog->vm->prog_ids, prog);
		if (id < 0) {
			vm_error("%s: out of memory assigning an id", prog->name);
			return (int)id;
		}
		prog->id = (uint32_t)id;
		return 0;
	}
	if (!prog->ns_id) {
		err = ns_prog_publish(prog, loaded, loaded_cnt);
		if (err)
			return err;
	}
	err = id_table_add_at(&prog->vm->prog_ids, prog->ns_id, prog);
	if (err) {
		vm_error("%s: cannot take id %u (%s)", prog->name, prog->ns_id, strerror(-err));
		return err;
	}
	prog->id = prog->ns_id;
	return 0;
}

static int prog_prepare_engines(struct bpfvm_prog *prog)
{
	int err = prog_verify(prog);

	if (err)
		return err;
	prog->interp = interp_decode(prog);
	if (!prog->interp)
		return -ENOMEM;
	prog->interp_entry_label = prog->interp->insns[0].label;
	if (prog->vm->engine == BPFVM_ENGINE_JIT)
		return jit_compile(prog);
	return 0;
}

int prog_prepare(struct bpfvm_prog *prog)
{
	struct bpf_insn *loaded = NULL;
	uint32_t loaded_cnt = 0;
	const char *disabled_hook;
	int err;

	prog->load_attempted = true;
	prog->progtype = progtype_for(prog->type);
	if (!prog->progtype) {
		vm_error("%s: program type %u is not supported by bpfvm", prog->name, prog->type);
		return -ENOTSUP;
	}
	disabled_hook = lsm_hook_disabled(prog);
	if (disabled_hook) { /* before the verifier, as check_attach_btf_id */
		vm_error("%s: attach_btf_id points to disabled hook bpf_lsm_%s", prog->name,
			 disabled_hook);
		return -EINVAL;
	}
	/* The tag hashes the instructions as loaded, before the rewrites. */
	err = prog_calc_tag(prog->insns, prog->insn_cnt, prog->tag);
	if (err) {
		vm_error("%s: out of memory", prog->name);
		return err;
	}
	/* The verifier rewrites insns in place: a new program of a namespace
	 * keeps them as loaded for its file. */
	if (prog->vm->ns && !prog->ns_id) {
		loaded = malloc((size_t)prog->insn_cnt * sizeof(*loaded));
		if (!loaded) {
			vm_error("%s: out of memory", prog->name);
			return -ENOMEM;
		}
		memcpy(loaded, prog->insns, (size_t)prog->insn_cnt * sizeof(*loaded));
		loaded_cnt = prog->insn_cnt;
	}
	err = prog_prepare_engines(prog);
	/* Before the id: from then on another thread may find the program
	 * and put it in a slot. */
	if (!err)
		prog_raise_stack_reach(prog);
	if (!err)
		err = prog_assign_id(prog, loaded, loaded_cnt);
	free(loaded);
	if (err)
		return err;
	prog->loaded = true;
	return 0;
}

/* The name messages use: the caller's, or "prog". */
static const char *prog_display_name(const struct bpfvm_prog_opts *opts)
{
	const char *name = OPTS_GET(opts, name, NULL);

	return name ? name : "prog";
}

static int prog_check_args(struct bpfvm *vm, const struct bpf_insn *insns, size_t insn_cnt,
			   const struct bpfvm_prog_opts *opts, struct bpfvm_prog **prog_out)
{
	if (!vm || !prog_out || (!insns && insn_cnt)) {
		vm_error("bpfvm_prog_load_raw: NULL argument");
		return -EINVAL;
	}
	if (!opts_valid(opts, sizeof(*opts))) {
		vm_error("bpfvm_prog_load_raw: invalid opts (sz %zu, or unknown fields set)",
			 opts->sz);
		return -EINVAL;
	}
	if (insn_cnt == 0) {
		vm_error("%s: empty program", prog_display_name(opts));
		return -EINVAL;
	}
	if (insn_cnt > ISA_MAX_INSNS) {
		vm_error("%s: program of %zu instructions is too large (limit %u)",
			 prog_display_name(opts), insn_cnt, ISA_MAX_INSNS);
		return -E2BIG;
	}
	return 0;
}

int bpfvm_prog_load_raw(struct bpfvm *vm, const struct bpf_insn *insns, size_t insn_cnt,
			const struct bpfvm_prog_opts *opts, struct bpfvm_prog **prog_out)
{
	struct bpfvm_prog *prog;
	int err;

	err = prog_check_args(vm, insns, insn_cnt, opts, prog_out);
	if (err)
		return err;
	prog = prog_alloc(vm, prog_display_name(opts), "", insns, insn_cnt);
	if (!prog) {
		vm_error("bpfvm_prog_load_raw: out of memory");
		return -ENOMEM;
	}
	prog->type = BPFVM_PROG_TYPE_RAW;
	if (OPTS_GET(opts, insn_budget, 0))
		prog->insn_budget = opts->insn_budget;
	prog->log_level = OPTS_GET(opts, log_level, 0);
	prog->log_buf = OPTS_GET(opts, log_buf, NULL);
	prog->log_size = OPTS_GET(opts, log_size, 0);
	prog->raw_ctx_size = OPTS_GET(opts, ctx_size, 0);
	/* Raw programs have no license section: they may call every helper,
	 * as a BPF_PROG_LOAD with license "GPL". */
	prog->gpl_compatible = true;
	err = prog_prepare(prog);
	/* The caller's buffer is not referenced after the load. */
	prog->log_buf = NULL;
	prog->log_size = 0;
	if (OPTS_GET(opts, log_true_size, NULL))
		*opts->log_true_size = prog->verifier_stats.log_true_size;
	if (err) {
		prog_destroy(prog);
		return err;
	}
	*prog_out = prog;
	return 0;
}

const struct subprog *prog_subprog_of(const struct bpfvm_prog *prog, uint32_t idx)
{
	uint32_t low = 0, high = prog->subprog_cnt;

	while (high - low > 1) {
		uint32_t mid = (low + high) / 2;

		if (prog->subprogs[mid].start <= idx)
			low = mid;
		else
			high = mid;
	}
	return &prog->subprogs[low];
}

size_t bpfvm_prog_insn_cnt(const struct bpfvm_prog *prog)
{
	return prog->insn_cnt;
}

const struct bpf_insn *bpfvm_prog_insns(const struct bpfvm_prog *prog)
{
	return prog->insns;
}

const char *bpfvm_prog_name(const struct bpfvm_prog *prog)
{
	return prog->name;
}

const char *bpfvm_prog_section(const struct bpfvm_prog *prog)
{
	return prog->section;
}

enum bpf_prog_type bpfvm_prog_type(const struct bpfvm_prog *prog)
{
	return prog->type;
}

enum bpf_attach_type bpfvm_prog_expected_attach_type(const struct bpfvm_prog *prog)
{
	return prog->expected_attach_type;
}

uint32_t bpfvm_prog_id(const struct bpfvm_prog *prog)
{
	return prog->id;
}

bool bpfvm_prog_gpl_compatible(const struct bpfvm_prog *prog)
{
	return prog->gpl_compatible;
}

void bpfvm_prog_tag(const struct bpfvm_prog *prog, uint8_t tag[BPF_TAG_SIZE])
{
	memcpy(tag, prog->tag, BPF_TAG_SIZE);
}

/* ---- The verifier's log and autoload (bpfvm.h) ------------------------- */

static int prog_check_settable(const struct bpfvm_prog *prog, const char *fn)
{
	if (!prog) {
		vm_error("%s: NULL program", fn);
		return -EINVAL;
	}
	if (prog->load_attempted) {
		vm_error("%s: program '%s' is loaded (or its load was attempted)", fn, prog->name);
		return -EBUSY;
	}
	return 0;
}

int bpfvm_prog_set_log_level(struct bpfvm_prog *prog, uint32_t log_level)
{
	int err = prog_check_settable(prog, "bpfvm_prog_set_log_level");

	if (err)
		return err;
	if (log_level & ~VERIFIER_LOG_MASK) {
		vm_error("bpfvm_prog_set_log_level: unknown log level bits 0x%x", log_level);
		return -EINVAL;
	}
	prog->log_level = log_level;
	return 0;
}

uint32_t bpfvm_prog_log_level(const struct bpfvm_prog *prog)
{
	return prog->log_level;
}

int bpfvm_prog_set_log_buf(struct bpfvm_prog *prog, char *log_buf, size_t log_size)
{
	int err = prog_check_settable(prog, "bpfvm_prog_set_log_buf");

	if (err)
		return err;
	if (!!log_buf != !!log_size || log_size > UINT32_MAX >> 2) {
		vm_error("bpfvm_prog_set_log_buf: a buffer needs a size (at most %u), and a size a "
			 "buffer", UINT32_MAX >> 2);
		return -EINVAL;
	}
	prog->log_buf = log_buf;
	prog->log_size = log_size;
	return 0;
}

const char *bpfvm_prog_log_buf(const struct bpfvm_prog *prog, size_t *log_size)
{
	if (log_size)
		*log_size = prog->log_size;
	return prog->log_buf;
}

#define PROG_KNOWN_FLAGS                                                                      \
	(BPF_F_STRICT_ALIGNMENT | BPF_F_ANY_ALIGNMENT | BPF_F_TEST_RND_HI32 |               \
	 BPF_F_TEST_STATE_FREQ | BPF_F_SLEEPABLE | BPF_F_XDP_HAS_FRAGS)

/* The kernel's can_be_sleepable, for the types bpfvm tells apart (a
 * section name's ".s" gave the flag to the others it allows). */
static bool prog_can_sleep(const struct bpfvm_prog *prog)
{
	if (prog->prog_flags & BPF_F_SLEEPABLE || prog->type == BPF_PROG_TYPE_LSM)
		return true;
	if (prog->type != BPF_PROG_TYPE_TRACING)
		return false;
	switch (prog->expected_attach_type) {
	case BPF_TRACE_FENTRY: case BPF_TRACE_FEXIT: case BPF_MODIFY_RETURN: case BPF_TRACE_ITER:
		return true;
	default:
		return false;
	}
}

int bpfvm_prog_set_flags(struct bpfvm_prog *prog, uint32_t flags)
{
	int err = prog_check_settable(prog, "bpfvm_prog_set_flags");

	if (err)
		return err;
	if (flags & ~(uint32_t)PROG_KNOWN_FLAGS) {
		vm_error("bpfvm_prog_set_flags: unknown program flags 0x%x",
			 flags & ~(uint32_t)PROG_KNOWN_FLAGS);
		return -EINVAL;
	}
	if ((flags & BPF_F_SLEEPABLE) && !prog_can_sleep(prog)) {
		vm_error("bpfvm_prog_set_flags: %s: Only fentry/fexit/fmod_ret, lsm, iter, uprobe, "
			 "and struct_ops programs can be sleepable", prog->name);
		return -EINVAL;
	}
	prog->prog_flags = flags;
	return 0;
}

uint32_t bpfvm_prog_flags(const struct bpfvm_prog *prog)
{
	return prog->prog_flags;
}

const char *bpfvm_prog_verifier_log(const struct bpfvm_prog *prog)
{
	return prog ? prog->kept_log : NULL;
}

int bpfvm_prog_verifier_stats(const struct bpfvm_prog *prog, struct bpfvm_verifier_stats *stats)
{
	size_t sz;

	if (!prog || !stats || stats->sz < offsetof(struct bpfvm_verifier_stats, insns_processed)) {
		vm_error("bpfvm_prog_verifier_stats: NULL argument, or stats->sz not set");
		return -EINVAL;
	}
	sz = stats->sz < sizeof(*stats) ? stats->sz : sizeof(*stats);
	memcpy((char *)stats + sizeof(stats->sz), (const char *)&prog->verifier_stats +
	       sizeof(stats->sz), sz - sizeof(stats->sz));
	return 0;
}

int bpfvm_prog_set_autoload(struct bpfvm_prog *prog, bool autoload)
{
	int err = prog_check_settable(prog, "bpfvm_prog_set_autoload");

	if (err)
		return err;
	prog->autoload = autoload;
	return 0;
}

bool bpfvm_prog_autoload(const struct bpfvm_prog *prog)
{
	return prog->autoload;
}
