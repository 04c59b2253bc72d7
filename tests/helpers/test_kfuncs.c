/* Runtime functions (kfuncs): registered with a prototype, called by raw
 * programs with `call kernel-function#ID` (src_reg 2), checked by the
 * verifier against the prototype, run by both engines and by checked mode.
 * The built-in bpf_rcu_read_lock / unlock are paired as the kernel pairs
 * them. Objects calling kfuncs through `extern __ksym` are in
 * tests/object/test_kfunc_objects.c. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfvm/bpfvm.h"
#include "verifier/checked_testlib.h"

static int failures;

#define CHECK(cond, ...)                                                           \
	do {                                                                       \
		if (!(cond)) {                                                     \
			fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);       \
			fprintf(stderr, __VA_ARGS__);                              \
			fprintf(stderr, "\n");                                     \
			failures++;                                                \
		}                                                                  \
	} while (0)

enum { ID_ADD3 = 100, ID_SUM = 101, ID_BUF = 102, ID_FILL = 103, ID_LIKE_TAIL_CALL = 12,
       ID_LIKE_LOOKUP = 1 };

static uint8_t kfunc_buffer[16];

static uint64_t add3(uint64_t a, uint64_t b, uint64_t c, uint64_t r4, uint64_t r5)
{
	return a + b + c;
}

static uint64_t sum(uint64_t mem, uint64_t size, uint64_t r3, uint64_t r4, uint64_t r5)
{
	uint64_t total = 0;

	for (uint64_t i = 0; i < size; i++)
		total += ((const uint8_t *)(uintptr_t)mem)[i];
	return total;
}

static uint64_t fill(uint64_t mem, uint64_t size, uint64_t byte, uint64_t r4, uint64_t r5)
{
	memset((void *)(uintptr_t)mem, (int)byte, size);
	return 0;
}

/* The buffer when r1 is non-zero, else NULL. */
static uint64_t buffer_or_null(uint64_t want, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5)
{
	return want ? (uint64_t)(uintptr_t)kfunc_buffer : 0;
}

static uint64_t seventy_seven(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5)
{
	return 77;
}

static void register_all(struct bpfvm *vm)
{
	const struct bpfvm_kfunc kfuncs[] = {
		{ .sz = sizeof(struct bpfvm_kfunc), .name = "test_add3", .id = ID_ADD3, .fn = add3,
		  .args = { BPFVM_KFUNC_ARG_SCALAR, BPFVM_KFUNC_ARG_SCALAR, BPFVM_KFUNC_ARG_SCALAR } },
		{ .sz = sizeof(struct bpfvm_kfunc), .name = "test_sum", .id = ID_SUM, .fn = sum,
		  .args = { BPFVM_KFUNC_ARG_MEM, BPFVM_KFUNC_ARG_MEM_SIZE } },
		{ .sz = sizeof(struct bpfvm_kfunc), .name = "test_fill", .id = ID_FILL, .fn = fill,
		  .args = { BPFVM_KFUNC_ARG_MEM_UNINIT, BPFVM_KFUNC_ARG_MEM_SIZE,
			    BPFVM_KFUNC_ARG_SCALAR } },
		{ .sz = sizeof(struct bpfvm_kfunc), .name = "test_buffer", .id = ID_BUF,
		  .fn = buffer_or_null, .args = { BPFVM_KFUNC_ARG_SCALAR },
		  .ret = BPFVM_KFUNC_RET_MEM_OR_NULL, .ret_size = sizeof(kfunc_buffer) },
		/* Ids that are also helper ids: a kfunc is never taken for them. */
		{ .sz = sizeof(struct bpfvm_kfunc), .name = "test_12", .id = ID_LIKE_TAIL_CALL,
		  .fn = seventy_seven },
		{ .sz = sizeof(struct bpfvm_kfunc), .name = "test_1", .id = ID_LIKE_LOOKUP,
		  .fn = seventy_seven },
	};

	for (size_t i = 0; i < sizeof(kfuncs) / sizeof(kfuncs[0]); i++) {
		int err = bpfvm_kfunc_register(vm, &kfuncs[i]);

		CHECK(!err, "register %s: %d %s", kfuncs[i].name, err, bpfvm_errmsg());
	}
}

static void registration_is_checked(struct bpfvm *vm)
{
	struct {
		const char *why;
		struct bpfvm_kfunc kfunc;
	} bad[] = {
		{ "NULL function", { .sz = sizeof(struct bpfvm_kfunc), .name = "x", .id = 5 } },
		{ "id 0", { .sz = sizeof(struct bpfvm_kfunc), .name = "x", .fn = add3 } },
		{ "id above the users' range",
		  { .sz = sizeof(struct bpfvm_kfunc), .name = "x", .id = BPFVM_KFUNC_ID_MAX + 1,
		    .fn = add3 } },
		{ "memory without its size",
		  { .sz = sizeof(struct bpfvm_kfunc), .name = "x", .id = 5, .fn = add3,
		    .args = { BPFVM_KFUNC_ARG_MEM, BPFVM_KFUNC_ARG_SCALAR } } },
		{ "size without memory",
		  { .sz = sizeof(struct bpfvm_kfunc), .name = "x", .id = 5, .fn = add3,
		    .args = { BPFVM_KFUNC_ARG_SCALAR, BPFVM_KFUNC_ARG_MEM_SIZE } } },
		{ "an argument after the end",
		  { .sz = sizeof(struct bpfvm_kfunc), .name = "x", .id = 5, .fn = add3,
		    .args = { BPFVM_KFUNC_ARG_NONE, BPFVM_KFUNC_ARG_SCALAR } } },
		{ "memory returned without its size",
		  { .sz = sizeof(struct bpfvm_kfunc), .name = "x", .id = 5, .fn = add3,
		    .ret = BPFVM_KFUNC_RET_MEM_OR_NULL } },
	};
	uint32_t id = 0;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK(bpfvm_kfunc_register(vm, &bad[i].kfunc) == -EINVAL,
		      "registration with %s accepted", bad[i].why);
	CHECK(bpfvm_kfunc_id(vm, "x", &id) == -ENOENT, "a refused registration is found");
	CHECK(bpfvm_kfunc_id(vm, "bpf_rcu_read_lock", &id) == 0 && id > BPFVM_KFUNC_ID_MAX,
	      "bpf_rcu_read_lock: id %u", id);
}

/* A kfunc is never replaced: not by id, not by name, not the built-ins;
 * the first registration stays the one programs call. */
static void registration_is_unique(struct bpfvm *vm)
{
	struct {
		const char *why;
		struct bpfvm_kfunc kfunc;
	} taken[] = {
		{ "the id of test_add3",
		  { .sz = sizeof(struct bpfvm_kfunc), .name = "other", .id = ID_ADD3,
		    .fn = seventy_seven } },
		{ "the name test_add3",
		  { .sz = sizeof(struct bpfvm_kfunc), .name = "test_add3", .id = 500,
		    .fn = seventy_seven } },
		{ "the name bpf_rcu_read_lock",
		  { .sz = sizeof(struct bpfvm_kfunc), .name = "bpf_rcu_read_lock", .id = 501,
		    .fn = seventy_seven } },
		{ "the name bpf_rcu_read_unlock",
		  { .sz = sizeof(struct bpfvm_kfunc), .name = "bpf_rcu_read_unlock", .id = 502,
		    .fn = seventy_seven } },
	};
	uint32_t id = 0;

	for (size_t i = 0; i < sizeof(taken) / sizeof(taken[0]); i++) {
		int err = bpfvm_kfunc_register(vm, &taken[i].kfunc);

		CHECK(err == -EEXIST, "registration under %s: %d, not -EEXIST", taken[i].why, err);
	}
	CHECK(bpfvm_kfunc_id(vm, "test_add3", &id) == 0 && id == ID_ADD3,
	      "test_add3 moved to id %u", id);
	CHECK(bpfvm_kfunc_id(vm, "other", &id) == -ENOENT, "a refused kfunc is found");
	CHECK(bpfvm_kfunc_id(vm, "bpf_rcu_read_lock", &id) == 0 && id > BPFVM_KFUNC_ID_MAX,
	      "bpf_rcu_read_lock replaced: id %u", id);
}

/* Runs program `name` of `path` (a tc program) and gives its return value. */
static uint32_t object_retval(struct bpfvm *vm, const char *path, const char *name)
{
	static uint8_t packet[64];
	struct bpfvm_test_run_opts run = { .sz = sizeof(run), .data_in = packet,
					   .data_size_in = sizeof(packet) };
	struct bpfvm_object *obj = NULL;
	struct bpfvm_prog *prog = NULL;
	int err = bpfvm_object_open(vm, path, NULL, &obj);

	if (!err) {
		prog = bpfvm_object_find_prog(obj, name);
		err = prog ? bpfvm_object_autoload_only(obj, prog) : -ENOENT;
	}
	if (!err)
		err = bpfvm_object_load(obj);
	if (!err)
		err = bpfvm_prog_test_run(prog, &run);
	CHECK(!err, "%s in %s: %d %s", name, path, err, bpfvm_errmsg());
	bpfvm_object_close(obj);
	return run.retval;
}

/* An object that loads a kfunc's address sees its id (as libbpf writes the
 * BTF id), not where the function is in the host process. */
static void extern_address_is_the_id(struct bpfvm *vm, const char *path)
{
	uint64_t seen = (uint64_t)object_retval(vm, path, "address_high") << 32 |
			object_retval(vm, path, "address_low");
	struct bpfvm_kfunc kfunc = { .sz = sizeof(kfunc), .name = "bpfvm_test_add3", .id = 7,
				     .fn = add3, .args = { BPFVM_KFUNC_ARG_SCALAR,
							   BPFVM_KFUNC_ARG_SCALAR,
							   BPFVM_KFUNC_ARG_SCALAR } };

	CHECK(seen == 0, "a missing weak kfunc's address: 0x%llx", (unsigned long long)seen);
	CHECK(!bpfvm_kfunc_register(vm, &kfunc), "register: %s", bpfvm_errmsg());
	seen = (uint64_t)object_retval(vm, path, "address_high") << 32 |
	       object_retval(vm, path, "address_low");
	CHECK(seen == 7, "the kfunc's address: 0x%llx, not its id 7 (host function at %p)",
	      (unsigned long long)seen, (void *)add3);
}

/* Loads `text` as a raw program with 16 bytes of memory. */
static int load(struct bpfvm *vm, const char *text, struct bpfvm_prog **prog)
{
	struct bpfvm_prog_opts opts = { .sz = sizeof(opts), .name = "kfunc", .ctx_size = 16 };
	struct bpf_insn *insns = NULL;
	size_t insn_cnt = 0;
	int err;

	if (bpfvm_asm_parse(text, &insns, &insn_cnt)) {
		fprintf(stderr, "cannot assemble:\n%s\n%s\n", text, bpfvm_errmsg());
		exit(2);
	}
	err = bpfvm_prog_load_raw(vm, insns, insn_cnt, &opts, prog);
	free(insns);
	return err;
}

static void expect_result(struct bpfvm *vm, const char *engine, const char *name,
			  const char *text, uint64_t expected)
{
	uint8_t mem[16] = { 0 };
	struct bpfvm_prog *prog = NULL;
	uint64_t r0 = 0;
	int err = load(vm, text, &prog);

	if (err) {
		CHECK(0, "%s (%s): refused: %s", name, engine, bpfvm_errmsg());
		return;
	}
	err = bpfvm_prog_run_raw(prog, mem, sizeof(mem), &r0);
	CHECK(!err && r0 == expected, "%s (%s): err %d r0 %llu, expected %llu", name, engine, err,
	      (unsigned long long)r0, (unsigned long long)expected);
	bpfvm_prog_free(prog);
}

static void expect_refusal(struct bpfvm *vm, const char *name, const char *text,
			   const char *reason)
{
	struct bpfvm_prog *prog = NULL;
	int err = load(vm, text, &prog);

	CHECK(err && strstr(bpfvm_errmsg(), reason), "%s: err %d, message '%s', expected '%s'",
	      name, err, err ? bpfvm_errmsg() : "", reason);
	bpfvm_prog_free(prog);
}

static void calls_run(struct bpfvm *vm, const char *engine)
{
	kfunc_buffer[8] = 42;
	expect_result(vm, engine, "scalar_arguments_reach_the_function",
		      "r1 = 1\nr2 = 20\nr3 = 300\ncall kernel-function#100\nexit", 321);
	expect_result(vm, engine, "memory_and_size_from_the_stack",
		      "r1 = 0x0102030405060708 ll\n*(u64 *)(r10 -8) = r1\n"
		      "r1 = r10\nr1 += -8\nr2 = 8\ncall kernel-function#101\nexit", 36);
	expect_result(vm, engine, "uninit_memory_is_written_by_the_function",
		      "r1 = r10\nr1 += -8\nr2 = 8\nr3 = 3\ncall kernel-function#103\n"
		      "r0 = *(u64 *)(r10 -8)\nexit", 0x0303030303030303ull);
	expect_result(vm, engine, "returned_memory_after_the_null_check",
		      "r1 = 1\ncall kernel-function#102\nif r0 == 0 goto out\n"
		      "r0 = *(u8 *)(r0 +8)\nexit\nout:\nr0 = 99\nexit", 42);
	expect_result(vm, engine, "returned_null_takes_the_null_branch",
		      "r1 = 0\ncall kernel-function#102\nif r0 == 0 goto out\n"
		      "r0 = *(u8 *)(r0 +8)\nexit\nout:\nr0 = 99\nexit", 99);
	expect_result(vm, engine, "kfunc_id_12_is_not_a_tail_call",
		      "call kernel-function#12\nexit", 77);
	expect_result(vm, engine, "kfunc_id_1_is_not_a_map_lookup",
		      "r1 = 0\nr2 = 0\ncall kernel-function#1\nexit", 77);
}

static void rcu_calls(struct bpfvm *vm, const char *engine)
{
	uint32_t lock = 0, unlock = 0;
	char text[512];

	bpfvm_kfunc_id(vm, "bpf_rcu_read_lock", &lock);
	bpfvm_kfunc_id(vm, "bpf_rcu_read_unlock", &unlock);
	snprintf(text, sizeof(text), "call kernel-function#%d\ncall kernel-function#%d\n"
		 "call kernel-function#%d\ncall kernel-function#%d\nr0 = 5\nexit",
		 (int)lock, (int)unlock, (int)lock, (int)unlock);
	expect_result(vm, engine, "rcu_sections_pair", text, 5);
	snprintf(text, sizeof(text), "call kernel-function#%d\ncall kernel-function#%d\n"
		 "r0 = 0\nexit", (int)lock, (int)lock);
	expect_refusal(vm, "rcu_sections_do_not_nest", text,
		       "nested rcu read lock (kernel function bpf_rcu_read_lock)");
	snprintf(text, sizeof(text), "call kernel-function#%d\nr0 = 0\nexit", (int)unlock);
	expect_refusal(vm, "rcu_unlock_without_lock", text,
		       "unmatched rcu read unlock (kernel function bpf_rcu_read_unlock)");
	snprintf(text, sizeof(text), "call kernel-function#%d\nr0 = 0\nexit", (int)lock);
	expect_refusal(vm, "rcu_lock_without_unlock", text,
		       "BPF_EXIT instruction in main prog cannot be used inside "
		       "bpf_rcu_read_lock-ed region");
	snprintf(text, sizeof(text), "r1 = *(u8 *)(r1 +0)\nif r1 == 0 goto skip\n"
		 "call kernel-function#%d\n"
		 "skip:\ncall kernel-function#%d\nr0 = 0\nexit", (int)lock, (int)unlock);
	expect_refusal(vm, "rcu_unlock_on_a_path_without_lock", text,
		       "unmatched rcu read unlock");
	snprintf(text, sizeof(text), "call kernel-function#%d\ncall kernel-function#%d\nexit",
		 (int)lock, (int)unlock);
	expect_refusal(vm, "void_result_not_readable", text, "R0 !read_ok");
}

static void calls_refused(struct bpfvm *vm)
{
	expect_refusal(vm, "unregistered_id", "call kernel-function#4242\nexit",
		       "call to kernel function (BTF id 4242): no runtime function is registered");
	expect_refusal(vm, "uninitialised_argument", "r1 = 1\nr2 = 2\ncall kernel-function#100\nexit",
		       "R3 !read_ok");
	expect_refusal(vm, "memory_above_the_stack", "r1 = r10\nr2 = 8\n"
		       "call kernel-function#101\nexit", "invalid read from stack R1 off=0 size=8");
	expect_refusal(vm, "size_past_the_stack", "r1 = r10\nr1 += -8\nr2 = 16\nr3 = 0\n"
		       "call kernel-function#103\nexit", "invalid");
	expect_refusal(vm, "scalar_as_memory", "r1 = 8\nr2 = 8\ncall kernel-function#101\nexit",
		       "R1 type=scalar expected=");
	expect_refusal(vm, "returned_memory_used_before_the_null_check",
		       "r1 = 1\ncall kernel-function#102\nr0 = *(u8 *)(r0 +8)\nexit",
		       "invalid mem access 'mem_or_null'");
	expect_refusal(vm, "returned_memory_read_past_its_size",
		       "r1 = 1\ncall kernel-function#102\nif r0 == 0 goto out\n"
		       "r0 = *(u8 *)(r0 +16)\nout:\nexit", "invalid access to memory");
}

/* Checked mode gives the memory a kfunc returned as a region of the run,
 * and the memory passed to it is checked as a helper's. */
static void checked_mode_knows_kfunc_memory(struct bpfvm *vm)
{
	uint8_t packet[64] = { 0 };
	struct bpfvm_test_run_opts opts = { .sz = sizeof(opts), .data_in = packet,
					    .data_size_in = sizeof(packet), .checked = true };
	struct bpfvm_prog *prog = NULL;
	int err = checked_load_asm(vm, "checked_kfunc", BPF_PROG_TYPE_XDP,
				   "r1 = 1\ncall kernel-function#102\nif r0 == 0 goto out\n"
				   "r1 = r0\nr2 = 16\ncall kernel-function#101\nr0 = 2\nexit\n"
				   "out:\nr0 = 1\nexit", NULL, 0, true, &prog);

	CHECK(!err, "checked: load: %s", bpfvm_errmsg());
	if (err)
		return;
	memset(kfunc_buffer, 1, sizeof(kfunc_buffer));
	err = bpfvm_prog_test_run(prog, &opts);
	CHECK(!err && opts.retval == 2, "checked run: err %d retval %u %s", err, opts.retval,
	      err ? bpfvm_errmsg() : "");
	checked_prog_free(prog);
}

int main(int argc, char **argv)
{
	const enum bpfvm_engine engines[] = { BPFVM_ENGINE_INTERP, BPFVM_ENGINE_JIT };
	const char *names[] = { "interp", "jit" };

	for (int e = 0; e < 2; e++) {
		struct bpfvm_opts opts = { .sz = sizeof(opts), .nr_cpus = 1, .engine = engines[e] };
		struct bpfvm *vm = NULL;

		if (bpfvm_create(&opts, &vm)) {
			if (engines[e] == BPFVM_ENGINE_JIT)
				continue; /* no JIT on this machine */
			fprintf(stderr, "bpfvm_create: %s\n", bpfvm_errmsg());
			return 2;
		}
		register_all(vm);
		if (e == 0) {
			registration_is_checked(vm);
			registration_is_unique(vm);
			calls_refused(vm);
			checked_mode_knows_kfunc_memory(vm);
		}
		calls_run(vm, names[e]);
		rcu_calls(vm, names[e]);
		if (argc > 1)
			extern_address_is_the_id(vm, argv[1]);
		bpfvm_destroy(vm);
	}
	if (failures)
		fprintf(stderr, "%d failures\n", failures);
	else
		printf("kfunc tests passed\n");
	return failures ? 1 : 0;
}
