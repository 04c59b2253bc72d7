/* The function and line information of .BTF.ext, checked though bpfvm uses
 * neither: libbpf refuses records of a bad size and groups that cross the
 * part's end (btf_ext_setup_info), and the kernel refuses a program whose
 * records break the rules of check_btf_func and check_btf_line. An object
 * that the kernel would refuse must not load here. The rules, per section
 * (its functions are the programs and subprograms libbpf makes of it):
 *
 *   func_info: the first record at insn 0, insn offsets strictly
 *   increasing, one record at each function's start and none elsewhere,
 *   each naming a FUNC type;
 *   line_info: the first record at insn 0, insn offsets strictly
 *   increasing, never on the second half of a 64-bit load, one record at
 *   each function's start, file and line strings inside the string
 *   section.
 *
 * Records at or past the section's end are not checked: libbpf stops
 * copying a program's records at the first past its end, so the kernel
 * never sees them (nor any record after them).
 *
 *   part: u32 rec_size | u32 sec_name_off, u32 num_info, num_info records | ...
 *   func_info record: u32 insn_off (bytes in the ELF section), u32 type_id
 *   line_info record: u32 insn_off, u32 file_name_off, line_off, line_col
 *
 * Function starts come from a sorted index of the STT_FUNC symbols, built
 * once: a scan of the symbol table per record was quadratic. */
#include <errno.h>
#include <string.h>

#include <bpf/btf.h>

#include "object/elf_reader.h"
#include "object/sym_index.h"

struct ext_info_kind {
	const char *name;
	uint32_t min_rec_size;
	bool is_func;
};

static const struct ext_info_kind ext_func_info = { "func_info", 8, true };
static const struct ext_info_kind ext_line_info = { "line_info", 16, false };

/* One group's walk: its section, the section's functions in address
 * order, the next function a record must start, the last record's offset. */
struct ext_group {
	struct elf_reader *reader;
	const struct ext_info_kind *kind;
	size_t sec_idx;
	const struct sym_entry *funcs;
	size_t func_cnt, next_func;
	uint32_t prev_off;
};

static uint32_t ext_u32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

#define EXT_INSN(off) ((off) / (uint32_t)sizeof(struct bpf_insn))

/* reader_error() prefixed with the part, section and record. */
#define ext_record_error(g, i, fmt, ...)                                                       	reader_error((g)->reader, -EINVAL, "section '.BTF.ext': %s of section '%s': record "   		     "#%u: " fmt, (g)->kind->name, (g)->reader->secs[(g)->sec_idx].name, (i),   		     __VA_ARGS__)

static int ext_missing_function(const struct ext_group *g)
{
	const struct sym_entry *f = &g->funcs[g->next_func];

	return reader_error(g->reader, -EINVAL, "section '.BTF.ext': %s of section '%s': "
			    "function '%s' (insn %u) has no record", g->kind->name,
			    g->reader->secs[g->sec_idx].name, f->name,
			    EXT_INSN((uint32_t)f->value));
}

/* Steps past the functions before `off`: each needs a record, so one
 * passed over is an error. Whether `off` is the next function's start
 * (aliases: symbols at the same start, one function). */
static int ext_match_function(struct ext_group *g, uint32_t off, bool *starts)
{
	if (g->next_func < g->func_cnt && g->funcs[g->next_func].value < off)
		return ext_missing_function(g);
	*starts = g->next_func < g->func_cnt && g->funcs[g->next_func].value == off;
	while (g->next_func < g->func_cnt && g->funcs[g->next_func].value == off)
		g->next_func++;
	return 0;
}

/* The rules both parts share: on an instruction of the section, the first
 * at insn 0, each after the one before. */
static int ext_check_offset(struct ext_group *g, uint32_t i, uint32_t off)
{
	if (off % sizeof(struct bpf_insn))
		return ext_record_error(g, i, "insn_off %u is not on an instruction", off);
	if (i == 0 && off != 0)
		return ext_record_error(g, i, "the first record is at insn %u, not 0",
					EXT_INSN(off));
	if (i > 0 && off <= g->prev_off)
		return ext_record_error(g, i, "insn %u is not after the record before's (insn %u)",
					EXT_INSN(off), EXT_INSN(g->prev_off));
	return 0;
}

static int ext_check_func_record(struct ext_group *g, const uint8_t *rec, uint32_t i)
{
	uint32_t off = ext_u32(rec), type_id = ext_u32(rec + 4);
	const struct btf_type *t;
	bool starts;
	int err = ext_check_offset(g, i, off);

	err = err ? err : ext_match_function(g, off, &starts);
	if (err)
		return err;
	if (!starts)
		return ext_record_error(g, i, "insn %u starts no function", EXT_INSN(off));
	t = btf__type_by_id(g->reader->btf, type_id);
	if (!t || !btf_is_func(t))
		return ext_record_error(g, i, "type [%u] is not a FUNC", type_id);
	return 0;
}

static int ext_check_line_record(struct ext_group *g, const uint8_t *rec, uint32_t i)
{
	const struct elf_sec *sec = &g->reader->secs[g->sec_idx];
	uint32_t off = ext_u32(rec), file_off = ext_u32(rec + 4), line_off = ext_u32(rec + 8);
	bool starts;
	int err = ext_check_offset(g, i, off);

	err = err ? err : ext_match_function(g, off, &starts);
	if (err)
		return err;
	if (!((const uint8_t *)sec->data)[off])
		return ext_record_error(g, i, "insn %u is the second half of a 64-bit load",
					EXT_INSN(off));
	if (!btf__name_by_offset(g->reader->btf, file_off) ||
	    !btf__name_by_offset(g->reader->btf, line_off))
		return ext_record_error(g, i, "file_name_off %u or line_off %u is outside the "
					"strings", file_off, line_off);
	return 0;
}

static int ext_check_record(struct ext_group *g, const uint8_t *rec, uint32_t i)
{
	int err = g->kind->is_func ? ext_check_func_record(g, rec, i)
				   : ext_check_line_record(g, rec, i);

	g->prev_off = ext_u32(rec);
	return err;
}

/* A group: sec_name_off, num_info, records; *used receives its length. */
static int ext_check_group(struct elf_reader *reader, const struct ext_info_kind *kind,
			   const struct sym_index *funcs, const uint8_t *group, size_t left,
			   uint32_t rec_size, size_t *used)
{
	struct ext_group g = { .reader = reader, .kind = kind };
	const char *sec_name;
	uint32_t num_info;
	int err = 0;

	if (left < 2 * sizeof(uint32_t))
		return reader_error(reader, -EINVAL, "section '.BTF.ext': %s ends inside a "
				    "section's header", kind->name);
	num_info = ext_u32(group + 4);
	if (!num_info || num_info > (left - 2 * sizeof(uint32_t)) / rec_size)
		return reader_error(reader, -EINVAL, "section '.BTF.ext': %s: %u records of %u "
				    "bytes", kind->name, num_info, rec_size);
	sec_name = btf__name_by_offset(reader->btf, ext_u32(group));
	g.sec_idx = sec_name ? reader_find_sec(reader, sec_name) : 0;
	if (!g.sec_idx || reader->secs[g.sec_idx].kind != ELF_SEC_PROGS)
		return reader_error(reader, -EINVAL, "section '.BTF.ext': %s of section '%s', "
				    "which holds no code", kind->name, sec_name ? sec_name : "?");
	g.funcs = sym_index_section(funcs, (uint32_t)g.sec_idx, &g.func_cnt);
	for (uint32_t i = 0; !err && i < num_info; i++) {
		const uint8_t *rec = group + 2 * sizeof(uint32_t) + (size_t)i * rec_size;

		/* libbpf hands the kernel a program's records up to the first
		 * at or past its end (adjust_prog_btf_ext_info): the section's
		 * last program never has these. */
		if (ext_u32(rec) >= reader->secs[g.sec_idx].size)
			break;
		err = ext_check_record(&g, rec, i);
	}
	if (!err && g.next_func < g.func_cnt)
		err = ext_missing_function(&g);
	*used = 2 * sizeof(uint32_t) + (size_t)num_info * rec_size;
	return err;
}

static int ext_check_part(struct elf_reader *reader, const struct ext_info_kind *kind,
			  const struct sym_index *funcs, const uint8_t *part, size_t len)
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
		err = ext_check_group(reader, kind, funcs, part + pos, len - pos, rec_size, &used);
		pos += used;
	}
	return err;
}

int reader_check_btf_ext_info(struct elf_reader *reader, const uint8_t *func_info,
			      size_t func_len, const uint8_t *line_info, size_t line_len)
{
	struct sym_index funcs;
	int err;

	if (sym_index_functions(&funcs, reader))
		return reader_error(reader, -ENOMEM, "out of memory");
	err = ext_check_part(reader, &ext_func_info, &funcs, func_info, func_len);
	if (!err)
		err = ext_check_part(reader, &ext_line_info, &funcs, line_info, line_len);
	sym_index_free(&funcs);
	return err;
}
