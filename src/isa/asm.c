/* The assembler: text in the kernel verifier's syntax (kernel/bpf/disasm.c,
 * as `bpftool prog dump xlated` prints it) -> instructions. It reads back
 * exactly what disasm.c prints, so that asm(disasm(x)) == x for every valid
 * instruction, and accepts labels and a few aliases besides.
 *
 * One pass over the lines emits instructions; a jump, call or subprog
 * reference to a label is emitted with a zero offset and recorded as a
 * fixup. When every label is known, a second pass patches the fixups. A call
 * to a name that is not a label is a helper call by name.
 *
 * This file holds the program being built, its labels and fixups, and the
 * line loop; asm_forms.c parses the statement on each line.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bpfvm/bpfvm.h"
#include "core/error.h"
#include "isa/asm.h"
#include "isa/asm_lex.h"
#include "isa/helper_names.h"
#include "isa/isa.h"

struct asm_label {
	const char *name;
	size_t len;
	size_t index; /* instruction the label stands before */
	unsigned line;
};

struct asm_fixup {
	enum asm_fixup_kind kind;
	const char *name;
	size_t len;
	size_t index; /* the instruction to patch */
	unsigned line;
};

/* ---- Program building ----------------------------------------------- */

/* Room for one more element; returns the (possibly moved) array or NULL. */
static void *array_grow(void *array, size_t count, size_t *capacity,
			size_t elem_size)
{
	size_t new_capacity;
	void *grown;

	if (count < *capacity)
		return array;
	new_capacity = *capacity ? *capacity * 2 : 64;
	if (new_capacity > SIZE_MAX / elem_size)
		return NULL;
	grown = realloc(array, new_capacity * elem_size);
	if (grown)
		*capacity = new_capacity;
	return grown;
}

static int asm_out_of_memory(unsigned line)
{
	vm_error("line %u: out of memory", line);
	return -ENOMEM;
}

int asm_emit(struct asm_program *prog, unsigned line,
	     const struct bpf_insn *insn)
{
	struct bpf_insn *insns = array_grow(prog->insns, prog->insn_count,
					    &prog->insn_capacity, sizeof(*insns));

	if (!insns)
		return asm_out_of_memory(line);
	prog->insns = insns;
	prog->insns[prog->insn_count++] = *insn;
	return 0;
}

/* lddw: imm64's low half in the first slot, high half in the second. */
int asm_emit_lddw(struct asm_program *prog, unsigned line, uint8_t dst,
		  uint8_t src, uint64_t imm64)
{
	struct bpf_insn first = { .code = BPF_LD | BPF_IMM | BPF_DW,
				  .dst_reg = dst,
				  .src_reg = src,
				  .imm = (int32_t)(uint32_t)imm64 };
	struct bpf_insn second = { .imm = (int32_t)(uint32_t)(imm64 >> 32) };
	int err = asm_emit(prog, line, &first);

	return err ? err : asm_emit(prog, line, &second);
}

static int asm_add_label(struct asm_program *prog, const struct asm_token *name,
			 unsigned line)
{
	struct asm_label *labels = array_grow(prog->labels, prog->label_count,
					      &prog->label_capacity, sizeof(*labels));

	if (!labels)
		return asm_out_of_memory(line);
	prog->labels = labels;
	prog->labels[prog->label_count++] = (struct asm_label){
		.name = name->text, .len = name->len, .index = prog->insn_count, .line = line
	};
	return 0;
}

static int asm_add_fixup(struct asm_program *prog, enum asm_fixup_kind kind,
			 const struct asm_target *target, unsigned line)
{
	struct asm_fixup *fixups = array_grow(prog->fixups, prog->fixup_count,
					      &prog->fixup_capacity, sizeof(*fixups));

	if (!fixups)
		return asm_out_of_memory(line);
	prog->fixups = fixups;
	prog->fixups[prog->fixup_count++] = (struct asm_fixup){
		.kind = kind, .name = target->label, .len = target->len,
		.index = prog->insn_count, .line = line
	};
	return 0;
}

/* Where a target's offset goes and how far it reaches. */
static void fixup_field(enum asm_fixup_kind kind, int64_t *min, uint64_t *max,
			const char **what)
{
	*min = kind == ASM_FIXUP_JUMP ? INT16_MIN : S32_MIN;
	*max = kind == ASM_FIXUP_JUMP ? INT16_MAX : S32_MAX;
	*what = kind == ASM_FIXUP_CALL	  ? "call offset"
		: kind == ASM_FIXUP_SUBPROG ? "subprog offset"
					    : "jump offset";
}

static int asm_set_offset(struct bpf_insn *insn, enum asm_fixup_kind kind,
			  const struct asm_number *delta, unsigned line)
{
	const char *what;
	uint64_t bits, max;
	int64_t min;
	int err;

	fixup_field(kind, &min, &max, &what);
	err = asm_number_to_field(line, delta, min, max, what, &bits);
	if (err)
		return err;
	if (kind == ASM_FIXUP_JUMP)
		insn->off = (int16_t)(uint16_t)bits;
	else
		insn->imm = (int32_t)(uint32_t)bits;
	return 0;
}

/* Emits `insn` (one slot, or an lddw pair when `dst` is given for a subprog
 * reference) with its offset from `target`, now or once the label is known. */
int asm_emit_jump(struct asm_program *prog, const struct asm_line *line,
		  struct bpf_insn insn, enum asm_fixup_kind kind,
		  const struct asm_target *target)
{
	int err;

	if (target->label)
		err = asm_add_fixup(prog, kind, target, line->number);
	else
		err = asm_set_offset(&insn, kind, &target->delta, line->number);
	if (err)
		return err;
	if (kind == ASM_FIXUP_SUBPROG)
		return asm_emit_lddw(prog, line->number, insn.dst_reg, insn.src_reg,
				     (uint32_t)insn.imm);
	return asm_emit(prog, line->number, &insn);
}

/* ---- Lines ----------------------------------------------------------- */

/* "name:" before an instruction, any number of them. */
static int asm_labels(struct asm_program *prog, struct asm_line *line)
{
	while (asm_peek(line, 0)->kind == ASM_TOKEN_IDENT &&
	       asm_token_is(asm_peek(line, 1), ASM_TOKEN_PUNCT, ":")) {
		const struct asm_token *name = asm_peek(line, 0);
		int err;

		if (asm_token_is_register(name))
			return asm_error(line, "'%.*s' is a register, not a label",
					 (int)name->len, name->text);
		err = asm_add_label(prog, name, line->number);
		if (err)
			return err;
		line->pos += 2;
	}
	return 0;
}

static int asm_read_line(struct asm_program *prog, const char *text, size_t len,
			 unsigned number)
{
	struct asm_line line;
	int err = asm_lex_line(text, len, number, &line);

	if (!err)
		err = asm_labels(prog, &line);
	return err ? err : asm_statement(prog, &line);
}

static int asm_read_lines(struct asm_program *prog, const char *text)
{
	unsigned number = 1;

	for (;;) {
		const char *end = strchr(text, '\n');
		size_t len = end ? (size_t)(end - text) : strlen(text);
		int err = asm_read_line(prog, text, len, number);

		if (err)
			return err;
		if (!end)
			return 0;
		text = end + 1;
		number++;
	}
}

/* ---- Labels ---------------------------------------------------------- */

static int label_compare(const void *a, const void *b)
{
	const struct asm_label *x = a, *y = b;
	size_t common = x->len < y->len ? x->len : y->len;
	int order = memcmp(x->name, y->name, common);

	if (order)
		return order;
	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	return (x->line > y->line) - (x->line < y->line);
}

/* Sorts the labels for lookup; two labels with one name are an error. */
static int asm_sort_labels(struct asm_program *prog)
{
	if (prog->label_count == 0)
		return 0;
	qsort(prog->labels, prog->label_count, sizeof(*prog->labels), label_compare);
	for (size_t i = 1; i < prog->label_count; i++) {
		const struct asm_label *first = &prog->labels[i - 1];
		const struct asm_label *again = &prog->labels[i];

		if (first->len == again->len && memcmp(first->name, again->name, first->len) == 0)
			return asm_error_at(again->line, "label '%.*s' is already defined on line %u",
					    (int)again->len, again->name, first->line);
	}
	return 0;
}

static const struct asm_label *asm_find_label(const struct asm_program *prog,
					      const char *name, size_t len)
{
	size_t low = 0, high = prog->label_count;

	while (low < high) {
		size_t mid = low + (high - low) / 2;
		const struct asm_label *label = &prog->labels[mid];
		size_t common = len < label->len ? len : label->len;
		int order = memcmp(name, label->name, common);

		if (order == 0 && len != label->len)
			order = len < label->len ? -1 : 1;
		if (order == 0)
			return label;
		if (order < 0)
			high = mid;
		else
			low = mid + 1;
	}
	return NULL;
}

/* "call name" where name is no label: a helper call by name. */
static int asm_resolve_helper(struct asm_program *prog, const struct asm_fixup *fixup)
{
	struct bpf_insn *insn = &prog->insns[fixup->index];
	int64_t id = fixup->kind == ASM_FIXUP_CALL ? isa_helper_id(fixup->name, fixup->len) : -1;

	if (id < 0)
		return asm_error_at(fixup->line, "undefined label%s '%.*s'",
				    fixup->kind == ASM_FIXUP_CALL ? " or helper" : "",
				    (int)fixup->len, fixup->name);
	insn->src_reg = 0;
	insn->imm = (int32_t)id;
	return 0;
}

static int asm_resolve(struct asm_program *prog, const struct asm_fixup *fixup)
{
	const struct asm_label *label = asm_find_label(prog, fixup->name, fixup->len);
	int64_t delta;
	struct asm_number number;

	if (!label)
		return asm_resolve_helper(prog, fixup);
	delta = (int64_t)label->index - (int64_t)(fixup->index + 1);
	number.negative = delta < 0;
	number.magnitude = delta < 0 ? (uint64_t)-delta : (uint64_t)delta;
	return asm_set_offset(&prog->insns[fixup->index], fixup->kind, &number, fixup->line);
}

static int asm_resolve_all(struct asm_program *prog)
{
	int err = asm_sort_labels(prog);

	for (size_t i = 0; !err && i < prog->fixup_count; i++)
		err = asm_resolve(prog, &prog->fixups[i]);
	return err;
}

int bpfvm_asm_parse(const char *text, struct bpf_insn **insns_out,
		    size_t *insn_cnt_out)
{
	struct asm_program prog = { 0 };
	int err;

	if (!text || !insns_out || !insn_cnt_out) {
		vm_error("bpfvm_asm_parse: NULL argument");
		return -EINVAL;
	}
	err = asm_read_lines(&prog, text);
	if (!err)
		err = asm_resolve_all(&prog);
	if (!err && !prog.insns) {
		/* An empty program still gets an array the caller can free. */
		prog.insns = calloc(1, sizeof(*prog.insns));
		if (!prog.insns)
			err = asm_out_of_memory(1);
	}
	free(prog.labels);
	free(prog.fixups);
	if (err) {
		free(prog.insns);
		return err;
	}
	*insns_out = prog.insns;
	*insn_cnt_out = prog.insn_count;
	return 0;
}
