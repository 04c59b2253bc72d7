/* Holds: an object of the namespace keeping another's file alive, as the
 * kernel's objects hold references on each other, whichever process made
 * the holder and whether it still lives (docs/namespace.md, "Programs" and
 * "Shared maps of maps").
 *
 *     <root>/.bpfvm/maps/<id>.prog.<prog id>             program <prog id> uses map <id>
 *     <root>/.bpfvm/maps/<id>.in.<outer id>              a slot of map of maps <outer id>
 *                                                        names map <id>
 *     <root>/.bpfvm/progs/<id>.slot.<array id>.<index>   a prog array slot names program <id>
 *
 * A hold is a hard link to the held object's file, "<file>.<holder>": the
 * file's reaping (ns.c: unpinned, unmapped) already sees it, since it only
 * goes at st_nlink 1. When the holder's own file is reaped, its holds go
 * with it. What a hold is not is a pin (bpffs's pins are user references):
 * whoever counts pins subtracts ns_hold_count(). */
#ifndef BPFVM_NS_NS_HOLD_H
#define BPFVM_NS_NS_HOLD_H

#include <stddef.h>
#include <stdint.h>

struct ns;

/* Links "<file of kind/id>.<holder>": 0 (also when it exists) or -errno.
 * The caller keeps the held file from being reaped meanwhile (it maps it,
 * or holds the registry lock). */
int ns_hold_take(struct ns *ns, uint32_t kind, uint32_t id, const char *holder);

/* Removes that link, then the held file with its record if nothing else
 * keeps it (ns_object_file_reap). With the registry lock held. */
void ns_hold_drop_locked(struct ns *ns, uint32_t kind, uint32_t id, const char *holder);

/* The same, taking the registry lock. */
void ns_hold_drop(struct ns *ns, uint32_t kind, uint32_t id, const char *holder);

/* One hold found in kind's directory: the held id and the whole holder. */
struct ns_hold {
	uint32_t id;
	char holder[48];
};

/* The holds on kind's objects whose holder is `holder` or begins with
 * "<holder>." (a prog array's "slot.<array id>" finds each of its slots'
 * holds), read whole so that the caller may drop them as it goes (a drop
 * may remove other entries). Their count, or -ENOMEM; *holds_out, NULL
 * when none, is the caller's to free. */
int ns_hold_find(const struct ns *ns, uint32_t kind, const char *holder,
		 struct ns_hold **holds_out);

/* "in.<outer id>": the holder name of a map of maps on the maps its slots
 * name (maps/map_in_map.c takes and drops those holds). */
void ns_hold_outer_name(uint32_t outer_id, char *buf, size_t size);

/* Map `map_id`'s file was just removed: its holds go, as the kernel puts
 * what a freed map referenced: a prog array's slots' on their programs
 * ("slot.<map id>.<index>"), a map of maps' on its inner maps
 * ("in.<map id>"); with them the objects nothing else keeps. With the
 * registry lock held. */
void ns_hold_drop_map_holds_locked(struct ns *ns, uint32_t map_id);

/* How many holds the object has: its links that are not pins. */
uint32_t ns_hold_count(const struct ns *ns, uint32_t kind, uint32_t id);

#endif
