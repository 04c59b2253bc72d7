/* bpfvm-conformance-plugin: runs one program for the public BPF conformance
 * suite (the plugin protocol of bpf_conformance, as uBPF's and rbpf's plugins
 * speak it).
 *
 *   stdin   the program, as hex bytes separated by whitespace
 *   argv[1] the input memory in the same format, unless it starts with "--"
 *   options --jit, --interpret: the engine (bpfvm.h: enum bpfvm_engine;
 *           neither: the default, BPFVM_ENGINE or the JIT on x86-64); other
 *           "--" options are ignored with a warning on stderr
 *   stdout  r0 in hex, and nothing else
 *   exit    0 on success; on a load or run error, one line on stderr and 1
 *
 * The program runs with r1 = a writable copy of the memory (NULL if none),
 * r2 = its length, r10 = the top of a 512-byte stack, helper 5 returning
 * its first argument, and runtime function (kfunc) 0x2a returning 0. The
 * suite's tests assume both: callx.data and call_unwind_fail.data call
 * helper 5, and call_runtime.data calls runtime function 0x2a (`call` with
 * src 2) and expects r0 = 0, naming no error.
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfvm/bpfvm.h"

#define PLUGIN_HELPER_IDENTITY 5
#define PLUGIN_RUNTIME_ZERO 0x2a

struct byte_buffer {
	uint8_t *data;
	size_t len;
	size_t cap;
};

static int buffer_push(struct byte_buffer *buf, uint8_t byte)
{
	if (buf->len == buf->cap) {
		size_t cap = buf->cap ? buf->cap * 2 : 256;
		uint8_t *data = realloc(buf->data, cap);

		if (!data)
			return -1;
		buf->data = data;
		buf->cap = cap;
	}
	buf->data[buf->len++] = byte;
	return 0;
}

static int hex_value(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Parses hex bytes, with or without whitespace between them. */
static int parse_hex(const char *text, struct byte_buffer *out)
{
	int high = -1;

	for (const char *p = text; *p; p++) {
		int value;

		if (isspace((unsigned char)*p))
			continue;
		value = hex_value((unsigned char)*p);
		if (value < 0) {
			fprintf(stderr, "invalid hex character '%c'\n", *p);
			return -1;
		}
		if (high < 0) {
			high = value;
		} else {
			if (buffer_push(out, (uint8_t)(high << 4 | value)))
				return -1;
			high = -1;
		}
	}
	if (high >= 0) {
		fprintf(stderr, "odd number of hex digits\n");
		return -1;
	}
	return 0;
}

static char *read_all(FILE *in)
{
	size_t len = 0, cap = 4096;
	char *text = malloc(cap);
	size_t got;

	while (text && (got = fread(text + len, 1, cap - len - 1, in)) > 0) {
		len += got;
		if (cap - len - 1 == 0) {
			char *bigger = realloc(text, cap * 2);

			if (!bigger) {
				free(text);
				return NULL;
			}
			text = bigger;
			cap *= 2;
		}
	}
	if (text)
		text[len] = '\0';
	return text;
}

static uint64_t helper_identity(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5)
{
	return r1;
}

static uint64_t runtime_zero(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5)
{
	return 0;
}

/* The test environment the suite's programs call into (above). */
static int register_environment(struct bpfvm *vm)
{
	struct bpfvm_kfunc zero = { .sz = sizeof(zero), .name = "conformance_runtime_zero",
				    .id = PLUGIN_RUNTIME_ZERO, .fn = runtime_zero };
	int err = bpfvm_helper_register(vm, PLUGIN_HELPER_IDENTITY, "identity", helper_identity);

	return err ? err : bpfvm_kfunc_register(vm, &zero);
}

static enum bpfvm_engine parse_options(int argc, char **argv, int first)
{
	enum bpfvm_engine engine = BPFVM_ENGINE_DEFAULT;

	for (int i = first; i < argc; i++) {
		if (strcmp(argv[i], "--jit") == 0)
			engine = BPFVM_ENGINE_JIT;
		else if (strcmp(argv[i], "--interpret") == 0)
			engine = BPFVM_ENGINE_INTERP;
		else
			fprintf(stderr, "bpfvm-conformance-plugin: ignoring unknown option '%s'\n",
				argv[i]);
	}
	return engine;
}

static int run_program(const struct byte_buffer *code, struct byte_buffer *memory,
		       enum bpfvm_engine engine)
{
	struct bpfvm_opts vm_opts = { .sz = sizeof(vm_opts), .engine = engine };
	struct bpfvm_prog_opts opts = { .sz = sizeof(opts), .name = "conformance",
					.ctx_size = (uint32_t)memory->len };
	struct bpfvm_prog *prog = NULL;
	struct bpfvm *vm = NULL;
	uint64_t r0 = 0;
	int err;

	if (code->len % sizeof(struct bpf_insn)) {
		fprintf(stderr, "program size %zu is not a multiple of 8\n", code->len);
		return 1;
	}
	err = bpfvm_create(&vm_opts, &vm);
	if (!err)
		err = register_environment(vm);
	if (!err)
		err = bpfvm_prog_load_raw(vm, (const struct bpf_insn *)code->data,
					  code->len / sizeof(struct bpf_insn), &opts, &prog);
	if (!err)
		err = bpfvm_prog_run_raw(prog, memory->len ? memory->data : NULL, memory->len, &r0);
	if (err)
		fprintf(stderr, "%s (%s)\n", bpfvm_errmsg(), strerror(-err));
	else
		printf("%" PRIx64 "\n", r0);
	bpfvm_prog_free(prog);
	bpfvm_destroy(vm);
	return err ? 1 : 0;
}

int main(int argc, char **argv)
{
	struct byte_buffer code = { 0 }, memory = { 0 };
	enum bpfvm_engine engine;
	int first_option = 1;
	char *program_text;
	int status = 1;

	if (argc > 1 && strncmp(argv[1], "--", 2) != 0) {
		if (parse_hex(argv[1], &memory))
			goto out;
		first_option = 2;
	}
	engine = parse_options(argc, argv, first_option);
	program_text = read_all(stdin);
	if (!program_text) {
		fprintf(stderr, "out of memory reading the program\n");
		goto out;
	}
	if (parse_hex(program_text, &code) == 0)
		status = run_program(&code, &memory, engine);
	free(program_text);
out:
	free(code.data);
	free(memory.data);
	return status;
}
