/* The built-in helpers, called by programs: raw-mode programs assembled with
 * bpfvm_asm_parse (the helpers whose families include HELPER_FAMILY_ANY or
 * HELPER_FAMILY_RAW). A program finds its inputs (map handles, strings) in
 * its memory buffer, r1. Maps of other families are a small stand-in map
 * here (the map helpers only call the ops), ringbuf and perf event arrays
 * are the real ones. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include "bpfvm/bpfvm.h"
#include "core/runtime.h"
#include "helpers/helper_proto.h"
#include "helpers/helper_table.h"
#include "isa/helper_names.h"
#include "maps/map.h"
#include "maps/ringbuf.h"
#include "engine/prog.h"
#include "testlib.h"
#include "verifier/checked_testlib.h"

static struct bpfvm *vm;

/* Assembles the printf-formatted program and loads it as a raw program,
 * past the verifier (checked_testlib.h, test-only): these programs test the
 * helpers themselves, with fake maps read from memory that no verified
 * program could hold. ctx_size: the bytes of memory runs pass in r1. */
static struct bpfvm_prog *load_text(uint64_t budget, uint32_t ctx_size, const char *fmt, ...)
{
	struct bpf_insn *insns = NULL;
	struct bpfvm_prog *prog = NULL;
	char text[4096];
	size_t insn_cnt;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (bpfvm_asm_parse(text, &insns, &insn_cnt) ||
	    checked_load_insns(vm, "prog", BPFVM_PROG_TYPE_RAW, insns, insn_cnt, NULL, 0, false,
			       &prog)) {
		fprintf(stderr, "cannot load:\n%s\n%s\n", text, bpfvm_errmsg());
		exit(2);
	}
	if (budget)
		prog->insn_budget = budget;
	prog->raw_ctx_size = ctx_size;
	free(insns);
	return prog;
}

/* Runs a program once over mem; returns r0 (exits if the run fails). */
static uint64_t run(struct bpfvm_prog *prog, void *mem, size_t len)
{
	uint64_t r0 = 0;
	int err = bpfvm_prog_run_raw(prog, mem, len, &r0);

	if (err) {
		fprintf(stderr, "run failed: %d %s\n", err, bpfvm_errmsg());
		exit(2);
	}
	return r0;
}

static uint64_t clock_now(clockid_t clock)
{
	struct timespec now;

	clock_gettime(clock, &now);
	return (uint64_t)now.tv_sec * 1000000000ull + (uint64_t)now.tv_nsec;
}

/* ---- the table ------------------------------------------------------------ */

static const uint32_t builtin_ids[] = { 1, 2, 3, 5, 6, 7, 8, 12, 14, 15, 16, 25, 42, 87, 88, 89,
					93, 94, 105, 106, 118, 125, 130, 131, 132, 133, 134, 160,
					164, 165, 177, 181, 182, 195, 208 };

static uint64_t helper_user(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5)
{
	return 7;
}

static void test_table(void)
{
	int bad_name = 0, bad_entry = 0;
	struct bpfvm *other;

	for (size_t i = 0; i < sizeof(builtin_ids) / sizeof(builtin_ids[0]); i++) {
		const struct helper_proto *proto = helper_builtin_proto(builtin_ids[i]);
		const struct helper_entry *entry = helper_table_find(&vm->helpers, builtin_ids[i]);

		if (!proto || strcmp(proto->name, isa_helper_name(builtin_ids[i]))) {
			fprintf(stderr, "  helper %u: name %s\n", builtin_ids[i],
				proto ? proto->name : "(none)");
			bad_name++;
		}
		bad_entry += !entry || entry->proto != proto || !entry->fn ||
			     strcmp(entry->name, proto ? proto->name : "");
	}
	testlib_check("every_builtin_has_the_kernel_name_of_its_id", !bad_name, "%d wrong",
		      bad_name);
	testlib_check("a_new_runtime_registers_every_builtin_with_its_prototype", !bad_entry,
		      "%d wrong", bad_entry);
	/* Regression: a weak reference to the packet helpers' table did not
	 * pull their file out of the static library. */
	testlib_check("packet_helpers_are_registered_too",
		      helper_table_find(&vm->helpers, BPF_FUNC_skb_load_bytes) &&
			      helper_builtin_proto(BPF_FUNC_skb_load_bytes),
		      "bpf_skb_load_bytes missing");
	testlib_check("unknown_helper_has_no_builtin_prototype", !helper_builtin_proto(9999),
		      "found one");
	testlib_check("tail_call_is_an_engine_builtin",
		      helper_builtin_proto(BPF_FUNC_tail_call)->engine_builtin &&
			      helper_builtin_proto(BPF_FUNC_tail_call)->ret == RET_VOID,
		      "flags wrong");
	testlib_check("trace_printk_and_perf_event_output_are_gpl_only",
		      helper_builtin_proto(6)->gpl_only && helper_builtin_proto(25)->gpl_only &&
			      !helper_builtin_proto(1)->gpl_only,
		      "flags wrong");
	testlib_check("ringbuf_reserve_returns_ringbuf_memory",
		      helper_builtin_proto(131)->ret == RET_PTR_TO_RINGBUF_MEM_OR_NULL &&
			      helper_builtin_proto(131)->args[1] == ARG_CONST_ALLOC_SIZE_OR_ZERO,
		      "prototype wrong");
	bpfvm_create(NULL, &other);
	bpfvm_helper_register(other, 5, "mine", helper_user);
	testlib_check("user_registered_helper_replaces_the_builtin_without_prototype",
		      helper_table_find(&other->helpers, 5)->proto == NULL &&
			      helper_table_find(&other->helpers, 5)->fn == helper_user,
		      "entry kept the prototype");
	bpfvm_destroy(other);
}

/* ---- clocks, random numbers, the CPU -------------------------------------- */

static void test_clocks(void)
{
	struct bpfvm_prog *prog = load_text(0, sizeof(uint64_t[5]), "r6 = r1\n"
					       "call 5\n *(u64 *)(r6 +0) = r0\n"
					       "call 125\n *(u64 *)(r6 +8) = r0\n"
					       "call 160\n *(u64 *)(r6 +16) = r0\n"
					       "call 208\n *(u64 *)(r6 +24) = r0\n"
					       "call 118\n *(u64 *)(r6 +32) = r0\n"
					       "r0 = 0\n exit\n");
	const clockid_t clocks[4] = { CLOCK_MONOTONIC, CLOCK_BOOTTIME, CLOCK_MONOTONIC_COARSE,
				      CLOCK_TAI };
	const char *names[4] = { "ktime_get_ns_reads_clock_monotonic",
				 "ktime_get_boot_ns_reads_clock_boottime",
				 "ktime_get_coarse_ns_reads_clock_monotonic_coarse",
				 "ktime_get_tai_ns_reads_clock_tai" };
	uint64_t before[4], after[4], mem[5], jiffies_expected;

	for (int i = 0; i < 4; i++)
		before[i] = clock_now(clocks[i]);
	run(prog, mem, sizeof(mem));
	for (int i = 0; i < 4; i++)
		after[i] = clock_now(clocks[i]);
	for (int i = 0; i < 4; i++)
		testlib_check(names[i], before[i] <= mem[i] && mem[i] <= after[i],
			      "%llu not in [%llu, %llu]", (unsigned long long)mem[i],
			      (unsigned long long)before[i], (unsigned long long)after[i]);
	jiffies_expected = 0xfffb6c20ull + after[2] / 1000000;
	testlib_check("jiffies64_counts_milliseconds_from_initial_jiffies",
		      mem[4] + 2 >= jiffies_expected && mem[4] <= jiffies_expected,
		      "%llu, expected about %llu", (unsigned long long)mem[4],
		      (unsigned long long)jiffies_expected);
	checked_prog_free(prog);
}

static void test_random_and_cpu(void)
{
	struct bpfvm_prog *prog = load_text(0, sizeof(uint64_t[16]), "r6 = r1\n r7 = 0\n"
					       "loop:\n call 7\n r1 = r6\n r1 += r7\n"
					       "*(u64 *)(r1 +0) = r0\n r7 += 8\n"
					       "if r7 < 128 goto loop\n"
					       "call 8\n r7 = r0\n call 42\n r0 <<= 32\n r0 |= r7\n"
					       "exit\n");
	uint64_t mem[16], r0;
	int distinct = 0, wide = 0;

	r0 = run(prog, mem, sizeof(mem));
	for (int i = 0; i < 16; i++) {
		wide += mem[i] > UINT32_MAX;
		distinct += i && mem[i] != mem[i - 1];
	}
	testlib_check("get_prandom_u32_gives_32_bit_values_that_change", !wide && distinct >= 14,
		      "%d above 32 bits, %d changes in 16", wide, distinct);
	testlib_check("raw_run_is_on_cpu_0_and_numa_node_0", r0 == 0, "r0 0x%llx",
		      (unsigned long long)r0);
	checked_prog_free(prog);
}

/* ---- the calling thread ---------------------------------------------------- */

struct current_result {
	uint64_t pid_tgid, uid_gid;
	uint64_t tid, pid;
	char comm[16], comm4[8];
	uint64_t comm_ret;
};

static void *run_current(void *arg)
{
	struct current_result *result = arg;
	struct bpfvm_prog *prog = load_text(0, 72, "r6 = r1\n"
					       "call 14\n *(u64 *)(r6 +0) = r0\n"
					       "call 15\n *(u64 *)(r6 +8) = r0\n"
					       "r1 = r6\n r1 += 32\n r2 = 16\n call 16\n"
					       "*(u64 *)(r6 +64) = r0\n"
					       "r1 = r6\n r1 += 48\n r2 = 4\n call 16\n exit\n");
	uint8_t mem[72];

	prctl(PR_SET_NAME, "helper-thread", 0, 0, 0);
	memset(mem, 0x55, sizeof(mem));
	run(prog, mem, sizeof(mem));
	memcpy(&result->pid_tgid, mem, 8);
	memcpy(&result->uid_gid, mem + 8, 8);
	memcpy(result->comm, mem + 32, 16);
	memcpy(result->comm4, mem + 48, 8);
	memcpy(&result->comm_ret, mem + 64, 8);
	result->tid = (uint64_t)gettid();
	result->pid = (uint64_t)getpid();
	checked_prog_free(prog);
	return NULL;
}

static void test_current(void)
{
	struct current_result main_result, thread_result;
	pthread_t thread;

	run_current(&main_result);
	pthread_create(&thread, NULL, run_current, &thread_result);
	pthread_join(thread, NULL);
	testlib_check("get_current_pid_tgid_is_the_process_and_thread_id",
		      main_result.pid_tgid == (main_result.pid << 32 | main_result.tid),
		      "0x%llx", (unsigned long long)main_result.pid_tgid);
	testlib_check("get_current_pid_tgid_differs_per_thread",
		      thread_result.pid_tgid == (thread_result.pid << 32 | thread_result.tid) &&
			      thread_result.tid != main_result.tid,
		      "0x%llx", (unsigned long long)thread_result.pid_tgid);
	testlib_check("get_current_uid_gid_is_the_process_ids",
		      main_result.uid_gid == ((uint64_t)getgid() << 32 | getuid()), "0x%llx",
		      (unsigned long long)main_result.uid_gid);
	testlib_check("get_current_comm_is_the_thread_name_nul_padded",
		      !memcmp(main_result.comm, "helper-thread\0\0\0", 16) && !main_result.comm_ret,
		      "\"%.16s\"", main_result.comm);
	testlib_check("get_current_comm_cuts_to_size_minus_1",
		      !memcmp(main_result.comm4, "hel\0\x55", 5), "\"%.8s\"", main_result.comm4);
}

/* ---- spin lock -------------------------------------------------------------- */

#define LOCK_RUNS 20000

struct locked_counter {
	uint64_t counter; /* bytes 0..7 */
	uint32_t lock;	  /* bytes 8..11: struct bpf_spin_lock */
	uint32_t pad;
};

static struct bpfvm_prog *lock_prog;

static void *lock_worker(void *arg)
{
	for (int i = 0; i < LOCK_RUNS; i++)
		run(lock_prog, arg, sizeof(struct locked_counter));
	return NULL;
}

/* Two threads increment a counter in shared memory under bpf_spin_lock: a
 * non-atomic read-modify-write loses no update. */
static void test_spin_lock(void)
{
	struct locked_counter shared = { 0 };
	pthread_t threads[2];

	lock_prog = load_text(0, sizeof(struct locked_counter), "r6 = r1\n r1 += 8\n call 93\n"
				 "r2 = *(u64 *)(r6 +0)\n r2 += 1\n *(u64 *)(r6 +0) = r2\n"
				 "r1 = r6\n r1 += 8\n call 94\n r0 = 0\n exit\n");
	for (int t = 0; t < 2; t++)
		pthread_create(&threads[t], NULL, lock_worker, &shared);
	for (int t = 0; t < 2; t++)
		pthread_join(threads[t], NULL);
	testlib_check("spin_lock_makes_read_modify_write_exclusive",
		      shared.counter == 2 * LOCK_RUNS && shared.lock == 0, "counter %llu, lock %u",
		      (unsigned long long)shared.counter, shared.lock);
	checked_prog_free(lock_prog);
}

/* ---- strings ------------------------------------------------------------------ */

/* strncmp(mem + 0, size, mem + 64). */
static int64_t strncmp_run(const char *s1, uint32_t size, const char *s2)
{
	struct bpfvm_prog *prog = load_text(0, 128, "r3 = r1\n r3 += 64\n r2 = %u\n call 182\n exit\n",
					    size);
	char mem[128] = { 0 };
	int64_t r0;

	memcpy(mem, s1, strlen(s1));
	memcpy(mem + 64, s2, strlen(s2) + 1);
	r0 = (int64_t)run(prog, mem, sizeof(mem));
	checked_prog_free(prog);
	return r0;
}

static void test_strncmp(void)
{
	testlib_check("strncmp_equal_strings_is_0", strncmp_run("abc", 4, "abc") == 0, "nonzero");
	testlib_check("strncmp_is_minus_1_when_s1_sorts_first", strncmp_run("abc", 4, "abd") == -1,
		      "%lld", (long long)strncmp_run("abc", 4, "abd"));
	testlib_check("strncmp_is_1_when_s1_sorts_after", strncmp_run("abz", 4, "abd") == 1,
		      "not 1");
	testlib_check("strncmp_compares_only_s1_size_bytes", strncmp_run("abz", 2, "abd") == 0,
		      "nonzero");
	testlib_check("strncmp_s2_shorter_is_1", strncmp_run("abc", 4, "ab") == 1, "not 1");
}

/* strtol / strtoul(mem + 0, len, flags, mem + 64): r0 and *res. */
static int64_t strtox_run(uint32_t id, const char *text, uint32_t len, uint64_t flags,
			  int64_t *res)
{
	struct bpfvm_prog *prog = load_text(0, 72,
					    "r4 = r1\n r4 += 64\n r2 = %u\n r3 = %llu ll\n"
					    "call %u\n exit\n",
					    len, (unsigned long long)flags, id);
	char mem[72];
	int64_t r0;

	memset(mem, 0x7f, sizeof(mem));
	memcpy(mem, text, strlen(text));
	r0 = (int64_t)run(prog, mem, sizeof(mem));
	memcpy(res, mem + 64, 8);
	checked_prog_free(prog);
	return r0;
}

static void expect_strtox(const char *test, uint32_t id, const char *text, uint64_t flags,
			  int64_t want_r0, int64_t want_res)
{
	int64_t res, r0 = strtox_run(id, text, (uint32_t)strlen(text), flags, &res);

	testlib_check(test, r0 == want_r0 && res == want_res,
		      "\"%s\" base %llu: r0 %lld res %lld, want %lld %lld", text,
		      (unsigned long long)flags, (long long)r0, (long long)res, (long long)want_r0,
		      (long long)want_res);
}

static void test_strtox(void)
{
	expect_strtox("strtol_base_0_reads_hex_after_spaces_and_sign", BPF_FUNC_strtol,
		      "  -0x1f,", 0, 7, -31);
	expect_strtox("strtol_base_0_reads_octal", BPF_FUNC_strtol, "017", 0, 3, 15);
	expect_strtox("strtol_stops_at_the_first_non_digit", BPF_FUNC_strtol, "123abc", 10, 3, 123);
	expect_strtox("strtol_base_16_accepts_0x", BPF_FUNC_strtol, "0xff", 16, 4, 255);
	expect_strtox("strtol_without_digits_is_einval_and_clears_res", BPF_FUNC_strtol, "xyz", 10,
		      -EINVAL, 0);
	expect_strtox("strtol_base_7_is_einval", BPF_FUNC_strtol, "12", 7, -EINVAL, 0);
	expect_strtox("strtol_unknown_flag_bits_are_einval", BPF_FUNC_strtol, "12", 0x20 | 10,
		      -EINVAL, 0);
	expect_strtox("strtol_above_long_max_is_erange", BPF_FUNC_strtol, "9223372036854775808",
		      10, -ERANGE, 0);
	expect_strtox("strtol_reads_long_min", BPF_FUNC_strtol, "-9223372036854775808", 10, 20,
		      INT64_MIN);
	expect_strtox("strtol_overflowing_u64_is_erange", BPF_FUNC_strtol, "99999999999999999999",
		      10, -ERANGE, 0);
	expect_strtox("strtoul_reads_u64_max", BPF_FUNC_strtoul, "18446744073709551615", 10, 20,
		      -1);
	expect_strtox("strtoul_of_a_negative_number_is_einval", BPF_FUNC_strtoul, "-1", 10,
		      -EINVAL, 0);
	expect_strtox("strtol_of_only_spaces_is_einval", BPF_FUNC_strtol, "   ", 10, -EINVAL, 0);
}

/* ---- printk and snprintf ---------------------------------------------------------- */

/* Runs trace_printk(mem + 0, fmt size, mem[16], mem[17], mem[18]). */
static int64_t printk_run(const char *fmt, uint64_t a, uint64_t b, uint64_t c)
{
	struct bpfvm_prog *prog =
		load_text(0, sizeof(uint64_t[19]), "r6 = r1\n r2 = %zu\n r3 = *(u64 *)(r6 +128)\n"
			     "r4 = *(u64 *)(r6 +136)\n r5 = *(u64 *)(r6 +144)\n call 6\n exit\n",
			  strlen(fmt) + 1);
	uint64_t mem[19] = { 0 };
	int64_t r0;

	memcpy(mem, fmt, strlen(fmt) + 1);
	mem[16] = a;
	mem[17] = b;
	mem[18] = c;
	r0 = (int64_t)run(prog, mem, sizeof(mem));
	checked_prog_free(prog);
	return r0;
}

static void test_trace_printk(void)
{
	char lines[4096], *event;
	int64_t r0;
	long len;

	bpfvm_trace_pipe_read(vm, lines, sizeof(lines));
	r0 = printk_run("hello %d %s", 42, (uint64_t)(uintptr_t)"world", 0);
	testlib_check("trace_printk_returns_the_bytes_written", r0 == 14, "r0 %lld", (long long)r0);
	len = bpfvm_trace_pipe_read(vm, lines, sizeof(lines));
	event = strstr(lines, " [000] ..... ");
	testlib_check("trace_printk_writes_one_kernel_format_line_to_the_pipe",
		      len > 0 && event && strstr(lines, ": bpf_trace_printk: hello 42 world\n") &&
			      !strchr(lines, '\n')[1],
		      "pipe \"%s\"", lines);
	r0 = printk_run("%d %d %d %d", 1, 2, 3);
	testlib_check("trace_printk_with_4_conversions_is_einval", r0 == -EINVAL, "r0 %lld",
		      (long long)r0);
	r0 = printk_run("bad %q", 1, 2, 3);
	len = bpfvm_trace_pipe_read(vm, lines, sizeof(lines));
	testlib_check("invalid_format_is_einval_and_prints_nothing", r0 == -EINVAL && len == 0,
		      "r0 %lld, pipe \"%s\"", (long long)r0, lines);
	len = bpfvm_trace_pipe_read(NULL, lines, sizeof(lines));
	testlib_check("trace_pipe_read_without_a_runtime_is_einval", len == -EINVAL &&
		      strstr(bpfvm_errmsg(), "bpfvm_trace_pipe_read"), "got %ld", len);
}

/* vprintk(mem + 0, size, mem + 128, data_len) and snprintf(mem + 64, 16,
 * mem + 0, mem + 128, data_len). */
static void test_vprintk_and_snprintf(void)
{
	static const char fmt[] = "%d-%d-%d-%d-%s";
	struct bpfvm_prog *vprintk =
		load_text(0, sizeof(uint64_t[24]), "r2 = %zu\n r3 = r1\n r3 += 128\n r4 = 40\n call 177\n exit\n",
			  sizeof(fmt));
	struct bpfvm_prog *snprintf_prog =
		load_text(0, sizeof(uint64_t[24]), "r3 = r1\n r4 = r1\n r4 += 128\n r1 += 64\n r2 = 16\n r5 = 40\n"
			     "call 165\n exit\n");
	struct bpfvm_prog *bad_len =
		load_text(0, sizeof(uint64_t[24]), "r3 = r1\n r4 = r1\n r4 += 128\n r1 += 64\n r2 = 16\n r5 = 12\n"
			     "call 165\n exit\n");
	uint64_t mem[24] = { 0 };
	char lines[1024];
	int64_t r0;

	memcpy(mem, fmt, sizeof(fmt));
	mem[16] = 1;
	mem[17] = 2;
	mem[18] = 3;
	mem[19] = 4;
	mem[20] = (uint64_t)(uintptr_t)"five";
	bpfvm_trace_pipe_read(vm, lines, sizeof(lines));
	r0 = (int64_t)run(vprintk, mem, sizeof(mem));
	bpfvm_trace_pipe_read(vm, lines, sizeof(lines));
	testlib_check("trace_vprintk_takes_more_than_3_arguments",
		      r0 == 12 && strstr(lines, "bpf_trace_printk: 1-2-3-4-five\n"), "r0 %lld \"%s\"",
		      (long long)r0, lines);
	r0 = (int64_t)run(snprintf_prog, mem, sizeof(mem));
	testlib_check("snprintf_returns_the_length_with_its_nul",
		      r0 == 13 && !strcmp((char *)mem + 64, "1-2-3-4-five"), "r0 %lld \"%s\"",
		      (long long)r0, (char *)mem + 64);
	memcpy(mem, "%d%d%d%d and more text", 23);
	r0 = (int64_t)run(snprintf_prog, mem, sizeof(mem));
	testlib_check("snprintf_cuts_to_the_buffer_and_returns_the_full_length", r0 == 19 &&
		      !strcmp((char *)mem + 64, "1234 and more t"), "r0 %lld \"%s\"", (long long)r0,
		      (char *)mem + 64);
	r0 = (int64_t)run(bad_len, mem, sizeof(mem));
	testlib_check("snprintf_data_len_not_a_multiple_of_8_is_einval", r0 == -EINVAL, "r0 %lld",
		      (long long)r0);
	checked_prog_free(vprintk);
	checked_prog_free(snprintf_prog);
	checked_prog_free(bad_len);
}

/* ---- map helpers, on a stand-in map ------------------------------------------------ */

/* Four u64 values, a per-CPU copy of them for 4 CPUs, and a one-slot
 * queue. Records the CPU each operation saw. */
struct fake_map {
	struct bpfvm_map map;
	struct map_region region;
	uint64_t values[4];
	uint64_t percpu[4][4];
	uint64_t queue;
	int queued;
	uint32_t last_cpu;
	uint64_t last_flags;
};

static struct fake_map *fake_of(struct bpfvm_map *map)
{
	return (struct fake_map *)map;
}

static void *fake_lookup(struct bpfvm_map *map, const void *key, uint32_t cpu)
{
	uint32_t k = *(const uint32_t *)key;

	fake_of(map)->last_cpu = cpu;
	return k < 4 ? &fake_of(map)->values[k] : NULL;
}

static long fake_update(struct bpfvm_map *map, const void *key, const void *value,
			uint64_t flags, uint32_t cpu)
{
	uint32_t k = *(const uint32_t *)key;

	fake_of(map)->last_flags = flags;
	if (k >= 4)
		return -E2BIG;
	memcpy(&fake_of(map)->values[k], value, 8);
	return 0;
}

static long fake_delete(struct bpfvm_map *map, const void *key, uint32_t cpu)
{
	return -EINVAL;
}

static long fake_push(struct bpfvm_map *map, const void *value, uint64_t flags)
{
	if (fake_of(map)->queued)
		return -E2BIG;
	memcpy(&fake_of(map)->queue, value, 8);
	fake_of(map)->queued = 1;
	return 0;
}

static long fake_peek(struct bpfvm_map *map, void *value)
{
	if (!fake_of(map)->queued)
		return -ENOENT;
	memcpy(value, &fake_of(map)->queue, 8);
	return 0;
}

static long fake_pop(struct bpfvm_map *map, void *value)
{
	long err = fake_peek(map, value);

	fake_of(map)->queued = 0;
	return err;
}

static void *fake_lookup_percpu(struct bpfvm_map *map, const void *key, uint32_t cpu)
{
	uint32_t k = *(const uint32_t *)key;

	return k < 4 ? &fake_of(map)->percpu[cpu][k] : NULL;
}

static long fake_for_each(struct bpfvm_map *map, uint32_t cpu,
			  long (*cb)(struct bpfvm_map *map, void *key, void *value, void *cb_ctx),
			  void *cb_ctx)
{
	static uint32_t keys[4] = { 0, 1, 2, 3 };
	long visited = 0;

	for (int i = 0; i < 4; i++) {
		visited++;
		if (cb(map, &keys[i], &fake_of(map)->values[i], cb_ctx))
			break;
	}
	return visited;
}

static const struct map_ops fake_ops = {
	.bpf_lookup = fake_lookup,
	.bpf_update = fake_update,
	.bpf_delete = fake_delete,
	.bpf_push = fake_push,
	.bpf_pop = fake_pop,
	.bpf_peek = fake_peek,
	.bpf_lookup_percpu = fake_lookup_percpu,
	.bpf_for_each = fake_for_each,
};

static struct fake_map *fake_new(void)
{
	struct fake_map *fake = calloc(1, sizeof(*fake));

	fake->map.ops = &fake_ops;
	fake->map.region = &fake->region;
	fake->region.nr_cpus = 4;
	fake->region.key_size = 4;
	fake->region.value_size = 8;
	for (int i = 0; i < 4; i++) {
		fake->values[i] = 100 + (uint64_t)i;
		for (int cpu = 0; cpu < 4; cpu++)
			fake->percpu[cpu][i] = (uint64_t)(cpu * 10 + i);
	}
	return fake;
}

/* Memory of the map programs: map handle at 0, key at 8, value at 16,
 * argument at 24. */
struct map_mem {
	uint64_t map;
	uint32_t key, pad;
	uint64_t value;
	uint64_t arg;
};

static int64_t map_run(struct fake_map *fake, const char *body, uint32_t key, uint64_t value,
		       uint64_t arg, uint64_t *value_out)
{
	struct bpfvm_prog *prog = load_text(0, sizeof(struct map_mem),
					    "r6 = r1\n r1 = *(u64 *)(r6 +0)\n r2 = r6\n r2 += 8\n"
					    "%s",
					    body);
	struct map_mem mem = { (uint64_t)(uintptr_t)&fake->map, key, 0, value, arg };
	int64_t r0 = (int64_t)run(prog, &mem, sizeof(mem));

	if (value_out)
		*value_out = mem.value;
	checked_prog_free(prog);
	return r0;
}

static void test_map_helpers(void)
{
	static const char lookup[] = "call 1\n if r0 == 0 goto miss\n r0 = *(u64 *)(r0 +0)\n exit\n"
				     "miss:\n r0 = -1\n exit\n";
	static const char update[] = "r3 = r6\n r3 += 16\n r4 = *(u64 *)(r6 +24)\n call 2\n exit\n";
	static const char percpu[] = "r3 = *(u64 *)(r6 +24)\n call 195\n if r0 == 0 goto miss\n"
				     "r0 = *(u64 *)(r0 +0)\n exit\n miss:\n r0 = -1\n exit\n";
	struct fake_map *fake = fake_new();
	uint64_t value;
	int64_t r0;

	r0 = map_run(fake, lookup, 2, 0, 0, NULL);
	testlib_check("map_lookup_elem_returns_a_pointer_to_the_value", r0 == 102 &&
		      fake->last_cpu == 0, "r0 %lld", (long long)r0);
	r0 = map_run(fake, lookup, 9, 0, 0, NULL);
	testlib_check("map_lookup_elem_of_a_missing_key_is_null", r0 == -1, "r0 %lld",
		      (long long)r0);
	r0 = map_run(fake, update, 1, 555, BPF_EXIST, NULL);
	testlib_check("map_update_elem_passes_key_value_and_flags",
		      r0 == 0 && fake->values[1] == 555 && fake->last_flags == BPF_EXIST, "r0 %lld",
		      (long long)r0);
	r0 = map_run(fake, update, 7, 1, 0, NULL);
	testlib_check("map_update_elem_returns_the_maps_error", r0 == -E2BIG, "r0 %lld",
		      (long long)r0);
	r0 = map_run(fake, "call 3\n exit\n", 1, 0, 0, NULL);
	testlib_check("map_delete_elem_returns_the_maps_error", r0 == -EINVAL, "r0 %lld",
		      (long long)r0);
	r0 = map_run(fake, "r2 = r6\n r2 += 16\n r3 = 0\n call 87\n exit\n", 0, 77, 0, NULL);
	testlib_check("map_push_elem_pushes_the_value", r0 == 0 && fake->queue == 77, "r0 %lld",
		      (long long)r0);
	r0 = map_run(fake, "r2 = r6\n r2 += 16\n call 89\n exit\n", 0, 0, 0, &value);
	testlib_check("map_peek_elem_copies_without_removing", r0 == 0 && value == 77 &&
		      fake->queued, "r0 %lld value %llu", (long long)r0, (unsigned long long)value);
	r0 = map_run(fake, "r2 = r6\n r2 += 16\n call 88\n exit\n", 0, 0, 0, &value);
	testlib_check("map_pop_elem_copies_and_removes", r0 == 0 && value == 77 && !fake->queued,
		      "r0 %lld", (long long)r0);
	r0 = map_run(fake, "r2 = r6\n r2 += 16\n call 88\n exit\n", 0, 0, 0, &value);
	testlib_check("map_pop_elem_of_an_empty_queue_is_enoent", r0 == -ENOENT, "r0 %lld",
		      (long long)r0);
	r0 = map_run(fake, percpu, 3, 0, 2, NULL);
	testlib_check("map_lookup_percpu_elem_reads_another_cpus_value", r0 == 23, "r0 %lld",
		      (long long)r0);
	r0 = map_run(fake, percpu, 3, 0, 4, NULL);
	testlib_check("map_lookup_percpu_elem_of_a_cpu_beyond_the_map_is_null", r0 == -1,
		      "r0 %lld", (long long)r0);
	/* bpf_tail_call (12) is not a function: the engine switches programs
	 * itself, so it needs a real prog array (tests/object, tests/bpf). */
	/* The engines perform tail calls; the table's function only says so. */
	r0 = (int64_t)helper_builtin_proto(BPF_FUNC_tail_call)->fn(0, 0, 0, 0, 0);
	testlib_check("tail_call_function_is_never_a_real_call", r0 < 0, "r0 %lld", (long long)r0);
	free(fake);
}

/* ---- callbacks ------------------------------------------------------------------------ */

/* bpf_loop(nr, cb, ctx = mem, flags): cb adds its index to mem[0] and
 * stops (returns 1) at index `stop`. */
static int64_t loop_run(uint64_t nr_loops, uint64_t flags, int64_t stop, uint64_t *sum)
{
	struct bpfvm_prog *prog =
		load_text(0, sizeof(uint64_t), "r6 = r1\n r1 = %llu ll\n r2 = subprog[cb]\n r3 = r6\n r4 = %llu\n"
			     "call 181\n exit\n"
			     "cb:\n r3 = *(u64 *)(r2 +0)\n r3 += r1\n *(u64 *)(r2 +0) = r3\n"
			     "r0 = 0\n if r1 != %lld goto out\n r0 = 1\n out:\n exit\n",
			  (unsigned long long)nr_loops, (unsigned long long)flags, (long long)stop);
	uint64_t mem[1] = { 0 };
	int64_t r0 = (int64_t)run(prog, mem, sizeof(mem));

	*sum = mem[0];
	checked_prog_free(prog);
	return r0;
}

static void test_loop(void)
{
	struct bpfvm_prog *endless;
	uint64_t sum, r0 = 0;
	int64_t ret;
	int err;

	ret = loop_run(10, 0, -1, &sum);
	testlib_check("loop_calls_the_callback_nr_loops_times", ret == 10 && sum == 45,
		      "r0 %lld sum %llu", (long long)ret, (unsigned long long)sum);
	ret = loop_run(10, 0, 3, &sum);
	testlib_check("loop_stops_when_the_callback_returns_1", ret == 4 && sum == 6,
		      "r0 %lld sum %llu", (long long)ret, (unsigned long long)sum);
	ret = loop_run(0, 0, -1, &sum);
	testlib_check("loop_of_0_calls_nothing", ret == 0 && sum == 0, "r0 %lld", (long long)ret);
	ret = loop_run(1u << 23, 0, 0, &sum);
	testlib_check("loop_accepts_1_shl_23_iterations", ret == 1, "r0 %lld", (long long)ret);
	ret = loop_run((1u << 23) + 1, 0, 0, &sum);
	testlib_check("loop_beyond_1_shl_23_is_e2big", ret == -E2BIG && sum == 0, "r0 %lld",
		      (long long)ret);
	ret = loop_run(0x100000003ull, 0, -1, &sum);
	testlib_check("loop_count_is_32_bits", ret == 3, "r0 %lld", (long long)ret);
	ret = loop_run(3, 1, -1, &sum);
	testlib_check("loop_with_flags_is_einval", ret == -EINVAL && sum == 0, "r0 %lld",
		      (long long)ret);
	endless = load_text(1000, 0, "r1 = 2\n r2 = subprog[cb]\n r3 = 0\n r4 = 0\n call 181\n exit\n"
				  "cb:\n r0 = 0\n spin:\n r0 += 1\n if r0 < 10000 goto spin\n"
				  " r0 = 0\n exit\n"); /* bounded: the verifier refuses endless loops */
	err = bpfvm_prog_run_raw(endless, NULL, 0, &r0);
	testlib_check("callback_that_exhausts_the_budget_fails_the_run", err == -ETIME,
		      "error %d (%s)", err, bpfvm_errmsg());
	checked_prog_free(endless);
}

/* for_each_map_elem(map, cb, ctx = mem + 8, 0): cb adds values to ctx and
 * stops at key 2. */
static void test_for_each(void)
{
	struct fake_map *fake = fake_new();
	struct bpfvm_prog *prog = load_text(
		0, sizeof(uint64_t[3]), "r6 = r1\n r1 = *(u64 *)(r6 +0)\n r2 = subprog[cb]\n r3 = r6\n r3 += 8\n"
		   "r4 = *(u64 *)(r6 +16)\n call 164\n exit\n"
		   "cb:\n r5 = *(u32 *)(r2 +0)\n r0 = *(u64 *)(r3 +0)\n r1 = *(u64 *)(r4 +0)\n"
		   "r1 += r0\n *(u64 *)(r4 +0) = r1\n r0 = 0\n if r5 != 2 goto out\n r0 = 1\n"
		   "out:\n exit\n");
	uint64_t mem[3] = { (uint64_t)(uintptr_t)&fake->map, 0, 0 };
	int64_t r0 = (int64_t)run(prog, mem, sizeof(mem));

	testlib_check("for_each_map_elem_visits_until_the_callback_returns_1",
		      r0 == 3 && mem[1] == 100 + 101 + 102, "r0 %lld sum %llu", (long long)r0,
		      (unsigned long long)mem[1]);
	mem[1] = 0;
	mem[2] = 1;
	r0 = (int64_t)run(prog, mem, sizeof(mem));
	testlib_check("for_each_map_elem_with_flags_is_einval", r0 == -EINVAL && mem[1] == 0,
		      "r0 %lld", (long long)r0);
	checked_prog_free(prog);
	free(fake);
}

/* ---- ring buffer and perf buffer from programs ------------------------------------ */

static int count_records(void *ctx, void *data, size_t size)
{
	uint64_t *sum = ctx;

	*sum += size * 1000 + *(uint8_t *)data;
	return 0;
}

static void test_ringbuf_helpers(void)
{
	struct map_attr attr = { .type = BPF_MAP_TYPE_RINGBUF, .max_entries = 4096,
				 .nr_cpus = bpfvm_nr_cpus(vm), .name = "events" };
	struct bpfvm_map *map = NULL;
	/* mem: map at 0, data at 8, flags at 16 */
	struct bpfvm_prog *output = load_text(0, sizeof(uint64_t[3]), "r6 = r1\n r1 = *(u64 *)(r6 +0)\n r2 = r6\n r2 += 8\n"
						 "r3 = 8\n r4 = *(u64 *)(r6 +16)\n call 130\n exit\n");
	struct bpfvm_prog *reserve = load_text(
		0, sizeof(uint64_t[3]), "r6 = r1\n r1 = *(u64 *)(r6 +0)\n r2 = 16\n r3 = *(u64 *)(r6 +16)\n call 131\n"
		   "if r0 == 0 goto none\n r1 = 0x2a\n *(u8 *)(r0 +0) = r1\n r1 = r0\n r2 = 0\n"
		   "r7 = *(u64 *)(r6 +8)\n if r7 == 1 goto discard\n call 132\n r0 = 1\n exit\n"
		   "discard:\n call 133\n r0 = 2\n exit\n none:\n r0 = 0\n exit\n");
	struct bpfvm_prog *query = load_text(0, sizeof(uint64_t[3]), "r6 = r1\n r1 = *(u64 *)(r6 +0)\n r2 = %d\n"
						"call 134\n exit\n", BPF_RB_AVAIL_DATA);
	uint64_t mem[3], sum = 0;
	int64_t r0;
	int n, full = 0;

	if (map_create(vm, &attr, &map)) {
		fprintf(stderr, "ringbuf: %s\n", bpfvm_errmsg());
		exit(2);
	}
	mem[0] = (uint64_t)(uintptr_t)map;
	mem[1] = 7;
	mem[2] = 0;
	r0 = (int64_t)run(output, mem, sizeof(mem));
	testlib_check("ringbuf_output_copies_a_record", r0 == 0, "r0 %lld", (long long)r0);
	mem[2] = 4;
	r0 = (int64_t)run(output, mem, sizeof(mem));
	testlib_check("ringbuf_output_with_unknown_flags_is_einval", r0 == -EINVAL, "r0 %lld",
		      (long long)r0);
	mem[1] = 0;
	mem[2] = 0;
	r0 = (int64_t)run(reserve, mem, sizeof(mem));
	testlib_check("ringbuf_reserve_and_submit", r0 == 1, "r0 %lld", (long long)r0);
	mem[1] = 1;
	r0 = (int64_t)run(reserve, mem, sizeof(mem));
	testlib_check("ringbuf_reserve_and_discard", r0 == 2, "r0 %lld", (long long)r0);
	mem[2] = 1;
	r0 = (int64_t)run(reserve, mem, sizeof(mem));
	testlib_check("ringbuf_reserve_with_flags_is_null", r0 == 0, "r0 %lld", (long long)r0);
	r0 = (int64_t)run(query, mem, sizeof(mem));
	testlib_check("ringbuf_query_avail_data_from_a_program", r0 == 16 + 24 + 24, "r0 %lld",
		      (long long)r0);
	n = bpfvm_ringbuf_consume(map, count_records, &sum);
	testlib_check("records_written_by_programs_reach_the_consumer",
		      n == 2 && sum == 8 * 1000 + 7 + 16 * 1000 + 0x2a, "%d records, sum %llu", n,
		      (unsigned long long)sum);
	mem[2] = 0;
	for (int i = 0; i < 300 && !full; i++)
		full = (int64_t)run(output, mem, sizeof(mem)) == -EAGAIN;
	testlib_check("ringbuf_output_to_a_full_ring_is_eagain", full, "never full");
	checked_prog_free(output);
	checked_prog_free(reserve);
	checked_prog_free(query);
	map_put_user(map);
}

struct perf_seen {
	int count, cpu;
	uint8_t first;
};

static void perf_seen(void *ctx, int cpu, void *data, uint32_t size)
{
	struct perf_seen *seen = ctx;

	seen->count++;
	seen->cpu = cpu;
	seen->first = *(uint8_t *)data;
}

static void test_perf_event_output(void)
{
	struct map_attr attr = { .type = BPF_MAP_TYPE_PERF_EVENT_ARRAY, .key_size = 4,
				 .value_size = 4, .max_entries = 2, .nr_cpus = bpfvm_nr_cpus(vm),
				 .name = "perf" };
	struct bpfvm_map *map = NULL;
	/* mem: map at 0, flags at 8, data at 16 */
	struct bpfvm_prog *prog = load_text(0, sizeof(uint64_t[3]), "r6 = r1\n r2 = *(u64 *)(r6 +0)\n"
					       "r3 = *(u64 *)(r6 +8)\n r4 = r6\n r4 += 16\n r5 = 8\n"
					       "call 25\n exit\n");
	uint64_t mem[3];
	struct perf_seen seen = { 0 };
	int64_t r0;

	if (map_create(vm, &attr, &map)) {
		fprintf(stderr, "perf event array: %s\n", bpfvm_errmsg());
		exit(2);
	}
	mem[0] = (uint64_t)(uintptr_t)map;
	mem[1] = BPF_F_CURRENT_CPU;
	mem[2] = 0x99;
	r0 = (int64_t)run(prog, mem, sizeof(mem));
	testlib_check("perf_event_output_without_a_reader_is_enoent", r0 == -ENOENT, "r0 %lld",
		      (long long)r0);
	if (bpfvm_perf_buffer_open(map)) {
		fprintf(stderr, "perf buffer: %s\n", bpfvm_errmsg());
		exit(2);
	}
	r0 = (int64_t)run(prog, mem, sizeof(mem));
	bpfvm_perf_buffer_consume(map, perf_seen, NULL, &seen);
	testlib_check("perf_event_output_current_cpu_writes_this_cpus_buffer",
		      r0 == 0 && seen.count == 1 && seen.cpu == 0 && seen.first == 0x99, "r0 %lld",
		      (long long)r0);
	mem[1] = 0;
	r0 = (int64_t)run(prog, mem, sizeof(mem));
	testlib_check("perf_event_output_to_its_own_index_works", r0 == 0, "r0 %lld",
		      (long long)r0);
	mem[1] = 2;
	r0 = (int64_t)run(prog, mem, sizeof(mem));
	testlib_check("perf_event_output_index_at_max_entries_is_e2big", r0 == -E2BIG, "r0 %lld",
		      (long long)r0);
	mem[1] = 1ull << 40;
	r0 = (int64_t)run(prog, mem, sizeof(mem));
	testlib_check("perf_event_output_ctxlen_without_a_packet_is_einval", r0 == -EINVAL,
		      "r0 %lld", (long long)r0);
	mem[1] = 1ull << 60;
	r0 = (int64_t)run(prog, mem, sizeof(mem));
	testlib_check("perf_event_output_flags_above_ctxlen_are_einval", r0 == -EINVAL, "r0 %lld",
		      (long long)r0);
	checked_prog_free(prog);
	map_put_user(map);
}

int main(void)
{
	struct bpfvm_opts opts = { .sz = sizeof(opts), .nr_cpus = 4 };

	if (bpfvm_create(&opts, &vm)) {
		fprintf(stderr, "cannot create a runtime: %s\n", bpfvm_errmsg());
		return 2;
	}
	test_table();
	test_clocks();
	test_random_and_cpu();
	test_current();
	test_spin_lock();
	test_strncmp();
	test_strtox();
	test_trace_printk();
	test_vprintk_and_snprintf();
	test_map_helpers();
	test_loop();
	test_for_each();
	test_ringbuf_helpers();
	test_perf_event_output();
	bpfvm_destroy(vm);
	return testlib_summary();
}
