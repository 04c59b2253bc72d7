/* The kernel's rules for func_info and line_info (check_btf_func,
 * check_btf_line), each broken in a copy of a libbpf-shaped object
 * (bpf/ext_rules.bpf.c): bpfvm refuses the copy with a message naming the
 * file's part, the section and the record; when bpf() is usable, libbpf
 * and the kernel refuse the same copy (the kernel is the oracle), and
 * both load the intact object. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "bpfvm/bpfvm.h"
#include "elf_edit.h"
#include "testlib.h"

#define REC_FUNC 8u
#define REC_LINE 16u

static const char *objects_dir;

/* One group of a part: the section it names and its records. */
struct ext_group {
	const char *sec;
	uint8_t *recs;
	uint32_t cnt, rec_size;
};

static uint32_t get_u32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

static void put_u32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

/* The string at `off` of .BTF's string section. */
static const char *btf_str(const struct elf_img *img, uint32_t off)
{
	const uint8_t *btf = img->buf + elf_img_shdr(img, elf_img_find_sec(img, ".BTF"))->sh_offset;

	return (const char *)btf + get_u32(btf + 4) + get_u32(btf + 16) + off;
}

/* The group of `part` (0: func_info, 1: line_info) for section `sec`. */
static bool find_group(const struct elf_img *img, int part, const char *sec, struct ext_group *g)
{
	uint8_t *ext = img->buf + elf_img_shdr(img, elf_img_find_sec(img, ".BTF.ext"))->sh_offset;
	uint32_t hdr_len = get_u32(ext + 4);
	uint32_t off = get_u32(ext + 8 + 8 * part), len = get_u32(ext + 12 + 8 * part);
	uint8_t *p = ext + hdr_len + off, *end = p + len;

	g->rec_size = get_u32(p);
	for (p += 4; p + 8 <= end; p += 8 + (size_t)get_u32(p + 4) * g->rec_size) {
		g->sec = btf_str(img, get_u32(p));
		g->cnt = get_u32(p + 4);
		g->recs = p + 8;
		if (strcmp(g->sec, sec) == 0)
			return true;
	}
	return false;
}

static uint8_t *rec(const struct ext_group *g, uint32_t i)
{
	return g->recs + (size_t)i * g->rec_size;
}

/* The byte offset of the first lddw in section `sec`, or -1. */
static long first_lddw(const struct elf_img *img, const char *sec)
{
	const Elf64_Shdr *sh = elf_img_shdr(img, elf_img_find_sec(img, sec));

	for (size_t off = 0; off + 16 <= sh->sh_size; off += 8) {
		if (img->buf[sh->sh_offset + off] == (BPF_LD | BPF_IMM | BPF_DW))
			return (long)off;
	}
	return -1;
}

/* Whether libbpf and the kernel load the image (NULL: yes), else why. */
static const char *kernel_refusal(const struct elf_img *img)
{
	static char why[64];
	struct bpf_object *obj = bpf_object__open_mem(img->buf, img->size, NULL);
	int err = (int)libbpf_get_error(obj);

	if (err) {
		snprintf(why, sizeof(why), "libbpf open %d", err);
		return why;
	}
	err = bpf_object__load(obj);
	bpf_object__close(obj);
	if (!err)
		return NULL;
	snprintf(why, sizeof(why), "load %d", err);
	return why;
}

static bool kernel_usable(void)
{
	return geteuid() == 0 && access("/sys/fs/bpf", F_OK) == 0;
}

/* The copy must be refused with every word of `want`. */
static void check_refused(const char *test, const struct elf_img *img,
			  const char *const *want)
{
	struct bpfvm *vm = testlib_vm_create();
	struct bpfvm_object *obj = NULL;
	int err = bpfvm_object_open_mem(vm, img->buf, img->size, NULL, &obj);
	const char *msg = bpfvm_errmsg();
	bool ok = err == -EINVAL;

	for (size_t i = 0; ok && want[i]; i++)
		ok = strstr(msg, want[i]) != NULL;
	testlib_check(test, ok, "bpfvm: %d %s", err, err ? msg : "(opened)");
	if (obj)
		bpfvm_object_close(obj);
	bpfvm_destroy(vm);
	if (kernel_usable())
		testlib_check(test, kernel_refusal(img) != NULL, "the kernel loads it");
}

/* The image must open, and load in the kernel. */
static void check_opens(const char *test, const struct elf_img *img)
{
	struct bpfvm *vm = testlib_vm_create();
	struct bpfvm_object *obj = NULL;
	int err = bpfvm_object_open_mem(vm, img->buf, img->size, NULL, &obj);

	const char *why;

	testlib_check(test, err == 0, "bpfvm: %d %s", err, err ? bpfvm_errmsg() : "");
	if (obj)
		bpfvm_object_close(obj);
	bpfvm_destroy(vm);
	if (kernel_usable()) {
		why = kernel_refusal(img);
		testlib_check(test, !why, "the kernel refuses it: %s", why ? why : "");
	}
}

typedef bool (*corrupt_fn)(struct elf_img *img);

/* func_info: the program's one record moved off insn 0. */
static bool func_first_not_at_0(struct elf_img *img)
{
	struct ext_group g;

	if (!find_group(img, 0, "tc", &g))
		return false;
	put_u32(rec(&g, 0), 8);
	return true;
}

/* func_info: .text's second record at the first's offset. */
static bool func_not_increasing(struct elf_img *img)
{
	struct ext_group g;

	if (!find_group(img, 0, ".text", &g) || g.cnt < 2)
		return false;
	put_u32(rec(&g, 1), get_u32(rec(&g, 0)));
	return true;
}

/* func_info: .text's second record moved into its function, so that the
 * function has none. */
static bool func_missing(struct elf_img *img)
{
	struct ext_group g;

	if (!find_group(img, 0, ".text", &g) || g.cnt < 2)
		return false;
	put_u32(rec(&g, 1), get_u32(rec(&g, 1)) + 8);
	return true;
}

/* line_info: the program's first record at its second's offset. */
static bool line_first_not_at_0(struct elf_img *img)
{
	struct ext_group g;

	if (!find_group(img, 1, "tc", &g) || g.cnt < 2)
		return false;
	put_u32(rec(&g, 0), get_u32(rec(&g, 1)));
	return true;
}

/* line_info: the program's third record at its second's offset. */
static bool line_not_increasing(struct elf_img *img)
{
	struct ext_group g;

	if (!find_group(img, 1, "tc", &g) || g.cnt < 3)
		return false;
	put_u32(rec(&g, 2), get_u32(rec(&g, 1)));
	return true;
}

/* line_info: the program's last record past the section's end, which
 * libbpf drops (the kernel never sees it): accepted. */
static bool line_past_end(struct elf_img *img)
{
	struct ext_group g;

	if (!find_group(img, 1, "tc", &g))
		return false;
	put_u32(rec(&g, g.cnt - 1), (uint32_t)elf_img_shdr(img, elf_img_find_sec(img, "tc"))->sh_size);
	return true;
}

/* line_info: a record of .text on the second half of the lddw of
 * `counter` (the records before and after it stay in order). */
static bool line_on_lddw_half(struct elf_img *img)
{
	long lddw = first_lddw(img, ".text");
	struct ext_group g;

	if (lddw < 0 || !find_group(img, 1, ".text", &g))
		return false;
	for (uint32_t i = 1; i < g.cnt; i++) {
		uint32_t prev = get_u32(rec(&g, i - 1));
		uint32_t next = i + 1 < g.cnt ? get_u32(rec(&g, i + 1)) : UINT32_MAX;

		if (prev < (uint32_t)lddw + 8 && (uint32_t)lddw + 8 < next &&
		    get_u32(rec(&g, i)) > prev && get_u32(rec(&g, i)) != get_u32(rec(&g, 0))) {
			put_u32(rec(&g, i), (uint32_t)lddw + 8);
			return true;
		}
	}
	return false;
}

/* line_info: a file name outside the string section. */
static bool line_bad_file_name(struct elf_img *img)
{
	struct ext_group g;

	if (!find_group(img, 1, "tc", &g))
		return false;
	put_u32(rec(&g, 0) + 4, 0x7fffffff);
	return true;
}

/* line_info: .text's record at its second function's start moved into a
 * gap before or after it (the order kept), so that the function has no
 * line record at its start. */
static bool line_missing_function(struct elf_img *img)
{
	struct ext_group f, g;
	uint32_t start;

	if (!find_group(img, 0, ".text", &f) || f.cnt < 2 || !find_group(img, 1, ".text", &g))
		return false;
	start = get_u32(rec(&f, 1));
	for (uint32_t i = 1; i < g.cnt; i++) {
		uint32_t prev = get_u32(rec(&g, i - 1));
		uint32_t next = i + 1 < g.cnt ? get_u32(rec(&g, i + 1)) : UINT32_MAX;

		if (get_u32(rec(&g, i)) != start)
			continue;
		if (start + 8 < next)
			put_u32(rec(&g, i), start + 8);
		else if (prev < start - 8)
			put_u32(rec(&g, i), start - 8);
		else
			return false;
		return true;
	}
	return false;
}

struct ext_case {
	const char *name;
	corrupt_fn corrupt;
	const char *want[5]; /* { NULL }: opens and loads */
};

static const struct ext_case cases[] = {
	{ "func_info_first_record_not_at_insn_0", func_first_not_at_0,
	  { "func_info of section 'tc'", "record #0", "first record is at insn 1" } },
	{ "func_info_offsets_not_increasing", func_not_increasing,
	  { "func_info of section '.text'", "record #1", "not after the record before's" } },
	{ "func_info_missing_for_a_function", func_missing,
	  { "func_info of section '.text'", "function '", "has no record" } },
	{ "line_info_first_record_not_at_insn_0", line_first_not_at_0,
	  { "line_info of section 'tc'", "record #0", "first record is at insn" } },
	{ "line_info_offsets_not_increasing", line_not_increasing,
	  { "line_info of section 'tc'", "record #2", "not after the record before's" } },
	{ "line_info_past_the_section_is_dropped_as_libbpf_does", line_past_end, { NULL } },
	{ "line_info_on_the_second_half_of_an_lddw", line_on_lddw_half,
	  { "line_info of section '.text'", "second half of a 64-bit load" } },
	{ "line_info_file_name_outside_the_strings", line_bad_file_name,
	  { "line_info of section 'tc'", "record #0", "outside the strings" } },
	{ "line_info_missing_at_a_function_start", line_missing_function,
	  { "line_info of section '.text'", "function '", "has no record" } },
};

int main(int argc, char **argv)
{
	char path[4096];
	struct elf_img img;
	if (argc != 2) {
		fprintf(stderr, "usage: %s OBJECTS_DIR\n", argv[0]);
		return 2;
	}
	objects_dir = argv[1];
	snprintf(path, sizeof(path), "%s/ext_rules.bpf.o", objects_dir);
	img = elf_img_load(path);
	libbpf_set_print(NULL);
	check_opens("intact_object", &img);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct elf_img copy = elf_img_copy(&img);

		if (!cases[i].corrupt(&copy))
			testlib_check(cases[i].name, false, "the object has no record to corrupt");
		else if (!cases[i].want[0])
			check_opens(cases[i].name, &copy);
		else
			check_refused(cases[i].name, &copy, cases[i].want);
		elf_img_free(&copy);
	}
	elf_img_free(&img);
	return testlib_summary();
}
