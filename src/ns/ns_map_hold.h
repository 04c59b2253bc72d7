/* An outer map's holds on its inner maps (docs/namespace.md, "Shared maps of
 * maps"): the kernel's map of maps holds a reference on each map its slots
 * name. In a namespace that reference is a hard link, so that it outlives
 * the process that wrote the slot and cannot be left wrong by a kill -9:
 *
 *     <root>/.bpfvm/maps/<outer>.in/<inner>   a link to maps/<inner>
 *
 * One link per (outer, inner) pair, made before any slot of the outer names
 * the inner and removed once none does (maps/map_in_map.c decides, under
 * the outer's lock). A link is one more st_nlink of the inner's file, so
 * the reaper (ns.h) keeps the file while an outer holds it; when the outer's
 * own file is reaped, its holds go with it. */
#ifndef BPFVM_NS_NS_MAP_HOLD_H
#define BPFVM_NS_NS_MAP_HOLD_H

#include <stdint.h>

struct ns;

/* Outer `outer_id` holds map `inner_id` (idempotent). The caller maps the
 * inner map, so its file cannot be reaped meanwhile. 0 or -errno with a
 * message. */
int ns_map_hold_take(struct ns *ns, uint32_t outer_id, uint32_t inner_id);

/* Removes the hold, and the inner map's file with its record if nothing
 * else keeps it (no pin, no other hold, nobody maps it). */
void ns_map_hold_drop(struct ns *ns, uint32_t outer_id, uint32_t inner_id);

/* Calls fn(ctx, inner_id) for every map the outer holds; 0 or -errno. */
int ns_map_hold_walk(struct ns *ns, uint32_t outer_id,
		     void (*fn)(void *ctx, uint32_t inner_id), void *ctx);

/* The outer's file was just removed: drops every hold it had (and the
 * inner maps nothing else keeps). With the registry lock held. */
void ns_map_hold_drop_all_locked(struct ns *ns, uint32_t outer_id);

#endif
