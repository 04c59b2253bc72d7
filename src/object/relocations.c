/* Relocations of program instructions, as libbpf's
 * bpf_object__collect_prog_relos / bpf_program__record_reloc:
 *
 *   insn        symbol                                  becomes
 *   lddw        a map in "maps" or ".maps"              OBJECT_RELOC_MAP
 *   lddw        in .data*, .rodata*, .bss* (a variable, OBJECT_RELOC_MAP_VALUE,
 *               or the section with the offset in imm)  offset = imm + st_value
 *   lddw        a .text function (src_reg PSEUDO_FUNC)  OBJECT_RELOC_FUNC_ADDR
 *   call        a .text function (src_reg PSEUDO_CALL)  OBJECT_RELOC_CALL
 *   call        an extern kfunc (externs.c)             OBJECT_RELOC_KFUNC_CALL
 *   lddw        an extern kfunc (bpf_ksym_exists)       OBJECT_RELOC_KFUNC_ADDR
 *
 * Anything else (another instruction, relocation type or section, an extern)
 * is an error naming the section, the program and the symbol. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "object/elf_reader.h"

#define INSN_LDDW (BPF_LD | BPF_IMM | BPF_DW)
#define INSN_CALL (BPF_JMP | BPF_CALL)

Elf64_Rel reader_rel(const struct elf_sec *sec, size_t i)
{
	Elf64_Rel rel;

	memcpy(&rel, (const uint8_t *)sec->data + i * sizeof(rel), sizeof(rel));
	return rel;
}

struct prog_relo {
	struct elf_reader *reader;
	struct object_prog *prog;
	const char *sym_name;
	const Elf64_Sym *sym;
	uint32_t insn_idx; /* in the program */
	struct object_reloc *out;
};

static int relo_error(const struct prog_relo *r, int err, const char *fmt, const char *detail)
{
	return reader_error(r->reader, err, "section '%s': program '%s': insn %u: relocation "
			    "against '%s': %s%s", r->prog->section, r->prog->name, r->insn_idx,
			    r->sym_name, fmt, detail);
}

static bool sym_is_subprog(const struct elf_reader *reader, const Elf64_Sym *sym)
{
	int bind = ELF64_ST_BIND(sym->st_info), type = ELF64_ST_TYPE(sym->st_info);

	if (!reader->text_idx || sym->st_shndx != reader->text_idx)
		return false;
	if (bind == STB_LOCAL && type == STT_SECTION)
		return true;
	return (bind == STB_GLOBAL || bind == STB_WEAK || bind == STB_LOCAL) && type == STT_FUNC;
}

static int relo_call(struct prog_relo *r, const struct bpf_insn *insn)
{
	if (insn->src_reg != BPF_PSEUDO_CALL)
		return relo_error(r, -EINVAL, "call instruction is not a BPF-to-BPF call", "");
	if (!r->reader->text_idx || r->sym->st_shndx != r->reader->text_idx)
		return relo_error(r, -EINVAL, "called function is not in .text", "");
	if (r->sym->st_value % sizeof(struct bpf_insn))
		return relo_error(r, -EINVAL, "called function is not at an instruction", "");
	r->out->kind = OBJECT_RELOC_CALL;
	r->out->sym_off = r->sym->st_value;
	return 0;
}

static int relo_func_addr(struct prog_relo *r, const struct bpf_insn *insn)
{
	/* clang leaves src_reg 0; the linker marks it BPF_PSEUDO_FUNC, as libbpf. */
	if (insn->src_reg != 0 && insn->src_reg != BPF_PSEUDO_FUNC)
		return relo_error(r, -EINVAL, "lddw of a function has a pseudo source ", "register");
	if (r->sym->st_value % sizeof(struct bpf_insn) || insn->imm % (int)sizeof(struct bpf_insn))
		return relo_error(r, -EINVAL, "function address is not at an instruction", "");
	r->out->kind = OBJECT_RELOC_FUNC_ADDR;
	r->out->sym_off = r->sym->st_value;
	return 0;
}

static int relo_map(struct prog_relo *r)
{
	const struct object_file *file = r->reader->file;

	for (uint32_t i = 0; i < file->map_cnt; i++) {
		const struct object_map *map = &file->maps[i];

		if ((map->kind == OBJECT_MAP_BTF || map->kind == OBJECT_MAP_LEGACY) &&
		    map->sec_idx == r->sym->st_shndx && map->sec_offset == r->sym->st_value) {
			r->out->kind = OBJECT_RELOC_MAP;
			r->out->map_idx = i;
			return 0;
		}
	}
	return relo_error(r, -EINVAL, "no map starts at this symbol's offset in section ",
			  r->reader->secs[r->sym->st_shndx].name);
}

static int relo_map_value(struct prog_relo *r, const struct bpf_insn *insn)
{
	const struct object_file *file = r->reader->file;
	int64_t off = (int64_t)insn->imm + (int64_t)r->sym->st_value;

	for (uint32_t i = 0; i < file->map_cnt; i++) {
		const struct object_map *map = &file->maps[i];

		if (map->kind < OBJECT_MAP_DATA || map->sec_idx != r->sym->st_shndx)
			continue;
		if (off < 0 || off >= map->def.value_size)
			return relo_error(r, -EINVAL, "offset lies outside global data section ",
					  map->real_name);
		r->out->kind = OBJECT_RELOC_MAP_VALUE;
		r->out->map_idx = i;
		r->out->sym_off = r->sym->st_value;
		return 0;
	}
	return relo_error(r, -EINVAL, "no global data map for section ",
			  r->reader->secs[r->sym->st_shndx].name);
}

/* A Kconfig extern: the address of its place in the .kconfig map's value
 * (libbpf's RELO_EXTERN_LD64 of an EXT_KCFG). */
static int relo_kconfig(struct prog_relo *r, const struct bpf_insn *insn,
			const struct reader_kcfg *ext)
{
	if (insn->code != INSN_LDDW)
		return relo_error(r, -EINVAL, "a Kconfig extern used other than by lddw", "");
	r->out->kind = OBJECT_RELOC_MAP_VALUE;
	r->out->map_idx = r->reader->kcfg_map_idx;
	r->out->sym_off = ext->data_off;
	return 0;
}

/* A kfunc extern: called (clang marks it BPF_PSEUDO_CALL, libbpf rewrites
 * it) or its address loaded; or a Kconfig one. Other externs were refused
 * with the symbols (externs.c). */
static int relo_extern(struct prog_relo *r, const struct bpf_insn *insn)
{
	const struct reader_kcfg *kcfg = reader_find_kconfig(r->reader, r->sym_name);
	int idx = object_find_extern(r->reader->file, r->sym_name);

	if (kcfg)
		return relo_kconfig(r, insn, kcfg);
	if (idx < 0)
		return relo_error(r, -ENOTSUP, "extern symbols other than kfuncs (ksyms, kconfig) "
				  "are not supported by bpfvm", "");
	r->out->kind = insn->code == INSN_CALL ? OBJECT_RELOC_KFUNC_CALL : OBJECT_RELOC_KFUNC_ADDR;
	r->out->extern_idx = (uint32_t)idx;
	return 0;
}

static int relo_classify(struct prog_relo *r)
{
	const struct bpf_insn *insn = &r->prog->insns[r->insn_idx];
	const struct elf_reader *reader = r->reader;
	size_t shndx = r->sym->st_shndx;

	if (insn->code != INSN_LDDW && insn->code != INSN_CALL)
		return relo_error(r, -EINVAL, "the instruction is neither lddw nor call", "");
	if (insn->code == INSN_LDDW && r->insn_idx + 1 >= r->prog->insn_cnt)
		return relo_error(r, -EINVAL, "lddw without its second half", "");
	if (shndx == SHN_UNDEF)
		return relo_extern(r, insn);
	if (insn->code == INSN_CALL)
		return relo_call(r, insn);
	if (sym_is_subprog(reader, r->sym))
		return relo_func_addr(r, insn);
	if (shndx == reader->btf_maps_idx || shndx == reader->maps_idx)
		return relo_map(r);
	switch (reader->secs[shndx].kind) {
	case ELF_SEC_DATA:
	case ELF_SEC_RODATA:
	case ELF_SEC_BSS:
		return relo_map_value(r, insn);
	default:
		return relo_error(r, -EINVAL, "symbol is in section ", reader->secs[shndx].name);
	}
}

static int reader_add_reloc(struct elf_reader *reader, struct object_prog *prog,
			    struct object_reloc **out)
{
	struct object_reloc *relocs = realloc(prog->relocs,
					      (prog->reloc_cnt + 1) * sizeof(*relocs));

	if (!relocs)
		return reader_error(reader, -ENOMEM, "out of memory");
	prog->relocs = relocs;
	*out = &relocs[prog->reloc_cnt];
	memset(*out, 0, sizeof(**out));
	return 0;
}

static int reader_prog_reloc(struct elf_reader *reader, const struct elf_sec *relo_sec,
			     size_t i)
{
	const struct elf_sec *target = &reader->secs[relo_sec->shdr.sh_info];
	Elf64_Rel rel = reader_rel(relo_sec, i);
	struct prog_relo r = { .reader = reader };
	uint32_t type = ELF64_R_TYPE(rel.r_info);
	uint64_t insn_idx = rel.r_offset / sizeof(struct bpf_insn);
	uint64_t sym_idx = ELF64_R_SYM(rel.r_info);
	int err;

	/* Symbol 0 is the null symbol: no relocation is against it. */
	r.sym = sym_idx ? reader_sym(reader, sym_idx) : NULL;
	if (r.sym && r.sym->st_shndx >= reader->sec_cnt && r.sym->st_shndx != SHN_UNDEF)
		r.sym = NULL;
	r.sym_name = r.sym ? reader_sym_display_name(reader, r.sym) : "<invalid>";
	if (rel.r_offset % sizeof(struct bpf_insn) || rel.r_offset >= target->size)
		return reader_error(reader, -EINVAL, "section '%s': relocation #%zu against '%s': "
				    "invalid offset 0x%llx in section '%s' (%zu bytes, "
				    "instructions of 8)", relo_sec->name, i, r.sym_name,
				    (unsigned long long)rel.r_offset, target->name, target->size);
	r.prog = object_prog_at(reader->file, relo_sec->shdr.sh_info, insn_idx);
	if (!r.prog)
		return reader_error(reader, -EINVAL, "section '%s': relocation against '%s' at "
				    "insn %llu lies outside every program", target->name,
				    r.sym_name, (unsigned long long)insn_idx);
	if (!r.sym)
		return reader_error(reader, -EINVAL, "section '%s': program '%s': insn %llu: "
				    "section '%s': relocation #%zu: symbol #%llu is invalid",
				    target->name, r.prog->name,
				    (unsigned long long)(insn_idx - r.prog->sec_insn_off),
				    relo_sec->name, i, (unsigned long long)sym_idx);
	r.insn_idx = (uint32_t)(insn_idx - r.prog->sec_insn_off);
	if (type != R_BPF_64_64 && type != R_BPF_64_32)
		return reader_error(reader, -EINVAL, "section '%s': program '%s': insn %u: "
				    "relocation against '%s': unknown relocation type %u",
				    target->name, r.prog->name, r.insn_idx, r.sym_name, type);
	err = reader_add_reloc(reader, r.prog, &r.out);
	if (err)
		return err;
	r.out->insn_idx = r.insn_idx;
	err = relo_classify(&r);
	if (!err)
		r.prog->reloc_cnt++;
	return err;
}

int reader_collect_prog_relocs(struct elf_reader *reader)
{
	for (size_t idx = 1; idx < reader->sec_cnt; idx++) {
		const struct elf_sec *sec = &reader->secs[idx];

		if (sec->kind != ELF_SEC_RELO || sec->shdr.sh_info == reader->btf_maps_idx)
			continue;
		if (reader->secs[sec->shdr.sh_info].kind != ELF_SEC_PROGS)
			return reader_error(reader, -EINVAL, "section '%s': relocations for an empty "
					    "or unreadable section", sec->name);
		for (size_t i = 0; i < sec->size / sizeof(Elf64_Rel); i++) {
			int err = reader_prog_reloc(reader, sec, i);

			if (err)
				return err;
		}
	}
	return 0;
}
