/* Kconfig externs (src/object/kconfig*.c) against libbpf in the kernel: the
 * same object opened with the same Kconfig lines by libbpf (loaded into the
 * running kernel) and by bpfvm must give the same ".kconfig" map value
 * (layout and values), and a run of the program the same .bss; lines that
 * libbpf refuses, bpfvm refuses with the same errno (libbpf when loading,
 * bpfvm when opening: the values are resolved as the object is read).
 * A strong extern nobody sets is refused by both.
 *
 *   usage: test_kconfig KCONFIG_EXTERNS.bpf.o KCONFIG_STRONG_MISSING.bpf.o
 *
 * Without a usable bpf() the comparison cannot be made: exit 77. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpfvm/bpfvm.h"
#include "../testlib.h"

#define VALUE_MAX 4096
#define PACKET_SIZE 64

/* What one side saw: its error, or the .kconfig value, the run's r0 and
 * the .bss afterwards. */
struct side {
	int err;
	uint32_t kconfig_size, bss_size, retval;
	uint8_t kconfig[VALUE_MAX];
	uint8_t bss[VALUE_MAX];
};

static int quiet(enum libbpf_print_level level, const char *fmt, va_list args)
{
	return 0;
}

static const struct bpf_map *kernel_map_suffix(struct bpf_object *obj, const char *suffix)
{
	const struct bpf_map *map;

	bpf_object__for_each_map(map, obj) {
		const char *name = bpf_map__name(map);
		size_t len = strlen(name), sfx = strlen(suffix);

		if (len >= sfx && strcmp(name + len - sfx, suffix) == 0)
			return map;
	}
	return NULL;
}

static int kernel_read(struct bpf_object *obj, const char *suffix, uint8_t *buf,
		       uint32_t *size)
{
	const struct bpf_map *map = kernel_map_suffix(obj, suffix);
	int zero = 0;

	if (!map || bpf_map__value_size(map) > VALUE_MAX)
		return -ENOENT;
	*size = bpf_map__value_size(map);
	return bpf_map_lookup_elem(bpf_map__fd(map), &zero, buf) ? -errno : 0;
}

static void kernel_side(const char *path, const char *kconfig, struct side *out)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .kconfig = kconfig);
	uint8_t packet[PACKET_SIZE] = { 0 };
	LIBBPF_OPTS(bpf_test_run_opts, run, .data_in = packet, .data_size_in = sizeof(packet));
	struct bpf_object *obj = bpf_object__open_file(path, &opts);
	struct bpf_program *prog;

	memset(out, 0, sizeof(*out));
	out->err = libbpf_get_error(obj);
	if (out->err)
		return;
	out->err = bpf_object__load(obj);
	prog = bpf_object__find_program_by_name(obj, "read_kconfig");
	if (!out->err)
		out->err = kernel_read(obj, ".kconfig", out->kconfig, &out->kconfig_size);
	if (!out->err && bpf_prog_test_run_opts(bpf_program__fd(prog), &run))
		out->err = -errno;
	out->retval = run.retval;
	if (!out->err && kernel_map_suffix(obj, ".bss"))
		out->err = kernel_read(obj, ".bss", out->bss, &out->bss_size);
	bpf_object__close(obj);
}

static int bpfvm_read(struct bpfvm_object *obj, const char *name, uint8_t *buf, uint32_t *size)
{
	struct bpfvm_map *map = bpfvm_object_find_map(obj, name);
	int zero = 0;

	if (!map || bpfvm_map_value_size_user(map) > VALUE_MAX)
		return -ENOENT;
	*size = (uint32_t)bpfvm_map_value_size_user(map);
	return bpfvm_map_lookup(map, &zero, buf);
}

static void bpfvm_side(struct bpfvm *vm, const char *path, const char *kconfig,
		       struct side *out)
{
	struct bpfvm_object_opts opts = { .sz = sizeof(opts), .kconfig = kconfig };
	uint8_t packet[PACKET_SIZE] = { 0 };
	struct bpfvm_test_run_opts run = { .sz = sizeof(run), .data_in = packet,
					   .data_size_in = sizeof(packet) };
	struct bpfvm_object *obj = NULL;

	memset(out, 0, sizeof(*out));
	out->err = bpfvm_object_open(vm, path, &opts, &obj);
	if (!out->err)
		out->err = bpfvm_object_load(obj);
	if (!out->err)
		out->err = bpfvm_read(obj, ".kconfig", out->kconfig, &out->kconfig_size);
	if (!out->err)
		out->err = bpfvm_prog_test_run(bpfvm_object_find_prog(obj, "read_kconfig"), &run);
	out->retval = run.retval;
	if (!out->err && bpfvm_object_find_map(obj, ".bss"))
		out->err = bpfvm_read(obj, ".bss", out->bss, &out->bss_size);
	bpfvm_object_close(obj);
}

/* The first byte that differs, for the message. */
static uint32_t first_difference(const uint8_t *a, const uint8_t *b, uint32_t size)
{
	uint32_t i = 0;

	while (i < size && a[i] == b[i])
		i++;
	return i;
}

static void compare(struct bpfvm *vm, const char *name, const char *path, const char *kconfig)
{
	struct side *k = calloc(1, sizeof(*k)), *v = calloc(1, sizeof(*v));

	if (!k || !v) {
		testlib_check(name, false, "out of memory");
		goto out;
	}
	kernel_side(path, kconfig, k);
	bpfvm_side(vm, path, kconfig, v);
	testlib_check(name, k->err == v->err, "libbpf+kernel %d, bpfvm %d (%s)", k->err, v->err,
		      v->err ? bpfvm_errmsg() : "");
	if (k->err || v->err)
		goto out;
	testlib_check(name, k->kconfig_size == v->kconfig_size &&
		      memcmp(k->kconfig, v->kconfig, k->kconfig_size) == 0,
		      ".kconfig differs (%u bytes in the kernel, %u in bpfvm; first at byte %u)",
		      k->kconfig_size, v->kconfig_size,
		      first_difference(k->kconfig, v->kconfig, k->kconfig_size));
	testlib_check(name, k->retval == v->retval, "r0 %u in the kernel, %u in bpfvm",
		      k->retval, v->retval);
	testlib_check(name, k->bss_size == v->bss_size &&
		      memcmp(k->bss, v->bss, k->bss_size) == 0,
		      ".bss after a run differs (first at byte %u)",
		      first_difference(k->bss, v->bss, k->bss_size));
out:
	free(k);
	free(v);
}

int main(int argc, char **argv)
{
	char why[256];
	struct bpfvm *vm;
	int fd;

	if (argc != 3) {
		fprintf(stderr, "usage: %s KCONFIG_EXTERNS.bpf.o KCONFIG_STRONG_MISSING.bpf.o\n",
			argv[0]);
		return 2;
	}
	libbpf_set_print(quiet);
	fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, NULL, 4, 4, 1, NULL);
	if (fd < 0) {
		snprintf(why, sizeof(why), "%s", strerror(errno));
		printf("SKIP libbpf in the kernel is the reference: bpf() is not usable (%s)\n",
		       why);
		return 77;
	}
	close(fd);
	vm = testlib_vm_create();
	compare(vm, "the system's Kconfig", argv[1], NULL);
	compare(vm, "lines of every type take precedence",
		argv[1], "CONFIG_HZ=1000\nCONFIG_BPF_JIT=m\nCONFIG_LOCALVERSION=\"-bpfvm\"\n"
		"CONFIG_BPFVM_TEST_CHAR=m\nCONFIG_BPFVM_TEST_SHORT=-2\n"
		"# a comment\nNOT_CONFIG=1\n");
	compare(vm, "a long string is cut to its array",
		argv[1], "CONFIG_LOCALVERSION=\"-0123456789abcdefghijklmnopqrstuvwxyz\"");
	compare(vm, "the first line wins", argv[1], "CONFIG_HZ=100\nCONFIG_HZ=300\n");
	compare(vm, "a hex number", argv[1], "CONFIG_HZ=0x40\nCONFIG_BPFVM_TEST_SHORT=0x7fff");
	compare(vm, "m for a bool is refused", argv[1], "CONFIG_BPF_SYSCALL=m");
	compare(vm, "2 for a bool is refused", argv[1], "CONFIG_BPFVM_TEST_CHAR=1\n"
		"CONFIG_BPF_SYSCALL=2");
	compare(vm, "a number for a tristate is refused", argv[1], "CONFIG_BPF_JIT=1");
	compare(vm, "a string for an int is refused", argv[1], "CONFIG_HZ=\"100\"");
	compare(vm, "a value out of a short's range is refused", argv[1],
		"CONFIG_BPFVM_TEST_SHORT=40000");
	compare(vm, "a line without a value is refused", argv[1], "CONFIG_HZ=");
	compare(vm, "a line without '=' is refused", argv[1], "CONFIG_HZ");
	compare(vm, "a bad number is refused", argv[1], "CONFIG_HZ=12abc");
	compare(vm, "a strong extern nobody sets is refused", argv[2], NULL);
	bpfvm_destroy(vm);
	return testlib_summary();
}
