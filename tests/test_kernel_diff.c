/* Differential test against the Linux kernel: every corpus case marked
 * "# kernel: yes" or "# kernel: skb" runs in bpfvm and, through the raw
 * bpf(2) syscall, in the running kernel, and the two r0 must agree.
 *
 * How it runs in the kernel
 * - BPF_PROG_LOAD as BPF_PROG_TYPE_SOCKET_FILTER, license "GPL"; then
 *   BPF_PROG_TEST_RUN with repeat 1.
 * - "yes" cases touch only registers, the stack and local calls; they get a
 *   64-byte zeroed data_in, which they never read.
 * - "skb" cases use ld_abs/ld_ind. bpf_prog_test_run_skb() (net/bpf/test_run.c)
 *   builds the skb from data_in, then eth_type_trans() pulls the 14-byte
 *   Ethernet header, and a socket filter (not an L2 program type) is run with
 *   skb->data after it: so data_in is 14 zero bytes followed by the case's
 *   memory, and the kernel's packet is exactly that memory (skb->len equals
 *   its length, which keeps the out-of-range cases identical).
 *
 * How the full 64-bit r0 is compared
 * The kernel reports a u32 retval. Each case is loaded twice: as written,
 * which gives the low half, and folded: `r0 >>= 32` is inserted before every
 * exit of the main program (not of subprograms, whose r0 is a return value)
 * and every jump, call and subprogram offset is recomputed; a jump that
 * targeted an exit now targets the inserted shift. That gives the high half.
 * A program ended by an out-of-range packet load returns 0 in both.
 *
 * Subprograms: the kernel accepts ld_abs in a subprogram only when BTF says
 * the subprogram returns int (check_abnormal_return / check_btf_func in
 * kernel/bpf/verifier.c), because its implicit exit returns from that
 * subprogram. So every program with subprograms is loaded with a minimal BTF
 * (one "int f(void)" prototype) and a func_info record per subprogram, as
 * clang and libbpf would provide.
 *
 * Cases that call helpers (helper 5 is bpf_ktime_get_ns in the kernel) or use
 * callx are skipped. A case the kernel's verifier refuses is reported as
 * "kernel-rejected" with the last line of the verifier's log; it is not a
 * failure (the RFC allows things the verifier refuses, such as division by
 * an immediate zero). If bpf() cannot be used here (not root, no BPF), the
 * test prints "SKIP: ..." and exits 77.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <linux/btf.h>

#include "isa/isa.h"
#include "testlib.h"

#define SKIP_RETURN_CODE 77
#define ETH_HEADER_LEN 14
#define PLAIN_DATA_LEN 64
#define KERNEL_LOG_SIZE (4u << 20)

static char kernel_log[KERNEL_LOG_SIZE];

static int sys_bpf(int cmd, union bpf_attr *attr)
{
	return (int)syscall(__NR_bpf, cmd, attr, sizeof(*attr));
}

/* A minimal BTF: [1] int, [2] int (void), [3] FUNC main, [4] FUNC sub,
 * both static, both of type [2]. */
struct kernel_btf {
	struct btf_header header;
	struct {
		struct btf_type int_type;
		uint32_t int_encoding;
		struct btf_type proto;
		struct btf_type main_func;
		struct btf_type sub_func;
	} types;
	char strings[16];
};

#define BTF_TYPE_INFO(kind) ((uint32_t)(kind) << 24)
#define BTF_ID_MAIN 3
#define BTF_ID_SUB 4

static int kernel_btf_fd = -1;

static int kernel_btf_load(void)
{
	static const char strings[] = "\0int\0main\0sub";
	struct kernel_btf btf;
	union bpf_attr attr;

	if (kernel_btf_fd >= 0)
		return kernel_btf_fd;
	memset(&btf, 0, sizeof(btf));
	btf.header.magic = BTF_MAGIC;
	btf.header.version = BTF_VERSION;
	btf.header.hdr_len = sizeof(btf.header);
	btf.header.type_off = 0;
	btf.header.type_len = sizeof(btf.types);
	btf.header.str_off = sizeof(btf.types);
	btf.header.str_len = sizeof(strings);
	btf.types.int_type = (struct btf_type){
		.name_off = 1, .info = BTF_TYPE_INFO(BTF_KIND_INT), .size = 4 };
	btf.types.int_encoding = (uint32_t)BTF_INT_SIGNED << 24 | 32;
	btf.types.proto = (struct btf_type){
		.info = BTF_TYPE_INFO(BTF_KIND_FUNC_PROTO), .type = 1 };
	btf.types.main_func = (struct btf_type){
		.name_off = 5, .info = BTF_TYPE_INFO(BTF_KIND_FUNC), .type = 2 };
	btf.types.sub_func = (struct btf_type){
		.name_off = 10, .info = BTF_TYPE_INFO(BTF_KIND_FUNC), .type = 2 };
	memcpy(btf.strings, strings, sizeof(strings));
	memset(&attr, 0, sizeof(attr));
	attr.btf = (uint64_t)(uintptr_t)&btf;
	attr.btf_size = (uint32_t)(sizeof(btf.header) + sizeof(btf.types) + sizeof(strings));
	kernel_btf_fd = sys_bpf(BPF_BTF_LOAD, &attr);
	return kernel_btf_fd;
}

/* The first instruction of every subprogram, in order; returns the count. */
static size_t subprog_starts(const struct bpf_insn *insns, size_t insn_cnt,
			     struct bpf_func_info *info)
{
	size_t count = 0;

	for (size_t idx = 0; idx < insn_cnt; idx++) {
		bool starts = idx == 0;

		for (size_t j = 0; j < insn_cnt && !starts; j++) {
			if ((isa_is_local_call(&insns[j]) ||
			     (isa_is_lddw(insns[j].code) && insns[j].src_reg == BPF_PSEUDO_FUNC)) &&
			    (int64_t)j + 1 + insns[j].imm == (int64_t)idx)
				starts = true;
			if (isa_is_lddw(insns[j].code))
				j++;
		}
		if (starts) {
			info[count].insn_off = (uint32_t)idx;
			info[count].type_id = count ? BTF_ID_SUB : BTF_ID_MAIN;
			count++;
		}
	}
	return count;
}

static int kernel_load(const struct bpf_insn *insns, size_t insn_cnt, bool with_log)
{
	struct bpf_func_info *func_info = calloc(insn_cnt, sizeof(*func_info));
	size_t func_cnt = func_info ? subprog_starts(insns, insn_cnt, func_info) : 0;
	union bpf_attr attr;
	int fd, saved_errno;

	memset(&attr, 0, sizeof(attr));
	attr.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
	attr.insns = (uint64_t)(uintptr_t)insns;
	attr.insn_cnt = (uint32_t)insn_cnt;
	attr.license = (uint64_t)(uintptr_t)"GPL";
	if (func_cnt > 1 && kernel_btf_load() >= 0) {
		attr.prog_btf_fd = (uint32_t)kernel_btf_fd;
		attr.func_info = (uint64_t)(uintptr_t)func_info;
		attr.func_info_cnt = (uint32_t)func_cnt;
		attr.func_info_rec_size = sizeof(*func_info);
	}
	if (with_log) {
		kernel_log[0] = '\0';
		attr.log_buf = (uint64_t)(uintptr_t)kernel_log;
		attr.log_size = sizeof(kernel_log);
		attr.log_level = 1;
	}
	fd = sys_bpf(BPF_PROG_LOAD, &attr);
	saved_errno = errno;
	free(func_info);
	errno = saved_errno;
	return fd;
}

static int kernel_run(int prog_fd, const void *data, size_t data_len, uint32_t *retval)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.test.prog_fd = (uint32_t)prog_fd;
	attr.test.data_in = (uint64_t)(uintptr_t)data;
	attr.test.data_size_in = (uint32_t)data_len;
	attr.test.repeat = 1;
	if (sys_bpf(BPF_PROG_TEST_RUN, &attr))
		return -errno;
	*retval = attr.test.retval;
	return 0;
}

/* The verifier's last words: the last log line that is not a statistic. */
static void kernel_log_reason(char *out, size_t size)
{
	char *end = kernel_log + strlen(kernel_log);

	while (end > kernel_log) {
		char *start;

		while (end > kernel_log && (end[-1] == '\n' || end[-1] == ' '))
			end--;
		start = end;
		while (start > kernel_log && start[-1] != '\n')
			start--;
		if (end > start && strncmp(start, "processed ", 10) != 0 &&
		    strncmp(start, "verification time", 17) != 0) {
			snprintf(out, size, "%.*s", (int)(end - start), start);
			return;
		}
		end = start;
	}
	snprintf(out, size, "(empty verifier log)");
}

/* Probes bpf(): exits 77 if programs cannot be loaded and test-run here. */
static void kernel_probe(void)
{
	const struct bpf_insn probe[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0, .imm = 7 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	uint8_t data[PLAIN_DATA_LEN] = { 0 };
	uint32_t retval = 0;
	int fd, err;

	fd = kernel_load(probe, 2, false);
	if (fd < 0) {
		printf("SKIP: kernel bpf() not usable: BPF_PROG_LOAD: %s\n", strerror(errno));
		exit(SKIP_RETURN_CODE);
	}
	err = kernel_run(fd, data, sizeof(data), &retval);
	close(fd);
	if (err || retval != 7) {
		printf("SKIP: kernel bpf() not usable: BPF_PROG_TEST_RUN: %s\n",
		       err ? strerror(-err) : "unexpected return value");
		exit(SKIP_RETURN_CODE);
	}
}

/* ---- the high-half variant ------------------------------------------ */

static bool is_jump_with_offset(const struct bpf_insn *insn)
{
	return isa_is_jmp(insn->code) && isa_op(insn->code) != BPF_CALL &&
	       isa_op(insn->code) != BPF_EXIT;
}

static size_t main_program_end(const struct bpf_insn *insns, size_t insn_cnt)
{
	size_t end = insn_cnt;

	for (size_t i = 0; i < insn_cnt; i++) {
		int64_t start = -1;

		if (isa_is_local_call(&insns[i]))
			start = (int64_t)i + 1 + insns[i].imm;
		else if (isa_is_lddw(insns[i].code) && insns[i].src_reg == BPF_PSEUDO_FUNC)
			start = (int64_t)i + 1 + insns[i].imm;
		if (start > 0 && (size_t)start < end)
			end = (size_t)start;
		if (isa_is_lddw(insns[i].code))
			i++;
	}
	return end;
}

/* Returns the folded program (malloc'ed), or NULL if an offset overflows. */
static struct bpf_insn *fold_high_half(const struct bpf_insn *insns, size_t insn_cnt,
				       size_t *folded_cnt)
{
	const struct bpf_insn shift = { .code = BPF_ALU64 | BPF_RSH | BPF_K, .imm = 32 };
	size_t main_end = main_program_end(insns, insn_cnt), out = 0;
	size_t *base = malloc((insn_cnt + 1) * sizeof(*base));
	struct bpf_insn *folded = malloc(2 * insn_cnt * sizeof(*folded));
	bool ok = base && folded;

	/* base[i]: the new index of old instruction i, or of the shift inserted
	 * before it when it is an exit of the main program. */
	for (size_t i = 0, inserted = 0; ok && i <= insn_cnt; i++) {
		base[i] = i + inserted;
		if (i < main_end && isa_is_exit(&insns[i]))
			inserted++;
	}
	for (size_t i = 0; ok && i < insn_cnt; i++) {
		struct bpf_insn insn = insns[i];
		int64_t target, delta;

		if (i < main_end && isa_is_exit(&insn))
			folded[out++] = shift;
		if (isa_is_local_call(&insn) || insn.code == (BPF_JMP32 | BPF_JA) ||
		    (isa_is_lddw(insn.code) && insn.src_reg == BPF_PSEUDO_FUNC)) {
			target = (int64_t)i + 1 + insn.imm;
			ok = target >= 0 && target <= (int64_t)insn_cnt;
			if (ok)
				insn.imm = (int32_t)((int64_t)base[target] - (int64_t)base[i] - 1);
		} else if (is_jump_with_offset(&insn)) {
			target = (int64_t)i + 1 + insn.off;
			ok = target >= 0 && target <= (int64_t)insn_cnt;
			delta = ok ? (int64_t)base[target] - (int64_t)base[i] - 1 : 0;
			ok = ok && delta >= INT16_MIN && delta <= INT16_MAX;
			insn.off = (int16_t)delta;
		}
		folded[out++] = insn;
		if (isa_is_lddw(insn.code) && i + 1 < insn_cnt)
			folded[out++] = insns[++i];
	}
	free(base);
	if (!ok) {
		free(folded);
		return NULL;
	}
	*folded_cnt = out;
	return folded;
}

/* ---- one case -------------------------------------------------------- */

enum verdict { VERDICT_PASS, VERDICT_FAIL, VERDICT_SKIP, VERDICT_KERNEL_REJECTED };

static bool calls_a_helper(const struct bpf_insn *insns, size_t insn_cnt)
{
	for (size_t i = 0; i < insn_cnt; i++)
		if (isa_is_helper_call(&insns[i]) || isa_is_callx(&insns[i]) ||
		    (insns[i].code == (BPF_JMP | BPF_CALL) &&
		     insns[i].src_reg == BPF_PSEUDO_KFUNC_CALL))
			return true;
	return false;
}

/* Loads and runs one program in the kernel. Returns 0, or 1 if the verifier
 * refused it (reason in `why`), or -1 on another error (in `why`). */
static int kernel_execute(const struct bpf_insn *insns, size_t insn_cnt, const uint8_t *data,
			  size_t data_len, uint32_t *retval, char *why, size_t why_size)
{
	int fd = kernel_load(insns, insn_cnt, false);
	int err;

	if (fd < 0) {
		int load_errno = errno;

		fd = kernel_load(insns, insn_cnt, true);
		if (fd < 0) {
			kernel_log_reason(why, why_size);
			return 1;
		}
		snprintf(why, why_size, "loads only with a log (first error %s)",
			 strerror(load_errno));
	}
	err = kernel_run(fd, data, data_len, retval);
	close(fd);
	if (err) {
		snprintf(why, why_size, "BPF_PROG_TEST_RUN: %s", strerror(-err));
		return -1;
	}
	return 0;
}

static int bpfvm_execute(struct bpfvm *vm, const struct corpus_case *c,
			 const struct bpf_insn *insns, size_t insn_cnt, uint64_t *r0)
{
	struct bpfvm_prog_opts opts = { .sz = sizeof(opts), .name = c->name,
					.ctx_size = (uint32_t)c->mem_len };
	struct bpfvm_prog *prog = NULL;
	int err = bpfvm_prog_load_raw(vm, insns, insn_cnt, &opts, &prog);

	if (!err)
		err = testlib_run(prog, c->mem, c->mem_len, r0);
	bpfvm_prog_free(prog);
	return err;
}

static enum verdict compare_case(struct bpfvm *vm, const struct corpus_case *c,
				 const struct bpf_insn *insns, size_t insn_cnt)
{
	uint8_t data[ETH_HEADER_LEN + 4096] = { 0 };
	size_t data_len = PLAIN_DATA_LEN, folded_cnt = 0;
	struct bpf_insn *folded;
	uint32_t low = 0, high = 0;
	uint64_t r0 = 0;
	char why[512] = "";
	int err;

	if (c->kernel == CORPUS_KERNEL_SKB) {
		if (c->mem_len > sizeof(data) - ETH_HEADER_LEN) {
			printf("SKIP %s:%u:%s: memory too large\n", c->file, c->line, c->name);
			return VERDICT_SKIP;
		}
		if (c->mem_len)
			memcpy(data + ETH_HEADER_LEN, c->mem, c->mem_len);
		data_len = ETH_HEADER_LEN + c->mem_len;
	}
	err = kernel_execute(insns, insn_cnt, data, data_len, &low, why, sizeof(why));
	if (err) {
		printf("%s %s:%u:%s: %s\n", err > 0 ? "kernel-rejected" : "FAIL", c->file, c->line,
		       c->name, why);
		return err > 0 ? VERDICT_KERNEL_REJECTED : VERDICT_FAIL;
	}
	folded = fold_high_half(insns, insn_cnt, &folded_cnt);
	if (!folded) {
		printf("FAIL %s:%u:%s: cannot build the high-half variant (offset overflow)\n",
		       c->file, c->line, c->name);
		return VERDICT_FAIL;
	}
	err = kernel_execute(folded, folded_cnt, data, data_len, &high, why, sizeof(why));
	if (err) {
		printf("FAIL %s:%u:%s: the high-half variant: %s\n", c->file, c->line, c->name,
		       why);
		testlib_print_disasm(folded, folded_cnt);
		free(folded);
		return VERDICT_FAIL;
	}
	free(folded);
	err = bpfvm_execute(vm, c, insns, insn_cnt, &r0);
	if (err) {
		printf("FAIL %s:%u:%s: kernel 0x%08" PRIx32 "%08" PRIx32 ", bpfvm error %d (%s)\n",
		       c->file, c->line, c->name, high, low, err, bpfvm_errmsg());
		testlib_print_disasm(insns, insn_cnt);
		return VERDICT_FAIL;
	}
	if ((uint32_t)r0 != low || (uint32_t)(r0 >> 32) != high) {
		printf("FAIL %s:%u:%s: kernel 0x%08" PRIx32 "%08" PRIx32 ", bpfvm 0x%016" PRIx64
		       " (corpus expects 0x%" PRIx64 ")\n",
		       c->file, c->line, c->name, high, low, r0, c->expect);
		testlib_print_disasm(insns, insn_cnt);
		return VERDICT_FAIL;
	}
	return VERDICT_PASS;
}

static enum verdict check_case(struct bpfvm *vm, const struct corpus_case *c)
{
	struct bpf_insn *insns = NULL;
	size_t insn_cnt = 0;
	enum verdict verdict;

	if (c->kernel == CORPUS_KERNEL_NO || c->has_expect_error)
		return VERDICT_SKIP;
	if (bpfvm_asm_parse(c->text, &insns, &insn_cnt)) {
		printf("FAIL %s:%u:%s: the assembler rejects the case: %s\n", c->file, c->line,
		       c->name, bpfvm_errmsg());
		return VERDICT_FAIL;
	}
	if (calls_a_helper(insns, insn_cnt)) {
		printf("SKIP %s:%u:%s: calls a helper (kernel helper ids differ)\n", c->file,
		       c->line, c->name);
		verdict = VERDICT_SKIP;
	} else {
		verdict = compare_case(vm, c, insns, insn_cnt);
	}
	free(insns);
	return verdict;
}

int main(int argc, char **argv)
{
	unsigned counts[4] = { 0 }, not_marked = 0, corpus_errors = 0;
	struct corpus corpus = { 0 };
	struct bpfvm *vm;

	if (argc < 2) {
		fprintf(stderr, "usage: %s CORPUS.s...\n", argv[0]);
		return 2;
	}
	kernel_probe();
	for (int i = 1; i < argc; i++)
		if (corpus_read_file(&corpus, argv[i]))
			corpus_errors++;
	vm = testlib_vm_create();
	for (size_t i = 0; i < corpus.count; i++) {
		const struct corpus_case *c = &corpus.cases[i];

		if (c->kernel == CORPUS_KERNEL_NO || c->has_expect_error) {
			not_marked++;
			continue;
		}
		counts[check_case(vm, c)]++;
	}
	bpfvm_destroy(vm);
	corpus_release(&corpus);
	printf("compared %u cases with the kernel: %u agree, %u differ; %u kernel-rejected, "
	       "%u skipped; %u cases not marked for the kernel\n",
	       counts[VERDICT_PASS] + counts[VERDICT_FAIL], counts[VERDICT_PASS],
	       counts[VERDICT_FAIL], counts[VERDICT_KERNEL_REJECTED], counts[VERDICT_SKIP],
	       not_marked);
	printf("%u passed, %u failed, %u skipped\n", counts[VERDICT_PASS],
	       counts[VERDICT_FAIL] + corpus_errors,
	       counts[VERDICT_SKIP] + counts[VERDICT_KERNEL_REJECTED]);
	return counts[VERDICT_FAIL] + corpus_errors ? 1 : 0;
}
