# ALU64 (class 0x07), RFC 9669 section 4.1: every operation with a K
# (immediate, sign-extended to 64 bits) and an X (register) source.
#
# Case format (tests/testlib.h): "# test: NAME" opens a case; "# mem: HEX",
# "# expect: R0", "# expect-error: ERRNO" and "# kernel: yes|skb" follow; the
# program runs up to the next "# test:" line. Expected values are computed by
# hand from the RFC.

# test: add64_imm
# kernel: yes
# expect: 0x3
r0 = 1
r0 += 2
exit

# test: add64_imm_negative_is_sign_extended
# kernel: yes
# expect: 0xffffffffffffffff
r0 = 0
r0 += -1
exit

# test: add64_reg_wraps_modulo_2_64
# kernel: yes
# expect: 0x1
r0 = -1
r1 = 2
r0 += r1
exit

# test: add64_imm_carries_into_high_half
# kernel: yes
# expect: 0x100000000
r0 = 0xffffffff ll
r0 += 1
exit

# test: sub64_imm
# kernel: yes
# expect: 0x7
r0 = 10
r0 -= 3
exit

# test: sub64_reg_borrows_through_all_64_bits
# kernel: yes
# expect: 0xffffffffffffffff
r0 = 0
r1 = 1
r0 -= r1
exit

# test: sub64_imm_negative
# kernel: yes
# expect: 0xa
r0 = 5
r0 -= -5
exit

# test: mul64_imm
# kernel: yes
# expect: 0x2a
r0 = 7
r0 *= 6
exit

# test: mul64_reg_uses_full_width
# kernel: yes
# expect: 0x123456789000
r0 = 0x123456789 ll
r1 = 0x1000
r0 *= r1
exit

# test: mul64_imm_negative_is_sign_extended
# kernel: yes
# expect: 0xfffffffffffffffa
r0 = 3
r0 *= -2
exit

# test: mul64_wraps_modulo_2_64
# kernel: yes
# expect: 0x2
r0 = 0x8000000000000001 ll
r1 = 2
r0 *= r1
exit

# test: div64_imm_is_unsigned
# kernel: yes
# expect: 0xe
r0 = 100
r0 /= 7
exit

# test: div64_reg_is_unsigned
# kernel: yes
# expect: 0x7fffffffffffffff
r0 = -1
r1 = 2
r0 /= r1
exit

# test: div64_imm_negative_is_a_huge_unsigned_divisor
# kernel: yes
# expect: 0x0
r0 = 100
r0 /= -1
exit

# test: div64_all_ones_by_imm_minus_one_is_one
# kernel: yes
# expect: 0x1
r0 = -1
r0 /= -1
exit

# test: div64_imm_16_of_all_ones
# kernel: yes
# expect: 0xfffffffffffffff
r0 = -1
r0 /= 16
exit

# test: div64_by_zero_reg_gives_zero
# kernel: yes
# expect: 0x0
r0 = 42
r1 = 0
r0 /= r1
exit

# test: div64_by_zero_imm_gives_zero
# kernel: yes
# expect: 0x0
r0 = 42
r0 /= 0
exit

# test: div64_divisor_with_zero_low_half_is_not_zero
# kernel: yes
# expect: 0x2
r0 = 0x200000000 ll
r1 = 0x100000000 ll
r0 /= r1
exit

# test: mod64_imm
# kernel: yes
# expect: 0x2
r0 = 100
r0 %= 7
exit

# test: mod64_reg
# kernel: yes
# expect: 0x6789
r0 = 0x123456789 ll
r1 = 0x10000
r0 %= r1
exit

# test: mod64_imm_negative_is_a_huge_unsigned_divisor
# kernel: yes
# expect: 0x7
r0 = 7
r0 %= -1
exit

# test: mod64_by_zero_reg_leaves_dst_unchanged
# kernel: yes
# expect: 0x123456789abcdef0
r0 = 0x123456789abcdef0 ll
r1 = 0
r0 %= r1
exit

# test: mod64_by_zero_imm_leaves_dst_unchanged
# kernel: yes
# expect: 0xfffffffffffffffb
r0 = -5
r0 %= 0
exit

# test: sdiv64_imm_positive
# kernel: yes
# expect: 0xe
r0 = 100
r0 s/= 7
exit

# test: sdiv64_negative_dividend_truncates_toward_zero
# kernel: yes
# expect: 0xfffffffffffffffd
r0 = -7
r0 s/= 2
exit

# test: sdiv64_reg_negative_divisor
# kernel: yes
# expect: 0xfffffffffffffffd
r0 = 7
r1 = -2
r0 s/= r1
exit

# test: sdiv64_reg_both_negative_is_positive
# kernel: yes
# expect: 0x3
r0 = -7
r1 = -2
r0 s/= r1
exit

# test: sdiv64_imm_negative_divisor
# kernel: yes
# expect: 0xffffffffffffffdf
r0 = 100
r0 s/= -3
exit

# test: sdiv64_reg_int_min_by_minus_one_is_int_min
# kernel: yes
# expect: 0x8000000000000000
r0 = 0x8000000000000000 ll
r1 = -1
r0 s/= r1
exit

# test: sdiv64_imm_int_min_by_minus_one_is_int_min
# kernel: yes
# expect: 0x8000000000000000
r0 = 0x8000000000000000 ll
r0 s/= -1
exit

# test: sdiv64_by_zero_reg_gives_zero
# kernel: yes
# expect: 0x0
r0 = -5
r1 = 0
r0 s/= r1
exit

# test: sdiv64_by_zero_imm_gives_zero
# kernel: yes
# expect: 0x0
r0 = -5
r0 s/= 0
exit

# test: smod64_imm_positive
# kernel: yes
# expect: 0x1
r0 = 13
r0 s%= 3
exit

# test: smod64_negative_dividend_keeps_its_sign
# kernel: yes
# expect: 0xffffffffffffffff
r0 = -13
r0 s%= 3
exit

# test: smod64_reg_negative_divisor_gives_positive_remainder
# kernel: yes
# expect: 0x1
r0 = 13
r1 = -3
r0 s%= r1
exit

# test: smod64_reg_both_negative
# kernel: yes
# expect: 0xffffffffffffffff
r0 = -13
r1 = -3
r0 s%= r1
exit

# test: smod64_imm_negative_divisor
# kernel: yes
# expect: 0x1
r0 = 100
r0 s%= -3
exit

# test: smod64_reg_int_min_mod_minus_one_is_zero
# kernel: yes
# expect: 0x0
r0 = 0x8000000000000000 ll
r1 = -1
r0 s%= r1
exit

# test: smod64_imm_int_min_mod_minus_one_is_zero
# kernel: yes
# expect: 0x0
r0 = 0x8000000000000000 ll
r0 s%= -1
exit

# test: smod64_by_zero_reg_leaves_dst_unchanged
# kernel: yes
# expect: 0xfffffffffffffff3
r0 = -13
r1 = 0
r0 s%= r1
exit

# test: smod64_by_zero_imm_leaves_dst_unchanged
# kernel: yes
# expect: 0xfffffffffffffff3
r0 = -13
r0 s%= 0
exit

# test: or64_imm
# kernel: yes
# expect: 0x11
r0 = 0x10
r0 |= 1
exit

# test: or64_imm_negative_sets_high_bits
# kernel: yes
# expect: 0xfffffffffffffff0
r0 = 0
r0 |= -16
exit

# test: or64_reg
# kernel: yes
# expect: 0x1100000022
r0 = 0x1100000000 ll
r1 = 0x22
r0 |= r1
exit

# test: and64_imm
# kernel: yes
# expect: 0x34
r0 = 0x1234
r0 &= 0xff
exit

# test: and64_imm_negative_keeps_high_bits
# kernel: yes
# expect: 0x123456789abcde00
r0 = 0x123456789abcdef0 ll
r0 &= -256
exit

# test: and64_imm_positive_clears_high_bits
# kernel: yes
# expect: 0x1abcdef0
r0 = 0x123456789abcdef0 ll
r0 &= 0x7fffffff
exit

# test: and64_reg
# kernel: yes
# expect: 0x7f00000000
r0 = -1
r1 = 0x7f00000000 ll
r0 &= r1
exit

# test: xor64_imm
# kernel: yes
# expect: 0xf0
r0 = 0xff
r0 ^= 0xf
exit

# test: xor64_imm_negative_flips_all_64_bits
# kernel: yes
# expect: 0xedcba98765432100
r0 = 0x123456789abcdeff ll
r0 ^= -1
exit

# test: xor64_reg_with_itself_is_zero
# kernel: yes
# expect: 0x0
r0 = 0x123456789 ll
r0 ^= r0
exit

# test: lsh64_imm_to_bit_63
# kernel: yes
# expect: 0x8000000000000000
r0 = 1
r0 <<= 63
exit

# test: lsh64_imm_amount_is_masked_by_63
# kernel: yes
# expect: 0x2
r0 = 1
r0 <<= 65
exit

# test: lsh64_reg_amount_is_masked_by_63
# kernel: yes
# expect: 0x8
r0 = 1
r1 = 67
r0 <<= r1
exit

# test: lsh64_reg_amount_64_is_zero_shift
# kernel: yes
# expect: 0x1234
r0 = 0x1234
r1 = 64
r0 <<= r1
exit

# test: lsh64_reg_amount_uses_low_six_bits_of_whole_register
# kernel: yes
# expect: 0x10
r0 = 1
r1 = 0x100000004 ll
r0 <<= r1
exit

# test: lsh64_imm_zero_is_identity
# kernel: yes
# expect: 0x123456789
r0 = 0x123456789 ll
r0 <<= 0
exit

# test: rsh64_imm_is_logical
# kernel: yes
# expect: 0xf
r0 = -1
r0 >>= 60
exit

# test: rsh64_imm_amount_is_masked_by_63
# kernel: yes
# expect: 0x1
r0 = 0x100
r0 >>= 72
exit

# test: rsh64_reg_amount_is_masked_by_63
# kernel: yes
# expect: 0x1
r0 = 0x8000000000000000 ll
r1 = 127
r0 >>= r1
exit

# test: arsh64_imm_fills_with_sign_bit
# kernel: yes
# expect: 0xffffffffffffffff
r0 = 0x8000000000000000 ll
r0 s>>= 63
exit

# test: arsh64_imm_positive_value_fills_with_zero
# kernel: yes
# expect: 0x7
r0 = 0x7000000000000000 ll
r0 s>>= 60
exit

# test: arsh64_reg_amount_is_masked_by_63
# kernel: yes
# expect: 0xfffffffffffffff0
r0 = -256
r1 = 68
r0 s>>= r1
exit

# test: arsh64_imm_amount_is_masked_by_63
# kernel: yes
# expect: 0xfffffffffffffff0
r0 = -256
r0 s>>= 68
exit

# test: mov64_imm_negative_is_sign_extended
# kernel: yes
# expect: 0xfffffffffffffffe
r0 = -2
exit

# test: mov64_imm_int32_max_stays_positive
# kernel: yes
# expect: 0x7fffffff
r0 = 0x7fffffff
exit

# test: mov64_reg_copies_all_64_bits
# kernel: yes
# expect: 0x123456789abcdef0
r1 = 0x123456789abcdef0 ll
r0 = r1
exit

# test: neg64
# kernel: yes
# expect: 0xfffffffffffffffb
r0 = 5
r0 = -r0
exit

# test: neg64_of_negative_is_positive
# kernel: yes
# expect: 0x100000000
r0 = 0xffffffff00000000 ll
r0 = -r0
exit

# test: neg64_int_min_is_int_min
# kernel: yes
# expect: 0x8000000000000000
r0 = 0x8000000000000000 ll
r0 = -r0
exit

# test: neg64_of_zero_is_zero
# kernel: yes
# expect: 0x0
r0 = 0
r0 = -r0
exit

# test: alu64_ops_on_high_registers
# kernel: yes
# expect: 0x13
r9 = 7
r8 = 3
r9 *= r8
r7 = r9
r7 -= 2
r0 = r7
exit

# test: lsh64_reg_by_itself_reads_the_amount_first
# kernel: yes
# expect: 0x82
r0 = 65
r0 <<= r0
exit

# test: sdiv64_reg_by_itself_is_one
# kernel: yes
# expect: 0x1
r0 = -7
r0 s/= r0
exit

# test: mod64_zero_by_itself_keeps_zero
# kernel: yes
# expect: 0x0
r0 = 0
r0 %= r0
exit

# test: sub64_reg_from_itself_is_zero
# kernel: yes
# expect: 0x0
r0 = 0x123456789 ll
r0 -= r0
exit
