/* CO-RE relocations as the reader applies them (src/object/core_relo.h):
 * without a target BTF every instruction keeps what clang compiled in; with
 * one, the instructions change; malformed records are refused with the
 * section, program, instruction and record named (never a crash).
 *
 * Usage: test_core_read OBJECTS_DIR */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/btf.h>

#include "bpfvm/bpfvm.h"
#include "elf_edit.h"
#include "object/core_relo.h"
#include "object/object.h"
#include "testlib.h"

static const char *objects_dir;

static struct elf_img load(const char *name)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s", objects_dir, name);
	return elf_img_load(path);
}

static int read_img(const struct elf_img *img, const struct object_read_opts *opts,
		    struct object_file **file)
{
	return object_read(img->buf, img->size, "core.o", "core", opts, file);
}

static bool has_note(const struct object_file *file, const char *needle)
{
	for (uint32_t i = 0; i < file->note_cnt; i++)
		if (strstr(file->notes[i], needle))
			return true;
	return false;
}

/* The first program's instructions as in the file. */
static const struct bpf_insn *section_insns(const struct elf_img *img, const char *sec_name)
{
	size_t sec = elf_img_find_sec(img, sec_name);

	return (const struct bpf_insn *)(img->buf + elf_img_shdr(img, sec)->sh_offset);
}

static void without_target_btf_every_insn_keeps_its_value(void)
{
	const char *test = "without_target_btf_every_insn_keeps_its_value";
	struct object_read_opts opts = { .skip_kernel_btf = true };
	struct elf_img img = load("core_fields.bpf.o");
	struct object_file *file = NULL;
	int err = read_img(&img, &opts, &file);

	testlib_check(test, err == 0, "read failed: %d %s", err, bpfvm_errmsg());
	if (!err) {
		int idx = object_find_prog(file, "read_fields");
		const struct object_prog *prog = &file->progs[idx];

		testlib_check(test, memcmp(prog->insns, section_insns(&img, "tc"),
					   prog->insn_cnt * sizeof(struct bpf_insn)) == 0,
			      "an instruction changed against the object's own BTF");
		testlib_check(test, has_note(file, "against the object's own BTF") &&
				    has_note(file, "(0 poisoned)"),
			      "the note does not say which BTF was used");
		object_file_free(file);
	}
	elf_img_free(&img);
}

static void custom_target_changes_offsets_and_poisons_missing_fields(void)
{
	const char *test = "custom_target_changes_offsets_and_poisons_missing_fields";
	char target[4096];
	struct object_read_opts opts = { .btf_custom_path = target };
	struct elf_img img = load("core_fields.bpf.o");
	struct object_file *file = NULL;
	const struct object_prog *prog;
	uint32_t changed = 0, poisoned = 0;
	int err;

	snprintf(target, sizeof(target), "%s/core_target.bpf.o", objects_dir);
	err = read_img(&img, &opts, &file);
	testlib_check(test, err == 0, "read failed: %d %s", err, bpfvm_errmsg());
	if (err) {
		elf_img_free(&img);
		return;
	}
	prog = &file->progs[object_find_prog(file, "read_fields")];
	for (uint32_t i = 0; i < prog->insn_cnt; i++) {
		const struct bpf_insn *insn = &prog->insns[i];

		changed += memcmp(insn, &section_insns(&img, "tc")[i], sizeof(*insn)) != 0;
		poisoned += insn->code == (BPF_JMP | BPF_CALL) && insn->imm == 0xbad2310;
	}
	testlib_check(test, changed > 5, "only %u instructions changed", changed);
	testlib_check(test, poisoned == 1, "%u poisoned instructions, expected 1", poisoned);
	testlib_check(test, has_note(file, "core_target.bpf.o") && has_note(file, "(1 poisoned)"),
		      "the notes do not name the target and the poison");
	object_file_free(file);
	elf_img_free(&img);
}

/* The first CO-RE record of core.bpf.o, in the image. */
struct core_rec {
	uint32_t insn_off, type_id, access_str_off, kind;
};

static struct core_rec *first_record(const struct elf_img *img)
{
	size_t sec = elf_img_find_sec(img, ".BTF.ext");
	uint8_t *ext = img->buf + elf_img_shdr(img, sec)->sh_offset;
	uint32_t hdr_len, core_off;

	memcpy(&hdr_len, ext + 4, 4);
	memcpy(&core_off, ext + 24, 4);
	return (struct core_rec *)(ext + hdr_len + core_off + 4 + 8);
}

static uint32_t *core_len(const struct elf_img *img)
{
	size_t sec = elf_img_find_sec(img, ".BTF.ext");

	return (uint32_t *)(img->buf + elf_img_shdr(img, sec)->sh_offset + 28);
}

static void expect_refusal(const char *test, const struct elf_img *img, int expected,
			   const char *needle)
{
	struct object_read_opts opts = { .skip_kernel_btf = true };
	struct object_file *file = NULL;
	int err = read_img(img, &opts, &file);
	const char *msg = bpfvm_errmsg();

	testlib_check(test, err == expected, "error %d, expected %d (%s)", err, expected, msg);
	testlib_check(test, strstr(msg, needle) != NULL, "message lacks '%s': %s", needle, msg);
	if (!err)
		object_file_free(file);
}

static void malformed_records_are_refused_with_their_place(void)
{
	const char *test = "malformed_records_are_refused_with_their_place";
	struct elf_img good = load("core.bpf.o"), img;

	img = elf_img_copy(&good);
	*core_len(&img) -= 8; /* the last record cut */
	expect_refusal(test, &img, -EINVAL, "cross the section's end");
	elf_img_free(&img);

	img = elf_img_copy(&good);
	first_record(&img)->insn_off = 8 * 4096;
	expect_refusal(test, &img, -EINVAL, "CO-RE relocation #0: instruction offset 32768 "
		       "lies outside the section");
	elf_img_free(&img);

	img = elf_img_copy(&good);
	first_record(&img)->type_id = 100000;
	expect_refusal(test, &img, -EINVAL, "program 'uses_core': insn 1: CO-RE relocation #0 "
		       "(byte_off of [100000] '<anon>', access \"0:1\"): type id not in the "
		       "object's BTF");
	elf_img_free(&img);

	img = elf_img_copy(&good);
	first_record(&img)->access_str_off = 1u << 30;
	expect_refusal(test, &img, -EINVAL, "access string offset outside the BTF strings");
	elf_img_free(&img);

	img = elf_img_copy(&good);
	first_record(&img)->access_str_off = 1; /* a type's name, not numbers */
	expect_refusal(test, &img, -EINVAL, "access string is not numbers");
	elf_img_free(&img);

	img = elf_img_copy(&good);
	first_record(&img)->kind = 99;
	expect_refusal(test, &img, -ENOTSUP, "kind unknown to libbpf 1.1");
	elf_img_free(&img);

	img = elf_img_copy(&good);
	first_record(&img)->insn_off = 8 * 8; /* the exit */
	expect_refusal(test, &img, -EINVAL, "which a relocation cannot patch");
	elf_img_free(&img);

	img = elf_img_copy(&good);
	first_record(&img)->insn_off = 4 * 8; /* r1 += -4: not the local value */
	expect_refusal(test, &img, -EINVAL, "immediate is -4, the relocation expects 4");
	elf_img_free(&img);
	elf_img_free(&good);
}

/* A small deterministic generator, for the mutations below. */
static uint32_t next_random(uint64_t *state)
{
	*state = *state * 6364136223846793005ull + 1442695040888963407ull;
	return (uint32_t)(*state >> 33);
}

/* Records with random but plausible fields (type ids and string offsets
 * near the real ones, instruction offsets inside and outside the section,
 * every kind): each read either succeeds or fails with a message, against
 * the object's own BTF and against another; the sanitizer build catches
 * any wild access. */
static void mutated_records_never_crash(void)
{
	const char *test = "mutated_records_never_crash";
	char target[4096];
	struct elf_img good = load("core_fields.bpf.o");
	struct object_read_opts own = { .skip_kernel_btf = true };
	struct object_read_opts other = { .btf_custom_path = target };
	uint32_t recs = (*core_len(&good) - 4 - 8) / sizeof(struct core_rec), failures = 0;
	uint64_t state = 5;

	snprintf(target, sizeof(target), "%s/core_target.bpf.o", objects_dir);
	for (int round = 0; round < 600; round++) {
		struct elf_img img = elf_img_copy(&good);
		struct core_rec *rec = first_record(&img) + next_random(&state) % recs;
		struct object_file *file = NULL;
		uint32_t value = next_random(&state);
		int err;

		switch (next_random(&state) % 4) {
		case 0: rec->type_id = value % 64; break;
		case 1: rec->access_str_off = value % 2048; break;
		case 2: rec->insn_off = (value % 96) * (value & 1 ? 8 : 3); break;
		default: rec->kind = value % 14; break;
		}
		err = read_img(&img, round % 2 ? &other : &own, &file);
		if (err == 0)
			object_file_free(file);
		else if (err > 0 || !bpfvm_errmsg()[0])
			failures++;
		elf_img_free(&img);
	}
	testlib_check(test, failures == 0, "%u reads failed without a message", failures);
	elf_img_free(&good);
}

/* struct <name> { <a_type> a; [int b;] struct q *p; } with struct q
 * forward-declared or defined; enum e { X, Y[, Z] } of enum_size bytes. */
struct shape {
	const char *name;
	bool a_unsigned, with_b, q_defined;
	uint32_t enum_size;
	bool with_z;
};

static struct btf *build_btf(const struct shape *shape, int *s_id, int *e_id)
{
	struct btf *btf = btf__new_empty();
	int i32 = btf__add_int(btf, "int", 4, BTF_INT_SIGNED);
	int u32 = btf__add_int(btf, "unsigned int", 4, 0);
	int q = shape->q_defined ? btf__add_struct(btf, "q", 4) :
				   btf__add_fwd(btf, "q", BTF_FWD_STRUCT);
	int q_ptr;

	if (shape->q_defined)
		btf__add_field(btf, "x", i32, 0, 0);
	q_ptr = btf__add_ptr(btf, q);
	*s_id = btf__add_struct(btf, shape->name, shape->with_b ? 24 : 16);
	btf__add_field(btf, "a", shape->a_unsigned ? u32 : i32, 0, 0);
	if (shape->with_b)
		btf__add_field(btf, "b", i32, 32, 0);
	btf__add_field(btf, "p", q_ptr, 64, 0);
	*e_id = btf__add_enum(btf, "e", shape->enum_size);
	btf__add_enum_value(btf, "X", 0);
	btf__add_enum_value(btf, "Y", 1);
	if (shape->with_z)
		btf__add_enum_value(btf, "Z", 2);
	return btf;
}

static int match(const struct shape *local_shape, const struct shape *targ_shape, bool enums,
		 bool compat)
{
	int local_s, local_e, targ_s, targ_e, ok;
	struct btf *local = build_btf(local_shape, &local_s, &local_e);
	struct btf *targ = build_btf(targ_shape, &targ_s, &targ_e);

	if (compat)
		ok = core_types_compat(local, (uint32_t)(enums ? local_e : local_s), targ,
				       (uint32_t)(enums ? targ_e : targ_s));
	else
		ok = core_types_match(local, (uint32_t)(enums ? local_e : local_s), targ,
				      (uint32_t)(enums ? targ_e : targ_s));
	btf__free(local);
	btf__free(targ);
	return ok;
}

static void type_matching_follows_libbpf(void)
{
	const char *test = "type_matching_follows_libbpf";
	const struct shape base = { "s___local", false, false, false, 4, false };
	struct shape other = { "s", false, true, true, 4, true };

	testlib_check(test, core_essential_name_len("task_struct___old") == 11 &&
			    core_essential_name_len("a___b") == 1 &&
			    core_essential_name_len("___x") == 4 &&
			    core_essential_name_len("foo____bar") == 10,
		      "essential names");
	testlib_check(test, match(&base, &other, false, false) == 1,
		      "a subset of the target's members, a forward behind a pointer: matches");
	testlib_check(test, match(&other, &base, false, false) == 0,
		      "more members than the target: does not match");
	other.a_unsigned = true;
	testlib_check(test, match(&base, &other, false, false) == 0,
		      "an int of another sign: does not match");
	testlib_check(test, match(&base, &other, false, true) == 1,
		      "an int of another sign: still compatible (type exists)");
	testlib_check(test, match(&base, &other, true, false) == 1,
		      "enumerators a subset of the target's: matches");
	testlib_check(test, match(&other, &base, true, false) == 0,
		      "an enumerator the target lacks: does not match");
	other.enum_size = 8;
	testlib_check(test, match(&base, &other, true, false) == 0,
		      "enums of different sizes: do not match");
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s OBJECTS_DIR\n", argv[0]);
		return 2;
	}
	objects_dir = argv[1];
	without_target_btf_every_insn_keeps_its_value();
	custom_target_changes_offsets_and_poisons_missing_fields();
	malformed_records_are_refused_with_their_place();
	type_matching_follows_libbpf();
	mutated_records_never_crash();
	return testlib_summary();
}
