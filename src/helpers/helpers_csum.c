/* Internet checksum helpers: bpf_csum_diff (28), bpf_l3_csum_replace (10),
 * bpf_l4_csum_replace (11), with the kernel's arithmetic on an x86-64 host
 * (net/core/filter.c, include/net/checksum.h, net/core/utils.c).
 *
 * A "wsum" is a 32-bit one's complement partial sum of little-endian words,
 * as the kernel's csum_partial() returns it; a "sum16" is a folded,
 * complemented checksum as stored in a header. Checksum fields are read and
 * written as the bytes of the packet, so the arithmetic is that of the
 * kernel on a little-endian machine.
 *
 * Test-run skbs carry no checksum offload state (ip_summed is
 * CHECKSUM_NONE), so BPF_F_PSEUDO_HDR and BPF_F_RECOMPUTE_CSUM change
 * nothing beyond the header field itself, as in the kernel. */
#include <errno.h>
#include <string.h>

#include "helpers/helpers_csum.h"
#include "progtypes/skb.h"

#define CSUM_MANGLED_0 0xffffu

/* a + b with the carry added back (csum_add). */
static uint32_t csum_add(uint32_t a, uint32_t b)
{
	uint32_t res = a + b;

	return res + (res < b);
}

static uint32_t csum_sub(uint32_t a, uint32_t b)
{
	return csum_add(a, ~b);
}

static uint16_t csum16_add(uint16_t csum, uint16_t addend)
{
	uint16_t res = (uint16_t)(csum + addend);

	return (uint16_t)(res + (res < addend));
}

static uint16_t csum16_sub(uint16_t csum, uint16_t addend)
{
	return csum16_add(csum, (uint16_t)~addend);
}

/* The 32 bits folded into 16, with carries, not complemented. */
static uint16_t csum_from32to16(uint32_t x)
{
	x = (x & 0xffff) + (x >> 16);
	x = (x & 0xffff) + (x >> 16);
	return (uint16_t)x;
}

static uint16_t csum_fold(uint32_t sum)
{
	return (uint16_t)~csum_from32to16(sum);
}

/* csum_partial(): little-endian u32 words, then a u16 and a byte for the
 * tail, summed with end-around carry. A non-zero sum never folds to 0, so
 * the 32-bit result is the one the kernel's x86-64 code computes. */
static uint32_t csum_partial(const uint8_t *buf, uint64_t len, uint32_t seed)
{
	uint64_t acc = seed;
	uint64_t i = 0;

	for (; i + 4 <= len; i += 4) {
		uint32_t word;

		memcpy(&word, buf + i, 4);
		acc += word;
	}
	if (len - i >= 2) {
		uint16_t half;

		memcpy(&half, buf + i, 2);
		acc += half;
		i += 2;
	}
	if (i < len)
		acc += buf[i];
	while (acc >> 32)
		acc = (acc & 0xffffffffu) + (acc >> 32);
	return (uint32_t)acc;
}

/* Since Linux 6.13 the result is folded to 16 bits, and any sizes are
 * accepted (the verifier checks that the memory is readable). */
uint64_t helper_csum_diff(uint64_t from, uint64_t from_size, uint64_t to, uint64_t to_size,
			  uint64_t seed)
{
	const uint8_t *from_buf = (const uint8_t *)(uintptr_t)from;
	const uint8_t *to_buf = (const uint8_t *)(uintptr_t)to;
	uint32_t from_len = (uint32_t)from_size, to_len = (uint32_t)to_size;
	uint32_t ret = (uint32_t)seed;

	if (from_len && to_len)
		ret = csum_sub(csum_partial(to_buf, to_len, ret), csum_partial(from_buf, from_len, 0));
	else if (to_len)
		ret = csum_partial(to_buf, to_len, ret);
	else if (from_len)
		ret = ~csum_partial(from_buf, from_len, ~ret);
	return csum_from32to16(ret);
}

/* The checksum field at `offset` of the packet, as bpf_l3/l4_csum_replace
 * reach it: even, at most 0xffff, within the packet. NULL if not. */
static uint8_t *csum_field(struct skb_ctx *skb, uint32_t offset)
{
	if (offset > 0xffff || (offset & 1) || (uint64_t)offset + 2 > skb->fields.len)
		return NULL;
	return skb->data + offset;
}

static uint16_t csum_load(const uint8_t *field)
{
	uint16_t sum;

	memcpy(&sum, field, 2);
	return sum;
}

static void csum_store(uint8_t *field, uint16_t sum)
{
	memcpy(field, &sum, 2);
}

/* csum_replace4(): a 32-bit field of the header went from `from` to `to`. */
static uint16_t csum_replace4(uint16_t sum, uint32_t from, uint32_t to)
{
	uint32_t tmp = csum_sub(~(uint32_t)sum, from);

	return csum_fold(csum_add(tmp, to));
}

/* csum_replace2(): the same for a 16-bit field. */
static uint16_t csum_replace2(uint16_t sum, uint16_t from, uint16_t to)
{
	return (uint16_t)~csum16_add(csum16_sub((uint16_t)~sum, from), to);
}

/* csum_replace_by_diff(): the header changed by a wsum (from csum_diff). */
static uint16_t csum_replace_by_diff(uint16_t sum, uint32_t diff)
{
	return csum_fold(csum_add(diff, ~(uint32_t)sum));
}

uint64_t helper_l3_csum_replace(uint64_t ctx, uint64_t offset, uint64_t from, uint64_t to,
				uint64_t flags)
{
	uint8_t *field;

	if (flags & ~(uint64_t)BPF_F_HDR_FIELD_MASK)
		return (uint64_t)-EINVAL;
	field = csum_field((struct skb_ctx *)(uintptr_t)ctx, (uint32_t)offset);
	if (!field)
		return (uint64_t)-EFAULT;
	switch (flags & BPF_F_HDR_FIELD_MASK) {
	case 0:
		if (from)
			return (uint64_t)-EINVAL;
		csum_store(field, csum_replace_by_diff(csum_load(field), (uint32_t)to));
		return 0;
	case 2:
		csum_store(field, csum_replace2(csum_load(field), (uint16_t)from, (uint16_t)to));
		return 0;
	case 4:
		csum_store(field, csum_replace4(csum_load(field), (uint32_t)from, (uint32_t)to));
		return 0;
	default:
		return (uint64_t)-EINVAL;
	}
}

/* inet_proto_csum_replace4() without offload: the sum over ~from, to. */
static uint16_t csum_proto_replace4(uint16_t sum, uint32_t from, uint32_t to)
{
	uint32_t diff[2] = { ~from, to };

	return csum_fold(csum_partial((const uint8_t *)diff, sizeof(diff), ~(uint32_t)sum));
}

static int csum_l4_update(uint8_t *field, uint64_t from, uint64_t to, uint64_t flags)
{
	switch (flags & BPF_F_HDR_FIELD_MASK) {
	case 0:
		if (from)
			return -EINVAL;
		csum_store(field, csum_replace_by_diff(csum_load(field), (uint32_t)to));
		return 0;
	case 2:
		csum_store(field, csum_proto_replace4(csum_load(field), (uint16_t)from, (uint16_t)to));
		return 0;
	case 4:
		csum_store(field, csum_proto_replace4(csum_load(field), (uint32_t)from, (uint32_t)to));
		return 0;
	default:
		return -EINVAL;
	}
}

/* BPF_F_MARK_MANGLED_0: a zero checksum means "none" (UDP over IPv4): leave
 * it, unless BPF_F_MARK_ENFORCE, and never produce it (0xffff instead). */
uint64_t helper_l4_csum_replace(uint64_t ctx, uint64_t offset, uint64_t from, uint64_t to,
				uint64_t flags)
{
	const uint64_t known = BPF_F_MARK_MANGLED_0 | BPF_F_MARK_ENFORCE | BPF_F_PSEUDO_HDR |
			       BPF_F_HDR_FIELD_MASK | BPF_F_IPV6;
	bool mangled_0 = flags & BPF_F_MARK_MANGLED_0;
	uint8_t *field;
	int err;

	if (flags & ~known)
		return (uint64_t)-EINVAL;
	field = csum_field((struct skb_ctx *)(uintptr_t)ctx, (uint32_t)offset);
	if (!field)
		return (uint64_t)-EFAULT;
	if (mangled_0 && !(flags & BPF_F_MARK_ENFORCE) && !csum_load(field))
		return 0;
	err = csum_l4_update(field, from, to, flags);
	if (err)
		return (uint64_t)(int64_t)err;
	if (mangled_0 && !csum_load(field))
		csum_store(field, CSUM_MANGLED_0);
	return 0;
}
