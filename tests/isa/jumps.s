# Jumps (RFC 9669 section 4.3): every condition of JMP (64-bit) and JMP32
# (low 32 bits), with K (imm, sign-extended to 64 bits for JMP) and X sources,
# at signed and unsigned boundaries; then ja, gotol and loops.
#
# The condition cases share one shape: r0 = 0, then for each check either
# "if COND goto pc+1; goto fail" (the jump must be taken) or
# "if COND goto fail" (it must not be); r0 = 1 only if every check held.
# Format: alu64.s.

# test: jeq64_imm
# kernel: yes
# expect: 0x1
r0 = 0
r1 = 5
if r1 == 0x5 goto pc+1
goto fail
if r1 == 0x4 goto fail
r0 = 1
fail:
exit

# test: jeq64_imm_is_sign_extended_to_64_bits
# kernel: yes
# expect: 0x1
r0 = 0
r1 = -1
r2 = 0xffffffff ll
if r1 == -1 goto pc+1
goto fail
if r2 == -1 goto fail
if r2 == 0xffffffff goto fail
r0 = 1
fail:
exit

# test: jne64_imm
# kernel: yes
# expect: 0x1
r0 = 0
r1 = 5
if r1 != 0x4 goto pc+1
goto fail
if r1 != 0x5 goto fail
r0 = 1
fail:
exit

# test: jgt64_imm_is_unsigned
# kernel: yes
# expect: 0x1
r0 = 0
r1 = -1
r2 = 5
if r1 > 0x5 goto pc+1
goto fail
if r2 > 0x5 goto fail
if r2 > 0x4 goto pc+1
goto fail
r0 = 1
fail:
exit

# test: jge64_imm_is_unsigned
# kernel: yes
# expect: 0x1
r0 = 0
r1 = 5
r2 = -1
if r1 >= 0x5 goto pc+1
goto fail
if r1 >= 0x6 goto fail
if r2 >= -1 goto pc+1
goto fail
if r1 >= -1 goto fail
r0 = 1
fail:
exit

# test: jlt64_imm_is_unsigned
# kernel: yes
# expect: 0x1
r0 = 0
r1 = 5
r2 = -1
if r1 < 0x6 goto pc+1
goto fail
if r1 < 0x5 goto fail
if r2 < 0x5 goto fail
r0 = 1
fail:
exit

# test: jle64_imm_is_unsigned
# kernel: yes
# expect: 0x1
r0 = 0
r1 = 5
r2 = 0
r3 = -1
if r1 <= 0x5 goto pc+1
goto fail
if r1 <= 0x4 goto fail
if r2 <= 0x0 goto pc+1
goto fail
if r3 <= 0x7fffffff goto fail
r0 = 1
fail:
exit

# test: jsgt64_imm_is_signed
# kernel: yes
# expect: 0x1
r0 = 0
r1 = -1
r2 = 5
if r1 s> -2 goto pc+1
goto fail
if r1 s> -1 goto fail
if r1 s> 0x5 goto fail
if r2 s> -1 goto pc+1
goto fail
r0 = 1
fail:
exit

# test: jsge64_imm_is_signed
# kernel: yes
# expect: 0x1
r0 = 0
r1 = -1
if r1 s>= -1 goto pc+1
goto fail
if r1 s>= 0x0 goto fail
r0 = 1
fail:
exit

# test: jslt64_imm_is_signed
# kernel: yes
# expect: 0x1
r0 = 0
r1 = -1
if r1 s< 0x0 goto pc+1
goto fail
if r1 s< -1 goto fail
r0 = 1
fail:
exit

# test: jsle64_imm_is_signed
# kernel: yes
# expect: 0x1
r0 = 0
r1 = -2
if r1 s<= -2 goto pc+1
goto fail
if r1 s<= -3 goto fail
if r1 s<= 0x0 goto pc+1
goto fail
r0 = 1
fail:
exit

# test: jset64_imm
# kernel: yes
# expect: 0x1
r0 = 0
r1 = 0x10
if r1 & 0x10 goto pc+1
goto fail
if r1 & 0xf goto fail
r0 = 1
fail:
exit

# test: jset64_imm_is_sign_extended_to_64_bits
# kernel: yes
# expect: 0x1
r0 = 0
r1 = 0x8000000000000000 ll
if r1 & -1 goto pc+1
goto fail
if r1 & 0x7fffffff goto fail
r0 = 1
fail:
exit

# test: jmp64_imm_int64_min_boundaries
# kernel: yes
# expect: 0x1
r0 = 0
r1 = 0x8000000000000000 ll
if r1 s> -1 goto fail
if r1 s< 0x0 goto pc+1
goto fail
if r1 > 0x7fffffff goto pc+1
goto fail
r0 = 1
fail:
exit

# test: jeq64_reg_compares_all_64_bits
# kernel: yes
# expect: 0x1
r0 = 0
r1 = 0x123456789 ll
r2 = 0x123456789 ll
r3 = 0x23456789
if r1 == r2 goto pc+1
goto fail
if r1 == r3 goto fail
r0 = 1
fail:
exit

# test: jne64_reg_compares_high_half
# kernel: yes
# expect: 0x1
r0 = 0
r1 = 0x100000005 ll
r2 = 5
r3 = r1
if r1 != r2 goto pc+1
goto fail
if r1 != r3 goto fail
r0 = 1
fail:
exit

# test: jgt64_reg_is_unsigned
# kernel: yes
# expect: 0x1
r0 = 0
r1 = -1
r2 = 1
if r1 > r2 goto pc+1
goto fail
if r2 > r1 goto fail
if r1 > r1 goto fail
r0 = 1
fail:
exit

# test: jgt64_reg_uses_high_half
# kernel: yes
# expect: 0x1
r0 = 0
r1 = 0x100000000 ll
r2 = 0xffffffff ll
if r1 > r2 goto pc+1
goto fail
if r2 > r1 goto fail
r0 = 1
fail:
exit

# test: jge64_reg_is_unsigned
# kernel: yes
# expect: 0x1
r0 = 0
r1 = 7
r2 = 7
r3 = 8
if r1 >= r2 goto pc+1
goto fail
if r1 >= r3 goto fail
if r3 >= r1 goto pc+1
goto fail
r0 = 1
fail:
exit

# test: jlt64_reg_is_unsigned
# kernel: yes
# expect: 0x1
r0 = 0
r1 = 1
r2 = -1
if r1 < r2 goto pc+1
goto fail
if r2 < r1 goto fail
r0 = 1
fail:
exit

# test: jle64_reg_is_unsigned
# kernel: yes
# expect: 0x1
r0 = 0
r1 = 7
r2 = 7
r3 = 6
if r1 <= r2 goto pc+1
goto fail
if r1 <= r3 goto fail
r0 = 1
fail:
exit

# test: jsgt64_reg_int64_max_vs_min
# kernel: yes
# expect: 0x1
r0 = 0
r1 = 0x7fffffffffffffff ll
r2 = 0x8000000000000000 ll
if r1 s> r2 goto pc+1
goto fail
if r2 s> r1 goto fail
if r1 > r2 goto fail
r0 = 1
fail:
exit

# test: jsge64_reg_is_signed
# kernel: yes
# expect: 0x1
r0 = 0
r1 = -5
r2 = -5
r3 = -4
if r1 s>= r2 goto pc+1
goto fail
if r1 s>= r3 goto fail
if r3 s>= r1 goto pc+1
goto fail
r0 = 1
fail:
exit

# test: jslt64_reg_is_signed
# kernel: yes
# expect: 0x1
r0 = 0
r1 = -1
r2 = 0
if r1 s< r2 goto pc+1
goto fail
if r2 s< r1 goto fail
if r1 < r2 goto fail
r0 = 1
fail:
exit

# test: jsle64_reg_is_signed
# kernel: yes
# expect: 0x1
r0 = 0
r1 = -1
r2 = -1
r3 = -2
if r1 s<= r2 goto pc+1
goto fail
if r1 s<= r3 goto fail
r0 = 1
fail:
exit

# test: jset64_reg_tests_high_bits
# kernel: yes
# expect: 0x1
r0 = 0
r1 = 0x100000000 ll
r2 = 0x300000000 ll
r3 = 0xffffffff ll
if r1 & r2 goto pc+1
goto fail
if r1 & r3 goto fail
r0 = 1
fail:
exit

# test: jeq32_imm_ignores_high_half
# kernel: yes
# expect: 0x1
r0 = 0
r1 = 0x100000005 ll
if w1 == 0x5 goto pc+1
goto fail
if r1 == 0x5 goto fail
r0 = 1
fail:
exit

# test: jeq32_imm_minus_one_is_all_ones_low_word
# kernel: yes
# expect: 0x1
r0 = 0
r1 = 0xffffffff ll
if w1 == -1 goto pc+1
goto fail
if w1 == 0xffffffff goto pc+1
goto fail
if w1 == 0x7fffffff goto fail
r0 = 1
fail:
exit

# test: jne32_imm_ignores_high_half
# kernel: yes
# expect: 0x1
r0 = 0
r1 = 0x500000000 ll
if w1 != 0x0 goto fail
if w1 != 0x1 goto pc+1
goto fail
r0 = 1
fail:
exit

# test: jgt32_imm_is_unsigned
# kernel: yes
# expect: 0x1
r0 = 0
w1 = -1
r2 = 0x100000000 ll
if w1 > 0x5 goto pc+1
goto fail
if w1 > -1 goto fail
if w2 > 0x0 goto fail
r0 = 1
fail:
exit

# test: jge32_imm_is_unsigned
# kernel: yes
# expect: 0x1
r0 = 0
w1 = 5
r2 = 0x1ffffffff ll
if w1 >= 0x5 goto pc+1
goto fail
if w1 >= 0x6 goto fail
if w2 >= -1 goto pc+1
goto fail
r0 = 1
fail:
exit

# test: jlt32_imm_ignores_high_half
# kernel: yes
# expect: 0x1
r0 = 0
r1 = 0x100000003 ll
if w1 < 0x4 goto pc+1
goto fail
if w1 < 0x3 goto fail
if r1 < 0x4 goto fail
r0 = 1
fail:
exit

# test: jle32_imm_is_unsigned
# kernel: yes
# expect: 0x1
r0 = 0
w1 = 0
w2 = -1
if w1 <= 0x0 goto pc+1
goto fail
if w2 <= 0x7fffffff goto fail
if w2 <= 0xffffffff goto pc+1
goto fail
r0 = 1
fail:
exit

# test: jsgt32_imm_sign_is_bit_31
# kernel: yes
# expect: 0x1
r0 = 0
r1 = 0x80000000 ll
if w1 s> 0x0 goto fail
if r1 s> 0x0 goto pc+1
goto fail
if w1 s> -1 goto fail
r0 = 1
fail:
exit

# test: jsge32_imm_is_signed
# kernel: yes
# expect: 0x1
r0 = 0
w1 = -1
if w1 s>= -1 goto pc+1
goto fail
if w1 s>= 0x0 goto fail
r0 = 1
fail:
exit

# test: jslt32_imm_sign_is_bit_31
# kernel: yes
# expect: 0x1
r0 = 0
r1 = 0xffffffff ll
if w1 s< 0x0 goto pc+1
goto fail
if r1 s< 0x0 goto fail
r0 = 1
fail:
exit

# test: jsle32_imm_int32_min
# kernel: yes
# expect: 0x1
r0 = 0
w1 = 0x80000000
w2 = 0
if w1 s<= 0x80000000 goto pc+1
goto fail
if w1 s<= -1 goto pc+1
goto fail
if w2 s<= -1 goto fail
r0 = 1
fail:
exit

# test: jset32_imm_ignores_high_half
# kernel: yes
# expect: 0x1
r0 = 0
r1 = 0x100000000 ll
if w1 & -1 goto fail
if r1 & -1 goto pc+1
goto fail
r0 = 1
fail:
exit

# test: jeq32_reg_ignores_high_halves
# kernel: yes
# expect: 0x1
r0 = 0
r1 = 0x100000007 ll
r2 = 0x200000007 ll
if w1 == w2 goto pc+1
goto fail
if r1 == r2 goto fail
r0 = 1
fail:
exit

# test: jne32_reg_ignores_high_halves
# kernel: yes
# expect: 0x1
r0 = 0
r1 = 0x100000007 ll
r2 = 0x200000007 ll
if w1 != w2 goto fail
if r1 != r2 goto pc+1
goto fail
r0 = 1
fail:
exit

# test: jgt32_reg_is_unsigned
# kernel: yes
# expect: 0x1
r0 = 0
w1 = -1
w2 = 1
if w1 > w2 goto pc+1
goto fail
if w2 > w1 goto fail
r0 = 1
fail:
exit

# test: jgt32_reg_ignores_high_half
# kernel: yes
# expect: 0x1
r0 = 0
r1 = 0x100000000 ll
r2 = 0xffffffff ll
if w1 > w2 goto fail
if r1 > r2 goto pc+1
goto fail
r0 = 1
fail:
exit

# test: jge32_reg_is_unsigned
# kernel: yes
# expect: 0x1
r0 = 0
w1 = 3
w2 = 3
w3 = 4
if w1 >= w2 goto pc+1
goto fail
if w1 >= w3 goto fail
r0 = 1
fail:
exit

# test: jlt32_reg_ignores_high_half
# kernel: yes
# expect: 0x1
r0 = 0
r1 = 0x500000001 ll
r2 = 2
if w1 < w2 goto pc+1
goto fail
if r1 < r2 goto fail
r0 = 1
fail:
exit

# test: jle32_reg_is_unsigned
# kernel: yes
# expect: 0x1
r0 = 0
w1 = 2
w2 = 2
w3 = 1
if w1 <= w2 goto pc+1
goto fail
if w1 <= w3 goto fail
r0 = 1
fail:
exit

# test: jsgt32_reg_int32_max_vs_min
# kernel: yes
# expect: 0x1
r0 = 0
w1 = 0x7fffffff
w2 = 0x80000000
if w1 s> w2 goto pc+1
goto fail
if w2 s> w1 goto fail
if w1 > w2 goto fail
r0 = 1
fail:
exit

# test: jsge32_reg_is_signed
# kernel: yes
# expect: 0x1
r0 = 0
w1 = -3
w2 = -3
w3 = -2
if w1 s>= w2 goto pc+1
goto fail
if w1 s>= w3 goto fail
r0 = 1
fail:
exit

# test: jslt32_reg_int32_min_vs_max
# kernel: yes
# expect: 0x1
r0 = 0
w1 = 0x7fffffff
w2 = 0x80000000
if w2 s< w1 goto pc+1
goto fail
if w2 < w1 goto fail
r0 = 1
fail:
exit

# test: jsle32_reg_sign_is_bit_31
# kernel: yes
# expect: 0x1
r0 = 0
r1 = 0xffffffff ll
r2 = 0
if w1 s<= w2 goto pc+1
goto fail
if r1 s<= r2 goto fail
r0 = 1
fail:
exit

# test: jset32_reg_ignores_high_halves
# kernel: yes
# expect: 0x1
r0 = 0
r1 = 0x1000000ff ll
r2 = 0x100000000 ll
r3 = 1
if w1 & w2 goto fail
if r1 & r2 goto pc+1
goto fail
if w1 & w3 goto pc+1
goto fail
r0 = 1
fail:
exit

# test: ja_skips_forward
# kernel: yes
# expect: 0x1
r0 = 1
r1 = 0
if r1 != 0x0 goto skipped
goto pc+1
skipped:
r0 = 2
exit

# test: goto_pc_plus_0_is_a_no_op
# kernel: yes
# expect: 0x3
r0 = 3
goto pc+0
exit

# test: ja_backward_loop_sums_1_to_10
# kernel: yes
# expect: 0x37
r0 = 0
r1 = 10
loop:
if r1 == 0x0 goto done
r0 += r1
r1 -= 1
goto loop
done:
exit

# test: conditional_backward_jump_loops
# kernel: yes
# expect: 0x37
r0 = 0
r1 = 10
r0 += r1
r1 -= 1
if r1 != 0x0 goto pc-3
exit

# test: loop_of_1000_iterations
# kernel: yes
# expect: 0x7a314
r0 = 0
r1 = 1
loop:
r0 += r1
r1 += 1
if r1 <= 0x3e8 goto loop
exit

# test: nested_loops_10_by_10
# kernel: yes
# expect: 0x64
r0 = 0
r1 = 10
outer:
r2 = 10
inner:
r0 += 1
r2 -= 1
if r2 != 0x0 goto inner
r1 -= 1
if r1 != 0x0 goto outer
exit

# test: jmp32_loop_counter_wraps_in_32_bits
# kernel: yes
# expect: 0x2
r0 = 0
w1 = 0xfffffffe
loop:
w1 += 1
r0 += 1
if w1 != 0x0 goto loop
exit

# test: gotol_forward
# kernel: yes
# expect: 0x1
r0 = 1
r1 = 0
if r1 != 0x0 goto skipped
gotol pc+1
skipped:
r0 = 2
exit

# test: gotol_backward_loop
# kernel: yes
# expect: 0x37
r0 = 0
r1 = 10
loop:
if r1 == 0x0 goto done
r0 += r1
r1 -= 1
gotol loop
done:
exit

# test: gotol_to_label
# kernel: yes
# expect: 0x5
r0 = 5
r1 = 0
if r1 != 0x0 goto wrong
gotol out
wrong:
r0 = 6
out:
exit

# test: jumps_chain_through_several_labels
# kernel: yes
# expect: 0x7
r0 = 0
r1 = 1
if r1 == 0x1 goto a
r0 = 100
a:
r0 += 1
if r1 != 0x1 goto b
r0 += 2
b:
if r1 s> 0x0 goto c
r0 += 100
c:
r0 += 4
exit
