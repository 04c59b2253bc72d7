# why: as tail_call_in_subprog_r0_unknown.s, at run time: the branch on the subprogram's
# R0 at 49 took the side the kernel takes only after the fix (ingress_ifindex read at 50).
# origin: seed 3 program 16415 (engines generator)
# type: 6
# maps: engines
# input-seeds: 15571621642277688968
# target: 0
#|    0: r6 = r1
#|    1: r7 = *(u32 *)(r6 +0)
#|    2: r8 = *(u32 *)(r6 +4)
#|    3: r9 = 781
#|    4: r0 = 0
#|    5: *(u32 *)(r10 -4) = 5
#|    6: r2 = r10
#|    7: r2 += -4
#|    8: *(u64 *)(r10 -24) = r9
#|    9: *(u64 *)(r10 -16) = -666204500
#|   10: r1 = map[idx:1]
#|   12: r3 = r10
#|   13: r3 += -24
#|   14: r4 = 0
#|   15: call bpf_map_update_elem#2
#|   16: r9 += r0
#|   17: r0 = 0
#|   18: if w9 > 0xffffffff goto pc+13
#|   19: *(u32 *)(r10 -4) = 1
#|   20: r2 = r10
#|   21: r2 += -4
#|   22: r1 = map[idx:0]
#|   24: call bpf_map_lookup_elem#1
#|   25: if r0 == 0x0 goto pc+6
#|   26: r3 = r9
#|   27: r3 &= 24
#|   28: r0 += r3
#|   29: r4 = *(u64 *)(r0 +0)
#|   30: r9 += r4
#|   31: *(u64 *)(r0 +0) = r9
#|   32: r0 = 0
#|   33: r1 = r6
#|   34: r2 = map[idx:9]
#|   36: r3 = r9
#|   37: r3 &= 7
#|   38: call bpf_tail_call#12
#|   39: r0 = 0
#|   40: *(u32 *)(r10 -4) = 3
#|   41: r1 = map[idx:0]
#|   43: r2 = r10
#|   44: r2 += -4
#|   45: call bpf_map_lookup_elem#1
#|   46: if r0 == 0x0 goto pc+1
#|   47: *(u64 *)(r0 +24) = r9
#|   48: r0 = r9
#|   49: exit
# target: 1
#|    0: r6 = r1
#|    1: r7 = *(u32 *)(r6 +0)
#|    2: r8 = *(u32 *)(r6 +4)
#|    3: r9 = 465
#|    4: r0 = 0
#|    5: r3 = *(u32 *)(r6 +12)
#|    6: r9 += r3
#|    7: r0 = 0
#|    8: if r9 > 0x50d7e247 goto pc+10
#|    9: r1 = map[idx:8]
#|   11: r2 = 288
#|   12: r3 = 0
#|   13: call bpf_ringbuf_reserve#131
#|   14: if r0 == 0x0 goto pc+4
#|   15: *(u64 *)(r0 +0) = r9
#|   16: r1 = r0
#|   17: r2 = 0
#|   18: call bpf_ringbuf_submit#132
#|   19: r0 = 0
#|   20: r1 = r6
#|   21: r2 = -13
#|   22: call bpf_xdp_adjust_tail#65
#|   23: r9 += r0
#|   24: r7 = *(u32 *)(r6 +0)
#|   25: r8 = *(u32 *)(r6 +4)
#|   26: r0 = 0
#|   27: if r9 <= 0x1f goto pc+5
#|   28: r4 = 0
#|   29: r9 += r4
#|   30: r9 *= 3
#|   31: r4 += 1
#|   32: if r4 < 0x3 goto pc-4
#|   33: r0 = 0
#|   34: r3 = *(u32 *)(r6 +16)
#|   35: r9 += r3
#|   36: r0 = 0
#|   37: *(u32 *)(r10 -4) = 3
#|   38: r1 = map[idx:0]
#|   40: r2 = r10
#|   41: r2 += -4
#|   42: call bpf_map_lookup_elem#1
#|   43: if r0 == 0x0 goto pc+1
#|   44: *(u64 *)(r0 +24) = r9
#|   45: r0 = r9
#|   46: exit
# target: 2
#|    0: r6 = r1
#|    1: r7 = *(u32 *)(r6 +0)
#|    2: r8 = *(u32 *)(r6 +4)
#|    3: r9 = 758
#|    4: r0 = 0
#|    5: r2 = r7
#|    6: r2 += 25
#|    7: if r2 > r8 goto pc+1
#|    8: *(u8 *)(r7 +16) = 2147483647
#|    9: r0 = 0
#|   10: *(u32 *)(r10 -4) = 0
#|   11: r2 = r10
#|   12: r2 += -4
#|   13: r1 = map[idx:3]
#|   15: call bpf_map_lookup_elem#1
#|   16: if r0 == 0x0 goto pc+6
#|   17: r5 = r0
#|   18: r3 = r9
#|   19: r3 = atomic64_xchg((u64 *)(r5 +0), r3)
#|   20: r9 += r3
#|   21: r0 = r5
#|   22: *(u8 *)(r0 +12) = r9
#|   23: r0 = 0
#|   24: r3 = r9
#|   25: r4 = 701658908
#|   26: r5 = 2060635953
#|   27: r5 ^= r9
#|   28: w0 = (s8)w5
#|   29: w3 = 2
#|   30: w9 ^= w4
#|   31: r0 = -r0
#|   32: r3 %= r5
#|   33: r9 = -r9
#|   34: r9 ^= r3
#|   35: r9 += r4
#|   36: r9 -= r5
#|   37: r9 += r0
#|   38: r0 = 0
#|   39: *(u64 *)(r10 -40) = r9
#|   40: r3 = *(u64 *)(r10 -40)
#|   41: r9 += r3
#|   42: r0 = 0
#|   43: r1 = r6
#|   44: call pc+30
#|   45: r9 += r0
#|   46: r7 = *(u32 *)(r6 +0)
#|   47: r8 = *(u32 *)(r6 +4)
#|   48: r0 = 0
#|   49: r3 = r9
#|   50: r3 &= 7
#|   51: *(u32 *)(r10 -4) = r3
#|   52: r2 = r10
#|   53: r2 += -4
#|   54: r1 = map[idx:1]
#|   56: call bpf_map_lookup_elem#1
#|   57: if r0 == 0x0 goto pc+6
#|   58: r5 = r0
#|   59: r3 = r9
#|   60: lock *(u32 *)(r5 +0) += r3
#|   61: r0 = r5
#|   62: *(u32 *)(r0 +8) = r9
#|   63: *(u32 *)(r0 +8) = r9
#|   64: r0 = 0
#|   65: *(u32 *)(r10 -4) = 3
#|   66: r1 = map[idx:0]
#|   68: r2 = r10
#|   69: r2 += -4
#|   70: call bpf_map_lookup_elem#1
#|   71: if r0 == 0x0 goto pc+1
#|   72: *(u64 *)(r0 +24) = r9
#|   73: r0 = r9
#|   74: exit
#|   75: r6 = r1
#|   76: r9 = 0
#|   77: r1 = r6
#|   78: r2 = map[idx:9]
#|   80: r3 = r9
#|   81: r3 &= 7
#|   82: call bpf_tail_call#12
#|   83: r0 = 81
#|   84: exit
   0: r6 = r1
   1: goto pc+0
   2: goto pc+0
   3: r9 = 206
   4: goto pc+0
   5: goto pc+0
   6: call pc+56
   7: r9 += r0
   8: goto pc+0
   9: goto pc+0
  10: goto pc+0
  11: goto pc+0
  12: goto pc+0
  13: goto pc+0
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
  26: goto pc+0
  27: goto pc+0
  28: goto pc+0
  29: goto pc+0
  30: goto pc+0
  31: goto pc+0
  32: goto pc+0
  33: goto pc+0
  34: goto pc+0
  35: goto pc+0
  36: goto pc+0
  37: goto pc+0
  38: goto pc+0
  39: goto pc+0
  40: goto pc+0
  41: goto pc+0
  42: goto pc+0
  43: goto pc+0
  44: goto pc+0
  45: goto pc+0
  46: goto pc+0
  47: goto pc+0
  48: goto pc+0
  49: if r9 & 0x1 goto pc+2
  50: r3 = *(u32 *)(r6 +12)
  51: r9 += r3
  52: goto pc+0
  53: goto pc+0
  54: goto pc+0
  55: goto pc+0
  56: goto pc+0
  57: goto pc+0
  58: goto pc+0
  59: goto pc+0
  60: goto pc+0
  61: r0 = r9
  62: exit
  63: goto pc+0
  64: r9 = 0
  65: goto pc+0
  66: r2 = map[idx:9]
  68: r3 = r9
  69: goto pc+0
  70: call bpf_tail_call#12
  71: r0 = 81
  72: exit
