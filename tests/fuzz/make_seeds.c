/* Writes the seed corpora of the instruction harnesses:
 *
 *   make_seeds OUT [--objects-under DIR]... [--asm DIR]... [--generated N]
 *
 * OUT/verifier/ gets one input per program (input_format.h), twice: for the
 * interpreter's runtime, and for the JIT's with a verifier log; OUT/disasm/
 * the bare instructions. The programs: those of the BPF objects under each
 * DIR that the soundness fuzzer takes as seeds (tests/verifier/fuzz_seeds.c),
 * the *.s files of each asm DIR (raw programs), and N programs of its
 * generator (XDP, on the maps that the verifier harness provides too).
 * Prints how many programs it wrote. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../verifier/fuzz.h"
#include "input_format.h"

static unsigned type_index(enum bpf_prog_type type)
{
	for (unsigned i = 0; i < FUZZ_PROG_TYPE_CNT; i++)
		if (fuzz_prog_types[i] == type)
			return i;
	return 0;
}

static int write_file(const char *dir, const char *name, unsigned n, const void *head,
		      size_t head_size, const struct fuzz_prog *prog)
{
	char path[4096];
	FILE *f;
	int err = 0;

	/* A path that does not fit is refused, not cut (and gcc -O3's
	 * -Wformat-truncation wants the result checked). */
	if ((size_t)snprintf(path, sizeof(path), "%s/%s-%05u", dir, name, n) >= sizeof(path))
		return -ENAMETOOLONG;
	f = fopen(path, "wb");
	if (!f)
		return -errno;
	if ((head_size && fwrite(head, head_size, 1, f) != 1) ||
	    fwrite(prog->insns, sizeof(*prog->insns), prog->insn_cnt, f) != prog->insn_cnt)
		err = -EIO;
	if (fclose(f))
		err = -EIO;
	return err;
}

static int write_prog(const char *out, unsigned n, const struct fuzz_prog *prog)
{
	uint8_t header[FUZZ_HEADER_SIZE] = { (uint8_t)type_index(prog->type), 0,
					     (uint8_t)prog->expected_attach_type, 0 };
	char dir[4096];
	int err;

	/* The asm examples read the buffer r1 points to: give them one. */
	if (prog->type == BPFVM_PROG_TYPE_RAW)
		header[3] = 255;
	snprintf(dir, sizeof(dir), "%s/disasm", out);
	err = write_file(dir, "seed", n, NULL, 0, prog);
	snprintf(dir, sizeof(dir), "%s/verifier", out);
	if (!err)
		err = write_file(dir, "interp", n, header, sizeof(header), prog);
	header[1] = FUZZ_F_JIT | FUZZ_F_LOG;
	if (!err)
		err = write_file(dir, "jit-log", n, header, sizeof(header), prog);
	return err;
}

static int make_dirs(const char *out)
{
	static const char *const subdirs[] = { "", "/verifier", "/disasm" };
	char dir[4096];

	for (unsigned i = 0; i < 3; i++) {
		snprintf(dir, sizeof(dir), "%s%s", out, subdirs[i]);
		if (mkdir(dir, 0755) && errno != EEXIST)
			return -errno;
	}
	return 0;
}

static int write_generated(struct bpfvm *vm, const char *out, unsigned first, unsigned cnt)
{
	struct bpfvm_map *maps[FUZZ_GEN_MAPS];
	struct fuzz_rng rng = { 1 };
	int err = fuzz_gen_maps(vm, maps);

	for (unsigned i = 0; !err && i < cnt; i++) {
		struct fuzz_prog prog;

		fuzz_generate(&rng, maps, &prog);
		err = prog.insns ? write_prog(out, first + i, &prog) : -ENOMEM;
		free(prog.insns);
	}
	for (unsigned i = 0; i < FUZZ_GEN_MAPS && !err; i++)
		bpfvm_map_close(maps[i]);
	return err;
}

int main(int argc, char **argv)
{
	struct bpfvm_opts opts = { .sz = sizeof(opts), .engine = BPFVM_ENGINE_INTERP };
	struct fuzz_seeds seeds = { 0 };
	unsigned generated = 0;
	struct bpfvm *vm;
	int err;

	if (argc < 2 || bpfvm_create(&opts, &vm)) {
		fprintf(stderr, "usage: %s OUT [--objects-under DIR]... [--asm DIR]... "
			"[--generated N]\n", argv[0]);
		return 2;
	}
	for (int i = 2; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--objects-under"))
			fuzz_seeds_add_tree(vm, &seeds, argv[i + 1]);
		else if (!strcmp(argv[i], "--asm"))
			fuzz_seeds_add_asm(&seeds, argv[i + 1]);
		else if (!strcmp(argv[i], "--generated"))
			generated = (unsigned)atoi(argv[i + 1]);
	}
	err = make_dirs(argv[1]);
	for (size_t i = 0; !err && i < seeds.cnt; i++)
		err = write_prog(argv[1], (unsigned)i, &seeds.progs[i]);
	if (!err)
		err = write_generated(vm, argv[1], (unsigned)seeds.cnt, generated);
	if (err) {
		fprintf(stderr, "%s: cannot write the seeds: %s\n", argv[1], strerror(-err));
		return 1;
	}
	printf("make_seeds: %zu programs (%u objects and %u programs skipped), %u generated\n",
	       seeds.cnt, seeds.objects_skipped, seeds.progs_skipped, generated);
	fuzz_seeds_release(&seeds);
	bpfvm_destroy(vm);
	return 0;
}
