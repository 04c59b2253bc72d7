/* The formatter of bpf_trace_printk / bpf_snprintf (src/helpers/bprintf.c)
 * and the trace pipe (src/helpers/trace_pipe.c), called directly. The rules
 * are the kernel's bpf_bprintf_prepare and vsprintf; the expected texts were
 * checked against Linux 6.18's trace_pipe (test_trace_printk_kernel.c runs
 * the comparison when bpf() is usable). */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "helpers/bprintf.h"
#include "helpers/trace_pipe.h"
#include "testlib.h"

/* Formats with up to 12 arguments; checks the text and the length. */
static void expect_format(const char *test, const char *fmt, uint32_t num_args,
			  const uint64_t *args, const char *expected)
{
	char out[BPRINTF_BUF_SIZE];
	long len = bprintf_format(out, sizeof(out), fmt, strlen(fmt) + 1, args, num_args);

	testlib_check(test, len == (long)strlen(expected) && !strcmp(out, expected),
		      "format \"%s\": got %ld \"%s\", want %zu \"%s\"", fmt, len,
		      len >= 0 ? out : "", strlen(expected), expected);
}

static void expect_format_error(const char *test, const char *fmt, uint32_t num_args,
				const uint64_t *args, long expected)
{
	char out[64] = "untouched";
	long len = bprintf_format(out, sizeof(out), fmt, strlen(fmt) + 1, args, num_args);

	testlib_check(test, len == expected, "format \"%s\": got %ld, want %ld", fmt, len,
		      expected);
}

static void test_conversions(void)
{
	const uint64_t three[3] = { 42, 255, (uint64_t)-1 };
	const uint64_t neg[3] = { (uint64_t)-3, 4, 5 };
	const uint64_t flags[3] = { 3, 4, (uint64_t)-1 };
	const uint64_t chars[3] = { 'A', 'B', 0x1234 };
	const uint64_t ptrs[3] = { 0x1234, 0xffff, 7 };

	expect_format("d_and_x_print_int_values", "hello %d %x|", 2, three, "hello 42 ff|");
	expect_format("int_conversions_take_the_low_32_bits", "%d %u %X", 3,
		      (const uint64_t[]){ (uint64_t)-1, (uint64_t)-1, 0x1fffffffeull },
		      "-1 4294967295 FFFFFFFE");
	expect_format("width_pads_left_right_and_with_zeros", "w [%5d] [%-5d] [%05d]", 3, neg,
		      "w [   -3] [4    ] [00005]");
	expect_format("plus_and_space_flags_sign_signed_values", "x [%+d] [% d] [%lx]", 3, flags,
		      "x [+3] [ 4] [ffffffffffffffff]");
	expect_format("ll_and_upper_hex_print_64_bits", "y [%llX] [%c%c]", 3,
		      (const uint64_t[]){ (uint64_t)-1, 'A', 'B' }, "y [FFFFFFFFFFFFFFFF] [AB]");
	expect_format("ld_lld_lu_li_print_64_bits", "%ld %lld %lu", 3,
		      (const uint64_t[]){ (uint64_t)-5, (uint64_t)-6, (uint64_t)-7 },
		      "-5 -6 18446744073709551609");
	expect_format("c_prints_the_low_byte", "%c%c%c", 3, chars, "AB4");
	expect_format("percent_percent_prints_one_percent", "100%% %d%%", 1, three, "100% 42%");
	expect_format("p_pk_px_print_16_hex_digits", "p %p %pK %px|", 3, ptrs,
		      "p 0000000000001234 000000000000ffff 0000000000000007|");
	expect_format("ps_and_pS_print_0x_and_the_address", "ps %ps %pS|", 2, ptrs,
		      "ps 0x1234 0xffff|");
	expect_format("p_followed_by_punctuation_keeps_it", "%p.", 1, ptrs, "0000000000001234.");
	expect_format("no_conversion_with_zero_args", "plain text\twith tab\n", 0, NULL,
		      "plain text\twith tab\n");
	expect_format("minus_flag_disables_zero_padding", "[%-05d]", 1, three, "[42   ]");
	expect_format("zero_padding_goes_after_the_sign", "[%06d]", 1, neg, "[-00003]");
	expect_format("width_pads_strings_and_chars", "[%5s][%-3c]", 2,
		      (const uint64_t[]){ (uint64_t)(uintptr_t)"ab", 'z' }, "[   ab][z  ]");
}

static void test_strings_and_addresses(void)
{
	static const uint8_t ip4[4] = { 192, 168, 1, 2 };
	static const uint8_t ip6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
	char *unmapped = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	/* A string that ends exactly at a page end, then an unreadable page. */
	char *edge = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	munmap(edge + 4096, 4096);
	memcpy(edge + 4096 - 4, "end", 4);
	expect_format("s_prints_the_string", "[%s]", 1,
		      (const uint64_t[]){ (uint64_t)(uintptr_t)"bpf" }, "[bpf]");
	expect_format("s_of_null_prints_nothing", "[%s]", 1, (const uint64_t[]){ 0 }, "[]");
	expect_format("s_of_an_unreadable_address_prints_nothing", "[%s]", 1,
		      (const uint64_t[]){ (uint64_t)(uintptr_t)unmapped }, "[]");
	expect_format("s_reads_up_to_the_end_of_a_mapping", "[%s]", 1,
		      (const uint64_t[]){ (uint64_t)(uintptr_t)(edge + 4096 - 4) }, "[end]");
	expect_format("pks_and_pus_print_strings", "%pks %pus", 2,
		      (const uint64_t[]){ (uint64_t)(uintptr_t)"k", (uint64_t)(uintptr_t)"u" }, "k u");
	expect_format("pI4_and_pi4_print_dotted_addresses", "%pI4 %pi4", 2,
		      (const uint64_t[]){ (uint64_t)(uintptr_t)ip4, (uint64_t)(uintptr_t)ip4 },
		      "192.168.1.2 192.168.001.002");
	expect_format("pI6_and_pi6_print_full_addresses", "%pI6 %pi6", 2,
		      (const uint64_t[]){ (uint64_t)(uintptr_t)ip6, (uint64_t)(uintptr_t)ip6 },
		      "2001:0db8:0000:0000:0000:0000:0000:0001 20010db8000000000000000000000001");
	expect_format("pI4_of_null_prints_zeros", "%pI4", 1, (const uint64_t[]){ 0 }, "0.0.0.0");
	munmap(unmapped, 4096);
	munmap(edge, 4096);
}

/* The kernel copies strings into 512 bytes of argument space: a long
 * string is cut to 511 characters, and a conversion that finds the space
 * full fails with -ENOSPC. */
static void test_argument_space(void)
{
	char *long_string = malloc(700);
	char *out = malloc(2048);
	uint64_t args[3] = { (uint64_t)(uintptr_t)long_string, 1, 2 };
	long len;

	memset(long_string, 'a', 699);
	long_string[699] = '\0';
	len = bprintf_format(out, 2048, "%s", 3, args, 1);
	testlib_check("long_string_is_cut_to_the_argument_space", len == 511,
		      "length %ld, want 511", len);
	expect_format_error("conversion_after_a_full_argument_space_is_enospc", "%s%d", 2, args,
			    -ENOSPC);
	free(long_string);
	free(out);
}

static void test_invalid_formats(void)
{
	const uint64_t args[3] = { 1, 2, 3 };

	expect_format_error("more_conversions_than_arguments_is_einval", "%d %d %d %d", 3, args,
			    -EINVAL);
	expect_format_error("precision_is_einval", "%5.2d", 3, args, -EINVAL);
	expect_format_error("h_length_is_einval", "%hd", 3, args, -EINVAL);
	expect_format_error("hash_flag_is_einval", "%#x", 3, args, -EINVAL);
	expect_format_error("s_followed_by_a_letter_is_einval", "%sx", 3, args, -EINVAL);
	expect_format_error("lc_is_einval", "%lc", 3, args, -EINVAL);
	expect_format_error("unknown_conversion_is_einval", "%q", 3, args, -EINVAL);
	expect_format_error("unknown_pointer_kind_is_einval", "%pq", 3, args, -EINVAL);
	expect_format_error("non_ascii_byte_is_einval", "caf\xc3\xa9", 3, args, -EINVAL);
	expect_format_error("control_character_is_einval", "bell\a", 3, args, -EINVAL);
	expect_format_error("percent_at_the_end_is_einval", "50%", 3, args, -EINVAL);
	expect_format_error("any_conversion_with_zero_arguments_is_einval", "%d", 0, NULL,
			    -EINVAL);
	/* The format must hold its NUL within fmt_size. */
	{
		char out[16];
		long len = bprintf_format(out, sizeof(out), "abc", 3, args, 3);

		testlib_check("format_without_nul_in_its_size_is_einval", len == -EINVAL,
			      "got %ld", len);
		len = bprintf_format(out, sizeof(out), "abc", 4, args, 3);
		testlib_check("format_with_nul_at_its_last_byte_is_accepted", len == 3, "got %ld",
			      len);
	}
}

/* Output is cut to the buffer and always NUL-terminated; the length is that
 * of the whole text (as vsnprintf, which bpf_snprintf adds 1 to). */
static void test_truncation(void)
{
	char out[8];
	const uint64_t args[1] = { 123456789 };
	long len = bprintf_format(out, sizeof(out), "n=%d!", 6, args, 1);

	testlib_check("cut_output_keeps_the_full_length", len == 12 && !strcmp(out, "n=12345"),
		      "got %ld \"%s\"", len, out);
	len = bprintf_format(NULL, 0, "n=%d!", 6, args, 1);
	testlib_check("null_buffer_of_size_zero_gives_the_length", len == 12, "got %ld", len);
}

/* ---- the trace pipe ------------------------------------------------------ */

static void test_trace_pipe_line_format(void)
{
	struct trace_pipe *pipe = trace_pipe_create();
	char comm[17] = "", prefix[64], buf[512];
	unsigned cpu = 0;
	double stamp = 0;
	int pid = 0, consumed = 0;
	long len;

	prctl(PR_SET_NAME, "tp-test", 0, 0, 0);
	trace_pipe_write(pipe, 3, "hello 42", 8);
	len = trace_pipe_read(pipe, buf, sizeof(buf));
	prctl(PR_GET_NAME, comm, 0, 0, 0);
	snprintf(prefix, sizeof(prefix), "%16s-%-7d [003] ..... ", comm, (int)gettid());
	testlib_check("trace_line_starts_with_comm_pid_cpu_and_flags",
		      len > 0 && !strncmp(buf, prefix, strlen(prefix)), "line \"%s\", want \"%s...\"",
		      buf, prefix);
	sscanf(buf + strlen(prefix), "%lf: bpf_trace_printk: %n", &stamp, &consumed);
	testlib_check("trace_line_has_a_timestamp_and_the_event_name",
		      consumed > 0 && !strcmp(buf + strlen(prefix) + consumed, "hello 42\n"),
		      "line \"%s\"", buf);
	(void)cpu;
	(void)pid;
	len = trace_pipe_read(pipe, buf, sizeof(buf));
	testlib_check("trace_pipe_read_consumes_lines", len == 0 && buf[0] == '\0', "got %ld",
		      len);
	trace_pipe_write(pipe, 0, "nl\n", 3);
	len = trace_pipe_read(pipe, buf, sizeof(buf));
	testlib_check("message_ending_in_newline_gives_an_empty_line_as_the_kernel",
		      len > 4 && !strcmp(buf + len - 4, "nl\n\n"), "line \"%s\"", buf);
	trace_pipe_destroy(pipe);
}

static void test_trace_pipe_whole_lines(void)
{
	struct trace_pipe *pipe = trace_pipe_create();
	char buf[4096], small[40];
	long first, len;

	trace_pipe_write(pipe, 0, "one", 3);
	trace_pipe_write(pipe, 0, "two", 3);
	first = trace_pipe_read(pipe, small, sizeof(small));
	testlib_check("line_longer_than_the_buffer_is_enospc", first == -ENOSPC, "got %ld", first);
	len = trace_pipe_read(pipe, buf, sizeof(buf));
	testlib_check("a_refused_read_consumes_nothing",
		      len > 0 && strstr(buf, "one\n") && strstr(buf, "two\n"), "got %ld \"%s\"",
		      len, buf);
	trace_pipe_write(pipe, 0, "one", 3);
	trace_pipe_write(pipe, 0, "two", 3);
	len = trace_pipe_read(pipe, buf, (size_t)(strchr(buf, '\n') - buf) + 2);
	testlib_check("read_returns_only_whole_lines",
		      len > 0 && strstr(buf, "one\n") && !strstr(buf, "two"), "got %ld \"%s\"", len,
		      buf);
	trace_pipe_destroy(pipe);
}

/* The pipe keeps the latest 64 KiB (lines and their 4-byte lengths): old
 * lines are dropped whole. */
static void test_trace_pipe_keeps_the_latest(void)
{
	struct trace_pipe *pipe = trace_pipe_create();
	char *buf = malloc(TRACE_PIPE_SIZE + 1), message[32];
	long len;
	int lines = 0, first = -1, last = -1, gaps = 0;

	for (int i = 0; i < 5000; i++) {
		int n = snprintf(message, sizeof(message), "line %d", i);

		trace_pipe_write(pipe, 0, message, (size_t)n);
	}
	len = trace_pipe_read(pipe, buf, TRACE_PIPE_SIZE + 1);
	for (char *line = buf; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
		char *at = strstr(line, "bpf_trace_printk: line ");
		int n;

		if (!at || sscanf(at, "bpf_trace_printk: line %d", &n) != 1)
			break;
		if (first < 0)
			first = n;
		gaps += last >= 0 && n != last + 1;
		last = n;
		lines++;
	}
	testlib_check("pipe_keeps_the_latest_lines_within_64_KiB",
		      len + 4 * lines > TRACE_PIPE_SIZE - 100 && len + 4 * lines <= TRACE_PIPE_SIZE &&
			      last == 4999 && !gaps &&
			      first > 0,
		      "read %ld bytes, lines %d..%d (%d, %d gaps)", len, first, last, lines, gaps);
	free(buf);
	trace_pipe_destroy(pipe);
}

struct writer_arg {
	struct trace_pipe *pipe;
	int id;
};

static void *trace_writer(void *arg)
{
	struct writer_arg *writer = arg;
	char message[32];

	for (int i = 0; i < 150; i++) {
		int n = snprintf(message, sizeof(message), "w%d %d", writer->id, i);

		trace_pipe_write(writer->pipe, (uint32_t)writer->id, message, (size_t)n);
	}
	return NULL;
}

/* Writers in threads (600 lines, less than the pipe holds): every line
 * arrives whole, each writer's in order. */
static void test_trace_pipe_threads(void)
{
	struct trace_pipe *pipe = trace_pipe_create();
	struct writer_arg args[4];
	pthread_t threads[4];
	int next[4] = { 0 }, bad = 0, total = 0;
	char *buf = malloc(TRACE_PIPE_SIZE + 1);

	for (int t = 0; t < 4; t++) {
		args[t] = (struct writer_arg){ pipe, t };
		pthread_create(&threads[t], NULL, trace_writer, &args[t]);
	}
	for (int t = 0; t < 4; t++)
		pthread_join(threads[t], NULL);
	trace_pipe_read(pipe, buf, TRACE_PIPE_SIZE + 1);
	for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) {
		int id, n;
		char *at = strstr(line, "bpf_trace_printk: w");

		if (!at || sscanf(at, "bpf_trace_printk: w%d %d", &id, &n) != 2 || id < 0 || id > 3 ||
		    n != next[id]) {
			bad++;
			continue;
		}
		next[id]++;
		total++;
	}
	testlib_check("lines_from_threads_arrive_whole_and_in_order", !bad && total == 600,
		      "%d bad lines, %d good", bad, total);
	free(buf);
	trace_pipe_destroy(pipe);
}

int main(void)
{
	test_conversions();
	test_strings_and_addresses();
	test_argument_space();
	test_invalid_formats();
	test_truncation();
	test_trace_pipe_line_format();
	test_trace_pipe_whole_lines();
	test_trace_pipe_keeps_the_latest();
	test_trace_pipe_threads();
	return testlib_summary();
}
