/* The kernel and bpfvm side by side; see kernel_oracle.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "engine/interp.h"
#include "engine/prog.h"
#include "helpers/helper_proto.h"
#include "kernel_oracle.h"
#include "progtypes/progtype.h"
#include "testlib.h"
#include "verifier/structure.h"

static char kernel_log[1 << 16];

bool oracle_kernel_usable(void)
{
	int fd = oracle_kernel_load(BPF_PROG_TYPE_SOCKET_FILTER, 0, "r0 = 0\nexit\n", NULL, 0);

	if (fd < 0) {
		printf("SKIP: bpf() is not usable here (%s)\n", strerror(-fd));
		return false;
	}
	close(fd);
	return true;
}

struct bpfvm *oracle_vm(void)
{
	struct bpfvm *vm;

	if (bpfvm_create(NULL, &vm)) {
		fprintf(stderr, "bpfvm_create: %s\n", bpfvm_errmsg());
		exit(1);
	}
	for (const struct helper_proto *p = helper_protos_packet; p->name; p++)
		bpfvm_helper_register(vm, p->id, p->name, p->fn);
	return vm;
}

static void oracle_last_line(const char *log, char *why, size_t why_size)
{
	size_t len = strlen(log);
	const char *start;

	while (len && log[len - 1] == '\n')
		len--;
	start = log + len;
	while (start > log && start[-1] != '\n')
		start--;
	snprintf(why, why_size, "%.*s", (int)(log + len - start), start);
}

int oracle_kernel_load(enum bpf_prog_type type, enum bpf_attach_type attach, const char *text,
		       char *why, size_t why_size)
{
	return oracle_kernel_load_flags(type, attach, 0, text, why, why_size);
}

int oracle_kernel_load_flags(enum bpf_prog_type type, enum bpf_attach_type attach,
			     uint32_t prog_flags, const char *text, char *why, size_t why_size)
{
	LIBBPF_OPTS(bpf_prog_load_opts, opts, .expected_attach_type = attach,
		    .prog_flags = prog_flags, .log_buf = kernel_log,
		    .log_size = sizeof(kernel_log), .log_level = 1);
	struct bpf_insn *insns;
	size_t cnt;
	int fd;

	if (bpfvm_asm_parse(text, &insns, &cnt)) {
		fprintf(stderr, "asm: %s\n", bpfvm_errmsg());
		exit(1);
	}
	kernel_log[0] = 0;
	fd = bpf_prog_load(type, NULL, "GPL", insns, cnt, &opts);
	if (fd < 0) {
		fd = -errno;
		if (why)
			oracle_last_line(kernel_log, why, why_size);
	}
	free(insns);
	return fd;
}

/* The stand-in for the type tracking (kernel_oracle.h): r6 is the context. */
static int oracle_standin_rewrite(struct bpfvm_prog *prog)
{
	static const uint8_t bytes[] = { [BPF_W >> 3] = 4, [BPF_H >> 3] = 2, [BPF_B >> 3] = 1,
					 [BPF_DW >> 3] = 8 };

	for (uint32_t i = 0; i < prog->insn_cnt; i++) {
		struct bpf_insn *insn = &prog->insns[i];
		uint8_t class = BPF_CLASS(insn->code);
		bool load = class == BPF_LDX, store = class == BPF_STX || class == BPF_ST;
		struct ctx_rewrite rw;
		uint32_t size = bytes[BPF_SIZE(insn->code) >> 3];
		int err;

		if (BPF_MODE(insn->code) != BPF_MEM || (!load && !store) ||
		    (load ? insn->src_reg : insn->dst_reg) != BPF_REG_6)
			continue;
		err = prog->progtype->ctx_access(prog, insn->off, size, store, &rw);
		if (err)
			return err;
		if ((uint32_t)insn->off + size > prog->max_ctx_offset)
			prog->max_ctx_offset = (uint32_t)insn->off + size;
		insn->off = rw.off;
		insn->code = (uint8_t)(class | BPF_MEM | rw.size);
	}
	return 0;
}

static int oracle_standin_prepare(struct bpfvm_prog *prog)
{
	int err;

	prog->progtype = progtype_for(prog->type);
	if (!prog->progtype)
		return -ENOTSUP;
	err = verifier_check_structure(prog);
	if (!err)
		err = oracle_standin_rewrite(prog);
	if (err)
		return err;
	prog->interp = interp_decode(prog);
	if (!prog->interp)
		return -ENOMEM;
	prog->loaded = true;
	return 0;
}

int oracle_bpfvm_load(struct bpfvm *vm, enum bpf_prog_type type, enum bpf_attach_type attach,
		      const char *text, struct bpfvm_prog **prog_out)
{
	static int tracker = -1; /* unknown, 0 absent, 1 present */
	struct bpf_insn *insns;
	struct bpfvm_prog *prog;
	size_t cnt;
	int err;

	if (bpfvm_asm_parse(text, &insns, &cnt)) {
		fprintf(stderr, "asm: %s\n", bpfvm_errmsg());
		exit(1);
	}
	prog = prog_alloc(vm, "test", "", insns, cnt);
	free(insns);
	if (!prog)
		return -ENOMEM;
	prog->type = type;
	prog->expected_attach_type = attach;
	err = tracker != 0 ? prog_prepare(prog) : oracle_standin_prepare(prog);
	if (err == -ENOTSUP && tracker == -1 && progtype_for(type)) {
		tracker = 0;
		prog_destroy(prog);
		return oracle_bpfvm_load(vm, type, attach, text, prog_out);
	}
	if (tracker == -1 && !err)
		tracker = 1;
	if (err) {
		prog_destroy(prog);
		return err;
	}
	*prog_out = prog;
	return 0;
}

static uint32_t oracle_ctx_capacity(const struct oracle_case *c)
{
	return c->ctx_size_out ? c->ctx_size_out : c->ctx_size_in;
}

int oracle_run_kernel(const struct oracle_case *c, struct oracle_result *res)
{
	char why[256] = "";
	int fd = oracle_kernel_load(c->type, c->attach, c->text, why, sizeof(why));
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = c->data_in,
		    .data_size_in = c->data_size_in, .data_out = res->data_out,
		    .data_size_out = c->data_size_out ? c->data_size_out : ORACLE_OUT_MAX,
		    .ctx_in = c->ctx_in, .ctx_size_in = c->ctx_size_in,
		    .ctx_out = c->want_ctx_out ? res->ctx_out : NULL,
		    .ctx_size_out = c->want_ctx_out ? oracle_ctx_capacity(c) : 0,
		    .repeat = c->repeat, .flags = c->flags, .cpu = c->cpu);

	memset(res, 0, sizeof(*res));
	if (fd < 0) {
		testlib_check(c->name, false, "the kernel refused the program: %s (%s)",
			      strerror(-fd), why);
		return -1;
	}
	opts.data_out = c->data_in || c->data_size_in ? res->data_out : NULL;
	if (!opts.data_out)
		opts.data_size_out = 0;
	res->err = bpf_prog_test_run_opts(fd, &opts) ? -errno : 0;
	res->retval = opts.retval;
	res->data_size_out = opts.data_size_out;
	res->ctx_size_out = opts.ctx_size_out;
	close(fd);
	return 0;
}

int oracle_run_bpfvm(struct bpfvm *vm, const struct oracle_case *c, struct oracle_result *res)
{
	struct bpfvm_prog *prog;
	struct bpfvm_test_run_opts opts = {
		.sz = sizeof(opts),
		.data_in = c->data_in,
		.data_size_in = c->data_size_in,
		.data_out = res->data_out,
		.data_size_out = c->data_size_out ? c->data_size_out : ORACLE_OUT_MAX,
		.ctx_in = c->ctx_in,
		.ctx_size_in = c->ctx_size_in,
		.ctx_out = c->want_ctx_out ? res->ctx_out : NULL,
		.ctx_size_out = c->want_ctx_out ? oracle_ctx_capacity(c) : 0,
		.repeat = c->repeat,
		.flags = c->flags,
		.cpu = c->cpu,
	};
	int err;

	memset(res, 0, sizeof(*res));
	err = oracle_bpfvm_load(vm, c->type, c->attach, c->text, &prog);
	if (err) {
		testlib_check(c->name, false, "bpfvm refused the program: %s", bpfvm_errmsg());
		return -1;
	}
	if (!c->data_in && !c->data_size_in) {
		opts.data_out = NULL;
		opts.data_size_out = 0;
	}
	res->err = bpfvm_prog_test_run(prog, &opts);
	res->retval = opts.retval;
	res->data_size_out = opts.data_size_out;
	res->ctx_size_out = opts.ctx_size_out;
	bpfvm_prog_free(prog);
	return 0;
}

static void oracle_print_diff(const char *what, const uint8_t *kernel, const uint8_t *vm,
			      uint32_t len)
{
	for (uint32_t i = 0; i < len; i++) {
		if (kernel[i] != vm[i]) {
			printf("    %s differs from byte %u: kernel", what, i);
			for (uint32_t j = i; j < len && j < i + 16; j++)
				printf(" %02x", kernel[j]);
			printf(", bpfvm");
			for (uint32_t j = i; j < len && j < i + 16; j++)
				printf(" %02x", vm[j]);
			printf("\n");
			return;
		}
	}
}

void oracle_compare(const struct oracle_case *c, const struct oracle_result *kernel,
		    const struct oracle_result *vm)
{
	uint32_t data_len = kernel->data_size_out < ORACLE_OUT_MAX ? kernel->data_size_out
								    : ORACLE_OUT_MAX;
	uint32_t ctx_len = oracle_ctx_capacity(c) < kernel->ctx_size_out ? oracle_ctx_capacity(c)
									  : kernel->ctx_size_out;
	bool same_err = kernel->err == vm->err;
	bool same = same_err && (kernel->err && kernel->err != -ENOSPC ? true :
		    kernel->retval == vm->retval && kernel->data_size_out == vm->data_size_out &&
		    kernel->ctx_size_out == vm->ctx_size_out &&
		    !memcmp(kernel->data_out, vm->data_out, data_len) &&
		    (!c->want_ctx_out || !memcmp(kernel->ctx_out, vm->ctx_out, ctx_len)));

	testlib_check(c->name, same,
		      "kernel: err %d retval 0x%x data %u ctx %u; bpfvm: err %d retval 0x%x "
		      "data %u ctx %u (%s)", kernel->err, kernel->retval, kernel->data_size_out,
		      kernel->ctx_size_out, vm->err, vm->retval, vm->data_size_out,
		      vm->ctx_size_out, vm->err ? bpfvm_errmsg() : "");
	if (!same && same_err) {
		oracle_print_diff("data_out", kernel->data_out, vm->data_out, data_len);
		if (c->want_ctx_out)
			oracle_print_diff("ctx_out", kernel->ctx_out, vm->ctx_out, ctx_len);
	}
}
