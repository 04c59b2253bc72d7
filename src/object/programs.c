/* Programs: every function symbol (STT_FUNC) of every executable section, as
 * libbpf's bpf_object__add_programs. A section may hold several programs;
 * each is named by its symbol and spans [st_value, st_value + st_size).
 * Functions in .text are subprograms: they run only when called. The order
 * is libbpf's: by section index, then offset. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "object/elf_reader.h"

static int reader_add_prog(struct elf_reader *reader, size_t sec_idx, const Elf64_Sym *sym,
			   const char *name)
{
	const struct elf_sec *sec = &reader->secs[sec_idx];
	struct object_file *file = reader->file;
	struct object_prog *progs, *prog;

	progs = realloc(file->progs, (file->prog_cnt + 1) * sizeof(*progs));
	if (!progs)
		return reader_error(reader, -ENOMEM, "out of memory");
	file->progs = progs;
	prog = &progs[file->prog_cnt];
	memset(prog, 0, sizeof(*prog));
	file->prog_cnt++;
	prog->name = strdup(name);
	prog->section = strdup(sec->name);
	if (!prog->name || !prog->section)
		return reader_error(reader, -ENOMEM, "out of memory");
	prog->sec_idx = (uint32_t)sec_idx;
	prog->sec_insn_off = (uint32_t)(sym->st_value / sizeof(struct bpf_insn));
	prog->insn_cnt = (uint32_t)(sym->st_size / sizeof(struct bpf_insn));
	prog->is_subprog = sec_idx == reader->text_idx;
	prog->insns = malloc(sym->st_size);
	if (!prog->insns)
		return reader_error(reader, -ENOMEM, "out of memory");
	memcpy(prog->insns, (const uint8_t *)sec->data + sym->st_value, sym->st_size);
	return 0;
}

static int reader_check_func_sym(struct elf_reader *reader, size_t sec_idx,
				 const Elf64_Sym *sym, const char *name)
{
	const struct elf_sec *sec = &reader->secs[sec_idx];

	if (sym->st_value % sizeof(struct bpf_insn) || sym->st_size % sizeof(struct bpf_insn) ||
	    sym->st_size == 0)
		return reader_error(reader, -EINVAL, "section '%s': program '%s': offset %llu or "
				    "size %llu is not a whole number of instructions", sec->name,
				    name, (unsigned long long)sym->st_value,
				    (unsigned long long)sym->st_size);
	if (sym->st_value > sec->size || sym->st_size > sec->size - sym->st_value)
		return reader_error(reader, -EINVAL, "section '%s': program '%s' crosses the "
				    "section's end (offset %llu, size %llu, section %zu bytes)",
				    sec->name, name, (unsigned long long)sym->st_value,
				    (unsigned long long)sym->st_size, sec->size);
	if (sec_idx != reader->text_idx && ELF64_ST_BIND(sym->st_info) == STB_LOCAL)
		return reader_error(reader, -ENOTSUP, "section '%s': program '%s' is static and "
				    "not supported, as in libbpf", sec->name, name);
	return 0;
}

static int reader_collect_section_progs(struct elf_reader *reader, size_t sec_idx)
{
	uint32_t before = reader->file->prog_cnt;

	for (size_t i = 0; i < reader->sym_cnt; i++) {
		const Elf64_Sym *sym = &reader->syms[i];
		const char *name;
		int err;

		if (sym->st_shndx != sec_idx || ELF64_ST_TYPE(sym->st_info) != STT_FUNC)
			continue;
		name = reader_sym_name(reader, sym);
		if (!name || !name[0])
			return reader_error(reader, -EINVAL, "section '%s': function symbol #%zu has "
					    "no readable name", reader->secs[sec_idx].name, i);
		err = reader_check_func_sym(reader, sec_idx, sym, name);
		if (!err)
			err = reader_add_prog(reader, sec_idx, sym, name);
		if (err)
			return err;
	}
	if (reader->file->prog_cnt == before)
		return reader_error(reader, -EINVAL, "section '%s': instructions without any "
				    "function symbol", reader->secs[sec_idx].name);
	return 0;
}

static int prog_order(const void *a, const void *b)
{
	const struct object_prog *x = a, *y = b;

	if (x->sec_idx != y->sec_idx)
		return x->sec_idx < y->sec_idx ? -1 : 1;
	if (x->sec_insn_off != y->sec_insn_off)
		return x->sec_insn_off < y->sec_insn_off ? -1 : 1;
	return 0;
}

/* Two functions of a section may not share instructions. */
static int reader_check_overlaps(struct elf_reader *reader)
{
	const struct object_file *file = reader->file;

	for (uint32_t i = 1; i < file->prog_cnt; i++) {
		const struct object_prog *prev = &file->progs[i - 1], *prog = &file->progs[i];

		if (prev->sec_idx == prog->sec_idx &&
		    prev->sec_insn_off + prev->insn_cnt > prog->sec_insn_off)
			return reader_error(reader, -EINVAL, "section '%s': programs '%s' and '%s' "
					    "overlap", prog->section, prev->name, prog->name);
	}
	return 0;
}

/* An lddw's two halves lie in one program: linking a function after one
 * cut at its end would complete it with the next function's first
 * instruction. The kernel refuses it ("invalid bpf_ld_imm64 insn"). */
static int reader_check_lddw_halves(struct elf_reader *reader, const struct object_prog *prog)
{
	for (uint32_t i = 0; i < prog->insn_cnt; i++) {
		if (prog->insns[i].code != (BPF_LD | BPF_IMM | BPF_DW))
			continue;
		if (i + 1 == prog->insn_cnt)
			return reader_error(reader, -EINVAL, "section '%s': program '%s': insn %u: "
					    "lddw is missing its second half (the function ends)",
					    prog->section, prog->name, i);
		i++;
	}
	return 0;
}

static int reader_set_prog_type(struct elf_reader *reader, struct object_prog *prog)
{
	const struct object_sec_def *def;

	if (prog->is_subprog)
		return 0;
	/* libbpf: SEC("?name") is SEC("name") with autoload off by default. */
	prog->autoload = prog->section[0] != '?';
	def = object_find_sec_def(prog->section + !prog->autoload);
	if (!def)
		return reader_error(reader, -EINVAL, "section '%s': program '%s': unknown section "
				    "name: libbpf gives no program type to it", prog->section,
				    prog->name);
	prog->type = def->prog_type;
	prog->expected_attach_type = def->expected_attach_type;
	prog->prog_flags = def->prog_flags;
	return 0;
}

int reader_collect_programs(struct elf_reader *reader)
{
	struct object_file *file = reader->file;
	int err;

	for (size_t idx = 1; idx < reader->sec_cnt; idx++) {
		const struct elf_sec *sec = &reader->secs[idx];

		if (sec->kind != ELF_SEC_PROGS)
			continue;
		if (sec->size % sizeof(struct bpf_insn))
			return reader_error(reader, -EINVAL, "section '%s': size %zu is not a whole "
					    "number of instructions", sec->name, sec->size);
		err = reader_collect_section_progs(reader, idx);
		if (err)
			return err;
	}
	if (file->prog_cnt)
		qsort(file->progs, file->prog_cnt, sizeof(*file->progs), prog_order);
	err = reader_check_overlaps(reader);
	for (uint32_t i = 0; !err && i < file->prog_cnt; i++)
		err = reader_check_lddw_halves(reader, &file->progs[i]);
	for (uint32_t i = 0; !err && i < file->prog_cnt; i++)
		err = reader_set_prog_type(reader, &file->progs[i]);
	if (!err)
		reader_set_int_return_rules(reader);
	return err;
}

struct object_prog *object_prog_at(const struct object_file *file, uint32_t sec_idx,
				   uint64_t insn_idx)
{
	uint32_t low = 0, high = file->prog_cnt;

	/* First program after (sec_idx, insn_idx), then step back one. */
	while (low < high) {
		uint32_t mid = low + (high - low) / 2;
		const struct object_prog *prog = &file->progs[mid];

		if (prog->sec_idx < sec_idx ||
		    (prog->sec_idx == sec_idx && prog->sec_insn_off <= insn_idx))
			low = mid + 1;
		else
			high = mid;
	}
	if (low == 0)
		return NULL;
	struct object_prog *prog = &file->progs[low - 1];

	if (prog->sec_idx == sec_idx && insn_idx < (uint64_t)prog->sec_insn_off + prog->insn_cnt)
		return prog;
	return NULL;
}
