/* The kernel's check_btf_func refuses a program that links in a subprogram
 * whose body holds an LD_ABS / LD_IND or a tail call while its BTF says it
 * returns anything but a scalar (an int of at most 8 bytes, an enum): both
 * may end the function with an r0 its code does not set (a failed packet
 * load returns 0, bpf_gen_ld_abs's hidden exit; a tail call ends it with
 * the called program's r0), which Linux admits only where the function
 * returns an int. The rule is computed here for every .text function, at open;
 * the loader refuses, at load, the entry programs that link such a
 * function in (load.c), as the kernel refuses those programs alone. */
#include <linux/bpf.h>

#include <bpf/btf.h>

#include "isa/isa.h"
#include "object/elf_reader.h"

static bool subprog_returns_scalar(const struct btf *btf, const char *name)
{
	int id = btf__find_by_name_kind(btf, name, BTF_KIND_FUNC);
	const struct btf_type *t = id > 0 ? btf__type_by_id(btf, (uint32_t)id) : NULL;

	if (!t)
		return true; /* no FUNC of that name: nothing the kernel could check */
	t = btf__type_by_id(btf, t->type);
	if (!t || !btf_is_func_proto(t))
		return true;
	t = btf__type_by_id(btf, t->type); /* its return type; [0] is void */
	while (t && btf_is_mod(t))
		t = btf__type_by_id(btf, t->type);
	if (!t)
		return false;
	return (btf_is_int(t) && t->size <= sizeof(uint64_t)) || btf_is_any_enum(t);
}

/* The kernel's words for the first instruction that needs an int return. */
static const char *subprog_int_return_rule(const struct object_prog *prog)
{
	for (uint32_t i = 0; i < prog->insn_cnt; i++) {
		const struct bpf_insn *insn = &prog->insns[i];

		if (BPF_CLASS(insn->code) == BPF_LD &&
		    (BPF_MODE(insn->code) == BPF_ABS || BPF_MODE(insn->code) == BPF_IND))
			return "LD_ABS is only allowed in functions that return 'int'.";
		if (isa_is_helper_call(insn) && insn->imm == BPF_FUNC_tail_call)
			return "tail_call is only allowed in functions that return 'int'.";
	}
	return NULL;
}

void reader_set_int_return_rules(struct elf_reader *reader)
{
	struct object_file *file = reader->file;

	/* The kernel checks only what func_info describes: libbpf passes it
	 * from .BTF.ext, so without one a void subprogram is not refused. */
	if (!reader->btf || !reader->btf_ext)
		return;
	for (uint32_t i = 0; i < file->prog_cnt; i++) {
		struct object_prog *prog = &file->progs[i];
		const char *rule = prog->is_subprog ? subprog_int_return_rule(prog) : NULL;

		if (rule && !subprog_returns_scalar(reader->btf, prog->name))
			prog->int_return_refusal = rule;
	}
}
