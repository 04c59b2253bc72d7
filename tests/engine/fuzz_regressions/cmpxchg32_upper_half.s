# bpfvm differential fuzzer reproducer: fuzz_engines --replay THIS_FILE
# A 32-bit cmpxchg that succeeds leaves r0 the old value zero-extended,
# whatever r0's upper half was (it compares only the lower one). x86's
# cmpxchg leaves RAX's upper half when it succeeds: without its explicit
# zero extension (jit_memory.c) the JIT returns 1 here, the interpreter 0.
# The fuzzer found it in seconds when that extension was taken out on
# purpose (seed 1, iteration 249); minimised by hand.
# type: 6
# map: 2 4 32 4 0 array
# budget: 1000000
# input-seed: 1
r1 = 5
*(u64 *)(r10 -8) = r1
r0 = 5
r4 = 1
r4 <<= 32
r0 |= r4
r3 = 7
r0 = atomic_cmpxchg((u32 *)(r10 -8), r0, r3)
r7 = r0
r7 >>= 32
r6 = *(u64 *)(r10 -8)
*(u32 *)(r10 -12) = 0
r2 = r10
r2 += -12
r1 = map[idx:0]
call bpf_map_lookup_elem#1
if r0 == 0x0 goto pc+1
*(u64 *)(r0 +0) = r6
r0 = r7
exit
