# prog: sched_cls
# expect: accept
# part: memory
# bpfvm: R9 offset is outside of the packet
#
# data + 256 >= data_end, then 256 back: r9 is data again, no longer at the
# packet's end. Linux 6.18 keeps "at data_end" through the subtraction,
# decides the second comparison is always true and never walks the read of
# data + 300 on its other side: it accepts an out-of-bounds read (fixed
# upstream after 6.18: the mark does not survive arithmetic). bpfvm walks
# that side and refuses the read (docs/differences.md).
r9 = *(u32 *)(r1 +76)
r8 = *(u32 *)(r1 +80)
r9 += 256
if r9 >= r8 goto at_end
r0 = 0
exit
at_end:
r9 -= 256
if r9 >= r8 goto out
r0 = *(u64 *)(r9 +300)
out:
r0 = 0
exit
