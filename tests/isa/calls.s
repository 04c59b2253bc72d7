# Calls (RFC 9669 section 4.3.1 and SEMANTICS.md "Instruction set"): helper
# calls by id, callx with the helper id in a register (the runner registers
# helper 5 = return r1 and helper 6 = r1+r2+r3+r4+r5), and program-local calls:
# r1..r5 are arguments, r0 the result, r6..r9 preserved, each frame has its
# own stack, at most 8 frames and 512 bytes of stack along a chain.
# Errors: -7 is E2BIG, -13 EACCES, -22 EINVAL. Format: alu64.s.

# test: local_call_returns_r0
# kernel: yes
# expect: 0x2a
call f
exit
f:
r0 = 42
exit

# test: local_call_by_pc_relative_offset
# kernel: yes
# expect: 0x16
r1 = 20
call pc+2
r0 += 1
exit
r0 = r1
r0 += 1
exit

# test: local_call_passes_r1_to_r5
# kernel: yes
# expect: 0x12345
r1 = 1
r2 = 2
r3 = 3
r4 = 4
r5 = 5
call f
exit
f:
r0 = r1
r0 <<= 4
r0 |= r2
r0 <<= 4
r0 |= r3
r0 <<= 4
r0 |= r4
r0 <<= 4
r0 |= r5
exit

# test: local_call_preserves_r6_to_r9
# kernel: yes
# expect: 0x6789
r6 = 6
r7 = 7
r8 = 8
r9 = 9
call f
r0 = r6
r0 <<= 4
r0 |= r7
r0 <<= 4
r0 |= r8
r0 <<= 4
r0 |= r9
exit
f:
r6 = 0
r7 = 0
r8 = 0
r9 = 0
r0 = 0
exit

# test: local_call_callee_stack_does_not_clobber_caller_stack
# kernel: yes
# expect: 0x1b276
*(u64 *)(r10 -8) = 111
call f
r1 = *(u64 *)(r10 -8)
r1 *= 1000
r0 += r1
exit
f:
*(u64 *)(r10 -8) = 222
r0 = *(u64 *)(r10 -8)
exit

# test: local_call_twice_returns_to_each_call_site
# kernel: yes
# expect: 0x19
r1 = 3
call square
r6 = r0
r1 = 4
call square
r0 += r6
exit
square:
r0 = r1
r0 *= r1
exit

# test: local_call_nested_passes_modified_arguments
# kernel: yes
# expect: 0x1e
r1 = 5
call f
exit
f:
r1 *= 2
r2 = 10
call g
r0 += 10
exit
g:
r0 = r1
r0 += r2
exit

# test: local_call_callee_with_a_loop
# kernel: yes
# expect: 0x37
r1 = 10
call sum
exit
sum:
r0 = 0
loop:
r0 += r1
r1 -= 1
if r1 != 0x0 goto loop
exit

# test: local_call_8_frames_deep_with_separate_stacks
# kernel: yes
# expect: 0x65c
*(u64 *)(r10 -8) = 1000
r1 = 0
call f1
r2 = *(u64 *)(r10 -8)
r0 += r2
exit
f1:
*(u64 *)(r10 -8) = 1
r1 += 1
call f2
r2 = *(u64 *)(r10 -8)
r0 += r2
exit
f2:
*(u64 *)(r10 -8) = 2
r1 += 1
call f3
r2 = *(u64 *)(r10 -8)
r0 += r2
exit
f3:
*(u64 *)(r10 -8) = 3
r1 += 1
call f4
r2 = *(u64 *)(r10 -8)
r0 += r2
exit
f4:
*(u64 *)(r10 -8) = 4
r1 += 1
call f5
r2 = *(u64 *)(r10 -8)
r0 += r2
exit
f5:
*(u64 *)(r10 -8) = 5
r1 += 1
call f6
r2 = *(u64 *)(r10 -8)
r0 += r2
exit
f6:
*(u64 *)(r10 -8) = 6
r1 += 1
call f7
r2 = *(u64 *)(r10 -8)
r0 += r2
exit
f7:
*(u64 *)(r10 -8) = 7
r0 = r1
r0 *= 100
r2 = *(u64 *)(r10 -8)
r0 += r2
exit

# test: local_call_9_frames_deep_is_rejected
# expect-error: -7
call f1
exit
f1:
call f2
exit
f2:
call f3
exit
f3:
call f4
exit
f4:
call f5
exit
f5:
call f6
exit
f6:
call f7
exit
f7:
call f8
exit
f8:
r0 = 0
exit

# test: local_call_combined_stack_of_exactly_512_is_allowed
# kernel: yes
# expect: 0x3
*(u64 *)(r10 -256) = 1
call f
r1 = *(u64 *)(r10 -256)
r0 += r1
exit
f:
*(u64 *)(r10 -256) = 2
r0 = *(u64 *)(r10 -256)
exit

# test: local_call_combined_stack_over_512_is_rejected
# expect-error: -13
*(u64 *)(r10 -512) = 1
call f
exit
f:
*(u64 *)(r10 -8) = 2
r0 = 0
exit

# test: local_call_recursion_is_rejected
# expect-error: -7
call f
exit
f:
call f
exit

# test: local_call_mutual_recursion_is_rejected
# expect-error: -7
call f
exit
f:
call g
exit
g:
call f
exit

# test: local_call_callee_writes_through_pointer_to_caller_stack
# kernel: yes
# expect: 0x70
*(u64 *)(r10 -8) = 5
r1 = r10
r1 += -8
call f
r1 = *(u64 *)(r10 -8)
r0 += r1
exit
f:
r0 = *(u64 *)(r1 +0)
*(u64 *)(r1 +0) = 7
*(u64 *)(r10 -8) = 100
r2 = *(u64 *)(r10 -8)
r0 += r2
exit

# test: helper_call_by_id_returns_r0
# expect: 0x7
r1 = 7
call 5
exit

# test: helper_call_receives_r1_to_r5
# expect: 0xf
r1 = 1
r2 = 2
r3 = 3
r4 = 4
r5 = 5
call 6
exit

# test: helper_call_preserves_r6_to_r9
# expect: 0x1e
r6 = 6
r7 = 7
r8 = 8
r9 = 9
r1 = 0
call 5
r0 += r6
r0 += r7
r0 += r8
r0 += r9
exit

# test: helper_call_from_a_local_function
# expect: 0x2b
r1 = 42
call f
exit
f:
call 5
r0 += 1
exit

# test: helper_call_unknown_id_is_rejected_at_load
# expect-error: -22
r1 = 1
call 9999
exit

# test: callx_calls_helper_whose_id_is_in_the_register
# expect: 0x2a
r1 = 42
r2 = 5
callx r2
exit

# test: callx_passes_r1_to_r5
# expect: 0xf
r1 = 1
r2 = 2
r3 = 3
r4 = 4
r5 = 5
r6 = 6
callx r6
exit

# test: callx_with_id_computed_at_run_time
# expect: 0xf
r7 = 3
r7 += 3
r1 = 5
r2 = 4
r3 = 3
r4 = 2
r5 = 1
callx r7
exit

# test: callx_to_unregistered_id_fails_at_run_time
# expect-error: -22
r1 = 1
r2 = 4242
callx r2
exit

# test: local_call_to_an_earlier_function
# kernel: yes
# expect: 0x15
r1 = 5
call g
exit
f:
r0 = r1
r0 *= 3
exit
g:
r1 += 2
call f
exit

# test: local_call_8_frames_of_64_bytes_fill_512
# kernel: yes
# expect: 0x24
*(u64 *)(r10 -64) = 1
call f2
r1 = *(u64 *)(r10 -64)
r0 += r1
exit
f2:
*(u64 *)(r10 -64) = 2
call f3
r1 = *(u64 *)(r10 -64)
r0 += r1
exit
f3:
*(u64 *)(r10 -64) = 3
call f4
r1 = *(u64 *)(r10 -64)
r0 += r1
exit
f4:
*(u64 *)(r10 -64) = 4
call f5
r1 = *(u64 *)(r10 -64)
r0 += r1
exit
f5:
*(u64 *)(r10 -64) = 5
call f6
r1 = *(u64 *)(r10 -64)
r0 += r1
exit
f6:
*(u64 *)(r10 -64) = 6
call f7
r1 = *(u64 *)(r10 -64)
r0 += r1
exit
f7:
*(u64 *)(r10 -64) = 7
call f8
r1 = *(u64 *)(r10 -64)
r0 += r1
exit
f8:
*(u64 *)(r10 -64) = 8
r0 = *(u64 *)(r10 -64)
exit

# test: stack_pointer_passed_down_two_frames_writes_the_callers_frame
# kernel: yes
# expect: 0x7
r1 = r10
r1 += -16
*(u64 *)(r10 -8) = 0
*(u64 *)(r10 -16) = 0
call f
r0 = *(u64 *)(r10 -8)
exit
f:
*(u64 *)(r10 -8) = 1
call g
r0 = *(u64 *)(r10 -8)
exit
g:
*(u64 *)(r10 -8) = 2
*(u64 *)(r1 +8) = 7
r0 = 0
exit

# test: stack_pointer_walked_in_a_loop_is_charged_what_the_verifier_sees
# The structural stack-depth pass cannot bound a pointer walked down the
# stack in a loop; the frame's depth is what the proof sees it touch (32
# bytes, as the kernel's check_max_stack_depth after do_check), not the whole
# 512 bytes, which with the callee's 16 made 528 and a refusal.
# kernel: yes
# expect: 0x2a
r1 = r10
r2 = 0
loop:
r1 += -8
*(u64 *)(r1 +0) = r2
r2 += 1
if r2 < 0x4 goto loop
call f
r0 = *(u64 *)(r10 -32)
r0 += 39
exit
f:
*(u64 *)(r10 -8) = 99
r0 = 0
exit
