/* .BTF.ext: function and line information (for the kernel's verifier log and
 * bpftool) and CO-RE relocations. bpfvm ignores the first two (noted), and
 * refuses CO-RE relocations: they adjust field offsets to the running
 * kernel's BTF, which a user-space runtime does not have, and skipping them
 * would run the program with the offsets of the headers it was built with.
 *
 *   header: magic 0xeb9f, version, flags, hdr_len,
 *           func_info off/len, line_info off/len, [core_relo off/len]
 *   core_relo (at hdr_len + off): u32 rec_size, then per section:
 *           u32 sec_name_off (BTF string), u32 num_info, num_info records
 *           { u32 insn_off, type_id, access_str_off, kind }
 */
#include <errno.h>
#include <string.h>

#include <bpf/btf.h>

#include "object/elf_reader.h"

struct btf_ext_hdr {
	uint16_t magic;
	uint8_t version;
	uint8_t flags;
	uint32_t hdr_len;
	uint32_t func_info_off;
	uint32_t func_info_len;
	uint32_t line_info_off;
	uint32_t line_info_len;
	uint32_t core_relo_off;
	uint32_t core_relo_len;
};

#define BTF_EXT_MAGIC 0xeB9F
#define BTF_EXT_HDR_CORE_END 32u /* header length that includes core_relo */
#define CORE_RELO_REC_MIN 16u

static uint32_t read_u32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/* Names the program of the first CO-RE relocation of a section. */
static int reader_refuse_core(struct elf_reader *reader, uint32_t sec_name_off,
			      uint32_t insn_off, uint32_t type_id)
{
	const char *sec_name = reader->btf ? btf__name_by_offset(reader->btf, sec_name_off) : NULL;
	const struct btf_type *t = reader->btf ? btf__type_by_id(reader->btf, type_id) : NULL;
	const char *type_name = t ? btf__name_by_offset(reader->btf, t->name_off) : NULL;
	const struct object_prog *prog = NULL;

	for (size_t idx = 1; sec_name && idx < reader->sec_cnt; idx++) {
		if (strcmp(reader->secs[idx].name, sec_name) == 0)
			prog = object_prog_at(reader->file, (uint32_t)idx,
					      insn_off / sizeof(struct bpf_insn));
	}
	return reader_error(reader, -ENOTSUP, "section '%s': program '%s': CO-RE relocation "
			    "against type '%s' at insn %u needs the kernel's BTF, which bpfvm "
			    "does not have", sec_name ? sec_name : "<?>", prog ? prog->name : "<?>",
			    type_name && type_name[0] ? type_name : "<anon>",
			    insn_off / (uint32_t)sizeof(struct bpf_insn));
}

static int reader_check_core_relos(struct elf_reader *reader, const uint8_t *start, size_t len)
{
	uint32_t rec_size;
	size_t pos = sizeof(uint32_t);

	if (len < sizeof(uint32_t))
		return reader_error(reader, -EINVAL, "section '.BTF.ext': CO-RE part too short");
	rec_size = read_u32(start);
	if (rec_size < CORE_RELO_REC_MIN || rec_size % 4)
		return reader_error(reader, -EINVAL, "section '.BTF.ext': CO-RE record size %u",
				    rec_size);
	while (pos + 2 * sizeof(uint32_t) <= len) {
		uint32_t sec_name_off = read_u32(start + pos);
		uint32_t num_info = read_u32(start + pos + 4);

		pos += 2 * sizeof(uint32_t);
		if (num_info == 0)
			continue;
		if (len - pos < rec_size)
			return reader_error(reader, -EINVAL, "section '.BTF.ext': CO-RE records "
					    "cross the section's end");
		return reader_refuse_core(reader, sec_name_off, read_u32(start + pos),
					  read_u32(start + pos + 4));
	}
	return 0;
}

int reader_check_btf_ext(struct elf_reader *reader)
{
	const uint8_t *ext = reader->btf_ext;
	struct btf_ext_hdr hdr = { 0 };

	if (!ext)
		return 0;
	if (reader->btf_ext_size < offsetof(struct btf_ext_hdr, core_relo_off))
		return reader_error(reader, -EINVAL, "section '.BTF.ext': too short (%zu bytes)",
				    reader->btf_ext_size);
	memcpy(&hdr, ext, offsetof(struct btf_ext_hdr, core_relo_off));
	if (hdr.magic != BTF_EXT_MAGIC)
		return reader_error(reader, -EINVAL, "section '.BTF.ext': bad magic 0x%x",
				    hdr.magic);
	if (hdr.hdr_len > reader->btf_ext_size || hdr.hdr_len < offsetof(struct btf_ext_hdr,
									  core_relo_off))
		return reader_error(reader, -EINVAL, "section '.BTF.ext': header length %u",
				    hdr.hdr_len);
	if (hdr.hdr_len >= BTF_EXT_HDR_CORE_END) {
		memcpy(&hdr, ext, sizeof(hdr));
		size_t body = reader->btf_ext_size - hdr.hdr_len;

		if (hdr.core_relo_off > body || hdr.core_relo_len > body - hdr.core_relo_off)
			return reader_error(reader, -EINVAL, "section '.BTF.ext': CO-RE part lies "
					    "outside the section");
		if (hdr.core_relo_len) {
			int err = reader_check_core_relos(reader,
							  ext + hdr.hdr_len + hdr.core_relo_off,
							  hdr.core_relo_len);
			if (err)
				return err;
		}
	}
	return reader_note(reader, "section '.BTF.ext': function and line information ignored");
}
