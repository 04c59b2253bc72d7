/* Holds: an object of the namespace keeping another's file alive, as the
 * kernel's objects hold references on each other, whichever process made
 * the holder and whether it still lives (docs/namespace.md, "Programs").
 *
 *     <root>/.bpfvm/maps/<id>.prog.<prog id>             program <prog id> uses map <id>
 *     <root>/.bpfvm/progs/<id>.slot.<array id>.<index>   a prog array slot names program <id>
 *
 * A hold is a hard link to the held object's file, "<file>.<holder>": the
 * file's reaping (ns.c: unpinned, unmapped) already sees it, since it only
 * goes at st_nlink 1. What a hold is not is a pin (bpffs's pins are user
 * references): whoever counts pins subtracts ns_hold_count(). */
#ifndef BPFVM_NS_NS_HOLD_H
#define BPFVM_NS_NS_HOLD_H

#include <stdint.h>

struct ns;

/* Links "<file of kind/id>.<holder>": 0 (also when it exists) or -errno. */
int ns_hold_take(struct ns *ns, uint32_t kind, uint32_t id, const char *holder);

/* Removes that link, then the held file with its record if nothing else
 * keeps it (ns_object_file_reap). With the registry lock held. */
void ns_hold_drop_locked(struct ns *ns, uint32_t kind, uint32_t id, const char *holder);

/* Map `array_id`'s file was just removed: the holds its slots had on
 * programs (a prog array's, "slot.<array id>.<index>") go, and with them
 * the programs nothing else keeps, as the kernel puts a freed prog array's
 * programs. With the registry lock held. */
void ns_hold_drop_slots(struct ns *ns, uint32_t array_id);

/* How many holds the object has: its links that are not pins. */
uint32_t ns_hold_count(const struct ns *ns, uint32_t kind, uint32_t id);

#endif
