/* The abstract state of one path through a program, as the kernel's verifier
 * models it (struct bpf_reg_state, bpf_func_state, bpf_verifier_state).
 *
 *   struct verifier_state
 *     frames[0..curframe]            one per active call, frame 0 = main
 *       struct func_state
 *         regs[r0..r10]              type, fixed offset, variable part, ranges
 *         stack[slot]                slot i covers fp-8(i+1) .. fp-8i-1:
 *                                     +----------------------------------+
 *                                     | bytes[8]: INVALID|MISC|ZERO|SPILL|
 *                                     | spilled: the register stored by an|
 *                                     |   aligned write (SPILL): bytes[0] |
 *                                     |   and up, 8 bytes or a narrower  |
 *                                     |   scalar's low ones               |
 *                                     +----------------------------------+
 *
 * A pointer is its type, a fixed offset `off` and a variable part `var_off`
 * (a tnum, zero for a constant offset). A scalar is its tnum plus signed and
 * unsigned 64- and 32-bit ranges, kept consistent and refined from
 * comparisons by scalar.h. */
#ifndef BPFVM_VERIFIER_REG_STATE_H
#define BPFVM_VERIFIER_REG_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "isa/isa.h"
#include "verifier/tnum.h"

#define REG_COUNT (BPF_REG_10 + 1)
#define STACK_SLOT_SIZE 8

/* Register types, named after the kernel's enum bpf_reg_type. */
enum reg_type {
	REG_NOT_INIT = 0,
	REG_SCALAR,
	REG_PTR_TO_CTX,
	REG_PTR_TO_STACK,	   /* frameno: the frame it points into */
	REG_CONST_PTR_TO_MAP,	   /* map: index into prog->maps */
	REG_PTR_TO_MAP_VALUE,	   /* map: index into prog->maps */
	REG_PTR_TO_PACKET,
	REG_PTR_TO_PACKET_META,
	REG_PTR_TO_PACKET_END,
	REG_PTR_TO_MEM,		   /* helper-returned memory */
	REG_PTR_TO_RINGBUF_MEM,	   /* a ringbuf_reserve record */
	REG_PTR_TO_KERNEL_OBJ,	   /* sk, flow_keys...: opaque to bpfvm */
	REG_PTR_TO_FUNC,	   /* subprog: index into prog->subprogs */
	/* A kernel object typed by BTF (bpf_get_current_task_btf's task, the
	 * arguments of BTF-typed programs): read-only, offsets allowed; btf_id
	 * names its struct in the kernel's BTF (0: unknown, fields unchecked),
	 * btf_flags say how far it is trusted (progtypes/btf_ctx.h). */
	REG_PTR_TO_BTF_ID,
	/* An iterator's key or value buffer (the kernel's PTR_TO_BUF, with
	 * MEM_RDONLY for the key): sized by the map the iterator is attached
	 * to, unknown at load; accesses at fixed offsets >= 0 only, the
	 * furthest recorded (types_env.h). */
	REG_PTR_TO_BUF,
	REG_PTR_TO_RDONLY_BUF,
	/* Sockets (verifier/types_sock.c): a full socket, the part all
	 * sockets share (a request or timewait socket may be one), a TCP
	 * socket. Read-only, fields checked as the kernel's
	 * bpf_sock_is_valid_access; no arithmetic. One returned by a lookup
	 * is a reference (ref_obj_id), to give back with bpf_sk_release. */
	REG_PTR_TO_SOCKET,
	REG_PTR_TO_SOCK_COMMON,
	REG_PTR_TO_TCP_SOCK,
	REG_TYPE_COUNT,
};

/* A map pointer or value of the map inside map-in-map prog->maps[map &
 * ~REG_MAP_INNER] (its template's attributes): a lookup in an
 * ARRAY_OF_MAPS or HASH_OF_MAPS yields one. */
#define REG_MAP_INNER 0x80000000u

/* Flag on a pointer type: NULL until a comparison with 0 says otherwise
 * (the kernel's PTR_MAYBE_NULL). */
#define REG_MAYBE_NULL 0x100u

struct reg_state {
	uint16_t type;	     /* enum reg_type, with REG_MAYBE_NULL */
	uint8_t frameno;     /* REG_PTR_TO_STACK */
	int32_t off;	     /* fixed offset of a pointer; of a scalar, see id */
	/* MAYBE_NULL pointers and scalars: copies share it (a scalar's with
	 * SCALAR_ID_ADD_CONST is its original plus off, scalar.h); packet
	 * pointers: pointers with one variable part share it; map values of a
	 * map with a bpf_spin_lock keep it after the NULL check: it names the
	 * lock (the kernel's reg->id). */
	uint32_t id;
	/* A pointer to an acquired reference (a ring buffer record, a socket
	 * from a lookup, or a cast of one): the id of its entry in
	 * verifier_state.refs, shared by copies; 0 otherwise. */
	uint32_t ref_obj_id;
	uint32_t map;	     /* map index (REG_MAP_INNER: an inner map), or
			      * subprogram of a PTR_TO_FUNC */
	/* PTR_TO_PACKET(_META): bytes from the packet start + off known to be
	 * below data_end (the kernel's reg->range), learned from comparisons;
	 * negative when it is known to be at or past data_end (mem_check.h). */
	int32_t range;
	/* PTR_TO_MEM, PTR_TO_RINGBUF_MEM: the size of the memory pointed to. */
	uint32_t mem_size;
	/* PTR_TO_BTF_ID: the struct's id in the kernel's BTF, BTF_PTR_* flags. */
	uint32_t btf_id;
	uint8_t btf_flags;
	struct tnum var_off; /* scalar bits, or the pointer's variable offset */
	int64_t smin, smax;
	uint64_t umin, umax;
	int32_t s32_min, s32_max;
	uint32_t u32_min, u32_max;
};

enum slot_byte {
	SLOT_INVALID = 0, /* never written on this path */
	SLOT_MISC,	  /* some data */
	SLOT_ZERO,	  /* known zero */
	SLOT_SPILL,	  /* part of the spilled register */
};

struct stack_slot {
	struct reg_state spilled;
	uint8_t bytes[STACK_SLOT_SIZE];
};

/* How many bytes of the slot a spill holds: 0 (none), 8, or fewer for a
 * narrow scalar spill (its low bytes, from bytes[0] up). */
static inline uint32_t slot_spill_size(const struct stack_slot *slot)
{
	uint32_t size = 0;

	while (size < STACK_SLOT_SIZE && slot->bytes[size] == SLOT_SPILL)
		size++;
	return size;
}

struct func_state {
	struct reg_state regs[REG_COUNT];
	uint32_t callsite; /* the call insn in the caller (frames > 0) */
	bool callback;	   /* called by the helper at callsite, not by a local call */
	uint32_t subprog;  /* index into prog->subprogs */
	uint32_t frameno;
	uint32_t slot_cnt; /* slots allocated, growing on demand */
	struct stack_slot *stack;
};

/* What a path holds and must give back (the kernel's struct
 * bpf_reference_state): a ring buffer record to submit or discard before
 * the program exits, or a bpf_spin_lock to unlock. */
enum ref_kind {
	REF_PTR = 1, /* id: the ref_obj_id of the registers that point to it */
	REF_LOCK,    /* id: the reg->id of the map value; map: its map */
	REF_RCU,     /* a bpf_rcu_read_lock not yet unlocked (id: fresh) */
};

struct ref_state {
	uint32_t id;
	uint32_t insn_idx; /* where it was acquired */
	uint32_t map;	   /* REF_LOCK */
	uint8_t kind;	   /* enum ref_kind */
};

/* References a path may hold at once; the kernel has no fixed limit, but
 * programs hold a few (one record, one lock). */
#define STATE_MAX_REFS 16

struct verifier_state {
	struct func_state *frames[ISA_MAX_CALL_FRAMES];
	uint32_t curframe;
	uint32_t ref_cnt; /* refs[0..ref_cnt), in the order acquired */
	struct ref_state refs[STATE_MAX_REFS];
	/* Calls of callbacks made by helpers on the path so far (the kernel's
	 * callback_unroll_depth): a state seen again within the same call of a
	 * callback is an infinite loop, one seen in a later call is not. */
	uint32_t callback_unroll_depth;
};

static inline enum reg_type reg_base_type(const struct reg_state *reg)
{
	return (enum reg_type)(reg->type & ~REG_MAYBE_NULL);
}

static inline bool reg_is_pointer(const struct reg_state *reg)
{
	return reg->type != REG_NOT_INIT && reg->type != REG_SCALAR;
}

/* The number of significant bits of a scalar's unsigned maximum (the
 * kernel's get_reg_width). */
static inline unsigned reg_width(const struct reg_state *reg)
{
	return reg->umax ? 64 - (unsigned)__builtin_clzll(reg->umax) : 0;
}

static inline bool reg_is_const(const struct reg_state *reg)
{
	return reg->type == REG_SCALAR && tnum_is_const(reg->var_off);
}

static inline struct func_state *state_frame(struct verifier_state *st)
{
	return st->frames[st->curframe];
}

void reg_mark_not_init(struct reg_state *reg);
void reg_mark_unknown(struct reg_state *reg);
/* A scalar whose low `bits` bits are unknown and the others zero. */
void reg_mark_unknown_bits(struct reg_state *reg, unsigned bits);
void reg_mark_const(struct reg_state *reg, uint64_t value);
/* A pointer of `type` at fixed offset `off`, no variable part. */
void reg_mark_pointer(struct reg_state *reg, uint16_t type, int32_t off);
/* Recomputes a scalar's ranges from its tnum. */
void reg_bounds_from_tnum(struct reg_state *reg);
/* The kernel's name of a type: "ctx", "fp", "map_value_or_null"... */
const char *reg_type_name(uint16_t type, char *buf, size_t size);
/* The same for a register, with a BTF pointer's flags ("trusted_ptr_"). */
const char *reg_name(const struct reg_state *reg, char *buf, size_t size);

/* A new frame: r10 points to its own empty stack, the rest is NOT_INIT.
 * NULL on ENOMEM. */
struct func_state *func_state_new(uint32_t frameno, uint32_t callsite, uint32_t subprog);
void func_state_free(struct func_state *frame);
/* The stack slot that holds byte fp+off (off < 0), allocated if needed.
 * NULL on ENOMEM or if off is out of the 512-byte stack. */
struct stack_slot *func_state_slot(struct func_state *frame, int32_t off);

/* A deep copy; NULL on ENOMEM. */
struct verifier_state *state_dup(const struct verifier_state *src);

/* Calls fn(reg, arg) on r0..r9 and every spilled register of every frame
 * of st: what learning about one pointer or scalar (a NULL check, a packet
 * range, a released reference, a linked scalar) must reach in all its
 * copies (the kernel's bpf_for_each_reg_in_vstate). */
void state_for_each_reg(struct verifier_state *st, void (*fn)(struct reg_state *reg, void *arg),
			void *arg);
void state_free(struct verifier_state *st);

#endif
