/* Helper calls checked against their prototypes, as the kernel's
 * check_helper_call / check_func_arg / check_map_func_compatibility: one
 * unsafe program per rule, refused in the kernel's words, and safe
 * counterparts accepted. Each case is also loaded into the running kernel
 * (when bpf() is usable) to keep the expected words the kernel's own.
 * The program type is sched_cls unless a case says otherwise. */
#include <stdio.h>

#include "../testlib.h"
#include "verdict_kernel.h"

#define HASH_8_8 VERDICT_MAP(BPF_MAP_TYPE_HASH, 4, 8, 16)
#define ARRAY_4_8 VERDICT_MAP(BPF_MAP_TYPE_ARRAY, 4, 8, 4)
#define PROG_ARRAY VERDICT_MAP(BPF_MAP_TYPE_PROG_ARRAY, 4, 4, 4)
#define PERF_ARRAY VERDICT_MAP(BPF_MAP_TYPE_PERF_EVENT_ARRAY, 4, 4, 4)
#define RINGBUF VERDICT_MAP(BPF_MAP_TYPE_RINGBUF, 0, 0, 4096)
/* .rodata as libbpf makes it: read-only for programs, frozen. */
#define RODATA(text)                                                                           \
	{ .type = BPF_MAP_TYPE_ARRAY, .key_size = 4, .value_size = 8, .max_entries = 1,        \
	  .map_flags = BPF_F_RDONLY_PROG, .rodata = (text) }

/* r2 = a zeroed 4-byte key at fp-8, r1 = map 0. */
#define KEY_ON_STACK "*(u64 *)(r10 -8) = 0\nr2 = r10\nr2 += -8\nr1 = map[idx:0]\n"

static const struct verdict_case cases[] = {
	/* ARG_CONST_MAP_PTR */
	{ "map_ptr_argument_is_a_stack_pointer", .maps = { HASH_8_8 },
	  .text = "*(u64 *)(r10 -8) = 0\nr2 = r10\nr2 += -8\nr1 = r10\ncall 1\nr0 = 0\nexit\n",
	  .reason = "R1 type=fp expected=map_ptr" },
	{ "map_ptr_argument_is_a_scalar", .maps = { HASH_8_8 },
	  .text = "*(u64 *)(r10 -8) = 0\nr2 = r10\nr2 += -8\nr1 = 0\ncall 1\nr0 = 0\nexit\n",
	  .reason = "R1 type=scalar expected=map_ptr" },
	{ "lookup_with_a_key_on_the_stack", .maps = { HASH_8_8 },
	  .text = KEY_ON_STACK "call 1\nr0 = 0\nexit\n" },
	/* ARG_PTR_TO_MAP_KEY / VALUE: the pointer's type */
	{ "map_key_is_a_scalar", .maps = { HASH_8_8 },
	  .text = "r1 = map[idx:0]\nr2 = 0\ncall 1\nr0 = 0\nexit\n",
	  .reason = "R2 type=scalar expected=fp, pkt, pkt_meta, map_key, map_value, mem, "
		    "ringbuf_mem, buf, trusted_ptr_" },
	{ "map_key_is_the_context", .maps = { HASH_8_8 },
	  .text = "r2 = r1\nr1 = map[idx:0]\ncall 1\nr0 = 0\nexit\n",
	  .reason = "R2 type=ctx expected=fp, pkt, pkt_meta, map_key, map_value, mem, "
		    "ringbuf_mem, buf, trusted_ptr_" },
	{ "map_value_is_uninitialised", .maps = { HASH_8_8 },
	  .text = KEY_ON_STACK "r4 = 0\ncall 2\nr0 = 0\nexit\n", .reason = "R3 !read_ok" },
	{ "map_update_flags_uninitialised", .maps = { HASH_8_8 },
	  .text = KEY_ON_STACK "*(u64 *)(r10 -16) = 0\nr3 = r10\nr3 += -16\ncall 2\n"
		  "r0 = 0\nexit\n",
	  .reason = "R4 !read_ok" },
	{ "map_update_with_key_and_value_on_the_stack", .maps = { HASH_8_8 },
	  .text = KEY_ON_STACK "*(u64 *)(r10 -16) = 0\nr3 = r10\nr3 += -16\nr4 = 0\ncall 2\n"
		  "r0 = 0\nexit\n" },
	{ "map_value_of_one_map_as_the_key_of_another", .maps = { ARRAY_4_8, HASH_8_8 },
	  .text = KEY_ON_STACK "call 1\nif r0 == 0 goto out\nr2 = r0\nr1 = map[idx:1]\ncall 1\n"
		  "out:\nr0 = 0\nexit\n" },
	/* tail calls: r1 the context, r2 a prog array, r3 an index */
	{ "tail_call_with_r1_not_the_context", .maps = { PROG_ARRAY },
	  .text = "r1 = r10\nr2 = map[idx:0]\nr3 = 0\ncall 12\nr0 = 0\nexit\n",
	  .reason = "R1 type=fp expected=ctx" },
	{ "tail_call_with_a_modified_context", .maps = { PROG_ARRAY },
	  .text = "r1 += 8\nr2 = map[idx:0]\nr3 = 0\ncall 12\nr0 = 0\nexit\n",
	  .reason = "dereference of modified ctx ptr R1 off=8 disallowed" },
	{ "tail_call_through_a_hash_map", .maps = { HASH_8_8 },
	  .text = "r2 = map[idx:0]\nr3 = 0\ncall 12\nr0 = 0\nexit\n",
	  .reason = "expected prog array map for tail call" },
	{ "tail_call_index_uninitialised", .maps = { PROG_ARRAY },
	  .text = "r2 = map[idx:0]\ncall 12\nr0 = 0\nexit\n", .reason = "R3 !read_ok" },
	{ "tail_call_then_fall_through", .maps = { PROG_ARRAY },
	  .text = "r2 = map[idx:0]\nr3 = 1\ncall 12\nr0 = 0\nexit\n" },
	/* which maps a helper takes, which helpers a map allows */
	{ "lookup_in_a_prog_array", .maps = { PROG_ARRAY },
	  .text = KEY_ON_STACK "call 1\nr0 = 0\nexit\n",
	  .reason = "cannot pass map_type 3 into func bpf_map_lookup_elem#1" },
	{ "update_of_a_perf_event_array", .maps = { PERF_ARRAY },
	  .text = KEY_ON_STACK "r3 = r2\nr4 = 0\ncall 2\nr0 = 0\nexit\n",
	  .reason = "cannot pass map_type 4 into func bpf_map_update_elem#2" },
	{ "perf_event_output_into_an_array", .maps = { ARRAY_4_8 },
	  .text = "*(u64 *)(r10 -8) = 0\nr4 = r10\nr4 += -8\nr2 = map[idx:0]\nr3 = 0\nr5 = 8\n"
		  "call 25\nr0 = 0\nexit\n",
	  .reason = "cannot pass map_type 2 into func bpf_perf_event_output#25" },
	{ "perf_event_output_into_a_perf_event_array", .maps = { PERF_ARRAY },
	  .text = "*(u64 *)(r10 -8) = 0\nr4 = r10\nr4 += -8\nr2 = map[idx:0]\nr3 = 0\nr5 = 8\n"
		  "call 25\nr0 = 0\nexit\n" },
	{ "ringbuf_output_into_a_hash", .maps = { HASH_8_8 },
	  .text = "*(u64 *)(r10 -8) = 0\nr2 = r10\nr2 += -8\nr1 = map[idx:0]\nr3 = 8\nr4 = 0\n"
		  "call 130\nr0 = 0\nexit\n",
	  .reason = "cannot pass map_type 1 into func bpf_ringbuf_output#130" },
	{ "ringbuf_output_into_a_prog_array", .maps = { PROG_ARRAY },
	  .text = "*(u64 *)(r10 -8) = 0\nr2 = r10\nr2 += -8\nr1 = map[idx:0]\nr3 = 8\nr4 = 0\n"
		  "call 130\nr0 = 0\nexit\n",
	  .reason = "cannot pass map_type 3 into func bpf_ringbuf_output#130" },
	{ "ringbuf_query_of_a_ringbuf", .maps = { RINGBUF },
	  .text = "r1 = map[idx:0]\nr2 = 0\ncall 134\nr0 = 0\nexit\n" },
	{ "ringbuf_query_of_a_hash", .maps = { HASH_8_8 },
	  .text = "r1 = map[idx:0]\nr2 = 0\ncall 134\nr0 = 0\nexit\n",
	  .reason = "cannot pass map_type 1 into func bpf_ringbuf_query#134" },
	/* memory + size pairs: the size register */
	{ "load_bytes_with_a_negative_size",
	  .text = "r2 = 0\nr3 = r10\nr3 += -8\nr4 = -1\ncall 26\nr0 = 0\nexit\n",
	  .reason = "R4 min value is negative, either use unsigned or 'var &= const'" },
	{ "load_bytes_with_a_zero_size",
	  .text = "r2 = 0\nr3 = r10\nr3 += -8\nr4 = 0\ncall 26\nr0 = 0\nexit\n",
	  .reason = "R4 invalid zero-sized read: u64=[0,0]" },
	{ "load_bytes_with_an_unbounded_size",
	  .text = "r4 = *(u32 *)(r1 +0)\nr4 |= 1\nr2 = 0\nr3 = r10\nr3 += -8\ncall 26\nr0 = 0\nexit\n",
	  .reason = "R4 unbounded memory access, use 'var &= const' or 'if (var < const)'",
	  .pending = "A scalars" },
	{ "load_bytes_with_a_size_in_a_pointer",
	  .text = "r2 = 0\nr3 = r10\nr3 += -8\nr4 = r10\ncall 26\nr0 = 0\nexit\n",
	  .reason = "R4 type=fp expected=scalar" },
	{ "load_bytes_into_the_stack",
	  .text = "r2 = 0\nr3 = r10\nr3 += -8\nr4 = 8\ncall 26\nr0 = *(u64 *)(r10 -8)\nexit\n" },
	{ "load_bytes_into_the_context",
	  .text = "r2 = 0\nr3 = r1\nr4 = 4\ncall 26\nr0 = 0\nexit\n",
	  .reason = "R3 type=ctx expected=fp, pkt, pkt_meta, map_key, map_value, mem, "
		    "ringbuf_mem, buf, trusted_ptr_" },
	{ "csum_diff_with_null_and_zero_size",
	  .text = "r1 = 0\nr2 = 0\nr3 = 0\nr4 = 0\nr5 = 0\ncall 28\nr0 = 0\nexit\n" },
	/* which helpers the program type may call */
	{ "xdp_calls_skb_load_bytes", .type = BPF_PROG_TYPE_XDP,
	  .text = "r2 = 0\nr3 = r10\nr3 += -8\nr4 = 8\ncall 26\nr0 = 0\nexit\n",
	  .reason = "program of this type cannot use helper bpf_skb_load_bytes#26" },
	{ "socket_filter_calls_skb_store_bytes", .type = BPF_PROG_TYPE_SOCKET_FILTER,
	  .text = "*(u64 *)(r10 -8) = 0\nr2 = 0\nr3 = r10\nr3 += -8\nr4 = 8\nr5 = 0\ncall 9\n"
		  "r0 = 0\nexit\n",
	  .reason = "program of this type cannot use helper bpf_skb_store_bytes#9" },
	{ "call_of_an_unknown_helper", .text = "call 9999\nr0 = 0\nexit\n",
	  .reason = "invalid func unknown#9999" },
	/* constant strings: a read-only map value with a NUL */
	{ "strncmp_against_a_stack_string",
	  .text = "*(u64 *)(r10 -8) = 0\nr1 = r10\nr1 += -8\nr2 = 4\nr3 = r10\nr3 += -8\n"
		  "call 182\nr0 = 0\nexit\n",
	  .reason = "R3 type=fp expected=map_value" },
	{ "strncmp_against_a_writable_map", .maps = { VERDICT_MAP(BPF_MAP_TYPE_ARRAY, 4, 8, 1) },
	  .text = "*(u64 *)(r10 -8) = 0\nr1 = r10\nr1 += -8\nr2 = 4\nr3 = map[idx:0]+0\n"
		  "call 182\nr0 = 0\nexit\n",
	  .reason = "R3 does not point to a readonly map'" },
	{ "strncmp_against_an_unterminated_string",
	  .maps = { RODATA("abcdefgh") },
	  .text = "*(u64 *)(r10 -8) = 0\nr1 = r10\nr1 += -8\nr2 = 4\nr3 = map[idx:0]+0\n"
		  "call 182\nr0 = 0\nexit\n",
	  .reason = "string is not zero-terminated" },
	{ "strncmp_against_a_read_only_string",
	  .maps = { RODATA("abc") },
	  .text = "*(u64 *)(r10 -8) = 0\nr1 = r10\nr1 += -8\nr2 = 4\nr3 = map[idx:0]+0\n"
		  "call 182\nr0 = 0\nexit\n" },
	/* ringbuf_reserve's size */
	{ "ringbuf_reserve_of_a_variable_size", .maps = { RINGBUF },
	  .text = "r2 = *(u32 *)(r1 +0)\nr1 = map[idx:0]\nr3 = 0\ncall 131\nif r0 == 0 goto out\n"
		  "r1 = r0\nr2 = 0\ncall 133\nout:\nr0 = 0\nexit\n",
	  .reason = "R2 is not a known constant'" },
};

int main(void)
{
	struct bpfvm *vm = testlib_vm_create();

	verdict_run_cases(vm, cases, sizeof(cases) / sizeof(cases[0]));
	bpfvm_destroy(vm);
	return testlib_summary();
}
