# why: the caller of a subprogram that tail-calls gets the target's R0 when the call
# succeeds; the kernel's walk takes R0 as unknown after such a call and explores
# 'r0 != 81', where r2 is not initialised: it refuses. bpfvm took the 81 of the
# failed call and accepted (a soundness finding: src/verifier/types_jmp.c).
# type: 6
# maps: engines
# input-seeds: 1
r6 = r1
call pc+5
if r0 == 0x51 goto pc+2
r0 = *(u64 *)(r2 +0)
exit
r0 = 2
exit
r2 = map[idx:9]
r3 = 0
call bpf_tail_call#12
r0 = 81
exit
