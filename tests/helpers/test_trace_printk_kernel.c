/* bpf_trace_printk against the running kernel: the same formats and
 * arguments in a socket filter run with BPF_PROG_TEST_RUN and in a bpfvm
 * program. The return values (bytes formatted, or the error) must agree;
 * where the kernel's trace buffer is readable (/sys/kernel/tracing/trace),
 * the messages and the line layout too. Exits 77 (skip) without bpf().
 *
 * Cases whose text differs on purpose are compared by length only: %p
 * (the kernel hashes pointers, bpfvm prints them) and messages with a
 * newline (the line-based reader here would split them). */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/bpf.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "bpfvm/bpfvm.h"
#include "testlib.h"

struct printk_case {
	const char *name;
	const char *fmt;
	uint64_t args[3];
	bool text; /* compare the messages, not only the lengths */
};

static char user_string[] = "user string";
static char long_string[700];

static const struct printk_case cases[] = {
	{ "kernel_d_and_x", "hello %d %x|", { 42, 255 }, true },
	{ "kernel_widths_and_zero_padding", "w [%5d] [%-5d] [%05d]", { (uint64_t)-3, 4, 5 }, true },
	{ "kernel_sign_flags_and_long_hex", "x [%+d] [% d] [%lx]", { 3, 4, (uint64_t)-1 }, true },
	{ "kernel_upper_hex_and_chars", "y [%llX] [%c%c]", { (uint64_t)-1, 65, 66 }, true },
	{ "kernel_unsigned_and_i", "%u %i %lu", { (uint64_t)-1, (uint64_t)-2, (uint64_t)-3 }, true },
	{ "kernel_string_from_user_memory", "%s|", { 0 }, true }, /* args[0]: user_string */
	{ "kernel_padded_strings", "%-8s|%8s|", { 0, 0 }, true },
	{ "kernel_null_string_and_percent", "pct %% %5s|", { 0 }, true },
	{ "kernel_null_ipv4", "%pI4 %pi4", { 0, 0 }, true },
	{ "kernel_pointer_lengths", "%p %pK %px", { 0x1234, 0xffff, 7 }, false },
	{ "kernel_symbol_pointers", "%ps %pS|", { 0x1234, 0xffff }, true },
	{ "kernel_long_string_is_cut_at_511", "%s", { 0 }, false }, /* long_string */
	{ "kernel_nul_char_ends_the_message", "a%cb", { 0 }, true },
	{ "kernel_message_with_newline", "nl\n", { 0 }, false },
	{ "kernel_four_conversions_einval", "%d %d %d %d", { 1, 2, 3 }, false },
	{ "kernel_unknown_conversion_einval", "bad %q", { 1 }, false },
	{ "kernel_precision_einval", "%5.2d", { 1 }, false },
	{ "kernel_s_before_letter_einval", "%sx", { 0 }, false },
	{ "kernel_hash_flag_einval", "%#x", { 1 }, false },
	{ "kernel_h_length_einval", "%hd", { 1 }, false },
	{ "kernel_trailing_percent_einval", "50%", { 0 }, false },
	{ "kernel_unknown_pointer_einval", "%pq", { 0 }, false },
};

#define CASE_COUNT (sizeof(cases) / sizeof(cases[0]))

static long sys_bpf(int cmd, union bpf_attr *attr)
{
	return syscall(__NR_bpf, cmd, attr, sizeof(*attr));
}

static struct bpf_insn insn(uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm)
{
	return (struct bpf_insn){ .code = code, .dst_reg = dst, .src_reg = src, .off = off,
				  .imm = imm };
}

/* The format on the stack, args as lddw immediates, call 6, exit. */
static size_t build_printk(struct bpf_insn *p, const char *fmt, const uint64_t args[3])
{
	char buf[256] = { 0 };
	size_t n = strlen(fmt) + 1, words = (n + 7) / 8, k = 0;

	memcpy(buf, fmt, n);
	for (size_t w = 0; w < words; w++) {
		uint64_t v;

		memcpy(&v, buf + 8 * w, 8);
		p[k++] = insn(BPF_LD | BPF_DW | BPF_IMM, 1, 0, 0, (int32_t)(uint32_t)v);
		p[k++] = insn(0, 0, 0, 0, (int32_t)(v >> 32));
		p[k++] = insn(BPF_STX | BPF_DW | BPF_MEM, 10, 1, (int16_t)(-(int)(8 * words) + 8 * (int)w), 0);
	}
	p[k++] = insn(BPF_ALU64 | BPF_MOV | BPF_X, 1, 10, 0, 0);
	p[k++] = insn(BPF_ALU64 | BPF_ADD | BPF_K, 1, 0, 0, -(int)(8 * words));
	p[k++] = insn(BPF_ALU64 | BPF_MOV | BPF_K, 2, 0, 0, (int32_t)n);
	for (int a = 0; a < 3; a++) {
		p[k++] = insn(BPF_LD | BPF_DW | BPF_IMM, (uint8_t)(3 + a), 0, 0, (int32_t)(uint32_t)args[a]);
		p[k++] = insn(0, 0, 0, 0, (int32_t)(args[a] >> 32));
	}
	p[k++] = insn(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_trace_printk);
	p[k++] = insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
	return k;
}

/* Runs the case in the kernel; returns -1000 - errno when bpf() fails. */
static long kernel_printk(const char *fmt, const uint64_t args[3])
{
	struct bpf_insn prog[128];
	size_t count = build_printk(prog, fmt, args);
	uint8_t packet[64] = { 0 };
	union bpf_attr attr;
	int fd;

	memset(&attr, 0, sizeof(attr));
	attr.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
	attr.insns = (uint64_t)(uintptr_t)prog;
	attr.insn_cnt = (uint32_t)count;
	attr.license = (uint64_t)(uintptr_t)"GPL";
	fd = (int)sys_bpf(BPF_PROG_LOAD, &attr);
	if (fd < 0)
		return -1000 - errno;
	memset(&attr, 0, sizeof(attr));
	attr.test.prog_fd = (uint32_t)fd;
	attr.test.data_in = (uint64_t)(uintptr_t)packet;
	attr.test.data_size_in = sizeof(packet);
	if (sys_bpf(BPF_PROG_TEST_RUN, &attr)) {
		close(fd);
		return -1000 - errno;
	}
	close(fd);
	return (int32_t)attr.test.retval;
}

/* The same program text in bpfvm, as a raw program. */
static long bpfvm_printk(struct bpfvm *vm, const char *fmt, const uint64_t args[3])
{
	struct bpf_insn prog[128];
	size_t count = build_printk(prog, fmt, args);
	struct bpfvm_prog *loaded = NULL;
	uint64_t r0 = 0;
	int err = bpfvm_prog_load_raw(vm, prog, count, NULL, &loaded);

	if (!err)
		err = bpfvm_prog_run_raw(loaded, NULL, 0, &r0);
	if (err)
		fprintf(stderr, "bpfvm: %s\n", bpfvm_errmsg());
	bpfvm_prog_free(loaded);
	return err ? -2000 + err : (long)(int32_t)r0;
}

/* The message of the line that contains marker, from a trace text. */
static bool message_of(const char *text, const char *marker, char *out, size_t size)
{
	const char *at = strstr(text, marker), *start, *end;

	if (!at)
		return false;
	start = at + strlen(marker);
	end = strchr(start, '\n');
	if (!end)
		end = start + strlen(start);
	snprintf(out, size, "%.*s", (int)(end - start), start);
	return true;
}

static char *read_text(const char *path)
{
	FILE *file = fopen(path, "r");
	size_t cap = 1 << 20, len = 0, got;
	char *text;

	if (!file)
		return NULL;
	text = malloc(cap);
	while (text && (got = fread(text + len, 1, cap - len - 1, file)) > 0) {
		len += got;
		if (cap - len < 4096 && cap < (256u << 20))
			text = realloc(text, cap *= 2);
		else if (cap - len < 4096)
			break;
	}
	fclose(file);
	if (text)
		text[len] = '\0';
	return text;
}

static bool line_has_kernel_layout(const char *line)
{
	regex_t re;
	bool ok;

	regcomp(&re, "^ *[^ ]+-[0-9]+ +\\[[0-9]{3}\\] [^ ]{5} +[0-9]+\\.[0-9]{6}: bpf_trace_printk: ",
		REG_EXTENDED);
	ok = !regexec(&re, line, 0, NULL, 0);
	regfree(&re);
	return ok;
}

int main(void)
{
	static char ours[CASE_COUNT][1100];
	char markers[CASE_COUNT][64], fmt[CASE_COUNT][128], *pipe_text, *kernel_text, kernel_line[1100];
	long kernel_ret[CASE_COUNT];
	const uint64_t probe[3] = { 0 };
	struct bpfvm *vm;
	long probe_ret = kernel_printk("probe", probe);
	int compared = 0;

	if (probe_ret <= -1000) {
		printf("SKIP: the kernel's bpf() is not usable (errno %ld)\n", -1000 - probe_ret);
		return 77;
	}
	memset(long_string, 'a', sizeof(long_string) - 1);
	bpfvm_create(NULL, &vm);
	pipe_text = malloc(1 << 17);
	for (size_t i = 0; i < CASE_COUNT; i++) {
		uint64_t args[3];
		long ret;

		memcpy(args, cases[i].args, sizeof(args));
		if (strstr(cases[i].fmt, "%s|") || strstr(cases[i].fmt, "%8s"))
			args[0] = args[1] = (uint64_t)(uintptr_t)user_string;
		if (!strcmp(cases[i].name, "kernel_long_string_is_cut_at_511"))
			args[0] = (uint64_t)(uintptr_t)long_string;
		/* A marker of literal text makes each kernel line findable. */
		snprintf(markers[i], sizeof(markers[i]), "bpfvm-%d-%zu: ", (int)getpid(), i);
		snprintf(fmt[i], sizeof(fmt[i]), "%s%s", markers[i], cases[i].fmt);
		kernel_ret[i] = kernel_printk(fmt[i], args);
		ret = bpfvm_printk(vm, fmt[i], args);
		testlib_check(cases[i].name, ret == kernel_ret[i], "\"%s\": bpfvm %ld, kernel %ld",
			      cases[i].fmt, ret, kernel_ret[i]);
		bpfvm_trace_pipe_read(vm, pipe_text, 1 << 17);
		ours[i][0] = '\0';
		if (ret >= 0)
			message_of(pipe_text, markers[i], ours[i], sizeof(ours[i]));
		if (i == 0)
			testlib_check("bpfvm_line_has_the_kernels_layout", line_has_kernel_layout(pipe_text),
				      "line \"%s\"", pipe_text);
	}
	kernel_text = read_text("/sys/kernel/tracing/trace");
	for (size_t i = 0; kernel_text && i < CASE_COUNT; i++) {
		if (!cases[i].text || kernel_ret[i] < 0 ||
		    !message_of(kernel_text, markers[i], kernel_line, sizeof(kernel_line)))
			continue;
		compared++;
		testlib_check(cases[i].name, !strcmp(kernel_line, ours[i]),
			      "\"%s\": bpfvm \"%s\", kernel \"%s\"", cases[i].fmt, ours[i],
			      kernel_line);
		if (i == 0) {
			const char *line = strstr(kernel_text, markers[0]);

			while (line > kernel_text && line[-1] != '\n')
				line--;
			testlib_check("kernel_line_has_the_layout_bpfvm_writes",
				      line_has_kernel_layout(line), "kernel line \"%.120s\"", line);
		}
	}
	if (!compared)
		printf("note: kernel trace buffer not readable or tracing off: lengths compared only\n");
	free(kernel_text);
	free(pipe_text);
	bpfvm_destroy(vm);
	return testlib_summary();
}
