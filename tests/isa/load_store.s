# Loads and stores (RFC 9669 section 5.1): LDX zero-extends, LDXS (MEMSX, v4)
# sign-extends to 64 bits, ST stores an immediate, STX a register, each in
# sizes B/H/W/DW; memory is little-endian. The first cases use the stack, the
# "mem_" cases the input memory at r1 (r2 holds its length, raw mode).
# Format: alu64.s.

# test: stx_ldx_dw_stack_round_trip
# kernel: yes
# expect: 0x1122334455667788
r1 = 0x1122334455667788 ll
*(u64 *)(r10 -8) = r1
r0 = *(u64 *)(r10 -8)
exit

# test: stx_ldx_w_stack_zero_extends
# kernel: yes
# expect: 0xffffffff
r1 = -1
*(u32 *)(r10 -4) = r1
r0 = *(u32 *)(r10 -4)
exit

# test: stx_h_stores_low_half_word_only
# kernel: yes
# expect: 0x2345
r1 = 0x12345
*(u16 *)(r10 -2) = r1
r0 = *(u16 *)(r10 -2)
exit

# test: stx_b_stores_low_byte_only
# kernel: yes
# expect: 0xff
r1 = 0x1ff
*(u8 *)(r10 -1) = r1
r0 = *(u8 *)(r10 -1)
exit

# test: stx_b_leaves_neighbouring_bytes
# kernel: yes
# expect: 0xff
*(u64 *)(r10 -8) = 0
r1 = 0x1ff
*(u8 *)(r10 -8) = r1
r0 = *(u64 *)(r10 -8)
exit

# test: st_dw_imm_is_sign_extended
# kernel: yes
# expect: 0xffffffffffffffff
*(u64 *)(r10 -8) = -1
r0 = *(u64 *)(r10 -8)
exit

# test: st_w_imm
# kernel: yes
# expect: 0x12345678
*(u32 *)(r10 -8) = 0x12345678
r0 = *(u32 *)(r10 -8)
exit

# test: st_h_imm
# kernel: yes
# expect: 0xbeef
*(u16 *)(r10 -8) = 0xbeef
r0 = *(u16 *)(r10 -8)
exit

# test: st_b_imm
# kernel: yes
# expect: 0xab
*(u8 *)(r10 -1) = 0xab
r0 = *(u8 *)(r10 -1)
exit

# test: stack_is_little_endian_lowest_byte
# kernel: yes
# expect: 0x88
r1 = 0x1122334455667788 ll
*(u64 *)(r10 -8) = r1
r0 = *(u8 *)(r10 -8)
exit

# test: stack_is_little_endian_highest_byte
# kernel: yes
# expect: 0x11
r1 = 0x1122334455667788 ll
*(u64 *)(r10 -8) = r1
r0 = *(u8 *)(r10 -1)
exit

# test: stack_is_little_endian_middle_word
# kernel: yes
# expect: 0x33445566
r1 = 0x1122334455667788 ll
*(u64 *)(r10 -8) = r1
r0 = *(u32 *)(r10 -6)
exit

# test: st_b_overwrites_one_byte_of_a_dw
# kernel: yes
# expect: 0x1122334455aa7788
r1 = 0x1122334455667788 ll
*(u64 *)(r10 -8) = r1
*(u8 *)(r10 -6) = 0xaa
r0 = *(u64 *)(r10 -8)
exit

# test: ldx_dw_unaligned_on_stack
# kernel: yes
# expect: 0x1122334455667788
r1 = 0x1122334455667788 ll
*(u64 *)(r10 -11) = r1
r0 = *(u64 *)(r10 -11)
exit

# test: stack_bottom_at_r10_minus_512
# kernel: yes
# expect: 0x5a5a
*(u64 *)(r10 -512) = 0x5a5a
r0 = *(u64 *)(r10 -512)
exit

# test: stack_slots_are_independent
# kernel: yes
# expect: 0x3
*(u64 *)(r10 -8) = 1
*(u64 *)(r10 -16) = 2
r0 = *(u64 *)(r10 -8)
r1 = *(u64 *)(r10 -16)
r0 += r1
exit

# test: stack_access_through_copied_frame_pointer
# kernel: yes
# expect: 0x77
r1 = r10
r1 += -16
*(u64 *)(r1 +8) = 0x77
r0 = *(u64 *)(r10 -8)
exit

# test: ldxs_b_sign_extends_to_64_bits
# kernel: yes
# expect: 0xffffffffffffff80
*(u8 *)(r10 -1) = 0x80
r0 = *(s8 *)(r10 -1)
exit

# test: ldxs_b_positive
# kernel: yes
# expect: 0x7f
*(u8 *)(r10 -1) = 0x7f
r0 = *(s8 *)(r10 -1)
exit

# test: ldxs_h_sign_extends_to_64_bits
# kernel: yes
# expect: 0xffffffffffff8001
*(u16 *)(r10 -2) = 0x8001
r0 = *(s16 *)(r10 -2)
exit

# test: ldxs_w_sign_extends_to_64_bits
# kernel: yes
# expect: 0xffffffff80000000
*(u32 *)(r10 -4) = 0x80000000
r0 = *(s32 *)(r10 -4)
exit

# test: ldxs_w_positive
# kernel: yes
# expect: 0x7fffffff
*(u32 *)(r10 -4) = 0x7fffffff
r0 = *(s32 *)(r10 -4)
exit

# test: ldx_w_of_negative_word_zero_extends
# kernel: yes
# expect: 0x80000000
*(u32 *)(r10 -4) = 0x80000000
r0 = *(u32 *)(r10 -4)
exit

# test: mem_r2_holds_input_length
# mem: 01 02 03 04 05
# expect: 0x5
r0 = r2
exit

# test: mem_ldx_b
# mem: aa bb cc dd
# expect: 0xcc
r0 = *(u8 *)(r1 +2)
exit

# test: mem_ldx_h_unaligned_little_endian
# mem: aa bb cc dd
# expect: 0xccbb
r0 = *(u16 *)(r1 +1)
exit

# test: mem_ldx_w_little_endian
# mem: 11 22 33 44
# expect: 0x44332211
r0 = *(u32 *)(r1 +0)
exit

# test: mem_ldx_dw_little_endian
# mem: 01 02 03 04 05 06 07 08
# expect: 0x807060504030201
r0 = *(u64 *)(r1 +0)
exit

# test: mem_ldx_dw_unaligned
# mem: 00 01 02 03 04 05 06 07 08 09
# expect: 0x807060504030201
r0 = *(u64 *)(r1 +1)
exit

# test: mem_ldx_negative_offset
# mem: 5a 00 00 00 00
# expect: 0x5a
r1 += 4
r0 = *(u8 *)(r1 -4)
exit

# test: mem_ldx_b_zero_extends
# mem: ff
# expect: 0xff
r0 = *(u8 *)(r1 +0)
exit

# test: mem_ldxs_h_sign_extends
# mem: ff 80
# expect: 0xffffffffffff80ff
r0 = *(s16 *)(r1 +0)
exit

# test: mem_ldxs_w_unaligned_sign_extends
# mem: 00 00 00 00 80
# expect: 0xffffffff80000000
r0 = *(s32 *)(r1 +1)
exit

# test: mem_ldxs_b_positive
# mem: 00 00 00 7e
# expect: 0x7e
r0 = *(s8 *)(r1 +3)
exit

# test: mem_stx_w_then_ldx_dw
# mem: 00 00 00 00 00 00 00 00
# expect: 0xaabbccdd00000000
r2 = 0xaabbccdd ll
*(u32 *)(r1 +4) = r2
r0 = *(u64 *)(r1 +0)
exit

# test: mem_st_h_imm_at_the_end
# mem: 00 00 00 00 00 00 00 00
# expect: 0x1234000000000000
*(u16 *)(r1 +6) = 0x1234
r0 = *(u64 *)(r1 +0)
exit

# test: mem_stx_dw_unaligned
# mem: 00 00 00 00 00 00 00 00 00 00 00 00
# expect: 0x1122334455667788
r2 = 0x1122334455667788 ll
*(u64 *)(r1 +3) = r2
r0 = *(u64 *)(r1 +3)
exit

# test: mem_stx_b_changes_only_one_byte
# mem: 11 22 33 44
# expect: 0x4433ee11
r2 = 0xee
*(u8 *)(r1 +1) = r2
r0 = *(u32 *)(r1 +0)
exit

# test: mem_ldx_into_its_own_base_register
# mem: 78 56 34 12
# expect: 0x12345678
r1 = *(u32 *)(r1 +0)
r0 = r1
exit

# test: mem_stx_of_its_own_base_register_stores_the_address
# mem: 00 00 00 00 00 00 00 00
# expect: 0x1
*(u64 *)(r1 +0) = r1
r2 = *(u64 *)(r1 +0)
r0 = 0
if r2 != r1 goto pc+1
r0 = 1
exit
