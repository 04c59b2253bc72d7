# why: a ring buffer record that wraps past the end of the data was written, in bpfvm,
# to an overflow area after the data; in the kernel it lands at the ring's start (the data
# pages are mapped twice). The reserved records here leave bytes unwritten, which after
# the wrap showed the ring's old bytes in bpfvm and the wrapped record's in the kernel
# (byte 140 of a record: kernel c8, bpfvm 00). Fixed in src/maps/ringbuf.c: reserve and
# commit keep the two views of the wrapped part one memory.
# bpfvm kernel differential reproducer: kdiff --replay THIS_FILE
# origin: seed 2 program 36 (engines generator)
# type: 6
# maps: engines
# input-seeds: 4329889359941712182 15284529469988688978
# verdict: both accept
# difference: interp: map 8 (type 27): entry 0: byte 140: kernel c8, bpfvm 00
# target: 0
#|    0: r6 = r1
#|    1: r7 = *(u32 *)(r6 +0)
#|    2: r8 = *(u32 *)(r6 +4)
#|    3: r9 = 697
#|    4: r0 = 0
#|    5: r3 = 85410358
#|    6: if r9 s>= r3 goto pc+10
#|    7: r1 = map[idx:8]
#|    9: r2 = 208
#|   10: r3 = 0
#|   11: call bpf_ringbuf_reserve#131
#|   12: if r0 == 0x0 goto pc+4
#|   13: *(u64 *)(r0 +0) = r9
#|   14: r1 = r0
#|   15: r2 = 0
#|   16: call bpf_ringbuf_discard#133
#|   17: r0 = 0
#|   18: r2 = r7
#|   19: r2 += 16
#|   20: if r2 > r8 goto pc+2
#|   21: r3 = *(u8 *)(r7 +4)
#|   22: r9 += r3
#|   23: r0 = 0
#|   24: r2 = r7
#|   25: r2 += 19
#|   26: if r2 > r8 goto pc+1
#|   27: *(u64 *)(r7 +9) = r9
#|   28: r0 = 0
#|   29: r3 = r9
#|   30: r3 &= 0
#|   31: r3 += r7
#|   32: r2 = r3
#|   33: r2 += 1
#|   34: if r2 > r8 goto pc+2
#|   35: r4 = *(u8 *)(r3 +0)
#|   36: r9 ^= r4
#|   37: r0 = 0
#|   38: *(u32 *)(r10 -4) = 3
#|   39: r1 = map[idx:0]
#|   41: r2 = r10
#|   42: r2 += -4
#|   43: call bpf_map_lookup_elem#1
#|   44: if r0 == 0x0 goto pc+1
#|   45: *(u64 *)(r0 +24) = r9
#|   46: r0 = r9
#|   47: exit
# target: 1
#|    0: r6 = r1
#|    1: r7 = *(u32 *)(r6 +0)
#|    2: r8 = *(u32 *)(r6 +4)
#|    3: r9 = 155
#|    4: r0 = 0
#|    5: *(u64 *)(r10 -16) = r9
#|    6: r1 = map[idx:6]
#|    8: r2 = r10
#|    9: r2 += -16
#|   10: call bpf_map_pop_elem#88
#|   11: r9 += r0
#|   12: r3 = *(u64 *)(r10 -16)
#|   13: r9 += r3
#|   14: r0 = 0
#|   15: *(u32 *)(r10 -4) = 2
#|   16: r2 = r10
#|   17: r2 += -4
#|   18: *(u64 *)(r10 -24) = r9
#|   19: *(u64 *)(r10 -16) = -1302125990
#|   20: r1 = map[idx:3]
#|   22: r3 = r10
#|   23: r3 += -24
#|   24: r4 = 2
#|   25: call bpf_map_update_elem#2
#|   26: r9 += r0
#|   27: r0 = 0
#|   28: *(u32 *)(r10 -4) = 3
#|   29: r1 = map[idx:0]
#|   31: r2 = r10
#|   32: r2 += -4
#|   33: call bpf_map_lookup_elem#1
#|   34: if r0 == 0x0 goto pc+1
#|   35: *(u64 *)(r0 +24) = r9
#|   36: r0 = r9
#|   37: exit
# target: 2
#|    0: r6 = r1
#|    1: r7 = *(u32 *)(r6 +0)
#|    2: r8 = *(u32 *)(r6 +4)
#|    3: r9 = 736
#|    4: r0 = 0
#|    5: *(u64 *)(r10 -224) = r9
#|    6: r3 = *(u64 *)(r10 -224)
#|    7: r3 *= 31
#|    8: r9 += r3
#|    9: r0 = 0
#|   10: r3 = r9
#|   11: r3 &= 0
#|   12: r3 += r7
#|   13: r2 = r3
#|   14: r2 += 1
#|   15: if r2 > r8 goto pc+2
#|   16: r4 = *(u8 *)(r3 +0)
#|   17: r9 ^= r4
#|   18: r0 = 0
#|   19: r1 = map[idx:8]
#|   21: r2 = 200
#|   22: r3 = 0
#|   23: call bpf_ringbuf_reserve#131
#|   24: if r0 == 0x0 goto pc+4
#|   25: *(u64 *)(r0 +0) = r9
#|   26: r1 = r0
#|   27: r2 = 0
#|   28: call bpf_ringbuf_submit#132
#|   29: r0 = 0
#|   30: r1 = r6
#|   31: r3 = 2
#|   32: r2 = map[idx:9]
#|   34: call bpf_tail_call#12
#|   35: r0 = 0
#|   36: r2 = r7
#|   37: r2 += 14
#|   38: if r2 > r8 goto pc+1
#|   39: *(u64 *)(r7 +3) = r9
#|   40: r0 = 0
#|   41: *(u32 *)(r10 -4) = 3
#|   42: r1 = map[idx:0]
#|   44: r2 = r10
#|   45: r2 += -4
#|   46: call bpf_map_lookup_elem#1
#|   47: if r0 == 0x0 goto pc+1
#|   48: *(u64 *)(r0 +24) = r9
#|   49: r0 = r9
#|   50: exit
   0: goto pc+0
   1: goto pc+0
   2: goto pc+0
   3: r9 = 804
   4: goto pc+0
   5: goto pc+0
   6: goto pc+0
   7: goto pc+0
   8: goto pc+0
   9: goto pc+0
  10: goto pc+0
  11: goto pc+0
  12: goto pc+0
  13: call pc+14
  14: goto pc+0
  15: goto pc+0
  16: goto pc+0
  17: goto pc+0
  18: goto pc+0
  19: goto pc+0
  20: goto pc+0
  21: goto pc+0
  22: goto pc+0
  23: goto pc+0
  24: goto pc+0
  25: goto pc+0
  26: r0 = r9
  27: exit
  28: goto pc+0
  29: goto pc+0
  30: goto pc+0
  31: r2 = map[idx:9]
  33: r3 = 2
  34: call bpf_tail_call#12
  35: r0 = 81
  36: exit
