/* Checked mode (engine/interp_checked.h): programs that touch every region
 * legitimately run exactly as in the fast interpreter (same return value,
 * packet and maps), and programs loaded past the verifier (here only, through
 * checked_testlib's internal path) that reach out of each region trap with a
 * message that names the instruction, the access and the nearest region.
 *
 * Usage: test_checked_mode checked_regions.bpf.o
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfvm/bpfvm.h"
#include "checked_testlib.h"
#include "engine/prog.h"
#include "../testlib.h"

static struct bpfvm *vm;

/* ---- legitimate accesses: both modes agree ---------------------------- */

struct outcome {
	int err;
	uint32_t retval;
	uint8_t packet[256];
	uint32_t packet_size;
	char message[512];
};

static void run_once(struct bpfvm_prog *prog, const uint8_t *packet, uint32_t size, bool checked,
		     struct outcome *out)
{
	struct bpfvm_test_run_opts opts = {
		.sz = sizeof(opts),
		.data_in = packet,
		.data_size_in = size,
		.data_out = out->packet,
		.data_size_out = sizeof(out->packet),
		.checked = checked,
	};

	memset(out, 0, sizeof(*out));
	out->err = bpfvm_prog_test_run(prog, &opts);
	out->retval = opts.retval;
	out->packet_size = opts.data_size_out;
	snprintf(out->message, sizeof(out->message), "%s", out->err ? bpfvm_errmsg() : "");
}

static bool map_is_comparable(const struct bpfvm_map_info *info)
{
	return info->type != BPF_MAP_TYPE_PROG_ARRAY && info->type != BPF_MAP_TYPE_RINGBUF &&
	       info->type != BPF_MAP_TYPE_ARRAY_OF_MAPS && info->key_size <= 64 &&
	       info->value_size <= 4096;
}

/* Every key of one map has the same value in the other, and they hold as
 * many keys (hash maps iterate in a per-map order). */
static void map_agrees(const char *test, struct bpfvm_map *fast, struct bpfvm_map *checked)
{
	uint8_t key[64], next[64], a[4096], b[4096];
	struct bpfvm_map_info info;
	unsigned count_a = 0, count_b = 0;
	void *prev = NULL;

	bpfvm_map_get_info(fast, &info);
	if (!map_is_comparable(&info))
		return;
	while (bpfvm_map_get_next_key(fast, prev, next) == 0) {
		memcpy(key, next, info.key_size);
		prev = key;
		count_a++;
		testlib_check(test, bpfvm_map_lookup(fast, key, a) == 0 &&
				    bpfvm_map_lookup(checked, key, b) == 0 &&
				    memcmp(a, b, info.value_size) == 0,
			      "map '%s': element %u differs", bpfvm_map_name(fast), count_a);
	}
	for (prev = NULL; bpfvm_map_get_next_key(checked, prev, next) == 0; prev = key) {
		memcpy(key, next, info.key_size);
		count_b++;
	}
	testlib_check(test, count_a == count_b, "map '%s': %u elements vs %u",
		      bpfvm_map_name(fast), count_a, count_b);
}

static void maps_agree(const char *test, struct bpfvm_object *fast, struct bpfvm_object *checked)
{
	for (size_t i = 0; bpfvm_object_map(fast, i); i++)
		map_agrees(test, bpfvm_object_map(fast, i), bpfvm_object_map(checked, i));
}

static struct bpfvm_object *open_loaded(const char *path)
{
	struct bpfvm_object *obj = NULL;

	if (bpfvm_object_open(vm, path, NULL, &obj) || bpfvm_object_load(obj)) {
		fprintf(stderr, "%s: %s\n", path, bpfvm_errmsg());
		exit(2);
	}
	return obj;
}

static void fill_packet(uint8_t *packet, uint32_t size, unsigned seed)
{
	for (uint32_t i = 0; i < size; i++)
		packet[i] = (uint8_t)(i * 31 + seed * 17 + (i >> 3));
}

static void legitimate_accesses_run_identically_in_both_modes(const char *path)
{
	const char *test = "legitimate_accesses_run_identically_in_both_modes";
	static const char *const progs[] = { "ctx_and_packet", "stack_frames", "map_values",
					     "ringbuf_and_adjust", "map_in_map", "callbacks",
					     "tail_entry", "tail_target" };
	static const uint32_t sizes[] = { 14, 15, 64, 200 };
	struct bpfvm_object *fast = open_loaded(path), *checked = open_loaded(path);
	struct outcome a, b;
	uint8_t packet[256];

	for (size_t p = 0; p < sizeof(progs) / sizeof(progs[0]); p++) {
		for (unsigned s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
			fill_packet(packet, sizes[s], s + (unsigned)p);
			run_once(bpfvm_object_find_prog(fast, progs[p]), packet, sizes[s], false, &a);
			run_once(bpfvm_object_find_prog(checked, progs[p]), packet, sizes[s], true,
				 &b);
			testlib_check(test, a.err == 0 && b.err == 0,
				      "%s, %u bytes: errors %d / %d (%s%s)", progs[p], sizes[s],
				      a.err, b.err, a.message, b.message);
			testlib_check(test, a.retval == b.retval, "%s, %u bytes: r0 %u vs %u",
				      progs[p], sizes[s], a.retval, b.retval);
			testlib_check(test, a.packet_size == b.packet_size &&
					    memcmp(a.packet, b.packet, a.packet_size) == 0,
				      "%s, %u bytes: packets differ", progs[p], sizes[s]);
		}
	}
	maps_agree(test, fast, checked);
	bpfvm_object_close(fast);
	bpfvm_object_close(checked);
}

/* ---- accesses out of each region trap ---------------------------------- */

/* The runtime context of XDP (progtypes/xdp.h), which programs loaded past
 * the verifier see unrewritten: data at +0, data_end at +8, 48 bytes. */
#define XDP_CTX_SIZE "48"

static struct bpfvm_map *map_create(enum bpf_map_type type, const char *name, uint32_t key_size,
				    uint32_t value_size, uint32_t max_entries, uint32_t flags)
{
	struct bpfvm_map_create_opts opts = { .sz = sizeof(opts), .map_flags = flags };
	struct bpfvm_map *map = NULL;

	if (bpfvm_map_create(vm, type, name, key_size, value_size, max_entries, &opts, &map)) {
		fprintf(stderr, "map %s: %s\n", name, bpfvm_errmsg());
		exit(2);
	}
	return map;
}

static struct bpfvm_prog *load_unverified(const char *name, const char *text,
					  struct bpfvm_map *const *maps, uint32_t map_cnt)
{
	struct bpfvm_prog *prog = NULL;

	if (checked_load_asm(vm, name, BPF_PROG_TYPE_XDP, text, maps, map_cnt, false, &prog)) {
		fprintf(stderr, "%s: %s\n", name, bpfvm_errmsg());
		exit(2);
	}
	return prog;
}

/* Runs prog checked over a 64-byte packet and expects a trap whose message
 * contains every one of `parts` (NULL-terminated). */
static void expect_trap(const char *test, struct bpfvm_prog *prog, const char *const *parts)
{
	uint8_t packet[64];
	struct outcome out;

	fill_packet(packet, sizeof(packet), 1);
	run_once(prog, packet, sizeof(packet), true, &out);
	testlib_check(test, out.err == -EFAULT, "error %d, want -EFAULT (%s)", out.err,
		      out.message);
	for (; *parts; parts++)
		testlib_check(test, strstr(out.message, *parts) != NULL,
			      "message '%s' lacks '%s'", out.message, *parts);
}

static void read_past_the_context_traps(void)
{
	struct bpfvm_prog *prog = load_unverified("past_ctx", "r0 = *(u64 *)(r1 +64)\nexit\n",
						  NULL, 0);

	expect_trap("read_past_the_context_traps", prog, (const char *const[]){
		"past_ctx: insn 0: checked mode trap: read of 8 bytes at 0x",
		"nearest: context of " XDP_CTX_SIZE " bytes", "(access at offset 64)", NULL });
	checked_prog_free(prog);
}

static void read_past_the_packet_end_traps(void)
{
	struct bpfvm_prog *prog = load_unverified("past_packet",
						  "r2 = *(u64 *)(r1 +0)\n"
						  "r0 = *(u32 *)(r2 +62)\n"
						  "exit\n", NULL, 0);

	expect_trap("read_past_the_packet_end_traps", prog, (const char *const[]){
		"past_packet: insn 1: checked mode trap: read of 4 bytes",
		"nearest: packet of 64 bytes", "(access at offset 62)", NULL });
	checked_prog_free(prog);
}

static void read_above_the_stack_frame_traps(void)
{
	struct bpfvm_prog *prog = load_unverified("above_frame",
						  "r3 = 8\n"
						  "r2 = r10\n"
						  /* an offset the static depth pass does not
						   * follow: unverified, the frame is the 0
						   * bytes it tracked (verified, the proof's) */
						  "r2 += r3\n"
						  "r0 = *(u64 *)(r2 +0)\n"
						  "exit\n", NULL, 0);

	expect_trap("read_above_the_stack_frame_traps", prog, (const char *const[]){
		"above_frame: insn 3: checked mode trap: read of 8 bytes",
		"nearest: stack frame of 0 bytes", "(access at offset 8)", NULL });
	checked_prog_free(prog);
}

static const char lookup_values_0[] =
	"*(u32 *)(r10 -4) = 0\n"
	"r1 = map[idx:0]\n"
	"r2 = r10\n"
	"r2 += -4\n"
	"call 1\n"
	"if r0 == 0x0 goto out\n";

static void read_past_a_map_value_traps(void)
{
	struct bpfvm_map *values = map_create(BPF_MAP_TYPE_ARRAY, "values", 4, 16, 2, 0);
	char text[512];
	struct bpfvm_prog *prog;

	snprintf(text, sizeof(text), "%sr0 = *(u64 *)(r0 +16)\nout:\nexit\n", lookup_values_0);
	prog = load_unverified("past_value", text, &values, 1);
	expect_trap("read_past_a_map_value_traps", prog, (const char *const[]){
		"past_value: insn 7: checked mode trap: read of 8 bytes",
		"nearest: map value of 'values' of 16 bytes", "(access at offset 16)", NULL });
	checked_prog_free(prog);
	bpfvm_map_close(values);
}

static void helper_reading_past_the_stack_traps(void)
{
	struct bpfvm_map *values = map_create(BPF_MAP_TYPE_ARRAY, "values", 4, 16, 2, 0);
	struct bpfvm_prog *prog = load_unverified("helper_value",
						  "*(u32 *)(r10 -4) = 0\n"
						  "r1 = map[idx:0]\n"
						  "r2 = r10\n"
						  "r2 += -4\n"
						  "r3 = r10\n"
						  "r3 += -4\n"  /* 16 bytes from a 4-byte slot */
						  "r4 = 0\n"
						  "call 2\n"	/* bpf_map_update_elem */
						  "exit\n", &values, 1);

	expect_trap("helper_reading_past_the_stack_traps", prog, (const char *const[]){
		"helper_value: insn 8: checked mode trap: bpf_map_update_elem arg3 of 16 bytes",
		"nearest: stack frame of 16 bytes", "(access at offset 12)", NULL });
	checked_prog_free(prog);
	bpfvm_map_close(values);
}

static void ring_buffer_records_trap_past_their_end_and_after_submit(void)
{
	const char *test = "ring_buffer_records_trap_past_their_end_and_after_submit";
	struct bpfvm_map *rb = map_create(BPF_MAP_TYPE_RINGBUF, "events", 0, 0, 4096, 0);
	static const char reserve[] =
		"r1 = map[idx:0]\n"
		"r2 = 8\n"
		"r3 = 0\n"
		"call 131\n" /* bpf_ringbuf_reserve */
		"if r0 == 0x0 goto out\n"
		"r6 = r0\n";
	char text[512];
	struct bpfvm_prog *prog;

	snprintf(text, sizeof(text), "%s*(u64 *)(r6 +8) = 1\nout:\nr0 = 0\nexit\n", reserve);
	prog = load_unverified("past_record", text, &rb, 1);
	expect_trap(test, prog, (const char *const[]){
		"past_record: insn 7: checked mode trap: write of 8 bytes",
		"nearest: ring buffer record of 'events' of 8 bytes", "(access at offset 8)",
		NULL });
	checked_prog_free(prog);

	snprintf(text, sizeof(text),
		 "%sr1 = r6\nr2 = 0\ncall 132\n*(u64 *)(r6 +0) = 1\nout:\nr0 = 0\nexit\n",
		 reserve);
	prog = load_unverified("after_submit", text, &rb, 1);
	expect_trap(test, prog, (const char *const[]){
		"after_submit: insn 10: checked mode trap: write of 8 bytes", NULL });
	checked_prog_free(prog);

	snprintf(text, sizeof(text), "%sout:\nr0 = 0\nexit\n", reserve);
	prog = load_unverified("leaked_record", text, &rb, 1);
	expect_trap(test, prog, (const char *const[]){
		"leaked_record: insn 8: checked mode trap: the run ends with the ring buffer record",
		"neither submitted nor discarded", NULL });
	checked_prog_free(prog);
	bpfvm_map_close(rb);
}

static void writes_to_read_only_map_values_trap(void)
{
	struct bpfvm_map *rodata = map_create(BPF_MAP_TYPE_ARRAY, "rodata", 4, 8, 1,
					      BPF_F_RDONLY_PROG);
	struct bpfvm_prog *prog = load_unverified("write_rodata",
						  "r1 = map[idx:0]+0\n"
						  "r0 = *(u32 *)(r1 +0)\n" /* reading is fine */
						  "*(u32 *)(r1 +4) = 7\n"
						  "exit\n", &rodata, 1);

	expect_trap("writes_to_read_only_map_values_trap", prog, (const char *const[]){
		"write_rodata: insn 3: checked mode trap: write of 4 bytes",
		"the map value of 'rodata' is read-only", NULL });
	checked_prog_free(prog);
	bpfvm_map_close(rodata);
}

/* SEMANTICS.md, tail calls: the target runs in checked mode too. */
static void tail_call_targets_run_checked(void)
{
	const char *test = "tail_call_targets_run_checked";
	struct bpfvm_map *jumps = map_create(BPF_MAP_TYPE_PROG_ARRAY, "jumps", 4, 4, 1, 0);
	struct bpfvm_prog *entry = NULL, *target;
	uint32_t key = 0, id;
	int err;

	err = checked_load_asm(vm, "entry", BPF_PROG_TYPE_XDP,
			       "r2 = map[idx:0]\n"
			       "r3 = 0\n"
			       "call 12\n"
			       "r0 = 2\n"
			       "exit\n", &jumps, 1, true, &entry);
	testlib_check(test, err == 0, "entry refused: %s", bpfvm_errmsg());
	target = load_unverified("target", "r0 = *(u64 *)(r1 +64)\nexit\n", NULL, 0);
	id = checked_prog_id(target);
	err = bpfvm_map_update(jumps, &key, &id, BPF_ANY);
	testlib_check(test, err == 0, "cannot fill the slot: %s", bpfvm_errmsg());
	if (entry && !err)
		expect_trap(test, entry, (const char *const[]){
			"target: insn 0: checked mode trap: read of 8 bytes",
			"nearest: context", NULL });
	bpfvm_map_close(jumps);
	checked_prog_free(entry);
	checked_prog_free(target);
}

/* A callback handed a pointer into its caller's frame may reach deeper
 * than the caller itself does (here fp-32 of a caller that touches 16
 * bytes): the verifier sizes the caller's frame by what the exploration saw
 * (found by the soundness fuzzer, which trapped here in checked mode). */
static void callback_reaching_into_its_callers_frame_runs_checked(void)
{
	const char *test = "callback_reaching_into_its_callers_frame_runs_checked";
	struct bpfvm_prog *prog = NULL;
	uint8_t packet[64];
	struct outcome out;
	int err = checked_load_asm(vm, "deep_cb", BPF_PROG_TYPE_XDP,
				   "r2 = 0\n"
				   "*(u64 *)(r10 -16) = r2\n"
				   "r1 = 1\n"
				   "r2 = subprog[cb]\n"
				   "r3 = r10\n"
				   "r3 += -16\n"
				   "r4 = 0\n"
				   "call 181\n"
				   "r0 = *(u64 *)(r10 -16)\n"
				   "exit\n"
				   "cb:\n"
				   "r3 = *(u64 *)(r2 -16)\n"
				   "*(u64 *)(r2 +0) = r3\n"
				   "r0 = 0\n"
				   "exit\n", NULL, 0, true, &prog);

	testlib_check(test, err == 0, "refused: %s", bpfvm_errmsg());
	if (err)
		return;
	testlib_check(test, prog->subprogs[0].stack_depth >= 32, "caller's frame of %u bytes",
		      prog->subprogs[0].stack_depth);
	fill_packet(packet, sizeof(packet), 1);
	run_once(prog, packet, sizeof(packet), true, &out);
	testlib_check(test, out.err == 0, "error %d (%s)", out.err, out.message);
	checked_prog_free(prog);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s checked_regions.bpf.o\n", argv[0]);
		return 2;
	}
	vm = testlib_vm_create();
	legitimate_accesses_run_identically_in_both_modes(argv[1]);
	read_past_the_context_traps();
	read_past_the_packet_end_traps();
	read_above_the_stack_frame_traps();
	read_past_a_map_value_traps();
	helper_reading_past_the_stack_traps();
	ring_buffer_records_trap_past_their_end_and_after_submit();
	writes_to_read_only_map_values_trap();
	tail_call_targets_run_checked();
	callback_reaching_into_its_callers_frame_runs_checked();
	bpfvm_destroy(vm);
	return testlib_summary();
}
