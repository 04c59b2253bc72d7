# MOVSX (RFC 9669 section 4.1, v4): MOV with source X and offset 8/16/32
# sign-extends the low bits of src. The ALU64 forms extend to 64 bits; the
# ALU (32-bit) forms extend to 32 bits and then zero-extend. Format: alu64.s.

# test: movsx64_s8_negative_fills_64_bits
# kernel: yes
# expect: 0xffffffffffffff80
r1 = 0x80
r0 = (s8)r1
exit

# test: movsx64_s8_positive
# kernel: yes
# expect: 0x7f
r1 = 0x7f
r0 = (s8)r1
exit

# test: movsx64_s8_reads_only_the_low_byte
# kernel: yes
# expect: 0xfffffffffffffff0
r1 = 0x1234567f0 ll
r0 = (s8)r1
exit

# test: movsx64_s16_negative_fills_64_bits
# kernel: yes
# expect: 0xffffffffffff8000
r1 = 0x8000
r0 = (s16)r1
exit

# test: movsx64_s16_reads_only_the_low_half_word
# kernel: yes
# expect: 0x7fff
r1 = 0x17fff
r0 = (s16)r1
exit

# test: movsx64_s32_negative_fills_64_bits
# kernel: yes
# expect: 0xffffffff80000000
r1 = 0x80000000 ll
r0 = (s32)r1
exit

# test: movsx64_s32_reads_only_the_low_word
# kernel: yes
# expect: 0x7fffffff
r1 = 0x17fffffff ll
r0 = (s32)r1
exit

# test: movsx64_in_place
# kernel: yes
# expect: 0xffffffffffffffff
r0 = 0xff
r0 = (s8)r0
exit

# test: movsx32_s8_negative_is_zero_extended_past_bit_31
# kernel: yes
# expect: 0xffffff80
w1 = 0x80
w0 = (s8)w1
exit

# test: movsx32_s8_positive
# kernel: yes
# expect: 0x7f
w1 = 0x17f
w0 = (s8)w1
exit

# test: movsx32_s16_negative_is_zero_extended_past_bit_31
# kernel: yes
# expect: 0xfffffffe
w1 = 0xfffe
w0 = (s16)w1
exit

# test: movsx32_s16_clears_high_half_of_dst
# kernel: yes
# expect: 0x1234
r0 = 0xffffffff00001234 ll
w0 = (s16)w0
exit
