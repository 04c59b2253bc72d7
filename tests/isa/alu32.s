# ALU (class 0x04, 32-bit), RFC 9669 section 4.1: operands are the low 32
# bits, the immediate is taken as 32 bits, and the result is zero-extended to
# 64 bits. Format: see alu64.s.

# test: add32_imm
# kernel: yes
# expect: 0x3
w0 = 1
w0 += 2
exit

# test: add32_wraps_and_clears_high_half
# kernel: yes
# expect: 0x1
r0 = -1
w0 += 2
exit

# test: add32_result_is_zero_extended
# kernel: yes
# expect: 0x80000001
r0 = 0xffffffff80000000 ll
w0 += 1
exit

# test: add32_imm_negative
# kernel: yes
# expect: 0xffffffff
w0 = 5
w0 += -6
exit

# test: add32_reg_ignores_high_half_of_src
# kernel: yes
# expect: 0x3
r0 = 1
r1 = 0x500000002 ll
w0 += w1
exit

# test: sub32_imm_underflow_is_zero_extended
# kernel: yes
# expect: 0xffffffff
w0 = 0
w0 -= 1
exit

# test: sub32_reg_drops_high_half
# kernel: yes
# expect: 0x2
r0 = 0x100000005 ll
r1 = 3
w0 -= w1
exit

# test: sub32_imm_negative
# kernel: yes
# expect: 0x2
w0 = 1
w0 -= -1
exit

# test: mul32_imm_truncates_to_32_bits
# kernel: yes
# expect: 0x20001
w0 = 0x10001
w0 *= 0x10001
exit

# test: mul32_reg_negative_product_is_zero_extended
# kernel: yes
# expect: 0xfffffff1
w0 = -3
w1 = 5
w0 *= w1
exit

# test: mul32_reg_ignores_high_halves
# kernel: yes
# expect: 0xf
r0 = 0x100000003 ll
r1 = 0x200000005 ll
w0 *= w1
exit

# test: div32_imm
# kernel: yes
# expect: 0xe
w0 = 100
w0 /= 7
exit

# test: div32_imm_is_unsigned
# kernel: yes
# expect: 0x7fffffff
w0 = -1
w0 /= 2
exit

# test: div32_imm_negative_is_u32_divisor
# kernel: yes
# expect: 0x1
w0 = -1
w0 /= -1
exit

# test: div32_reg_uses_low_32_bits
# kernel: yes
# expect: 0x4
r0 = 0x100000010 ll
r1 = 0x300000004 ll
w0 /= w1
exit

# test: div32_by_zero_reg_gives_zero
# kernel: yes
# expect: 0x0
w0 = 5
w1 = 0
w0 /= w1
exit

# test: div32_by_reg_with_zero_low_half_gives_zero
# kernel: yes
# expect: 0x0
r0 = 0x100000010 ll
r1 = 0x100000000 ll
w0 /= w1
exit

# test: div32_by_zero_imm_gives_zero
# kernel: yes
# expect: 0x0
r0 = -1
w0 /= 0
exit

# test: mod32_imm
# kernel: yes
# expect: 0x2
w0 = 100
w0 %= 7
exit

# test: mod32_imm_negative_is_u32_divisor
# kernel: yes
# expect: 0x7
w0 = 7
w0 %= -1
exit

# test: mod32_reg_uses_low_32_bits
# kernel: yes
# expect: 0x1
r0 = 0x100000007 ll
r1 = 0x200000003 ll
w0 %= w1
exit

# test: mod32_by_zero_reg_keeps_dst_but_zero_extends
# kernel: yes
# expect: 0x80000042
r0 = 0xffffffff80000042 ll
w1 = 0
w0 %= w1
exit

# test: mod32_by_reg_with_zero_low_half_keeps_dst_zero_extended
# kernel: yes
# expect: 0x7
r0 = 0xaaaaaaaa00000007 ll
r1 = 0x100000000 ll
w0 %= w1
exit

# test: mod32_by_zero_imm_keeps_dst_but_zero_extends
# kernel: yes
# expect: 0x80000042
r0 = 0xffffffff80000042 ll
w0 %= 0
exit

# test: sdiv32_negative_dividend_truncates_toward_zero
# kernel: yes
# expect: 0xfffffffd
w0 = -7
w0 s/= 2
exit

# test: sdiv32_reg_negative_divisor
# kernel: yes
# expect: 0xfffffffd
w0 = 7
w1 = -2
w0 s/= w1
exit

# test: sdiv32_imm_negative_divisor
# kernel: yes
# expect: 0xffffffdf
w0 = 100
w0 s/= -3
exit

# test: sdiv32_reg_both_negative
# kernel: yes
# expect: 0x3
w0 = -7
w1 = -2
w0 s/= w1
exit

# test: sdiv32_low_half_is_read_as_signed
# kernel: yes
# expect: 0xffffffff
r0 = 0xfffffffe ll
w0 s/= 2
exit

# test: sdiv32_reg_int_min_by_minus_one_is_int_min
# kernel: yes
# expect: 0x80000000
w0 = 0x80000000
w1 = -1
w0 s/= w1
exit

# test: sdiv32_imm_int_min_by_minus_one_is_int_min
# kernel: yes
# expect: 0x80000000
w0 = 0x80000000
w0 s/= -1
exit

# test: sdiv32_by_zero_reg_gives_zero
# kernel: yes
# expect: 0x0
w0 = -7
w1 = 0
w0 s/= w1
exit

# test: sdiv32_by_zero_imm_gives_zero
# kernel: yes
# expect: 0x0
w0 = -7
w0 s/= 0
exit

# test: smod32_negative_dividend_keeps_its_sign
# kernel: yes
# expect: 0xffffffff
w0 = -13
w0 s%= 3
exit

# test: smod32_reg_negative_divisor
# kernel: yes
# expect: 0x1
w0 = 13
w1 = -3
w0 s%= w1
exit

# test: smod32_imm_negative_dividend
# kernel: yes
# expect: 0xffffffff
w0 = -100
w0 s%= 3
exit

# test: smod32_reg_int_min_mod_minus_one_is_zero
# kernel: yes
# expect: 0x0
w0 = 0x80000000
w1 = -1
w0 s%= w1
exit

# test: smod32_imm_int_min_mod_minus_one_is_zero
# kernel: yes
# expect: 0x0
w0 = 0x80000000
w0 s%= -1
exit

# test: smod32_by_zero_reg_keeps_dst_zero_extended
# kernel: yes
# expect: 0xfffffff3
r0 = -13
w1 = 0
w0 s%= w1
exit

# test: smod32_by_zero_imm_keeps_dst_zero_extended
# kernel: yes
# expect: 0xfffffff3
r0 = -13
w0 s%= 0
exit

# test: or32_imm_clears_high_half
# kernel: yes
# expect: 0xffffffff
r0 = -1
w0 |= 0
exit

# test: or32_reg
# kernel: yes
# expect: 0x11
w0 = 0x10
r1 = 0x100000001 ll
w0 |= w1
exit

# test: and32_imm
# kernel: yes
# expect: 0xff
r0 = -1
w0 &= 0xff
exit

# test: and32_reg_clears_high_half
# kernel: yes
# expect: 0xfffffff0
r0 = 0xfffffffffffffff0 ll
r1 = -1
w0 &= w1
exit

# test: xor32_imm_negative_flips_only_low_half
# kernel: yes
# expect: 0xffffffff
r0 = 0x100000000 ll
w0 ^= -1
exit

# test: xor32_reg
# kernel: yes
# expect: 0xf
w0 = 0xf0
w1 = 0xff
w0 ^= w1
exit

# test: lsh32_imm_to_bit_31
# kernel: yes
# expect: 0x80000000
w0 = 1
w0 <<= 31
exit

# test: lsh32_does_not_carry_into_high_half
# kernel: yes
# expect: 0x0
w0 = 0x80000000
w0 <<= 1
exit

# test: lsh32_imm_amount_is_masked_by_31
# kernel: yes
# expect: 0x2
w0 = 1
w0 <<= 33
exit

# test: lsh32_reg_amount_32_is_zero_shift
# kernel: yes
# expect: 0x1
w0 = 1
w1 = 32
w0 <<= w1
exit

# test: lsh32_reg_amount_is_masked_by_31
# kernel: yes
# expect: 0x8
w0 = 1
w1 = 35
w0 <<= w1
exit

# test: rsh32_imm_is_logical_on_low_half
# kernel: yes
# expect: 0xfffffff
r0 = -1
w0 >>= 4
exit

# test: rsh32_reg_amount_is_masked_by_31
# kernel: yes
# expect: 0x1
w0 = 0x80000000
w1 = 63
w0 >>= w1
exit

# test: rsh32_imm_amount_is_masked_by_31
# kernel: yes
# expect: 0x8
w0 = 0x100
w0 >>= 37
exit

# test: arsh32_fills_within_32_bits_only
# kernel: yes
# expect: 0xffffffff
w0 = 0x80000000
w0 s>>= 31
exit

# test: arsh32_sign_is_bit_31_not_bit_63
# kernel: yes
# expect: 0x4000000
r0 = 0x8000000040000000 ll
w0 s>>= 4
exit

# test: arsh32_reg_amount_is_masked_by_31
# kernel: yes
# expect: 0xfffffff0
w0 = -256
w1 = 36
w0 s>>= w1
exit

# test: arsh32_imm_amount_is_masked_by_31
# kernel: yes
# expect: 0xfffffff0
w0 = -256
w0 s>>= 36
exit

# test: mov32_imm_negative_is_zero_extended
# kernel: yes
# expect: 0xffffffff
w0 = -1
exit

# test: mov32_imm_overwrites_high_half
# kernel: yes
# expect: 0x5
r0 = -1
w0 = 5
exit

# test: mov32_reg_zero_extends
# kernel: yes
# expect: 0xffffffff
r1 = -1
w0 = w1
exit

# test: mov32_reg_to_itself_clears_high_half
# kernel: yes
# expect: 0x23456789
r0 = 0x123456789 ll
w0 = w0
exit

# test: neg32_is_zero_extended
# kernel: yes
# expect: 0xfffffffb
w0 = 5
w0 = -w0
exit

# test: neg32_int_min_is_int_min
# kernel: yes
# expect: 0x80000000
w0 = 0x80000000
w0 = -w0
exit

# test: neg32_ignores_high_half
# kernel: yes
# expect: 0xffffffff
r0 = 0x100000001 ll
w0 = -w0
exit

# test: div32_zero_by_itself_gives_zero
# kernel: yes
# expect: 0x0
r0 = 0xffffffff00000000 ll
w0 /= w0
exit

# test: mul32_reg_by_itself
# kernel: yes
# expect: 0x1
r0 = 0xffffffff ll
w0 *= w0
exit
