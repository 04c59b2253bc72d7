# Atomic operations (RFC 9669 section 5.3): add/and/or/xor with and without
# BPF_FETCH, xchg and cmpxchg, in 32 (BPF_W) and 64 (BPF_DW) bits. A fetch
# puts the old value in src, zero-extended for 32 bits; cmpxchg compares with
# r0 (its low 32 bits for BPF_W) and always loads the old value into r0.
# Format: alu64.s.

# test: atomic64_add
# kernel: yes
# expect: 0xf
*(u64 *)(r10 -8) = 10
r1 = 5
lock *(u64 *)(r10 -8) += r1
r0 = *(u64 *)(r10 -8)
exit

# test: atomic64_add_without_fetch_leaves_src
# kernel: yes
# expect: 0x5
*(u64 *)(r10 -8) = 10
r1 = 5
lock *(u64 *)(r10 -8) += r1
r0 = r1
exit

# test: atomic64_add_carries_across_words
# kernel: yes
# expect: 0x100000000
r1 = 0xffffffff ll
*(u64 *)(r10 -8) = r1
r1 = 1
lock *(u64 *)(r10 -8) += r1
r0 = *(u64 *)(r10 -8)
exit

# test: atomic64_and
# kernel: yes
# expect: 0xf0
*(u64 *)(r10 -8) = 0xff0
r1 = 0xff
lock *(u64 *)(r10 -8) &= r1
r0 = *(u64 *)(r10 -8)
exit

# test: atomic64_or
# kernel: yes
# expect: 0xf0f
*(u64 *)(r10 -8) = 0xf00
r1 = 0xf
lock *(u64 *)(r10 -8) |= r1
r0 = *(u64 *)(r10 -8)
exit

# test: atomic64_xor
# kernel: yes
# expect: 0xf0
*(u64 *)(r10 -8) = 0xff
r1 = 0xf
lock *(u64 *)(r10 -8) ^= r1
r0 = *(u64 *)(r10 -8)
exit

# test: atomic32_add_wraps_within_the_word
# kernel: yes
# expect: 0x100000000
r1 = 0x1ffffffff ll
*(u64 *)(r10 -8) = r1
r1 = 1
lock *(u32 *)(r10 -8) += r1
r0 = *(u64 *)(r10 -8)
exit

# test: atomic32_and_touches_only_the_word
# kernel: yes
# expect: 0xffffffff0000000f
*(u64 *)(r10 -8) = -1
r1 = 0xf
lock *(u32 *)(r10 -8) &= r1
r0 = *(u64 *)(r10 -8)
exit

# test: atomic32_or
# kernel: yes
# expect: 0xf0f
*(u64 *)(r10 -8) = 0xf00
r1 = 0xf
lock *(u32 *)(r10 -8) |= r1
r0 = *(u64 *)(r10 -8)
exit

# test: atomic32_xor_uses_low_word_of_src
# kernel: yes
# expect: 0xf0
*(u64 *)(r10 -8) = 0xff
r1 = 0x50000000f ll
lock *(u32 *)(r10 -8) ^= r1
r0 = *(u64 *)(r10 -8)
exit

# test: atomic64_fetch_add_returns_old_value
# kernel: yes
# expect: 0xa
*(u64 *)(r10 -8) = 10
r1 = 5
r1 = atomic64_fetch_add((u64 *)(r10 -8), r1)
r0 = r1
exit

# test: atomic64_fetch_add_updates_memory
# kernel: yes
# expect: 0xf
*(u64 *)(r10 -8) = 10
r1 = 5
r1 = atomic64_fetch_add((u64 *)(r10 -8), r1)
r0 = *(u64 *)(r10 -8)
exit

# test: atomic64_fetch_and
# kernel: yes
# expect: 0xff00f0
*(u64 *)(r10 -8) = 0xff0
r1 = 0xff
r1 = atomic64_fetch_and((u64 *)(r10 -8), r1)
r1 <<= 12
r0 = *(u64 *)(r10 -8)
r0 |= r1
exit

# test: atomic64_fetch_or
# kernel: yes
# expect: 0xf00f0f
*(u64 *)(r10 -8) = 0xf00
r1 = 0xf
r1 = atomic64_fetch_or((u64 *)(r10 -8), r1)
r1 <<= 12
r0 = *(u64 *)(r10 -8)
r0 |= r1
exit

# test: atomic64_fetch_xor
# kernel: yes
# expect: 0xff0f0
*(u64 *)(r10 -8) = 0xff
r1 = 0xf
r1 = atomic64_fetch_xor((u64 *)(r10 -8), r1)
r1 <<= 12
r0 = *(u64 *)(r10 -8)
r0 |= r1
exit

# test: atomic32_fetch_add_zero_extends_old_value
# kernel: yes
# expect: 0x80000000
r1 = 0xaaaaaaaa80000000 ll
*(u64 *)(r10 -8) = r1
r1 = -1
r1 = atomic_fetch_add((u32 *)(r10 -8), r1)
r0 = r1
exit

# test: atomic32_fetch_add_keeps_the_other_word
# kernel: yes
# expect: 0xaaaaaaaa7fffffff
r1 = 0xaaaaaaaa80000000 ll
*(u64 *)(r10 -8) = r1
r1 = -1
r1 = atomic_fetch_add((u32 *)(r10 -8), r1)
r0 = *(u64 *)(r10 -8)
exit

# test: atomic32_fetch_and_zero_extends_old_value
# kernel: yes
# expect: 0xffffffff
*(u64 *)(r10 -8) = -1
r1 = 0
r1 = atomic_fetch_and((u32 *)(r10 -8), r1)
r0 = r1
exit

# test: atomic32_fetch_or_zero_extends_old_value
# kernel: yes
# expect: 0x80000001
r1 = 0x80000001 ll
*(u64 *)(r10 -8) = r1
r1 = -1
r1 = atomic_fetch_or((u32 *)(r10 -8), r1)
r0 = r1
exit

# test: atomic32_fetch_xor_updates_only_the_word
# kernel: yes
# expect: 0xfffffffe
*(u64 *)(r10 -8) = 1
r1 = -1
r1 = atomic_fetch_xor((u32 *)(r10 -8), r1)
r0 = *(u64 *)(r10 -8)
exit

# test: atomic64_xchg_swaps
# kernel: yes
# expect: 0x11112222
*(u64 *)(r10 -8) = 0x1111
r1 = 0x2222
r1 = atomic64_xchg((u64 *)(r10 -8), r1)
r1 <<= 16
r0 = *(u64 *)(r10 -8)
r0 |= r1
exit

# test: atomic32_xchg_zero_extends_old_value
# kernel: yes
# expect: 0xffffffff
*(u64 *)(r10 -8) = -1
r1 = 5
r1 = atomic_xchg((u32 *)(r10 -8), r1)
r0 = r1
exit

# test: atomic32_xchg_writes_only_the_word
# kernel: yes
# expect: 0xffffffff00000005
*(u64 *)(r10 -8) = -1
r1 = 5
r1 = atomic_xchg((u32 *)(r10 -8), r1)
r0 = *(u64 *)(r10 -8)
exit

# test: atomic64_cmpxchg_success_returns_old_value
# kernel: yes
# expect: 0xa
*(u64 *)(r10 -8) = 10
r0 = 10
r1 = 20
r0 = atomic64_cmpxchg((u64 *)(r10 -8), r0, r1)
exit

# test: atomic64_cmpxchg_success_stores_new_value
# kernel: yes
# expect: 0x14
*(u64 *)(r10 -8) = 10
r0 = 10
r1 = 20
r0 = atomic64_cmpxchg((u64 *)(r10 -8), r0, r1)
r0 = *(u64 *)(r10 -8)
exit

# test: atomic64_cmpxchg_failure_returns_old_value
# kernel: yes
# expect: 0xa
*(u64 *)(r10 -8) = 10
r0 = 11
r1 = 20
r0 = atomic64_cmpxchg((u64 *)(r10 -8), r0, r1)
exit

# test: atomic64_cmpxchg_failure_leaves_memory
# kernel: yes
# expect: 0xa
*(u64 *)(r10 -8) = 10
r0 = 11
r1 = 20
r0 = atomic64_cmpxchg((u64 *)(r10 -8), r0, r1)
r0 = *(u64 *)(r10 -8)
exit

# test: atomic64_cmpxchg_compares_all_64_bits
# kernel: yes
# expect: 0x10000000a
r1 = 0x10000000a ll
*(u64 *)(r10 -8) = r1
r0 = 10
r1 = 20
r0 = atomic64_cmpxchg((u64 *)(r10 -8), r0, r1)
r0 = *(u64 *)(r10 -8)
exit

# test: atomic32_cmpxchg_compares_low_word_of_r0
# kernel: yes
# expect: 0x14
*(u64 *)(r10 -8) = 10
r0 = 0x50000000a ll
r1 = 20
r0 = atomic_cmpxchg((u32 *)(r10 -8), r0, r1)
r0 = *(u64 *)(r10 -8)
exit

# test: atomic32_cmpxchg_success_zero_extends_r0
# kernel: yes
# expect: 0xa
*(u64 *)(r10 -8) = 10
r0 = 0x50000000a ll
r1 = 20
r0 = atomic_cmpxchg((u32 *)(r10 -8), r0, r1)
exit

# test: atomic32_cmpxchg_failure_zero_extends_r0
# kernel: yes
# expect: 0xffffffff
*(u64 *)(r10 -8) = -1
r0 = 0
r1 = 20
r0 = atomic_cmpxchg((u32 *)(r10 -8), r0, r1)
exit

# test: atomic32_cmpxchg_failure_leaves_memory
# kernel: yes
# expect: 0xffffffffffffffff
*(u64 *)(r10 -8) = -1
r0 = 0
r1 = 20
r0 = atomic_cmpxchg((u32 *)(r10 -8), r0, r1)
r0 = *(u64 *)(r10 -8)
exit

# test: mem_atomic64_add_on_input_memory
# mem: 01 00 00 00 00 00 00 00
# expect: 0x11
r2 = 0x10
lock *(u64 *)(r1 +0) += r2
r0 = *(u64 *)(r1 +0)
exit

# test: mem_atomic32_fetch_or_on_input_memory
# mem: 00 00 00 00 f0 00 00 00
# expect: 0xf0000000ff
r2 = 0xf
r2 = atomic_fetch_or((u32 *)(r1 +4), r2)
r0 = *(u32 *)(r1 +4)
r2 <<= 32
r0 |= r2
exit

# test: mem_atomic64_xchg_with_address_register_as_source
# mem: 07 00 00 00 00 00 00 00
# expect: 0x7
r1 = atomic64_xchg((u64 *)(r1 +0), r1)
r0 = r1
exit

# test: mem_atomic64_cmpxchg_with_r0_as_address_fails_and_loads_old
# mem: 2a 00 00 00 00 00 00 00
# expect: 0x2a
r0 = r1
r2 = 9
r0 = atomic64_cmpxchg((u64 *)(r0 +0), r0, r2)
exit

# test: atomic64_cmpxchg_with_r0_as_new_value
# kernel: yes
# expect: 0xa
*(u64 *)(r10 -8) = 10
r0 = 10
r0 = atomic64_cmpxchg((u64 *)(r10 -8), r0, r0)
r0 = *(u64 *)(r10 -8)
exit
