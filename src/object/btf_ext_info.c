/* The function and line information of .BTF.ext, checked though bpfvm uses
 * neither: libbpf refuses records of a bad size and groups that cross the
 * part's end (btf_ext_setup_info), and the kernel refuses a program whose
 * func_info does not start each function with a FUNC type (check_btf_func)
 * or whose line_info lies off its instructions (check_btf_line). An object
 * that the kernel would refuse must not load here.
 *
 *   part: u32 rec_size | u32 sec_name_off, u32 num_info, num_info records | ...
 *   func_info record: u32 insn_off (bytes in the ELF section), u32 type_id
 *   line_info record: u32 insn_off, u32 file_name_off, line_off, line_col
 */
#include <errno.h>
#include <string.h>

#include <bpf/btf.h>

#include "object/elf_reader.h"

struct ext_info_kind {
	const char *name;
	uint32_t min_rec_size;
	bool is_func;
};

static const struct ext_info_kind ext_func_info = { "func_info", 8, true };
static const struct ext_info_kind ext_line_info = { "line_info", 16, false };

static uint32_t ext_u32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static bool ext_starts_function(const struct elf_reader *reader, size_t sec_idx, uint32_t off)
{
	for (size_t i = 1; i < reader->sym_cnt; i++) {
		const Elf64_Sym *sym = &reader->syms[i];

		if (sym->st_shndx == sec_idx && ELF64_ST_TYPE(sym->st_info) == STT_FUNC &&
		    sym->st_value == off)
			return true;
	}
	return false;
}

/* One record of section sec_idx. */
static int ext_check_record(struct elf_reader *reader, const struct ext_info_kind *kind,
			    size_t sec_idx, const uint8_t *rec, uint32_t i)
{
	const struct elf_sec *sec = &reader->secs[sec_idx];
	uint32_t off = ext_u32(rec), type_id = ext_u32(rec + 4);
	const struct btf_type *t;

	if (off % sizeof(struct bpf_insn) || off >= sec->size)
		return reader_error(reader, -EINVAL, "section '.BTF.ext': %s of section '%s': "
				    "record #%u: insn_off %u is not on an instruction", kind->name,
				    sec->name, i, off);
	if (!kind->is_func)
		return 0;
	if (!ext_starts_function(reader, sec_idx, off))
		return reader_error(reader, -EINVAL, "section '.BTF.ext': %s of section '%s': "
				    "record #%u: insn %u starts no function", kind->name,
				    sec->name, i, off / (uint32_t)sizeof(struct bpf_insn));
	t = btf__type_by_id(reader->btf, type_id);
	if (!t || !btf_is_func(t))
		return reader_error(reader, -EINVAL, "section '.BTF.ext': %s of section '%s': "
				    "record #%u: type [%u] is not a FUNC", kind->name, sec->name,
				    i, type_id);
	return 0;
}

/* A group: sec_name_off, num_info, records; *used receives its length. */
static int ext_check_group(struct elf_reader *reader, const struct ext_info_kind *kind,
			   const uint8_t *group, size_t left, uint32_t rec_size, size_t *used)
{
	const char *sec_name;
	uint32_t num_info;
	size_t sec_idx;
	int err = 0;

	if (left < 2 * sizeof(uint32_t))
		return reader_error(reader, -EINVAL, "section '.BTF.ext': %s ends inside a "
				    "section's header", kind->name);
	num_info = ext_u32(group + 4);
	if (!num_info || num_info > (left - 2 * sizeof(uint32_t)) / rec_size)
		return reader_error(reader, -EINVAL, "section '.BTF.ext': %s: %u records of %u "
				    "bytes", kind->name, num_info, rec_size);
	sec_name = btf__name_by_offset(reader->btf, ext_u32(group));
	sec_idx = sec_name ? reader_find_sec(reader, sec_name) : 0;
	if (!sec_idx || reader->secs[sec_idx].kind != ELF_SEC_PROGS)
		return reader_error(reader, -EINVAL, "section '.BTF.ext': %s of section '%s', "
				    "which holds no code", kind->name, sec_name ? sec_name : "?");
	for (uint32_t i = 0; !err && i < num_info; i++)
		err = ext_check_record(reader, kind, sec_idx,
				       group + 2 * sizeof(uint32_t) + (size_t)i * rec_size, i);
	*used = 2 * sizeof(uint32_t) + (size_t)num_info * rec_size;
	return err;
}

static int ext_check_part(struct elf_reader *reader, const struct ext_info_kind *kind,
			  const uint8_t *part, size_t len)
{
	uint32_t rec_size;
	size_t pos = sizeof(uint32_t), used = 0;
	int err = 0;

	if (!len)
		return 0;
	if (!reader->btf)
		return reader_error(reader, -EINVAL, "section '.BTF.ext': %s without a .BTF "
				    "section", kind->name);
	if (len < sizeof(uint32_t))
		return reader_error(reader, -EINVAL, "section '.BTF.ext': %s too short",
				    kind->name);
	rec_size = ext_u32(part);
	if (rec_size < kind->min_rec_size || rec_size % 4)
		return reader_error(reader, -EINVAL, "section '.BTF.ext': %s record size %u",
				    kind->name, rec_size);
	while (!err && pos < len) {
		err = ext_check_group(reader, kind, part + pos, len - pos, rec_size, &used);
		pos += used;
	}
	return err;
}

int reader_check_btf_ext_info(struct elf_reader *reader, const uint8_t *func_info,
			      size_t func_len, const uint8_t *line_info, size_t line_len)
{
	int err = ext_check_part(reader, &ext_func_info, func_info, func_len);

	return err ? err : ext_check_part(reader, &ext_line_info, line_info, line_len);
}
