# Byte swaps (RFC 9669 section 4.2). On a little-endian machine le16/le32
# truncate (zero-extend the low bits) and le64 is a no-op; be16/be32/be64 swap
# and truncate; bswap16/32/64 (v4, ALU64 class) swap unconditionally and
# truncate. Format: alu64.s.

# test: le16_truncates_to_16_bits
# kernel: yes
# expect: 0x7788
r0 = 0x1122334455667788 ll
r0 = le16 r0
exit

# test: le32_truncates_to_32_bits
# kernel: yes
# expect: 0x55667788
r0 = 0x1122334455667788 ll
r0 = le32 r0
exit

# test: le64_is_a_no_op
# kernel: yes
# expect: 0x1122334455667788
r0 = 0x1122334455667788 ll
r0 = le64 r0
exit

# test: be16_swaps_low_half_word_and_truncates
# kernel: yes
# expect: 0x8877
r0 = 0x1122334455667788 ll
r0 = be16 r0
exit

# test: be32_swaps_low_word_and_truncates
# kernel: yes
# expect: 0x88776655
r0 = 0x1122334455667788 ll
r0 = be32 r0
exit

# test: be64_swaps_all_bytes
# kernel: yes
# expect: 0x8877665544332211
r0 = 0x1122334455667788 ll
r0 = be64 r0
exit

# test: be16_of_small_value
# kernel: yes
# expect: 0x100
r0 = 1
r0 = be16 r0
exit

# test: be32_drops_high_word
# kernel: yes
# expect: 0x1000000
r0 = 0xffffffff00000001 ll
r0 = be32 r0
exit

# test: le16_of_all_ones
# kernel: yes
# expect: 0xffff
r0 = -1
r0 = le16 r0
exit

# test: bswap16_swaps_and_truncates
# kernel: yes
# expect: 0x8877
r0 = 0x1122334455667788 ll
r0 = bswap16 r0
exit

# test: bswap32_swaps_and_truncates
# kernel: yes
# expect: 0x88776655
r0 = 0x1122334455667788 ll
r0 = bswap32 r0
exit

# test: bswap64_swaps_all_bytes
# kernel: yes
# expect: 0x8877665544332211
r0 = 0x1122334455667788 ll
r0 = bswap64 r0
exit

# test: bswap16_of_all_ones_clears_high_bits
# kernel: yes
# expect: 0xffff
r0 = -1
r0 = bswap16 r0
exit

# test: bswap64_twice_is_identity
# kernel: yes
# expect: 0x123456789abcdef0
r0 = 0x123456789abcdef0 ll
r0 = bswap64 r0
r0 = bswap64 r0
exit

# test: be32_on_a_high_register
# kernel: yes
# expect: 0x78563412
r7 = 0x12345678
r7 = be32 r7
r0 = r7
exit
