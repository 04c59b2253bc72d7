/* .BTF.ext: function and line information (for the kernel's verifier log and
 * bpftool) and CO-RE relocations. bpfvm ignores the first two (noted), and
 * applies CO-RE relocations as libbpf does (core_relo.h): against
 * btf_custom_path, else the running kernel's BTF, else the object's own.
 *
 *   header: magic 0xeb9f, version, flags, hdr_len,
 *           func_info off/len, line_info off/len, [core_relo off/len]
 *   core_relo (at hdr_len + off): u32 rec_size, then per section:
 *           u32 sec_name_off (BTF string), u32 num_info, num_info records
 *           { u32 insn_off, type_id, access_str_off, kind }
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/btf.h>

#include "object/core_relo.h"
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

/* One section's group of records: checks they lie in the CO-RE part, copies
 * their first 16 bytes (a newer clang's longer records keep the same start,
 * as libbpf reads them) and applies them. */
static int reader_core_group(struct elf_reader *reader, const struct core_target *target,
			     const uint8_t *group, uint32_t num_info, uint32_t rec_size,
			     struct core_stats *stats)
{
	const char *sec_name = btf__name_by_offset(reader->btf, read_u32(group));
	struct core_record *recs;
	int err;

	if (!sec_name || !sec_name[0])
		return reader_error(reader, -EINVAL, "section '.BTF.ext': CO-RE records name no "
				    "section (string offset %u)", read_u32(group));
	recs = calloc(num_info, sizeof(*recs));
	if (!recs)
		return reader_error(reader, -ENOMEM, "out of memory");
	for (uint32_t i = 0; i < num_info; i++)
		memcpy(&recs[i], group + 2 * sizeof(uint32_t) + (size_t)i * rec_size,
		       sizeof(recs[i]));
	err = reader_apply_core_section(reader, target, sec_name, recs, num_info, stats);
	free(recs);
	return err;
}

static int reader_core_note(struct elf_reader *reader, const char *what,
			    const struct core_stats *stats)
{
	int err = reader_note(reader, "CO-RE: %u instructions relocated against %s (%u "
			      "poisoned)", stats->applied, what, stats->poisoned);

	if (!err && stats->skipped)
		err = reader_note(reader, "CO-RE: %u relocations of code outside every program "
				  "skipped (a weak function the linker replaced), as libbpf",
				  stats->skipped);
	return err;
}

/*   rec_size | sec_name_off num_info rec[num_info] | sec_name_off ... */
static int reader_core_relos(struct elf_reader *reader, const uint8_t *start, size_t len)
{
	struct core_target *target = NULL;
	struct core_stats stats = { 0 };
	const char *what = NULL;
	uint32_t rec_size;
	size_t pos = sizeof(uint32_t);
	int err;

	if (len < sizeof(uint32_t))
		return reader_error(reader, -EINVAL, "section '.BTF.ext': CO-RE part too short");
	rec_size = read_u32(start);
	if (rec_size < CORE_RELO_REC_MIN || rec_size % 4)
		return reader_error(reader, -EINVAL, "section '.BTF.ext': CO-RE record size %u",
				    rec_size);
	if (!reader->btf)
		return reader_error(reader, -EINVAL, "section '.BTF.ext': CO-RE relocations "
				    "without a .BTF section");
	err = core_target_open(reader, reader->btf_custom_path, reader->core_skip_kernel,
			       &target, &what);
	while (!err && pos < len) {
		uint32_t num_info;

		if (len - pos < 2 * sizeof(uint32_t)) {
			err = reader_error(reader, -EINVAL, "section '.BTF.ext': CO-RE part ends "
					   "inside a section's header");
			break;
		}
		num_info = read_u32(start + pos + 4);
		if (num_info > (len - pos - 2 * sizeof(uint32_t)) / rec_size) {
			err = reader_error(reader, -EINVAL, "section '.BTF.ext': %u CO-RE records "
					   "of %u bytes cross the section's end", num_info,
					   rec_size);
			break;
		}
		if (num_info)
			err = reader_core_group(reader, target, start + pos, num_info, rec_size,
						&stats);
		pos += 2 * sizeof(uint32_t) + (size_t)num_info * rec_size;
	}
	core_target_close(target);
	return err ? err : reader_core_note(reader, what, &stats);
}

/* func_info and line_info lie inside the section; their records are checked
 * once the relocations are read (reader_check_btf_ext_records), so that a
 * broken relocation is reported as such first. */
static int reader_btf_ext_info_parts(struct elf_reader *reader, const struct btf_ext_hdr *hdr)
{
	size_t len = reader->btf_ext_size - hdr->hdr_len;

	if (hdr->func_info_off > len || hdr->func_info_len > len - hdr->func_info_off ||
	    hdr->line_info_off > len || hdr->line_info_len > len - hdr->line_info_off)
		return reader_error(reader, -EINVAL, "section '.BTF.ext': func_info or "
				    "line_info lies outside the section");
	return 0;
}

int reader_check_btf_ext_records(struct elf_reader *reader)
{
	struct btf_ext_hdr hdr = { 0 };
	const uint8_t *body;

	if (!reader->btf_ext)
		return 0;
	memcpy(&hdr, reader->btf_ext, offsetof(struct btf_ext_hdr, core_relo_off));
	body = (const uint8_t *)reader->btf_ext + hdr.hdr_len;
	return reader_check_btf_ext_info(reader, body + hdr.func_info_off, hdr.func_info_len,
					 body + hdr.line_info_off, hdr.line_info_len);
}

int reader_check_btf_ext(struct elf_reader *reader)
{
	const uint8_t *ext = reader->btf_ext;
	struct btf_ext_hdr hdr = { 0 };
	int err;

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
	err = reader_btf_ext_info_parts(reader, &hdr);
	if (err)
		return err;
	if (hdr.hdr_len >= BTF_EXT_HDR_CORE_END) {
		memcpy(&hdr, ext, sizeof(hdr));
		size_t body = reader->btf_ext_size - hdr.hdr_len;

		if (hdr.core_relo_off > body || hdr.core_relo_len > body - hdr.core_relo_off)
			return reader_error(reader, -EINVAL, "section '.BTF.ext': CO-RE part lies "
					    "outside the section");
		if (hdr.core_relo_len) {
			err = reader_core_relos(reader, ext + hdr.hdr_len + hdr.core_relo_off,
						hdr.core_relo_len);
			if (err)
				return err;
		}
	}
	return reader_note(reader, "section '.BTF.ext': function and line information ignored");
}
