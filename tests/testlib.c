#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unistd.h>
#include <sys/syscall.h>
#include <linux/bpf.h>

#include "testlib.h"

char *testlib_read_file(const char *path)
{
	FILE *file = fopen(path, "rb");
	char *text = NULL;
	long size;

	if (!file)
		return NULL;
	if (fseek(file, 0, SEEK_END) == 0 && (size = ftell(file)) >= 0 &&
	    fseek(file, 0, SEEK_SET) == 0) {
		text = malloc((size_t)size + 1);
		if (text && fread(text, 1, (size_t)size, file) != (size_t)size) {
			free(text);
			text = NULL;
		}
		if (text)
			text[size] = '\0';
	}
	fclose(file);
	return text;
}

/* If `line` is "# KEY: value", returns a pointer to value (whitespace
 * trimmed on the left), else NULL. */
static const char *header_value(const char *line, const char *end, const char *key)
{
	size_t key_len = strlen(key);
	const char *p = line;

	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (p >= end || *p != '#')
		return NULL;
	p++;
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if ((size_t)(end - p) <= key_len || strncmp(p, key, key_len) != 0 || p[key_len] != ':')
		return NULL;
	p += key_len + 1;
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	return p;
}

static char *copy_trimmed(const char *start, const char *end)
{
	char *copy;

	while (end > start && isspace((unsigned char)end[-1]))
		end--;
	copy = malloc((size_t)(end - start) + 1);
	if (!copy) {
		fprintf(stderr, "out of memory\n");
		exit(2);
	}
	memcpy(copy, start, (size_t)(end - start));
	copy[end - start] = '\0';
	return copy;
}

static int hex_digit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static int parse_mem(struct corpus_case *c, const char *value)
{
	size_t cap = strlen(value) / 2 + 1;
	int high = -1;

	c->mem = malloc(cap);
	if (!c->mem)
		return -1;
	c->mem_len = 0;
	for (const char *p = value; *p; p++) {
		int digit = hex_digit((unsigned char)*p);

		if (isspace((unsigned char)*p))
			continue;
		if (digit < 0)
			return -1;
		if (high < 0) {
			high = digit;
		} else {
			c->mem[c->mem_len++] = (uint8_t)(high << 4 | digit);
			high = -1;
		}
	}
	return high < 0 ? 0 : -1;
}

static int parse_number(const char *value, long long min, unsigned long long *out,
			bool is_signed)
{
	char *end;

	errno = 0;
	if (is_signed) {
		long long v = strtoll(value, &end, 0);

		if (v < min)
			return -1;
		*out = (unsigned long long)v;
	} else {
		if (value[0] == '-')
			return -1;
		*out = strtoull(value, &end, 0);
	}
	if (errno || end == value || *end)
		return -1;
	return 0;
}

/* Reads the header lines of a case (the "# key:" lines right after
 * "# test:"). */
static int parse_header(struct corpus_case *c, const char *line, const char *line_end,
			unsigned line_number)
{
	const char *value;
	char *text = NULL;
	unsigned long long number = 0;
	int err = 0;

	if ((value = header_value(line, line_end, "mem"))) {
		text = copy_trimmed(value, line_end);
		err = c->mem ? -1 : parse_mem(c, text);
	} else if ((value = header_value(line, line_end, "expect"))) {
		text = copy_trimmed(value, line_end);
		err = c->has_expect ? -1 : parse_number(text, 0, &number, false);
		c->expect = number;
		c->has_expect = true;
	} else if ((value = header_value(line, line_end, "expect-error"))) {
		text = copy_trimmed(value, line_end);
		err = c->has_expect_error ? -1 : parse_number(text, -4095, &number, true);
		if (!err && ((long long)number >= 0))
			err = -1;
		c->expect_error = (int)(long long)number;
		c->has_expect_error = true;
	} else if ((value = header_value(line, line_end, "kernel"))) {
		text = copy_trimmed(value, line_end);
		if (strcmp(text, "yes") == 0)
			c->kernel = CORPUS_KERNEL_YES;
		else if (strcmp(text, "skb") == 0)
			c->kernel = CORPUS_KERNEL_SKB;
		else if (strcmp(text, "no") != 0)
			err = -1;
	}
	if (err)
		fprintf(stderr, "%s:%u: malformed or repeated header line in case '%s'\n", c->file,
			line_number, c->name);
	free(text);
	return err;
}

static struct corpus_case *corpus_add(struct corpus *corpus)
{
	struct corpus_case *cases = realloc(corpus->cases, (corpus->count + 1) * sizeof(*cases));

	if (!cases) {
		fprintf(stderr, "out of memory\n");
		exit(2);
	}
	corpus->cases = cases;
	memset(&cases[corpus->count], 0, sizeof(cases[0]));
	return &cases[corpus->count++];
}

static void corpus_case_release(struct corpus_case *c)
{
	free(c->name);
	free(c->text);
	free(c->mem);
}

/* Completes the last case of the corpus; a malformed one is dropped, so that
 * a runner never runs a case without an expectation. */
static int corpus_finish_case(struct corpus *corpus, const char *start, const char *end,
			      int header_err)
{
	struct corpus_case *c = &corpus->cases[corpus->count - 1];

	c->text = copy_trimmed(start, end);
	if (!header_err && c->has_expect == c->has_expect_error)
		fprintf(stderr, "%s:%u: case '%s' needs exactly one of '# expect:' and "
				"'# expect-error:'\n", c->file, c->line, c->name);
	else if (!header_err)
		return 0;
	corpus_case_release(c);
	corpus->count--;
	return -1;
}

int corpus_read_file(struct corpus *corpus, const char *path)
{
	char *text = testlib_read_file(path);
	const char *case_start = NULL;
	bool in_case = false, in_header = false;
	unsigned line_number = 0;
	int err = 0, header_err = 0;

	if (!text) {
		fprintf(stderr, "%s: cannot read: %s\n", path, strerror(errno));
		return -1;
	}
	for (const char *line = text; *line;) {
		const char *line_end = strchr(line, '\n');
		const char *next, *value;
		struct corpus_case *c;

		if (!line_end)
			line_end = line + strlen(line);
		next = *line_end ? line_end + 1 : line_end;
		line_number++;
		if ((value = header_value(line, line_end, "test"))) {
			if (in_case && corpus_finish_case(corpus, case_start, line, header_err))
				err = -1;
			c = corpus_add(corpus);
			c->file = path;
			c->line = line_number;
			c->name = copy_trimmed(value, line_end);
			case_start = line;
			in_case = in_header = true;
			header_err = 0;
		} else if (in_header) {
			const char *p = line;

			while (p < line_end && (*p == ' ' || *p == '\t'))
				p++;
			c = &corpus->cases[corpus->count - 1];
			if (p < line_end && *p == '#') {
				if (parse_header(c, line, line_end, line_number))
					header_err = -1;
			} else {
				in_header = false;
			}
		}
		line = next;
	}
	if (in_case && corpus_finish_case(corpus, case_start, text + strlen(text), header_err))
		err = -1;
	free(text);
	return err;
}

void corpus_release(struct corpus *corpus)
{
	for (size_t i = 0; i < corpus->count; i++)
		corpus_case_release(&corpus->cases[i]);
	free(corpus->cases);
	corpus->cases = NULL;
	corpus->count = 0;
}

static uint64_t helper_identity(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5)
{
	return r1;
}

static uint64_t helper_sum(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5)
{
	return r1 + r2 + r3 + r4 + r5;
}

struct bpfvm *testlib_vm_create_engine(enum bpfvm_engine engine)
{
	struct bpfvm_opts opts = { .sz = sizeof(opts), .engine = engine };
	struct bpfvm *vm = NULL;
	int err = bpfvm_create(&opts, &vm);

	if (err) {
		fprintf(stderr, "engine %d: %s\n", engine, bpfvm_errmsg());
		exit(err == -ENOTSUP ? 77 : 2);
	}
	return vm;
}

struct bpfvm *testlib_vm_create(void)
{
	struct bpfvm *vm = NULL;
	int err = bpfvm_create(NULL, &vm);

	if (!err)
		err = bpfvm_helper_register(vm, TESTLIB_HELPER_IDENTITY, "identity",
					    helper_identity);
	if (!err)
		err = bpfvm_helper_register(vm, TESTLIB_HELPER_SUM, "sum", helper_sum);
	if (err) {
		fprintf(stderr, "cannot create a runtime: %d %s\n", err, bpfvm_errmsg());
		exit(2);
	}
	return vm;
}

int testlib_run(struct bpfvm_prog *prog, const uint8_t *mem, size_t mem_len, uint64_t *retval)
{
	uint8_t *copy = NULL;
	int err;

	if (mem_len) {
		copy = malloc(mem_len);
		if (!copy) {
			fprintf(stderr, "out of memory\n");
			exit(2);
		}
		memcpy(copy, mem, mem_len);
	}
	err = bpfvm_prog_run_raw(prog, copy, mem_len, retval);
	free(copy);
	return err;
}

void testlib_print_disasm(const struct bpf_insn *insns, size_t insn_cnt)
{
	char *text = bpfvm_disasm_prog(insns, insn_cnt);
	const char *line = text;

	if (!text) {
		printf("    (no disassembly: out of memory)\n");
		return;
	}
	while (*line) {
		const char *end = strchr(line, '\n');
		int len = end ? (int)(end - line) : (int)strlen(line);

		printf("    %.*s\n", len, line);
		line += len + (end ? 1 : 0);
	}
	free(text);
}

/* ---- check counting ---------------------------------------------------- */

static unsigned checks_passed, checks_failed;

void testlib_check(const char *test, bool ok, const char *fmt, ...)
{
	va_list ap;

	if (ok) {
		checks_passed++;
		return;
	}
	checks_failed++;
	printf("FAIL %s: ", test);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

void testlib_count_failure(void)
{
	checks_failed++;
}

unsigned testlib_failed(void)
{
	return checks_failed;
}

int testlib_summary(void)
{
	printf("%u passed, %u failed\n", checks_passed, checks_failed);
	return checks_failed ? 1 : 0;
}

int testlib_kernel_load(uint32_t prog_type, uint32_t expected_attach_type,
			const struct bpf_insn *insns, size_t insn_cnt, char *log, size_t size)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.prog_type = prog_type;
	attr.expected_attach_type = expected_attach_type;
	attr.insns = (uintptr_t)insns;
	attr.insn_cnt = (uint32_t)insn_cnt;
	attr.license = (uintptr_t)"GPL";
	attr.log_buf = (uintptr_t)log;
	attr.log_size = (uint32_t)size;
	attr.log_level = 1;
	log[0] = 0;
	return (int)syscall(SYS_bpf, BPF_PROG_LOAD, &attr, sizeof(attr));
}

bool testlib_kernel_usable(void)
{
	const struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	char log[512];
	int fd = testlib_kernel_load(BPF_PROG_TYPE_SOCKET_FILTER, 0, insns, 2, log, sizeof(log));

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

int testlib_kernel_rc(int rc)
{
	return rc < 0 ? -errno : rc;
}

void testlib_log(struct testlib_log *log, const char *fmt, ...)
{
	va_list ap;

	if (log->lines >= TESTLIB_LOG_LINES)
		return;
	va_start(ap, fmt);
	vsnprintf(log->line[log->lines++], sizeof(log->line[0]), fmt, ap);
	va_end(ap);
}

void testlib_logs_compare(const char *test, const struct testlib_log *kernel,
			  const struct testlib_log *vm)
{
	int lines = kernel->lines > vm->lines ? kernel->lines : vm->lines;

	for (int i = 0; i < lines; i++) {
		const char *k = i < kernel->lines ? kernel->line[i] : "(nothing)";
		const char *v = i < vm->lines ? vm->line[i] : "(nothing)";

		testlib_check(test, strcmp(k, v) == 0, "line %d:\n    kernel: %s\n    bpfvm:  %s",
			      i + 1, k, v);
	}
}

void testlib_log_print(const struct testlib_log *log)
{
	for (int i = 0; i < log->lines; i++)
		printf("  %s\n", log->line[i]);
}

void testlib_kernel_reason(const char *log, char *buf, size_t size)
{
	const char *end = strstr(log, "\nverification time "), *start;

	/* Statistics open with "verification time" at BPF_LOG_STATS, else
	 * with "processed"; lines of source ("; ...", BTF line info) are not
	 * the reason. */
	if (!end)
		end = strstr(log, "\nprocessed ");
	if (!end)
		end = log + strlen(log);
	for (;;) {
		while (end > log && end[-1] == '\n')
			end--;
		start = end;
		while (start > log && start[-1] != '\n')
			start--;
		if (start == log || start[0] != ';')
			break;
		end = start;
	}
	snprintf(buf, size, "%.*s", (int)(end - start), start);
}
