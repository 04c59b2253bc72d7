# why: the subprogram at 77 tail-calls target 0 and returns r0 = 81 when the call fails;
# the walk (the kernel's too) follows only that, so 'if w9 s> 6' at 11 looks always
# taken and 12..17 were never checked: the context load at 17 was left unrewritten.
# When the tail call succeeds the target's r0 comes back and the branch falls through;
# bpfvm ran the raw load (a wrong data_end, the packet read at 37 skipped) where the
# kernel, which hard-wires such branches (opt_hard_wire_dead_code_branches), jumps.
# Fixed in src/verifier/types.c: branches a path never took one way are hard-wired.
# origin: seed 3 program 5880 (engines generator)
# type: 6
# maps: engines
# input-seeds: 14978414040606700522 17899048138922627816
# target: 0
#| 0: goto pc+0
#| 1: goto pc+0
#| 2: goto pc+0
#| 3: goto pc+0
#| 4: goto pc+0
#| 5: goto pc+0
#| 6: goto pc+0
#|    7: r1 = map[idx:6]
#|    9: r2 = r10
#|   10: r2 += -16
#|   11: call bpf_map_pop_elem#88
#| 12: goto pc+0
#|   13: r3 = *(u64 *)(r10 -16)
#| 14: goto pc+0
#| 15: goto pc+0
#| 16: goto pc+0
#| 17: goto pc+0
#| 18: goto pc+0
#| 19: goto pc+0
#| 20: goto pc+0
#| 21: goto pc+0
#| 22: goto pc+0
#| 23: goto pc+0
#| 24: goto pc+0
#| 25: goto pc+0
#| 26: goto pc+0
#|   27: w0 -= w3
#| 28: goto pc+0
#| 29: goto pc+0
#| 30: goto pc+0
#| 31: goto pc+0
#| 32: goto pc+0
#| 33: goto pc+0
#|   34: r1 = map[idx:0]
#| 36: goto pc+0
#| 37: goto pc+0
#| 38: goto pc+0
#| 39: goto pc+0
#| 40: goto pc+0
#| 41: goto pc+0
#|   42: exit
   0: r6 = r1
   1: goto pc+0
   2: goto pc+0
   3: r9 = 379
   4: goto pc+0
   5: goto pc+0
   6: call pc+70
   7: r9 += r0
   8: r7 = *(u32 *)(r6 +0)
   9: r8 = *(u32 *)(r6 +4)
  10: goto pc+0
  11: if w9 s> 0x6 goto pc+6
  12: goto pc+0
  13: goto pc+0
  14: goto pc+0
  15: goto pc+0
 16: goto pc+0
  17: r8 = *(u32 *)(r6 +4)
  18: goto pc+0
 19: goto pc+0
 20: goto pc+0
 21: goto pc+0
  22: r1 = map[idx:3]
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
  34: r2 = r7
 35: goto pc+0
  36: if r2 > r8 goto pc+2
  37: r3 = 256
  38: r9 = r3
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
  49: goto pc+0
  50: goto pc+0
  51: goto pc+0
  52: goto pc+0
  53: goto pc+0
  54: goto pc+0
  55: goto pc+0
  56: goto pc+0
  57: goto pc+0
  58: goto pc+0
  59: goto pc+0
  60: goto pc+0
  61: goto pc+0
  62: goto pc+0
  63: goto pc+0
  64: goto pc+0
  65: goto pc+0
  66: goto pc+0
  67: goto pc+0
  68: goto pc+0
  69: goto pc+0
  70: goto pc+0
  71: goto pc+0
  72: goto pc+0
  73: goto pc+0
  74: goto pc+0
  75: r0 = r9
  76: exit
  77: goto pc+0
  78: r9 = 0
  79: goto pc+0
  80: r2 = map[idx:9]
  82: r3 = r9
  83: goto pc+0
  84: call bpf_tail_call#12
  85: r0 = 81
  86: exit
