/* The tail-call rules of SEMANTICS.md ("Tail calls", "Per-CPU execution"),
 * each pinned by clang-built programs that run in bpfvm and, when bpf() is
 * usable, in the kernel with the same input: return values, output packets,
 * contexts and maps must agree, and bpfvm's must also be the values written
 * here (Linux 6.18's), so the test holds without the kernel.
 *
 *   usage: test_tail_call_rules OBJDIR */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <linux/bpf.h>

#include "bpfvm/bpfvm.h"
#include "testlib.h"
#include "twin.h"

static const char *objdir;
static struct bpfvm *vm;
static uint8_t packet[TWIN_PACKET_LEN];
static uint32_t this_cpu; /* where the tc runs of both sides happen */

static struct twin_input packet_input(int repeat)
{
	return (struct twin_input){
		.data = packet, .data_size = sizeof(packet), .repeat = repeat,
	};
}

/* The packet, with a zeroed __sk_buff as ctx_in and ctx_out asked for. */
static struct twin_input skb_input(const struct __sk_buff *skb)
{
	struct twin_input in = packet_input(1);

	in.ctx = skb;
	in.ctx_size = sizeof(*skb);
	in.ctx_size_out = sizeof(*skb);
	return in;
}

/* ---- the 33-call limit -------------------------------------------------- */

/* hops.bpf.c: hop_N returns 100 * N + cb[0] when its tail call fails; cb[0]
 * counts the programs that ran on this skb. */
static void expect_visits(struct twin *t, const char *test, uint32_t from, uint32_t to,
			  uint64_t want)
{
	for (uint32_t hop = from; hop <= to; hop++)
		twin_expect_u64(t, test, "visits", hop, want);
}

static void tail_call_chain_runs_34_programs(struct twin *t)
{
	const char *test = "tail_call_chain_runs_34_programs_and_the_34th_attempt_falls_through";
	struct twin_input in = packet_input(1);

	twin_expect_retval(t, test, "hop_0", &in, 33 * 100 + 34, NULL);
	expect_visits(t, test, 0, 33, 1);
	twin_expect_u64(t, test, "visits", 34, 0);
	twin_expect_maps_agree(t, test, "visits");
}

/* A test run's repeats reuse one skb (so cb[0] keeps counting: 3 * 34), but
 * each repeat is an invocation of its own with a fresh tail-call count. */
static void tail_call_count_restarts_at_every_repeat(struct twin *t)
{
	const char *test = "tail_call_count_restarts_at_every_repeat";
	struct twin_input in = packet_input(3);

	twin_expect_retval(t, test, "hop_0", &in, 33 * 100 + 3 * 34, NULL);
	expect_visits(t, test, 0, 33, 1 + 3);
	twin_expect_u64(t, test, "visits", 34, 0);
}

/* Entering at hop_5 leaves room for hop_34: 29 tail calls, then hop_34's
 * index 35 is out of range. A count carried over from earlier runs would
 * stop the chain before. */
static void tail_call_count_restarts_at_every_invocation(struct twin *t)
{
	const char *test = "tail_call_count_restarts_at_every_invocation";
	struct twin_input in = packet_input(1);

	twin_expect_retval(t, test, "hop_0", &in, 33 * 100 + 34, NULL);
	twin_expect_retval(t, test, "hop_5", &in, 34 * 100 + 30, NULL);
	expect_visits(t, test, 0, 4, 1 + 3 + 1);
	expect_visits(t, test, 5, 33, 1 + 3 + 1 + 1);
	twin_expect_u64(t, test, "visits", 34, 1);
	twin_expect_maps_agree(t, test, "visits");
}

/* mixed makes three failing attempts before each successful one: still 34
 * runs per invocation. */
static void failed_tail_calls_do_not_count(struct twin *t)
{
	const char *test = "failed_tail_calls_interleaved_with_successful_ones_do_not_count";
	struct twin_input once = packet_input(1), twice = packet_input(2);

	twin_expect_retval(t, test, "mixed", &once, 34, NULL);
	twin_expect_u64(t, test, "runs", 0, 34);
	twin_expect_retval(t, test, "mixed", &twice, 2 * 34, NULL);
	twin_expect_u64(t, test, "runs", 0, 3 * 34);
}

/* ---- the index is a u32 ------------------------------------------------- */

#define WRAP_INDEX_OFFSET 42

static void expect_wrap(struct twin *t, uint64_t index, uint32_t want)
{
	struct twin_input in = packet_input(1);
	uint8_t indexed[TWIN_PACKET_LEN];
	char test[128];

	memcpy(indexed, packet, sizeof(indexed));
	memcpy(indexed + WRAP_INDEX_OFFSET, &index, sizeof(index)); /* little endian */
	in.data = indexed;
	snprintf(test, sizeof(test), "tail_call_index_0x%llx_is_taken_as_a_u32",
		 (unsigned long long)index);
	twin_expect_retval(t, test, "wrap_runtime", &in, want, NULL);
}

static void tail_call_index_wraps_as_a_u32(struct twin *t)
{
	struct twin_input in = packet_input(1);

	expect_wrap(t, 0, 0xa0);
	expect_wrap(t, 1, 0xa1);
	expect_wrap(t, 0x100000000ull, 0xa0);
	expect_wrap(t, 0x100000001ull, 0xa1);
	expect_wrap(t, 2, 0xff);
	expect_wrap(t, 0xffffffffull, 0xff);
	expect_wrap(t, ~0ull, 0xff);
	expect_wrap(t, 0x8000000000000001ull, 0xa1);
	twin_expect_retval(t, "tail_call_constant_index_0x100000000_selects_slot_0", "wrap_4g",
			   &in, 0xa0, NULL);
}

/* ---- tail calls from subprograms ---------------------------------------- */

static void tail_call_from_subprogram_returns_to_its_caller(void)
{
	const char *test = "tail_call_from_a_subprogram_returns_to_the_subprograms_caller";
	struct __sk_buff skb = { .cb = { 1 } };
	struct twin_input in = packet_input(1);
	struct twin t;

	if (!twin_open_ok(&t, vm, objdir, "subprog.bpf.o"))
		return;
	/* sub_target's 40 comes back into sub_entry, which adds 1000 * 40 + len. */
	twin_expect_retval(&t, test, "sub_entry", &in, 1000 * 40 + TWIN_PACKET_LEN, NULL);
	/* Slot 1 is empty: the subprogram falls through and returns 7. */
	in.ctx = &skb;
	in.ctx_size = sizeof(skb);
	twin_expect_retval(&t, "tail_call_from_a_subprogram_falls_through_on_an_empty_slot",
			   "sub_entry", &in, 1000 * 7 + TWIN_PACKET_LEN, NULL);
	twin_close(&t);
}

/* The kernel refuses such a load with EACCES ("tail_calls are not allowed
 * when call stack of previous frames is N bytes"). */
static void expect_stack_verdict(const char *file, bool loads)
{
	struct twin_input in = packet_input(1);
	char test[160];
	struct twin t;

	snprintf(test, sizeof(test), "tail_call_from_subprogram_stack_rule_%s_%s", file,
		 loads ? "loads" : "is_refused");
	twin_open(&t, vm, objdir, file);
	if (loads) {
		testlib_check(test, t.vm_err == 0, "bpfvm refused it: %d %s", t.vm_err,
			      bpfvm_errmsg());
		testlib_check(test, t.k_err == 0, "the kernel refused it: %d", t.k_err);
		if (!t.vm_err)
			twin_expect_retval(&t, test, "stack_entry", &in, 21, NULL);
	} else {
		testlib_check(test, t.vm_err == -EACCES, "bpfvm: load gave %d, expected %d (%s)",
			      t.vm_err, -EACCES, bpfvm_errmsg());
		testlib_check(test, !twin_kernel_usable() || t.k_err == -EACCES,
			      "kernel: load gave %d, expected %d", t.k_err, -EACCES);
	}
	twin_close(&t);
}

static void tail_call_from_subprogram_needs_frames_above_under_256_bytes(void)
{
	expect_stack_verdict("subprog_stack_240.bpf.o", true);
	expect_stack_verdict("subprog_stack_112_128.bpf.o", true);
	expect_stack_verdict("subprog_stack_248.bpf.o", false); /* rounded up to 256 */
	expect_stack_verdict("subprog_stack_256.bpf.o", false);
	expect_stack_verdict("subprog_stack_2x128.bpf.o", false);
	expect_stack_verdict("subprog_stack_two_paths.bpf.o", false);
}

/* ---- what the callee inherits ------------------------------------------- */

static uint32_t u32_at(const uint8_t *bytes, size_t offset)
{
	uint32_t value;

	memcpy(&value, bytes + offset, sizeof(value));
	return value;
}

static void tc_context_writes_are_seen_by_the_callee(struct twin *t)
{
	const char *test = "tc_context_and_packet_writes_are_seen_by_the_callee";
	struct __sk_buff skb = { 0 };
	struct twin_input in = skb_input(&skb);
	struct twin_output out;
	struct __sk_buff *seen = (struct __sk_buff *)out.ctx;

	twin_expect_retval(t, test, "tc_writer", &in, 0, &out);
	testlib_check(test, out.ctx_size == sizeof(skb) && seen->mark == 0x5eed1234 &&
				    seen->cb[0] == 0x5eed1234 && seen->cb[1] == 0x104 + 6,
		      "bpfvm ctx_out: mark 0x%x, cb[0] 0x%x, cb[1] 0x%x", seen->mark, seen->cb[0],
		      seen->cb[1]);
	testlib_check(test, out.data_size == TWIN_PACKET_LEN && out.data[42] == 0x7e &&
				    out.data[43] == 0x7f,
		      "bpfvm data_out: %u bytes, [42] 0x%02x, [43] 0x%02x", out.data_size,
		      out.data[42], out.data[43]);
}

/* data_out starts at data_meta, as the kernel's XDP test run copies it: 8
 * bytes of metadata, then the 50 bytes left after adjust_head, the first 12
 * of them overwritten by what the callee saw. */
static void xdp_adjusted_packet_is_seen_by_the_callee(struct twin *t)
{
	const char *test = "xdp_adjust_head_and_meta_are_seen_by_the_callee";
	const uint32_t meta = 8, len = TWIN_PACKET_LEN - 14;
	struct twin_input in = packet_input(1);
	struct twin_output out;
	const uint8_t *data = out.data + meta;

	twin_expect_retval(t, test, "xdp_shrink", &in, XDP_TX, &out);
	testlib_check(test, out.data_size == meta + len && u32_at(out.data, 0) == 0xfeedf00d,
		      "bpfvm data_out: %u bytes starting with 0x%x, expected %u starting with "
		      "0xfeedf00d", out.data_size, u32_at(out.data, 0), meta + len);
	testlib_check(test, u32_at(data, 0) == len && u32_at(data, 4) == meta &&
				    u32_at(data, 8) == 0xfeedf00d,
		      "bpfvm: the callee saw %u bytes, %u of metadata holding 0x%x",
		      u32_at(data, 0), u32_at(data, 4), u32_at(data, 8));
	testlib_check(test, memcmp(data + 12, packet + 26, TWIN_PACKET_LEN - 26) == 0,
		      "bpfvm: the packet after the callee's 12 bytes is not the input's");
}

static void context_writes_are_seen_by_the_callee(void)
{
	struct twin t;

	if (!twin_open_ok(&t, vm, objdir, "ctx_writes.bpf.o"))
		return;
	tc_context_writes_are_seen_by_the_callee(&t);
	xdp_adjusted_packet_is_seen_by_the_callee(&t);
	twin_close(&t);
}

static void expect_stack_seen(struct twin *t, const char *test, const char *prog,
			      uint32_t want_retval, const uint32_t want_cb[4])
{
	struct __sk_buff skb = { 0 };
	struct twin_input in = skb_input(&skb);
	struct twin_output out;
	struct __sk_buff *seen = (struct __sk_buff *)out.ctx;

	twin_expect_retval(t, test, prog, &in, want_retval, &out);
	testlib_check(test, memcmp(seen->cb, want_cb, 4 * sizeof(uint32_t)) == 0,
		      "bpfvm: the callee read 0x%08x%08x and 0x%08x%08x from its stack, expected "
		      "0x%08x%08x and 0x%08x%08x",
		      seen->cb[1], seen->cb[0], seen->cb[3], seen->cb[2], want_cb[1], want_cb[0],
		      want_cb[3], want_cb[2]);
}

static void tail_call_reuses_the_stack_frame_uncleared(void)
{
	static const uint32_t entry_slots[4] = { 0x55667788, 0x11223344, 0xddeeff00, 0x99aabbcc };
	static const uint32_t sub_slots[4] = { 0x89abcdef, 0x01234567, 0x76543210, 0xfedcba98 };
	struct twin t;

	if (!twin_open_ok(&t, vm, objdir, "stack_reuse.bpf.o"))
		return;
	expect_stack_seen(&t, "tail_call_callee_reads_the_callers_stack_slots", "reuse_entry", 1,
			  entry_slots);
	expect_stack_seen(&t, "tail_call_from_subprogram_callee_reads_the_subprograms_stack",
			  "reuse_sub_entry", 1 + 16, sub_slots);
	twin_close(&t);
}

/* ---- per-CPU execution --------------------------------------------------- */

struct scratch {
	uint64_t sum;
	uint32_t cpu;
	uint32_t hops;
	uint32_t changes;
	uint32_t pad;
};

static void expect_scratch(struct twin *t, const char *test, uint32_t cpu,
			   const struct scratch *want)
{
	struct bpfvm_map *map = twin_vm_map(t, "scratchpad");
	uint32_t key = 0, nr_cpus = bpfvm_nr_cpus(vm);
	struct scratch values[nr_cpus];
	int err;

	if (!map)
		return;
	memset(values, 0, sizeof(values));
	err = bpfvm_map_lookup(map, &key, values);
	testlib_check(test, err == 0 && memcmp(&values[cpu], want, sizeof(*want)) == 0,
		      "bpfvm: vCPU %u's scratchpad: sum %llu, cpu %u, hops %u, changes %u "
		      "(lookup %d); expected %llu, %u, %u, %u", cpu,
		      (unsigned long long)values[cpu].sum, values[cpu].cpu, values[cpu].hops,
		      values[cpu].changes, err, (unsigned long long)want->sum, want->cpu,
		      want->hops, want->changes);
	twin_expect_maps_agree(t, test, "scratchpad");
}

/* stage_0 -> stage_1 -> stage_2 on this thread's CPU: (64 * 3 + 1) +
 * 1000 * 3. */
static void percpu_scratchpad_carries_data_along_a_chain(struct twin *t)
{
	const char *test = "percpu_array_slot_carries_data_between_the_programs_of_a_chain";
	const struct scratch want = { .sum = 64 * 3 + 1 + 3000, .cpu = this_cpu, .hops = 3 };
	struct twin_input in = packet_input(1);

	twin_expect_retval(t, test, "stage_0", &in, 64 * 3 + 1 + 3000, NULL);
	expect_scratch(t, test, this_cpu, &want);
}

/* The raw tracepoint chain on another CPU than the tc chain's, when there
 * is one, named by BPF_F_TEST_RUN_ON_CPU: the program returns the CPU it
 * saw, unchanged along the chain, and adds args[0] = 5 to that CPU's sum. */
static void smp_processor_id_is_constant_along_a_chain(struct twin *t)
{
	const char *test = "smp_processor_id_is_the_same_in_every_program_of_a_chain";
	uint32_t cpu = (this_cpu + 1) % twin_cpu_count(vm);
	uint64_t args[1] = { 5 };
	struct twin_input in = {
		.ctx = args, .ctx_size = sizeof(args), .flags = BPF_F_TEST_RUN_ON_CPU, .cpu = cpu,
	};
	const struct scratch want = {
		.sum = (cpu == this_cpu ? 64 * 3 + 1 + 3000 : 0) + 5, .cpu = cpu, .hops = 2,
	};

	twin_expect_retval(t, test, "rtp_stage_0", &in, cpu, NULL);
	expect_scratch(t, test, cpu, &want);
}

static void per_cpu_execution(void)
{
	struct twin t;

	if (!twin_open_ok(&t, vm, objdir, "percpu.bpf.o"))
		return;
	percpu_scratchpad_carries_data_along_a_chain(&t);
	smp_processor_id_is_constant_along_a_chain(&t);
	twin_close(&t);
}

int main(int argc, char **argv)
{
	struct twin t;

	if (argc != 2) {
		fprintf(stderr, "usage: %s OBJDIR\n", argv[0]);
		return 2;
	}
	objdir = argv[1];
	vm = twin_vm();
	this_cpu = (uint32_t)twin_pin_cpu(vm);
	twin_packet(packet);

	if (twin_open_ok(&t, vm, objdir, "hops.bpf.o")) {
		tail_call_chain_runs_34_programs(&t);
		tail_call_count_restarts_at_every_repeat(&t);
		tail_call_count_restarts_at_every_invocation(&t);
		failed_tail_calls_do_not_count(&t);
		tail_call_index_wraps_as_a_u32(&t);
		twin_close(&t);
	}
	tail_call_from_subprogram_returns_to_its_caller();
	tail_call_from_subprogram_needs_frames_above_under_256_bytes();
	context_writes_are_seen_by_the_callee();
	tail_call_reuses_the_stack_frame_uncleared();
	per_cpu_execution();

	bpfvm_cpu_unbind(vm);
	bpfvm_destroy(vm);
	return twin_summary();
}
