/* The values of Kconfig externs, as libbpf's bpf_object__resolve_externs:
 *
 *   LINUX_KERNEL_VERSION       the running kernel's, KERNEL_VERSION(a, b, c)
 *                              of uname's release "a.b.c..." (libbpf's
 *                              Ubuntu and Debian corrections are not made)
 *   LINUX_HAS_SYSCALL_WRAPPER  1 where the kernel's syscalls take a pt_regs
 *                              (x86-64, arm64, s390) and kprobes exist, as
 *                              libbpf's probe finds
 *   LINUX_HAS_BPF_COOKIE       1: bpf_get_attach_cookie is there
 *   another LINUX_*            zero when __weak, else refused
 *   CONFIG_*                   the first line that sets it in the caller's
 *                              Kconfig (bpfvm_object_opts.kconfig), else in
 *                              /boot/config-$(uname -r) or /proc/config.gz
 *
 * A CONFIG_ extern with no configuration to read refuses the object, as
 * libbpf does even when the extern is __weak; a strong extern that no line
 * sets is refused; a weak one stays zero. Messages are libbpf's. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <zlib.h>

#include "object/elf_reader.h"

#define KCFG_KERNEL_VERSION(a, b, c) (((a) << 16) + ((b) << 8) + ((c) > 255 ? 255 : (c)))
#define KCFG_TRI_MODULE 2 /* enum libbpf_tristate: TRI_NO 0, TRI_YES 1, TRI_MODULE 2 */

static uint64_t kcfg_kernel_version(void)
{
	unsigned int major, minor, patch;
	struct utsname uts = { 0 };

	if (uname(&uts) || sscanf(uts.release, "%u.%u.%u", &major, &minor, &patch) != 3)
		return 0;
	return KCFG_KERNEL_VERSION(major, minor, patch);
}

/* libbpf decides by creating a kprobe on the arch's __<arch>_sys_bpf: the
 * wrapper exists on these architectures, so the answer is whether the
 * kernel can make kprobes at all (the kprobe PMU, else tracefs's legacy
 * kprobe_events). A kernel without CONFIG_KPROBES says 0, as to libbpf. */
static bool kcfg_has_syscall_wrapper(void)
{
#if defined(__x86_64__) || defined(__aarch64__) || defined(__s390x__)
	return access("/sys/bus/event_source/devices/kprobe/type", R_OK) == 0 ||
	       access("/sys/kernel/tracing/kprobe_events", F_OK) == 0 ||
	       access("/sys/kernel/debug/tracing/kprobe_events", F_OK) == 0;
#else
	return false;
#endif
}

/* libbpf's is_kcfg_value_in_range(). */
static bool kcfg_in_range(const struct reader_kcfg *ext, uint64_t v)
{
	unsigned int bits = ext->size * 8;

	if (ext->size == 8)
		return true;
	if (ext->is_signed)
		return v + (1ULL << (bits - 1)) < (1ULL << bits);
	return (v >> bits) == 0;
}

static int kcfg_set_num(struct elf_reader *reader, struct reader_kcfg *ext, uint8_t *val,
			uint64_t v)
{
	if (ext->type != KCFG_INT && ext->type != KCFG_CHAR && ext->type != KCFG_BOOL)
		return reader_error(reader, -EINVAL, "extern (kcfg) '%s': value '%llu' implies "
				    "integer, char, or boolean type", ext->name,
				    (unsigned long long)v);
	if (ext->type == KCFG_BOOL && v > 1)
		return reader_error(reader, -EINVAL, "extern (kcfg) '%s': value '%llu' isn't "
				    "boolean compatible", ext->name, (unsigned long long)v);
	if (!kcfg_in_range(ext, v))
		return reader_error(reader, -ERANGE, "extern (kcfg) '%s': value '%llu' doesn't "
				    "fit in %u bytes", ext->name, (unsigned long long)v, ext->size);
	/* Little-endian host (bpfvm's contract): the low bytes first. */
	memcpy(val, &v, ext->size);
	ext->is_set = true;
	return 0;
}

static int kcfg_set_tri(struct elf_reader *reader, struct reader_kcfg *ext, uint8_t *val,
			char c)
{
	uint32_t tri = c == 'y' ? 1 : c == 'm' ? KCFG_TRI_MODULE : 0;

	if (ext->type == KCFG_BOOL && c == 'm')
		return reader_error(reader, -EINVAL, "extern (kcfg) '%s': value '%c' implies "
				    "tristate or char type", ext->name, c);
	if (ext->type == KCFG_BOOL)
		*val = c == 'y';
	else if (ext->type == KCFG_TRISTATE)
		memcpy(val, &tri, sizeof(tri));
	else if (ext->type == KCFG_CHAR)
		*val = (uint8_t)c;
	else
		return reader_error(reader, -EINVAL, "extern (kcfg) '%s': value '%c' implies "
				    "bool, tristate, or char type", ext->name, c);
	ext->is_set = true;
	return 0;
}

static int kcfg_set_str(struct elf_reader *reader, struct reader_kcfg *ext, uint8_t *val,
			const char *value)
{
	size_t len = strlen(value);

	if (ext->type != KCFG_CHAR_ARR)
		return reader_error(reader, -EINVAL, "extern (kcfg) '%s': value '%s' implies "
				    "char array type", ext->name, value);
	if (len < 2 || value[len - 1] != '"')
		return reader_error(reader, -EINVAL, "extern (kcfg) '%s': invalid string config "
				    "'%s'", ext->name, value);
	len -= 2;
	if (len >= ext->size)
		len = ext->size - 1; /* truncated, as libbpf (which warns) */
	memcpy(val, value + 1, len);
	val[len] = '\0';
	ext->is_set = true;
	return 0;
}

static int kcfg_set_int(struct elf_reader *reader, struct reader_kcfg *ext, uint8_t *val,
			const char *value)
{
	char *end;
	uint64_t v;

	errno = 0;
	v = strtoull(value, &end, 0);
	if (errno || *end)
		return reader_error(reader, errno ? -errno : -EINVAL, "extern (kcfg) '%s': value "
				    "'%s' isn't a valid integer", ext->name, value);
	if (ext->type != KCFG_INT && ext->type != KCFG_CHAR)
		return reader_error(reader, -EINVAL, "extern (kcfg) '%s': value '%s' implies "
				    "integer type", ext->name, value);
	return kcfg_set_num(reader, ext, val, v);
}

/* libbpf's bpf_object__process_kconfig_line(): "CONFIG_X=value" sets X's
 * extern unless an earlier line did; other lines are skipped. */
static int kcfg_line(struct elf_reader *reader, char *line, uint8_t *data)
{
	size_t len = strlen(line);
	struct reader_kcfg *ext;
	char *sep, *value;

	if (strncmp(line, "CONFIG_", 7) != 0)
		return 0;
	if (len && line[len - 1] == '\n')
		line[len - 1] = '\0';
	sep = strchr(line, '=');
	if (!sep)
		return reader_error(reader, -EINVAL, "failed to parse '%s': no separator", line);
	if (!sep[1])
		return reader_error(reader, -EINVAL, "failed to parse '%s': no value", line);
	*sep = '\0';
	ext = (struct reader_kcfg *)reader_find_kconfig(reader, line);
	*sep = '=';
	if (!ext || ext->is_set)
		return 0;
	value = sep + 1;
	if (*value == 'y' || *value == 'n' || *value == 'm')
		return kcfg_set_tri(reader, ext, data + ext->data_off, *value);
	if (*value == '"')
		return kcfg_set_str(reader, ext, data + ext->data_off, value);
	return kcfg_set_int(reader, ext, data + ext->data_off, value);
}

static int kcfg_read_mem(struct elf_reader *reader, const char *config, uint8_t *data)
{
	while (*config) {
		const char *nl = strchr(config, '\n');
		size_t len = nl ? (size_t)(nl - config) : strlen(config);
		char line[PATH_MAX];
		int err;

		snprintf(line, sizeof(line), "%.*s", (int)len, config);
		err = kcfg_line(reader, line, data);
		if (err)
			return err;
		config += len + (nl ? 1 : 0);
	}
	return 0;
}

/* gzopen reads uncompressed files too. */
static int kcfg_read_system(struct elf_reader *reader, uint8_t *data)
{
	char buf[PATH_MAX];
	struct utsname uts = { 0 };
	gzFile file = NULL;
	int err = 0;

	if (uname(&uts) == 0) {
		snprintf(buf, sizeof(buf), "/boot/config-%s", uts.release);
		file = gzopen(buf, "re");
	}
	if (!file)
		file = gzopen("/proc/config.gz", "re");
	if (!file)
		return reader_error(reader, -EINVAL, "section '.kconfig': failed to open system "
				    "Kconfig (/boot/config-%s, /proc/config.gz)", uts.release);
	while (!err && gzgets(file, buf, sizeof(buf)))
		err = kcfg_line(reader, buf, data);
	gzclose(file);
	return err;
}

static int kcfg_resolve_virtual(struct elf_reader *reader, struct reader_kcfg *ext,
				uint8_t *data)
{
	uint64_t value = 0;

	if (strcmp(ext->name, "LINUX_KERNEL_VERSION") == 0) {
		value = kcfg_kernel_version();
		if (!value)
			return reader_error(reader, -EINVAL, "extern (kcfg) '%s': failed to get "
					    "kernel version", ext->name);
	} else if (strcmp(ext->name, "LINUX_HAS_BPF_COOKIE") == 0) {
		value = 1;
	} else if (strcmp(ext->name, "LINUX_HAS_SYSCALL_WRAPPER") == 0) {
		value = kcfg_has_syscall_wrapper();
	} else if (strncmp(ext->name, "LINUX_", 6) != 0 || !ext->is_weak) {
		return reader_error(reader, -EINVAL, "extern (kcfg) '%s': unrecognized virtual "
				    "extern", ext->name);
	}
	return kcfg_set_num(reader, ext, data + ext->data_off, value);
}

static bool kcfg_unset(const struct elf_reader *reader)
{
	for (uint32_t i = 0; i < reader->kcfg_cnt; i++)
		if (!reader->kcfg[i].is_set)
			return true;
	return false;
}

int reader_resolve_kconfig(struct elf_reader *reader, void *data)
{
	bool need_config = false;
	int err = 0;

	for (uint32_t i = 0; !err && i < reader->kcfg_cnt; i++) {
		if (strncmp(reader->kcfg[i].name, "CONFIG_", 7) == 0)
			need_config = true;
		else
			err = kcfg_resolve_virtual(reader, &reader->kcfg[i], data);
	}
	/* libbpf says -EINVAL for any trouble with a configuration's lines. */
	if (!err && need_config && reader->kconfig) {
		err = kcfg_read_mem(reader, reader->kconfig, data) ? -EINVAL : 0;
		need_config = kcfg_unset(reader);
	}
	if (!err && need_config)
		err = kcfg_read_system(reader, data) ? -EINVAL : 0;
	for (uint32_t i = 0; !err && i < reader->kcfg_cnt; i++)
		if (!reader->kcfg[i].is_set && !reader->kcfg[i].is_weak)
			err = reader_error(reader, -ESRCH, "extern '%s' (strong): not resolved",
					   reader->kcfg[i].name);
	return err;
}
