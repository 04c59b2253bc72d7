# Legacy packet loads (RFC 9669 section 5.5, the "packet" conformance group):
# ld_abs reads at imm, ld_ind at src + imm (32-bit offset), from the input
# memory in network byte order (big-endian), zero-extended into r0. An
# out-of-range read ends the program at once with r0 = 0, from any frame.
#
# Every case starts with "r6 = r1": the kernel takes the skb for ld_abs from
# r6 ("# kernel: skb" cases run in the kernel as socket filters, whose packet
# is the input memory; see test_kernel_diff.c). Format: alu64.s.

# test: ld_abs_b
# kernel: skb
# mem: 11 22 33 44
# expect: 0x33
r6 = r1
r0 = *(u8 *)skb[2]
exit

# test: ld_abs_h_is_big_endian
# kernel: skb
# mem: 11 22 33 44
# expect: 0x2233
r6 = r1
r0 = *(u16 *)skb[1]
exit

# test: ld_abs_w_is_big_endian
# kernel: skb
# mem: 11 22 33 44
# expect: 0x11223344
r6 = r1
r0 = *(u32 *)skb[0]
exit

# test: ld_abs_w_with_high_bit_is_zero_extended
# kernel: skb
# mem: 80 00 00 01
# expect: 0x80000001
r6 = r1
r0 = *(u32 *)skb[0]
exit

# test: ld_abs_replaces_all_of_r0
# kernel: skb
# mem: 7f
# expect: 0x7f
r6 = r1
r0 = -1
r0 = *(u8 *)skb[0]
exit

# test: ld_abs_last_byte_is_in_range
# kernel: skb
# mem: 11 22 33 44
# expect: 0x44
r6 = r1
r0 = *(u8 *)skb[3]
exit

# test: ld_abs_b_past_the_end_ends_program_with_zero
# kernel: skb
# mem: 11 22 33 44
# expect: 0x0
r6 = r1
r0 = *(u8 *)skb[4]
r0 = 7
exit

# test: ld_abs_w_straddling_the_end_ends_program_with_zero
# kernel: skb
# mem: 11 22 33 44
# expect: 0x0
r6 = r1
r0 = *(u32 *)skb[1]
r0 = 7
exit

# test: ld_abs_h_straddling_the_end_ends_program_with_zero
# kernel: skb
# mem: 11 22 33 44
# expect: 0x0
r6 = r1
r0 = *(u16 *)skb[3]
r0 = 7
exit

# test: ld_abs_on_empty_packet_ends_program_with_zero
# kernel: skb
# expect: 0x0
r6 = r1
r0 = *(u8 *)skb[0]
r0 = 7
exit

# test: ld_abs_huge_offset_ends_program_with_zero
# kernel: skb
# mem: 11 22 33 44
# expect: 0x0
r6 = r1
r0 = *(u8 *)skb[0x7fffffff]
r0 = 7
exit

# test: ld_abs_in_range_does_not_end_program
# kernel: skb
# mem: 11 22 33 44
# expect: 0x12
r6 = r1
r0 = *(u8 *)skb[0]
r0 += 1
exit

# test: ld_ind_b_adds_register_and_imm
# kernel: skb
# mem: 11 22 33 44
# expect: 0x44
r6 = r1
r7 = 2
r0 = *(u8 *)skb[r7 + 1]
exit

# test: ld_ind_h_is_big_endian
# kernel: skb
# mem: 11 22 33 44
# expect: 0x3344
r6 = r1
r7 = 2
r0 = *(u16 *)skb[r7 + 0]
exit

# test: ld_ind_w_with_negative_imm
# kernel: skb
# mem: 00 11 22 33 44 55
# expect: 0x11223344
r6 = r1
r7 = 3
r0 = *(u32 *)skb[r7 + -2]
exit

# test: ld_ind_offset_uses_low_32_bits_of_src
# kernel: skb
# mem: 11 22 33 44
# expect: 0x22
r6 = r1
r7 = 0x100000001 ll
r0 = *(u8 *)skb[r7 + 0]
exit

# test: ld_ind_past_the_end_ends_program_with_zero
# kernel: skb
# mem: 11 22 33 44
# expect: 0x0
r6 = r1
r7 = 3
r0 = *(u16 *)skb[r7 + 0]
r0 = 7
exit

# test: ld_ind_negative_offset_ends_program_with_zero
# kernel: skb
# mem: 11 22 33 44
# expect: 0x0
r6 = r1
r7 = -1
r0 = *(u8 *)skb[r7 + 0]
r0 = 7
exit

# test: ld_abs_preserves_r6_to_r9
# kernel: skb
# mem: 01
# expect: 0x1f
r6 = r1
r7 = 7
r8 = 8
r9 = 9
r0 = *(u8 *)skb[0]
r0 += r7
r0 += r8
r0 += r9
r0 += 6
exit

# test: ld_abs_out_of_range_in_local_call_returns_zero_from_that_function_only
# kernel: skb
# mem: 11 22 33 44
# expect: 0x9
r6 = r1
r0 = 5
call f
r0 += 9
exit
f:
r6 = r1
r0 = *(u8 *)skb[100]
r0 = 3
exit

# test: ld_abs_in_range_in_local_call_returns
# kernel: skb
# mem: 11 22 33 44
# expect: 0x45
r6 = r1
call f
r0 += 1
exit
f:
r6 = r1
r0 = *(u8 *)skb[3]
exit

# test: ld_abs_from_memory_written_by_the_program
# mem: 00 00 00 00
# expect: 0xdeadbeef
r6 = r1
r2 = 0xefbeadde ll
*(u32 *)(r1 +0) = r2
r0 = *(u32 *)skb[0]
exit

# test: ld_ind_with_r0_as_index
# kernel: skb
# mem: 11 22 33 44
# expect: 0x44
r6 = r1
r0 = 2
r0 = *(u8 *)skb[r0 + 1]
exit
