/* Malformed objects, systematically: every object this directory's build
 * compiles (tests/object/bpf/) goes through a catalogue of corruptions, and
 * each corrupted copy must get a clean error from bpfvm_object_open_mem()
 * (or, for what only the load can see, bpfvm_object_load()): the catalogue's
 * negative errno, and a message that starts with the file's name and names
 * the section (and the program and instruction for relocations). The
 * sanitizer build runs this too: no crash, no leak. After a failed load the
 * object has no map (nothing half-loaded).
 *
 * libbpf's bpf_object__open_mem() opens the same copies: what it does is
 * counted per corruption and printed (docs/objects.md, "Malformed
 * objects"); where the catalogue says what libbpf does, that is checked too.
 *
 * Usage: test_malformed_objects OBJECTS_DIR */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "btf_edit.h"
#include "elf_edit.h"
#include "testlib.h"

#define MAX_OBJECTS 64

/* What a corruption hit, for the expected message. */
struct hit {
	char sec[64];	/* the section the message must name, "" for none */
	char where[96]; /* more words it must hold ("program 'p': insn 3"), or "" */
};

/* Applies the corruption at `site` (0, 1, ...) of img: 1 applied, 0 nothing
 * to corrupt at this site, -1 no more sites. */
typedef int (*corrupt_fn)(struct elf_img *img, size_t site, struct hit *hit);

enum libbpf_verdict {
	LIBBPF_UNCHECKED, /* varies with the object; counted only */
	LIBBPF_REFUSES,	  /* bpf_object__open_mem refuses every copy */
	LIBBPF_OPENS,	  /* it opens every copy (the kernel or nobody refuses later) */
};

struct corruption {
	const char *name;
	corrupt_fn apply;
	int err;	   /* expected negative errno */
	const char *words; /* the message must hold these, or NULL */
	bool at_load;	   /* the open may succeed; the load must fail */
	enum libbpf_verdict libbpf;
};

/* Per corruption, over every object: copies made, copies libbpf refused. */
struct tally {
	unsigned applied, libbpf_refused, libbpf_crashed;
};

struct object {
	char name[128];
	struct elf_img img;
	bool loads; /* the intact object loads (for the at_load corruptions) */
};

static const char *objects_dir;
static struct bpfvm *vm;

/* ---- Finding things in an image -------------------------------------- */

static size_t sec_cnt(const struct elf_img *img)
{
	return elf_img_ehdr(img)->e_shnum;
}

static void hit_sec(struct hit *hit, const struct elf_img *img, size_t idx)
{
	snprintf(hit->sec, sizeof(hit->sec), "%s", elf_img_sec_name(img, idx));
}

static bool sec_is_exec(const struct elf_img *img, size_t idx)
{
	const Elf64_Shdr *sh = elf_img_shdr(img, idx);

	return sh->sh_type == SHT_PROGBITS && (sh->sh_flags & SHF_EXECINSTR) && sh->sh_size;
}

/* The relocation section of site `site` among those of executable
 * sections, or 0. */
static size_t prog_rel_sec(const struct elf_img *img, size_t site)
{
	for (size_t idx = 1; idx < sec_cnt(img); idx++) {
		const Elf64_Shdr *sh = elf_img_shdr(img, idx);

		if (sh->sh_type != SHT_REL || sh->sh_info >= sec_cnt(img) ||
		    !sec_is_exec(img, sh->sh_info))
			continue;
		if (site-- == 0)
			return idx;
	}
	return 0;
}

static Elf64_Sym *symbols(const struct elf_img *img, size_t *cnt)
{
	const Elf64_Shdr *sh = elf_img_shdr(img, elf_img_find_sec(img, ".symtab"));

	*cnt = sh->sh_size / sizeof(Elf64_Sym);
	return (Elf64_Sym *)(img->buf + sh->sh_offset);
}

/* "program 'p': insn N" for byte offset `off` of section sec_idx. */
static void hit_insn(struct hit *hit, const struct elf_img *img, size_t sec_idx, uint64_t off)
{
	const Elf64_Shdr *str = elf_img_shdr(img, elf_img_shdr(img,
					     elf_img_find_sec(img, ".symtab"))->sh_link);
	size_t cnt;
	Elf64_Sym *syms = symbols(img, &cnt);

	for (size_t i = 0; i < cnt; i++) {
		if (ELF64_ST_TYPE(syms[i].st_info) != STT_FUNC || syms[i].st_shndx != sec_idx ||
		    off < syms[i].st_value || off >= syms[i].st_value + syms[i].st_size)
			continue;
		snprintf(hit->where, sizeof(hit->where), "program '%s': insn %llu",
			 (const char *)img->buf + str->sh_offset + syms[i].st_name,
			 (unsigned long long)((off - syms[i].st_value) / 8));
		return;
	}
}

/* Relocation 0 of the site's relocation section; its section in hit. */
static Elf64_Rel *first_prog_rel(struct elf_img *img, size_t site, struct hit *hit,
				 size_t *rel_idx)
{
	size_t idx = prog_rel_sec(img, site);

	*rel_idx = idx;
	if (!idx || elf_img_shdr(img, idx)->sh_size < sizeof(Elf64_Rel))
		return NULL;
	hit_sec(hit, img, idx);
	return (Elf64_Rel *)(img->buf + elf_img_shdr(img, idx)->sh_offset);
}

/* ---- The ELF file ----------------------------------------------------- */

/* The file cut where each section's data starts. */
static int cut_at_section(struct elf_img *img, size_t site, struct hit *hit)
{
	uint64_t off;

	(void)hit;
	if (site + 1 >= sec_cnt(img))
		return -1;
	off = elf_img_shdr(img, site + 1)->sh_offset;
	if (off == 0 || off >= img->size)
		return 0;
	img->size = off;
	return 1;
}

/* The file cut inside the ELF header, then inside section headers. */
static int cut_mid_header(struct elf_img *img, size_t site, struct hit *hit)
{
	static const size_t in_ehdr[] = { 0, 4, 17, 40, 63 };
	size_t n = sizeof(in_ehdr) / sizeof(in_ehdr[0]);
	uint64_t shoff = elf_img_ehdr(img)->e_shoff;

	(void)hit;
	if (site < n) {
		img->size = in_ehdr[site];
		return 1;
	}
	if (site - n >= sec_cnt(img))
		return -1;
	img->size = shoff + (site - n) * sizeof(Elf64_Shdr) + 20;
	return img->size < elf_img_ehdr(img)->e_shoff + sec_cnt(img) * sizeof(Elf64_Shdr);
}

static int bad_ident(struct elf_img *img, size_t site, struct hit *hit)
{
	Elf64_Ehdr *ehdr = elf_img_ehdr(img);

	(void)hit;
	switch (site) {
	case 0: ehdr->e_ident[EI_CLASS] = ELFCLASS32; return 1;
	case 1: ehdr->e_type = ET_EXEC; return 1;
	case 2: ehdr->e_machine = EM_X86_64; return 1;
	case 3: ehdr->e_shentsize = 12; return 1;
	case 4: ehdr->e_shnum = 0xff00; return 1;
	default: return -1;
	}
}

/* Sections whose data must be read (not NOBITS, not empty). */
static bool sec_has_data(const struct elf_img *img, size_t idx)
{
	const Elf64_Shdr *sh = elf_img_shdr(img, idx);

	return sh->sh_type != SHT_NOBITS && sh->sh_type != SHT_NULL && sh->sh_size > 0;
}

/* Names the section, unless it is the section-name table itself. */
static void hit_named_sec(struct hit *hit, const struct elf_img *img, size_t idx)
{
	if (idx != elf_img_ehdr(img)->e_shstrndx)
		hit_sec(hit, img, idx);
}

static int sec_offset_past_file(struct elf_img *img, size_t site, struct hit *hit)
{
	size_t idx = site + 1;

	if (idx >= sec_cnt(img))
		return -1;
	if (!sec_has_data(img, idx))
		return 0;
	hit_named_sec(hit, img, idx);
	elf_img_shdr(img, idx)->sh_offset = img->size + 16;
	return 1;
}

static int sec_size_past_file(struct elf_img *img, size_t site, struct hit *hit)
{
	size_t idx = site + 1;

	if (idx >= sec_cnt(img))
		return -1;
	if (!sec_has_data(img, idx))
		return 0;
	hit_named_sec(hit, img, idx);
	elf_img_shdr(img, idx)->sh_size = img->size + 8;
	return 1;
}

static int symtab_link_out_of_range(struct elf_img *img, size_t site, struct hit *hit)
{
	size_t idx = elf_img_find_sec(img, ".symtab");

	if (site > 1)
		return -1;
	hit_sec(hit, img, idx);
	/* Past the section table, then the null section. */
	elf_img_shdr(img, idx)->sh_link = site == 0 ? (Elf64_Word)sec_cnt(img) + 3 : 0;
	return 1;
}

static int rel_info_out_of_range(struct elf_img *img, size_t site, struct hit *hit)
{
	size_t idx = prog_rel_sec(img, site);

	if (!idx)
		return -1;
	hit_sec(hit, img, idx);
	elf_img_shdr(img, idx)->sh_info = (Elf64_Word)sec_cnt(img) + 5;
	return 1;
}

static int rel_link_not_symtab(struct elf_img *img, size_t site, struct hit *hit)
{
	size_t idx = prog_rel_sec(img, site);

	if (!idx)
		return -1;
	hit_sec(hit, img, idx);
	elf_img_shdr(img, idx)->sh_link = (Elf64_Word)sec_cnt(img) + 5;
	return 1;
}

/* The last byte of a string table is no longer its terminating NUL. */
static int strtab_without_nul(struct elf_img *img, size_t site, struct hit *hit)
{
	size_t idx = site == 0 ? elf_img_find_sec(img, ".strtab")
		     : site == 1 ? elf_img_ehdr(img)->e_shstrndx : 0;
	const Elf64_Shdr *sh;

	if (site > 1)
		return -1;
	if (!idx)
		return 0;
	sh = elf_img_shdr(img, idx);
	hit_named_sec(hit, img, idx);
	img->buf[sh->sh_offset + sh->sh_size - 1] = 'x';
	return 1;
}

static int symtab_not_whole_symbols(struct elf_img *img, size_t site, struct hit *hit)
{
	size_t idx = elf_img_find_sec(img, ".symtab");

	if (site > 0)
		return -1;
	hit_sec(hit, img, idx);
	elf_img_shdr(img, idx)->sh_size -= 5;
	return 1;
}

/* A program's symbol placed in a section that does not exist. */
static int sym_section_out_of_range(struct elf_img *img, size_t site, struct hit *hit)
{
	size_t cnt, seen = 0;
	Elf64_Sym *syms = symbols(img, &cnt);

	for (size_t i = 0; i < cnt; i++) {
		if (ELF64_ST_TYPE(syms[i].st_info) != STT_FUNC || seen++ != site)
			continue;
		snprintf(hit->sec, sizeof(hit->sec), ".symtab");
		syms[i].st_shndx = (Elf64_Section)(sec_cnt(img) + 2);
		return 1;
	}
	return -1;
}

/* ---- Programs ---------------------------------------------------------- */

static int exec_sec_site(const struct elf_img *img, size_t site)
{
	for (size_t idx = 1; idx < sec_cnt(img); idx++) {
		if (sec_is_exec(img, idx) && site-- == 0)
			return (int)idx;
	}
	return 0;
}

static int prog_size_not_insns(struct elf_img *img, size_t site, struct hit *hit)
{
	int idx = exec_sec_site(img, site);

	if (!idx)
		return -1;
	hit_sec(hit, img, (size_t)idx);
	elf_img_shdr(img, (size_t)idx)->sh_size -= 4;
	return 1;
}

/* The section's last instruction becomes the first half of an lddw. */
static int lddw_cut_at_end(struct elf_img *img, size_t site, struct hit *hit)
{
	int idx = exec_sec_site(img, site);
	const Elf64_Shdr *sh;
	struct bpf_insn *last;

	if (!idx)
		return -1;
	sh = elf_img_shdr(img, (size_t)idx);
	last = (struct bpf_insn *)(img->buf + sh->sh_offset + sh->sh_size) - 1;
	memset(last, 0, sizeof(*last));
	last->code = BPF_LD | BPF_IMM | BPF_DW;
	hit_sec(hit, img, (size_t)idx);
	hit_insn(hit, img, (size_t)idx, sh->sh_size - sizeof(*last));
	return 1;
}

/* ---- Relocations ------------------------------------------------------- */

static int rel_sym_out_of_range(struct elf_img *img, size_t site, struct hit *hit)
{
	size_t idx, cnt, target;
	Elf64_Rel *rel = first_prog_rel(img, site, hit, &idx);

	if (!idx)
		return -1;
	if (!rel)
		return 0;
	target = elf_img_shdr(img, idx)->sh_info;
	hit_insn(hit, img, target, rel->r_offset);
	symbols(img, &cnt);
	rel->r_info = ELF64_R_INFO(cnt + 7, ELF64_R_TYPE(rel->r_info));
	return 1;
}

static int rel_offset_past_section(struct elf_img *img, size_t site, struct hit *hit)
{
	size_t idx;
	Elf64_Rel *rel = first_prog_rel(img, site, hit, &idx);

	if (!idx)
		return -1;
	if (!rel)
		return 0;
	rel->r_offset = elf_img_shdr(img, elf_img_shdr(img, idx)->sh_info)->sh_size + 8;
	return 1;
}

static int rel_offset_not_on_insn(struct elf_img *img, size_t site, struct hit *hit)
{
	size_t idx;
	Elf64_Rel *rel = first_prog_rel(img, site, hit, &idx);

	if (!idx)
		return -1;
	if (!rel)
		return 0;
	rel->r_offset += 4;
	return 1;
}

static int rel_wrong_type(struct elf_img *img, size_t site, struct hit *hit)
{
	size_t idx;
	Elf64_Rel *rel = first_prog_rel(img, site, hit, &idx);
	size_t target;

	if (!idx)
		return -1;
	if (!rel)
		return 0;
	target = elf_img_shdr(img, idx)->sh_info;
	hit_sec(hit, img, target);
	hit_insn(hit, img, target, rel->r_offset);
	rel->r_info = ELF64_R_INFO(ELF64_R_SYM(rel->r_info), 7);
	return 1;
}

/* Against symbol 0 (no name, undefined), then against the license's
 * symbol (data that is neither a map nor global data nor code). */
static int rel_wrong_symbol(struct elf_img *img, size_t site, struct hit *hit)
{
	size_t idx, sym_idx = 0, target;
	Elf64_Rel *rel = first_prog_rel(img, site / 2, hit, &idx);
	size_t lic = elf_img_find_sec(img, "license");
	size_t cnt;
	Elf64_Sym *syms = symbols(img, &cnt);

	if (!idx)
		return -1;
	if (!rel)
		return 0;
	if (site % 2) {
		for (sym_idx = 1; sym_idx < cnt && (!lic || syms[sym_idx].st_shndx != lic ||
			ELF64_ST_TYPE(syms[sym_idx].st_info) != STT_OBJECT); sym_idx++)
			;
		if (sym_idx == cnt)
			return 0;
	}
	target = elf_img_shdr(img, idx)->sh_info;
	hit_sec(hit, img, target);
	hit_insn(hit, img, target, rel->r_offset);
	rel->r_info = ELF64_R_INFO(sym_idx, ELF64_R_TYPE(rel->r_info));
	return 1;
}

/* ---- BTF ---------------------------------------------------------------- */

static int btf_bad_header(struct elf_img *img, size_t site, struct hit *hit)
{
	struct btf_img btf;
	size_t size;

	if (site > 5)
		return -1;
	if (!btf_img_open(img, &btf))
		return 0;
	size = elf_img_shdr(img, elf_img_find_sec(img, ".BTF"))->sh_size;
	snprintf(hit->sec, sizeof(hit->sec), ".BTF");
	switch (site) {
	case 0: btf.hdr->magic = 0xbeef; break;
	case 1: btf.hdr->version = 2; break;
	case 2: btf.hdr->hdr_len = (uint32_t)size + 4; break;
	case 3: btf.hdr->hdr_len = 8; break;
	case 4: btf.hdr->str_len = (uint32_t)size; break;
	case 5: btf.hdr->type_off = (uint32_t)size; break;
	}
	btf_img_close(&btf);
	return 1;
}

/* Where a type refers to another type, for site `site`. */
static uint32_t *btf_ref_site(const struct btf_img *btf, size_t site)
{
	static const uint32_t kinds[] = { BTF_KIND_PTR, BTF_KIND_STRUCT, BTF_KIND_VAR,
					  BTF_KIND_FUNC_PROTO, BTF_KIND_ARRAY, BTF_KIND_DATASEC,
					  BTF_KIND_TYPEDEF, BTF_KIND_FUNC };
	uint32_t id;
	struct btf_type *t;

	if (site >= sizeof(kinds) / sizeof(kinds[0]))
		return NULL;
	id = btf_img_find(btf, kinds[site], NULL, 0);
	t = btf_img_type(btf, id);
	if (!t)
		return NULL;
	switch (kinds[site]) {
	case BTF_KIND_STRUCT:
		return btf_vlen(t) ? &btf_members(t)->type : NULL;
	case BTF_KIND_FUNC_PROTO:
		return btf_vlen(t) ? &btf_params(t)->type : NULL;
	case BTF_KIND_ARRAY:
		return &btf_array(t)->type;
	case BTF_KIND_DATASEC:
		return btf_vlen(t) ? &btf_var_secinfos(t)->type : NULL;
	default:
		return &t->type;
	}
}

static int btf_type_id_out_of_range(struct elf_img *img, size_t site, struct hit *hit)
{
	struct btf_img btf;
	uint32_t *ref;

	if (site > 7)
		return -1;
	if (!btf_img_open(img, &btf))
		return 0;
	ref = btf_ref_site(&btf, site);
	if (ref) {
		*ref = btf.cnt + 100;
		snprintf(hit->sec, sizeof(hit->sec), ".BTF");
	}
	btf_img_close(&btf);
	return ref != NULL;
}

/* A typedef to itself; a struct containing itself through a typedef; two
 * modifiers pointing at each other; an array of itself. */
static int btf_loop(struct elf_img *img, size_t site, struct hit *hit)
{
	struct btf_img btf;
	uint32_t td, s, a, c;
	int applied = 0;

	if (site > 3)
		return -1;
	if (!btf_img_open(img, &btf))
		return 0;
	td = btf_img_find(&btf, BTF_KIND_TYPEDEF, NULL, 0);
	s = btf_img_find(&btf, BTF_KIND_STRUCT, NULL, 0);
	a = btf_img_find(&btf, BTF_KIND_ARRAY, NULL, 0);
	c = btf_img_find(&btf, BTF_KIND_CONST, NULL, 0);
	if (site == 0 && td) {
		btf_img_type(&btf, td)->type = td;
		applied = 1;
	} else if (site == 1 && td && s && btf_vlen(btf_img_type(&btf, s))) {
		btf_img_type(&btf, td)->type = s;
		btf_members(btf_img_type(&btf, s))->type = td;
		applied = 1;
	} else if (site == 2 && td && c) {
		btf_img_type(&btf, td)->type = c;
		btf_img_type(&btf, c)->type = td;
		applied = 1;
	} else if (site == 3 && a) {
		btf_array(btf_img_type(&btf, a))->type = a;
		applied = 1;
	}
	if (applied)
		snprintf(hit->sec, sizeof(hit->sec), ".BTF");
	btf_img_close(&btf);
	return applied;
}

/* A type's name, a member's name, a variable's name past the strings. */
static int btf_string_past_end(struct elf_img *img, size_t site, struct hit *hit)
{
	struct btf_img btf;
	uint32_t id;
	struct btf_type *t;
	uint32_t *name_off = NULL;

	if (site > 2)
		return -1;
	if (!btf_img_open(img, &btf))
		return 0;
	id = btf_img_find(&btf, site == 2 ? BTF_KIND_VAR : BTF_KIND_STRUCT, NULL, 0);
	t = btf_img_type(&btf, id);
	if (t && site != 1)
		name_off = &t->name_off;
	else if (t && btf_vlen(t))
		name_off = &btf_members(t)->name_off;
	if (name_off) {
		*name_off = btf.hdr->str_len + 16;
		snprintf(hit->sec, sizeof(hit->sec), ".BTF");
	}
	btf_img_close(&btf);
	return name_off != NULL;
}

/* A DATASEC of a real section: a variable larger than the section, then
 * every variable as large as the section (they overlap). Its offsets are
 * not corrupted: libbpf replaces them with the symbols' values. */
static int btf_datasec_bad_vars(struct elf_img *img, size_t site, struct hit *hit)
{
	struct btf_img btf;
	uint32_t id = 0;
	struct btf_type *t = NULL;
	struct btf_var_secinfo *v;
	int applied = 0;

	if (site > 1)
		return -1;
	if (!btf_img_open(img, &btf))
		return 0;
	while ((id = btf_img_find(&btf, BTF_KIND_DATASEC, NULL, id))) {
		t = btf_img_type(&btf, id);
		if (btf_vlen(t) >= site + 1 && elf_img_find_sec(img, btf_img_name(&btf, t)))
			break;
	}
	if (id) {
		size_t sec = elf_img_find_sec(img, btf_img_name(&btf, t));
		uint32_t size = (uint32_t)elf_img_shdr(img, sec)->sh_size;

		v = btf_var_secinfos(t);
		for (uint16_t i = 0; i < (site == 0 ? 1 : btf_vlen(t)); i++)
			v[i].size = site == 0 ? size + 8 : size;
		snprintf(hit->sec, sizeof(hit->sec), ".BTF");
		snprintf(hit->where, sizeof(hit->where), "DATASEC '%s'", btf_img_name(&btf, t));
		applied = 1;
	}
	btf_img_close(&btf);
	return applied;
}

/* The map definition's struct in .maps (its first variable), its member
 * called `member`. */
static struct btf_member *btf_map_member(const struct btf_img *btf, const char *member,
					 const char **map_name)
{
	uint32_t id = btf_img_find(btf, BTF_KIND_DATASEC, ".maps", 0);
	struct btf_type *t = btf_img_type(btf, id), *var;

	if (!t || !btf_vlen(t))
		return NULL;
	var = btf_img_type(btf, btf_var_secinfos(t)->type);
	if (!var)
		return NULL;
	*map_name = btf_img_name(btf, var);
	t = btf_img_type(btf, var->type);
	while (t && BTF_INFO_KIND(t->info) != BTF_KIND_STRUCT)
		t = btf_img_type(btf, t->type);
	for (uint16_t i = 0; t && i < btf_vlen(t); i++) {
		if (strcmp(btf->strs + btf_members(t)[i].name_off, member) == 0)
			return &btf_members(t)[i];
	}
	return NULL;
}

/* __uint(type, ...) and __uint(max_entries, ...) as an int, not a pointer
 * to an array; __type(key, ...) as a function prototype (no size). */
static int btf_map_wrong_kinds(struct elf_img *img, size_t site, struct hit *hit)
{
	static const char *const members[] = { "type", "max_entries", "key" };
	struct btf_img btf;
	struct btf_member *m = NULL;
	const char *map_name = NULL;
	uint32_t int_id, proto_id;

	if (site > 2)
		return -1;
	if (!btf_img_open(img, &btf))
		return 0;
	int_id = btf_img_find(&btf, BTF_KIND_INT, NULL, 0);
	proto_id = btf_img_find(&btf, BTF_KIND_FUNC_PROTO, NULL, 0);
	m = btf_map_member(&btf, members[site], &map_name);
	if (m && int_id && (site < 2 || proto_id)) {
		m->type = site < 2 ? int_id : proto_id;
		snprintf(hit->sec, sizeof(hit->sec), ".maps");
		snprintf(hit->where, sizeof(hit->where), "map '%s'", map_name);
	} else {
		m = NULL;
	}
	btf_img_close(&btf);
	return m != NULL;
}

/* ---- .BTF.ext ----------------------------------------------------------- */

struct btf_ext_hdr {
	uint16_t magic;
	uint8_t version, flags;
	uint32_t hdr_len;
	uint32_t func_info_off, func_info_len, line_info_off, line_info_len;
	uint32_t core_relo_off, core_relo_len;
};

static uint8_t *btf_ext_part(struct elf_img *img, size_t part, uint32_t *len)
{
	size_t idx = elf_img_find_sec(img, ".BTF.ext");
	uint8_t *base;
	struct btf_ext_hdr *hdr;
	uint32_t off;

	if (!idx)
		return NULL;
	base = img->buf + elf_img_shdr(img, idx)->sh_offset;
	hdr = (struct btf_ext_hdr *)base;
	if (part == 2 && hdr->hdr_len < sizeof(*hdr))
		return NULL;
	off = part == 0 ? hdr->func_info_off : part == 1 ? hdr->line_info_off : hdr->core_relo_off;
	*len = part == 0 ? hdr->func_info_len : part == 1 ? hdr->line_info_len : hdr->core_relo_len;
	return *len ? base + hdr->hdr_len + off : NULL;
}

/* The record size of func_info, line_info, CO-RE relocations: too small. */
static int btf_ext_bad_rec_size(struct elf_img *img, size_t site, struct hit *hit)
{
	uint32_t len;
	uint8_t *part;

	if (site > 2)
		return -1;
	part = btf_ext_part(img, site, &len);
	if (!part)
		return 0;
	memset(part, 0, 4);
	part[0] = 4;
	snprintf(hit->sec, sizeof(hit->sec), ".BTF.ext");
	return 1;
}

/* func_info's first record: between two instructions, past the section,
 * on an instruction that starts no function. */
static int btf_ext_func_info_off_insn(struct elf_img *img, size_t site, struct hit *hit)
{
	uint32_t len, num_info, *rec;
	uint8_t *part;

	if (site > 2)
		return -1;
	part = btf_ext_part(img, 0, &len);
	if (!part || len < 4 + 8 + 8)
		return 0;
	memcpy(&num_info, part + 8, 4);
	if (!num_info)
		return 0;
	rec = (uint32_t *)(part + 12); /* rec_size, sec_name_off, num_info, records */
	rec[0] = site == 0 ? rec[0] + 4 : site == 1 ? 1u << 30 : rec[0] + 8;
	snprintf(hit->sec, sizeof(hit->sec), ".BTF.ext");
	return 1;
}

/* ---- Maps and license --------------------------------------------------- */

/* The legacy "maps" section's definitions one byte short, then two maps'
 * symbols at one offset. (A symbol's st_size is not checked: libbpf 0.x,
 * the last to read this section, did not; 1.x refuses the section.) */
static int legacy_map_wrong_size(struct elf_img *img, size_t site, struct hit *hit)
{
	size_t idx = elf_img_find_sec(img, "maps"), cnt;
	Elf64_Sym *syms, *first = NULL;

	if (site > 1)
		return -1;
	if (!idx)
		return 0;
	hit_sec(hit, img, idx);
	if (site == 0) {
		elf_img_shdr(img, idx)->sh_size -= 1;
		return 1;
	}
	syms = symbols(img, &cnt);
	for (size_t i = 0; i < cnt; i++) {
		if (syms[i].st_shndx != idx || ELF64_ST_TYPE(syms[i].st_info) != STT_OBJECT)
			continue;
		if (first) {
			syms[i].st_value = first->st_value;
			return 1;
		}
		first = &syms[i];
	}
	return 0;
}

/* The license emptied: GPL-only helpers and kfuncs cannot be called. Only
 * for the objects that call them. */
static int license_missing(struct elf_img *img, size_t site, struct hit *hit)
{
	size_t idx = elf_img_find_sec(img, "license");

	(void)hit;
	if (site > 0)
		return -1;
	if (!idx || (!elf_img_find_sec(img, ".ksyms") && !elf_img_find_bytes(img, ".BTF",
		     "bpf_probe_read_kernel", 21)))
		return 0;
	memset(img->buf + elf_img_shdr(img, idx)->sh_offset, 0, elf_img_shdr(img, idx)->sh_size);
	return 1;
}

static struct corruption catalogue[] = {
	{ "cut at a section's start", cut_at_section, -EINVAL, NULL, false, LIBBPF_REFUSES },
	{ "cut in the ELF or a section header", cut_mid_header, -EINVAL, NULL, false,
	  LIBBPF_REFUSES },
	{ "ELF class, type, machine, shentsize, shnum", bad_ident, -EINVAL, NULL, false,
	  LIBBPF_UNCHECKED },
	{ "section offset past the file", sec_offset_past_file, -EINVAL, NULL, false,
	  LIBBPF_UNCHECKED },
	{ "section size past the file", sec_size_past_file, -EINVAL, NULL, false,
	  LIBBPF_UNCHECKED },
	{ ".symtab sh_link out of range or null", symtab_link_out_of_range, -EINVAL,
	  "string table", false, LIBBPF_REFUSES },
	{ ".rel sh_info out of range", rel_info_out_of_range, -EINVAL,
	  "malformed relocation section", false, LIBBPF_REFUSES },
	{ ".rel sh_link not the symbol table", rel_link_not_symtab, -EINVAL, "symbol table",
	  false, LIBBPF_UNCHECKED },
	{ "string table without its NUL", strtab_without_nul, -EINVAL, NULL, false,
	  LIBBPF_UNCHECKED },
	{ ".symtab not whole symbols", symtab_not_whole_symbols, -EINVAL, "symbol table",
	  false, LIBBPF_REFUSES },
	{ "function symbol in a missing section", sym_section_out_of_range, -EINVAL, NULL,
	  false, LIBBPF_UNCHECKED },
	{ "program section not whole instructions", prog_size_not_insns, -EINVAL,
	  "whole number of instructions", false, LIBBPF_REFUSES },
	{ "lddw cut in half at the end", lddw_cut_at_end, -EINVAL, "second half", false,
	  LIBBPF_UNCHECKED },
	{ "relocation symbol out of range", rel_sym_out_of_range, -EINVAL, "symbol #", false,
	  LIBBPF_REFUSES },
	{ "relocation offset past the section", rel_offset_past_section, -EINVAL,
	  "invalid offset", false, LIBBPF_REFUSES },
	{ "relocation offset not on an instruction", rel_offset_not_on_insn, -EINVAL,
	  "invalid offset", false, LIBBPF_REFUSES },
	{ "relocation of an unknown type", rel_wrong_type, -EINVAL, "relocation type", false,
	  LIBBPF_UNCHECKED },
	{ "relocation against no symbol or the license", rel_wrong_symbol, -EINVAL, NULL,
	  false, LIBBPF_REFUSES },
	{ ".BTF magic, version, hdr_len, offsets", btf_bad_header, -EINVAL, NULL, false,
	  LIBBPF_UNCHECKED },
	{ ".BTF type id out of range", btf_type_id_out_of_range, -EINVAL, NULL, false,
	  LIBBPF_UNCHECKED },
	{ ".BTF loop of types", btf_loop, -EINVAL, "itself", false, LIBBPF_UNCHECKED },
	{ ".BTF string offset past the strings", btf_string_past_end, -EINVAL, NULL, false,
	  LIBBPF_UNCHECKED },
	{ ".BTF DATASEC variables too large or overlapping", btf_datasec_bad_vars, -EINVAL, NULL,
	  false, LIBBPF_UNCHECKED },
	{ ".maps type/max_entries/key of wrong kinds", btf_map_wrong_kinds, -EINVAL, NULL,
	  false, LIBBPF_REFUSES },
	{ ".BTF.ext record sizes", btf_ext_bad_rec_size, -EINVAL, "record size", false,
	  LIBBPF_UNCHECKED },
	{ ".BTF.ext func_info off an instruction", btf_ext_func_info_off_insn, -EINVAL,
	  "func_info", false, LIBBPF_UNCHECKED },
	{ "legacy maps of the wrong size or overlapping", legacy_map_wrong_size, -EINVAL, NULL,
	  false, LIBBPF_REFUSES },
	{ "license missing for GPL-only calls", license_missing, -EINVAL, "GPL", true,
	  LIBBPF_OPENS },
};

#define CATALOGUE_LEN (sizeof(catalogue) / sizeof(catalogue[0]))

static struct tally tallies[CATALOGUE_LEN];

/* ---- Every copy, in one order ----------------------------------------- */

static struct object objects[MAX_OBJECTS];
static size_t object_cnt;

/* Called for each corrupted copy, numbered in a fixed order. */
typedef void (*copy_fn)(const struct object *o, const struct corruption *c,
			const struct elf_img *img, const struct hit *hit, size_t site, size_t k);

static size_t for_each_copy(copy_fn fn)
{
	size_t k = 0;

	for (size_t i = 0; i < object_cnt; i++) {
		const struct object *o = &objects[i];

		for (size_t c = 0; c < CATALOGUE_LEN; c++) {
			for (size_t site = 0;; site++) {
				struct elf_img img = elf_img_copy(&o->img);
				struct hit hit = { "", "" };
				int applied = catalogue[c].apply(&img, site, &hit);

				if (applied > 0 && (!catalogue[c].at_load || o->loads)) {
					if (fn)
						fn(o, &catalogue[c], &img, &hit, site, k);
					k++;
				}
				elf_img_free(&img);
				if (applied < 0)
					break;
			}
		}
	}
	return k;
}

/* ---- libbpf on the same copies ------------------------------------------ */

enum libbpf_answer { LIBBPF_OPENED = 1, LIBBPF_REFUSED, LIBBPF_CRASHED };

struct libbpf_record {
	uint32_t k;
	uint32_t answer; /* 0: starting */
};

static int libbpf_quiet(enum libbpf_print_level level, const char *fmt, va_list args)
{
	(void)level;
	(void)fmt;
	(void)args;
	return 0;
}

static size_t libbpf_from;
static int libbpf_pipe;

static void libbpf_write(uint32_t k, uint32_t answer)
{
	struct libbpf_record rec = { k, answer };

	if (write(libbpf_pipe, &rec, sizeof(rec)) != sizeof(rec))
		_exit(3);
}

static void libbpf_open_copy(const struct object *o, const struct corruption *c,
			     const struct elf_img *img, const struct hit *hit, size_t site,
			     size_t k)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .object_name = o->name);
	struct bpf_object *obj;

	(void)c;
	(void)hit;
	(void)site;
	if (k < libbpf_from)
		return;
	libbpf_write((uint32_t)k, 0);
	obj = bpf_object__open_mem(img->buf, img->size, &opts);
	libbpf_write((uint32_t)k, libbpf_get_error(obj) || !obj ? LIBBPF_REFUSED : LIBBPF_OPENED);
	if (!libbpf_get_error(obj))
		bpf_object__close(obj);
}

/* One child opens copies from `from` on until it ends or crashes (libbpf
 * 1.1 crashes on some of these files); returns the copy it crashed on, or
 * `cnt`. One fork per crash: forking per copy takes minutes. */
static size_t libbpf_run_from(size_t from, size_t cnt, uint8_t *answers)
{
	struct libbpf_record rec;
	size_t pending = cnt;
	int fds[2], status;
	pid_t pid;

	if (pipe(fds) || (pid = fork()) < 0) {
		perror("fork");
		exit(2);
	}
	if (pid == 0) {
		/* Quiet: a crash under the sanitizers would print a report
		 * that reads as bpfvm's. */
		int null_fd = open("/dev/null", O_WRONLY);

		if (null_fd >= 0)
			dup2(null_fd, STDERR_FILENO);
		close(fds[0]);
		libbpf_pipe = fds[1];
		libbpf_from = from;
		libbpf_set_print(libbpf_quiet);
		for_each_copy(libbpf_open_copy);
		_exit(0);
	}
	close(fds[1]);
	while (read(fds[0], &rec, sizeof(rec)) == sizeof(rec) && rec.k < cnt) {
		answers[rec.k] = (uint8_t)rec.answer;
		pending = rec.answer ? cnt : rec.k;
	}
	close(fds[0]);
	waitpid(pid, &status, 0);
	if (pending == cnt && !(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
		fprintf(stderr, "libbpf child failed (status 0x%x)\n", status);
		exit(2);
	}
	if (pending < cnt)
		answers[pending] = LIBBPF_CRASHED;
	return pending;
}

static uint8_t *libbpf_answers(size_t cnt)
{
	uint8_t *answers = calloc(cnt + 1, 1);
	size_t from = 0;

	if (!answers)
		exit(2);
	while (from < cnt)
		from = libbpf_run_from(from, cnt, answers) + 1;
	return answers;
}

/* ---- bpfvm on each copy ------------------------------------------------- */

static uint8_t *answers;

static int open_img(const struct object *o, const struct elf_img *img,
		    struct bpfvm_object **out)
{
	char path[4096];
	struct bpfvm_object_opts opts = { .sz = sizeof(opts), .object_name = o->name };

	/* CO-RE against the object's own BTF: fast, and the same every run. */
	snprintf(path, sizeof(path), "%s/%s", objects_dir, o->name);
	opts.btf_custom_path = path;
	return bpfvm_object_open_mem(vm, img->buf, img->size, &opts, out);
}

static void check_message(const char *test, const struct corruption *c,
			  const struct hit *hit, const char *msg)
{
	size_t name_len = strcspn(test, " ");
	char quoted[80];

	testlib_check(test, strncmp(msg, test, name_len) == 0 && msg[name_len] == ':',
		      "%s: message does not start with the file's name: %s", c->name, msg);
	snprintf(quoted, sizeof(quoted), "'%s'", hit->sec);
	testlib_check(test, !hit->sec[0] || strstr(msg, quoted), "%s: message lacks %s: %s",
		      c->name, quoted, msg);
	testlib_check(test, !hit->where[0] || strstr(msg, hit->where),
		      "%s: message lacks \"%s\": %s", c->name, hit->where, msg);
	testlib_check(test, !c->words || strstr(msg, c->words), "%s: message lacks \"%s\": %s",
		      c->name, c->words, msg);
}

/* A failed load leaves no map behind. */
static void check_nothing_loaded(const char *test, const struct corruption *c,
				 struct bpfvm_object *obj)
{
	for (size_t i = 0; i < bpfvm_object_map_cnt(obj); i++)
		testlib_check(test, bpfvm_object_map(obj, i) == NULL,
			      "%s: map #%zu still there after the failed load", c->name, i);
}

static void bpfvm_open_copy(const struct object *o, const struct corruption *c,
			    const struct elf_img *img, const struct hit *hit, size_t site,
			    size_t k)
{
	struct tally *t = &tallies[c - catalogue];
	struct bpfvm_object *obj = NULL;
	char test[256];
	int err;

	snprintf(test, sizeof(test), "%s (%s #%zu)", o->name, c->name, site);
	t->applied++;
	t->libbpf_refused += answers[k] == LIBBPF_REFUSED;
	t->libbpf_crashed += answers[k] == LIBBPF_CRASHED;
	err = open_img(o, img, &obj);
	if (!err && c->at_load)
		err = bpfvm_object_load(obj);
	testlib_check(test, err == c->err, "%s: error %d, expected %d: %s", c->name, err, c->err,
		      err ? bpfvm_errmsg() : "");
	if (err)
		check_message(test, c, hit, bpfvm_errmsg());
	if (obj && err)
		check_nothing_loaded(test, c, obj);
	bpfvm_object_close(obj);
}

/* The intact object opens (else it is not a seed); whether it loads. */
static bool object_seed(struct object *o)
{
	struct bpfvm_object *obj = NULL;
	int err = open_img(o, &o->img, &obj);

	if (err) {
		printf("NOT A SEED %s: does not open: %s\n", o->name, bpfvm_errmsg());
		return false;
	}
	o->loads = bpfvm_object_load(obj) == 0;
	bpfvm_object_close(obj);
	return true;
}

static int name_order(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The seeds: every *.bpf.o of the directory that opens intact. */
static void load_objects(void)
{
	DIR *dir = opendir(objects_dir);
	char *names[MAX_OBJECTS];
	struct dirent *de;
	size_t n = 0;

	if (!dir) {
		fprintf(stderr, "cannot open %s\n", objects_dir);
		exit(2);
	}
	while ((de = readdir(dir)) && n < MAX_OBJECTS) {
		size_t len = strlen(de->d_name);

		if (len > 6 && strcmp(de->d_name + len - 6, ".bpf.o") == 0)
			names[n++] = strdup(de->d_name);
	}
	closedir(dir);
	qsort(names, n, sizeof(*names), name_order);
	for (size_t i = 0; i < n; i++) {
		struct object *o = &objects[object_cnt];
		char path[4096];

		snprintf(o->name, sizeof(o->name), "%s", names[i]);
		snprintf(path, sizeof(path), "%s/%s", objects_dir, names[i]);
		o->img = elf_img_load(path);
		if (object_seed(o))
			object_cnt++;
		else
			elf_img_free(&o->img);
		free(names[i]);
	}
}

static void check_libbpf(void)
{
	printf("%-48s %6s %14s %14s\n", "corruption", "copies", "libbpf refused",
	       "libbpf crashed");
	for (size_t i = 0; i < CATALOGUE_LEN; i++) {
		const struct corruption *c = &catalogue[i];
		const struct tally *t = &tallies[i];

		printf("%-48s %6u %14u %14u\n", c->name, t->applied, t->libbpf_refused,
		       t->libbpf_crashed);
		testlib_check("catalogue", t->applied > 0, "%s: applied to no object", c->name);
		testlib_check("libbpf", c->libbpf != LIBBPF_REFUSES ||
				      t->libbpf_refused == t->applied,
			      "%s: libbpf opened %u copies", c->name,
			      t->applied - t->libbpf_refused);
		testlib_check("libbpf", c->libbpf != LIBBPF_OPENS ||
				      t->libbpf_refused + t->libbpf_crashed == 0,
			      "%s: libbpf refused %u copies", c->name, t->libbpf_refused);
	}
}

int main(int argc, char **argv)
{
	size_t cnt;

	if (argc != 2) {
		fprintf(stderr, "usage: %s OBJECTS_DIR\n", argv[0]);
		return 2;
	}
	objects_dir = argv[1];
	if (bpfvm_create(NULL, &vm)) {
		fprintf(stderr, "bpfvm_create: %s\n", bpfvm_errmsg());
		return 2;
	}
	load_objects();
	testlib_check("objects", object_cnt >= 15, "only %zu objects open intact", object_cnt);
	cnt = for_each_copy(NULL);
	answers = libbpf_answers(cnt);
	for_each_copy(bpfvm_open_copy);
	check_libbpf();
	printf("%zu copies of %zu objects\n", cnt, object_cnt);
	for (size_t i = 0; i < object_cnt; i++)
		elf_img_free(&objects[i].img);
	free(answers);
	bpfvm_destroy(vm);
	return testlib_summary();
}
