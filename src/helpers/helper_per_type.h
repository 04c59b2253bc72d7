/* Helper ids whose function depends on the program type, as the kernel's
 * <type>_func_proto may return another bpf_func_proto for the same id:
 * sk_skb_func_proto's sk_skb_adjust_room_proto for bpf_skb_adjust_room.
 * The prototype the verifier checks is the same (the vm's helper table
 * holds it); only the function that runs differs, chosen when a program's
 * calls are decoded. */
#ifndef BPFVM_HELPERS_HELPER_PER_TYPE_H
#define BPFVM_HELPERS_HELPER_PER_TYPE_H

#include <stdint.h>
#include <linux/bpf.h>

#include "bpfvm/bpfvm.h"

struct helper_entry;

/* The function a program of `type` runs for helper `id` whose table entry
 * is `entry` (NULL: none): the type's own when the entry is still the
 * built-in helper, else the entry's (an embedder's replacement wins). */
bpfvm_helper_fn helper_fn_for_type(const struct helper_entry *entry, uint32_t id,
				   enum bpf_prog_type type);

/* sk_skb's bpf_skb_adjust_room (helpers_sk_skb_room.c). */
uint64_t helper_sk_skb_adjust_room(uint64_t ctx, uint64_t len_diff, uint64_t mode,
				   uint64_t flags, uint64_t r5);

#endif
