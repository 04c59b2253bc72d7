# lddw (RFC 9669 section 5.4): BPF_LD | BPF_IMM | BPF_DW with src 0 loads the
# 64-bit immediate made of the imm of both slots (the low half is not
# sign-extended); the pair counts as two slots for jump offsets.
# Format: alu64.s.

# test: lddw_loads_all_64_bits
# kernel: yes
# expect: 0x1122334455667788
r0 = 0x1122334455667788 ll
exit

# test: lddw_high_bit_only
# kernel: yes
# expect: 0x8000000000000000
r0 = 0x8000000000000000 ll
exit

# test: lddw_small_value_has_zero_high_half
# kernel: yes
# expect: 0x1
r0 = 0x1 ll
exit

# test: lddw_low_half_is_not_sign_extended
# kernel: yes
# expect: 0x80000000
r0 = 0x80000000 ll
exit

# test: lddw_high_half_only
# kernel: yes
# expect: 0xffffffff00000000
r0 = 0xffffffff00000000 ll
exit

# test: lddw_all_ones
# kernel: yes
# expect: 0xffffffffffffffff
r0 = 0xffffffffffffffff ll
exit

# test: lddw_overwrites_the_whole_register
# kernel: yes
# expect: 0x2
r0 = -1
r0 = 0x2 ll
exit

# test: lddw_into_high_register
# kernel: yes
# expect: 0xdeadbeefcafebabe
r9 = 0xdeadbeefcafebabe ll
r0 = r9
exit

# test: jump_over_lddw_counts_two_slots
# kernel: yes
# expect: 0x1
r0 = 1
r1 = 0
if r1 == 0x0 goto pc+2
r0 = 0x1122334455667788 ll
exit

# test: backward_jump_across_lddw
# kernel: yes
# expect: 0x3
r0 = 0
r1 = 3
loop:
r2 = 0x100000000 ll
r0 += 1
r1 -= 1
if r1 != 0x0 goto pc-5
exit

# test: lddw_then_alu_on_both_halves
# kernel: yes
# expect: 0x1000000000000000
r0 = 0x0fffffffffffffff ll
r0 += 1
exit
