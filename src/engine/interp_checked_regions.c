/* The regions a checked run may touch (engine/interp_checked.h), and the
 * check of one access against them.
 *
 * The context and the packet come from the runtime context of the entry
 * program's type, the packet read live at each check (bpf_xdp_adjust_head and
 * friends move it). Frames, map values, keys and ring buffer records are
 * lists that the interpreter and the helper checks keep up to date.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "engine/interp.h"
#include "engine/interp_checked.h"
#include "engine/prog.h"
#include "maps/map.h"
#include "progtypes/progtype.h"
#include "progtypes/skb.h"
#include "progtypes/xdp.h"

static const char *const region_kind_names[] = {
	[CHECKED_CTX] = "context",	     [CHECKED_PACKET] = "packet",
	[CHECKED_STACK] = "stack frame",     [CHECKED_MAP_VALUE] = "map value",
	[CHECKED_MAP_KEY] = "map key",	     [CHECKED_RINGBUF] = "ring buffer record",
	[CHECKED_KFUNC_MEM] = "runtime function memory",
};

/* The runtime context's size and where its packet pointers are, by type. */
static bool ctx_is_skb(enum bpf_prog_type type)
{
	return type == BPF_PROG_TYPE_SOCKET_FILTER || type == BPF_PROG_TYPE_SCHED_CLS ||
	       type == BPF_PROG_TYPE_SCHED_ACT || type == BPF_PROG_TYPE_CGROUP_SKB;
}

static uint64_t ctx_runtime_size(const struct bpfvm_prog *prog, const struct interp_run *run)
{
	if (prog->type == BPF_PROG_TYPE_XDP)
		return sizeof(struct xdp_ctx);
	if (ctx_is_skb(prog->type))
		return sizeof(struct skb_ctx);
	if (prog->type == BPFVM_PROG_TYPE_RAW)
		return run->args[1]; /* r2: the buffer's length */
	return prog->progtype->ctx_size;
}

/* The packet of the run now, [data_meta, data_end); false: the type has none. */
static bool packet_region(const struct checked_state *state, struct checked_region *region)
{
	const uint8_t *meta, *end;

	if (!state->ctx)
		return false;
	if (state->entry_prog->type == BPF_PROG_TYPE_XDP) {
		const struct xdp_ctx *xdp = (const void *)(uintptr_t)state->ctx;

		meta = xdp->data_meta;
		end = xdp->data_end;
	} else if (ctx_is_skb(state->entry_prog->type)) {
		const struct skb_ctx *skb = (const void *)(uintptr_t)state->ctx;

		meta = skb->data_meta;
		end = skb->data_end;
	} else {
		return false;
	}
	*region = (struct checked_region){ .start = (uint64_t)(uintptr_t)meta,
					   .size = (uint64_t)(end - meta),
					   .kind = CHECKED_PACKET };
	return true;
}

int checked_state_init(struct checked_state *state, const struct bpfvm_prog *prog,
		       const struct interp_run *run, uint64_t ctx)
{
	memset(state, 0, sizeof(*state));
	state->entry_prog = prog;
	state->ctx = ctx;
	state->ctx_size = ctx ? ctx_runtime_size(prog, run) : 0;
	state->prog = prog;
	state->budget = run->budget;
	return checked_add_prog_maps(state, prog);
}

void checked_state_release(struct checked_state *state)
{
	free(state->regions);
	free(state->frames);
	free(state->maps);
	memset(state, 0, sizeof(*state));
}

/* Grows an array of `elem` bytes to hold one more; -ENOMEM. */
static int grow(void **array, uint32_t cnt, uint32_t *cap, size_t elem)
{
	uint32_t new_cap;
	void *bigger;

	if (cnt < *cap)
		return 0;
	new_cap = *cap ? *cap * 2 : 16;
	bigger = realloc(*array, new_cap * elem);
	if (!bigger)
		return -ENOMEM;
	*array = bigger;
	*cap = new_cap;
	return 0;
}

int checked_add_region(struct checked_state *state, enum checked_region_kind kind,
		       uint64_t start, uint64_t size, bool read_only, const struct bpfvm_map *map)
{
	for (uint32_t i = 0; i < state->region_cnt; i++) {
		struct checked_region *r = &state->regions[i];

		if (r->start == start && r->size == size && r->kind == kind)
			return 0;
	}
	if (grow((void **)&state->regions, state->region_cnt, &state->region_cap,
		 sizeof(*state->regions)))
		return -ENOMEM;
	state->regions[state->region_cnt++] = (struct checked_region){
		.start = start, .size = size, .kind = kind, .read_only = read_only, .map = map
	};
	return 0;
}

bool checked_release_record(struct checked_state *state, uint64_t start)
{
	for (uint32_t i = 0; i < state->region_cnt; i++) {
		if (state->regions[i].kind == CHECKED_RINGBUF && state->regions[i].start == start) {
			state->regions[i] = state->regions[--state->region_cnt];
			return true;
		}
	}
	return false;
}

int checked_push_frame(struct checked_state *state, uint64_t frame_pointer, uint64_t depth)
{
	if (grow((void **)&state->frames, state->frame_cnt, &state->frame_cap,
		 sizeof(*state->frames)))
		return -ENOMEM;
	state->frames[state->frame_cnt++] = (struct checked_region){
		.start = frame_pointer - depth, .size = depth, .kind = CHECKED_STACK
	};
	return 0;
}

void checked_pop_frame(struct checked_state *state)
{
	state->frame_cnt--;
}

void checked_resize_frame(struct checked_state *state, uint64_t depth)
{
	struct checked_region *top = &state->frames[state->frame_cnt - 1];
	uint64_t frame_pointer = top->start + top->size;

	top->start = frame_pointer - depth;
	top->size = depth;
}

int checked_add_map(struct checked_state *state, const struct bpfvm_map *map)
{
	if (checked_known_map(state, (uint64_t)(uintptr_t)map))
		return 0;
	if (grow((void **)&state->maps, state->map_cnt, &state->map_cap, sizeof(*state->maps)))
		return -ENOMEM;
	state->maps[state->map_cnt++] = map;
	return 0;
}

int checked_add_prog_maps(struct checked_state *state, const struct bpfvm_prog *prog)
{
	for (uint32_t i = 0; i < prog->map_cnt; i++)
		if (checked_add_map(state, prog->maps[i]))
			return -ENOMEM;
	return 0;
}

bool checked_known_map(const struct checked_state *state, uint64_t ptr)
{
	for (uint32_t i = 0; i < state->map_cnt; i++)
		if ((uint64_t)(uintptr_t)state->maps[i] == ptr)
			return true;
	return false;
}

static bool region_holds(const struct checked_region *r, uint64_t addr, uint64_t size)
{
	return addr >= r->start && size <= r->size && addr - r->start <= r->size - size;
}

/* How far an access is from a region: 0 when they overlap. */
static uint64_t region_distance(const struct checked_region *r, uint64_t addr, uint64_t size)
{
	if (addr + size <= r->start)
		return r->start - (addr + size) + 1;
	if (addr >= r->start + r->size)
		return addr - (r->start + r->size) + 1;
	return 0;
}

/* One pass over the regions: the one that holds an access, or the nearest. */
struct region_walk {
	uint64_t addr, size;
	const struct checked_region *holder, *nearest;
	uint64_t nearest_distance;
	struct checked_region packet, ctx; /* storage for the computed ones */
};

static void walk_consider(struct region_walk *walk, const struct checked_region *r)
{
	uint64_t distance;

	if (walk->holder)
		return;
	if (region_holds(r, walk->addr, walk->size)) {
		walk->holder = r;
		return;
	}
	distance = region_distance(r, walk->addr, walk->size);
	if (!walk->nearest || distance < walk->nearest_distance) {
		walk->nearest = r;
		walk->nearest_distance = distance;
	}
}

/* The region that holds the access, or else the nearest one (NULL: none). */
static const struct checked_region *find_region(struct checked_state *state,
						struct region_walk *walk)
{
	if (state->ctx_size) {
		walk->ctx = (struct checked_region){ .start = state->ctx, .size = state->ctx_size,
						     .kind = CHECKED_CTX };
		walk_consider(walk, &walk->ctx);
	}
	if (packet_region(state, &walk->packet))
		walk_consider(walk, &walk->packet);
	for (uint32_t i = state->frame_cnt; i-- > 0;)
		walk_consider(walk, &state->frames[i]);
	for (uint32_t i = 0; i < state->region_cnt; i++)
		walk_consider(walk, &state->regions[i]);
	return walk->holder ? walk->holder : walk->nearest;
}

int checked_trap(struct checked_state *state, const char *fmt, ...)
{
	char reason[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	vm_error("%s: insn %u: checked mode trap: %s", state->prog->name, state->insn_idx, reason);
	return -EFAULT;
}

/* " of 'name'" for a region of a map, "" otherwise. */
static const char *region_map_name(const struct checked_region *r, char *buf, size_t size)
{
	if (!r->map)
		return "";
	snprintf(buf, size, " of '%s'", bpfvm_map_name(r->map));
	return buf;
}

static int trap_outside(struct checked_state *state, const struct checked_region *near,
			uint64_t addr, uint64_t size, const char *what)
{
	char name[64];

	if (!near)
		return checked_trap(state, "%s of %llu bytes at 0x%llx: the run has no region",
				    what, (unsigned long long)size, (unsigned long long)addr);
	return checked_trap(state,
			    "%s of %llu bytes at 0x%llx is outside every region; nearest: %s%s "
			    "of %llu bytes at 0x%llx (access at offset %lld)",
			    what, (unsigned long long)size, (unsigned long long)addr,
			    region_kind_names[near->kind], region_map_name(near, name, sizeof(name)),
			    (unsigned long long)near->size, (unsigned long long)near->start,
			    (long long)(addr - near->start));
}

const struct checked_region *checked_find(struct checked_state *state, uint64_t addr,
					  uint64_t size)
{
	struct region_walk walk = { .addr = addr, .size = size };
	const struct checked_region *r = find_region(state, &walk);

	/* The context and packet regions live in `walk`: hand back copies. */
	if (r == &walk.ctx || r == &walk.packet) {
		state->computed = *r;
		return &state->computed;
	}
	return r;
}

int checked_access(struct checked_state *state, uint64_t addr, uint64_t size, bool is_write,
		   const char *what)
{
	const struct checked_region *r = checked_find(state, addr, size);
	char name[64];

	if (!r || !region_holds(r, addr, size))
		return trap_outside(state, r, addr, size, what);
	if (is_write && r->read_only)
		return checked_trap(state, "%s of %llu bytes at 0x%llx: the %s%s is read-only",
				    what, (unsigned long long)size, (unsigned long long)addr,
				    region_kind_names[r->kind], region_map_name(r, name, sizeof(name)));
	return 0;
}
