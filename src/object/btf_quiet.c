/* Parsing BTF with libbpf without letting it print. libbpf 1.1's btf__new
 * warns on stderr (through its process-wide printer) for some malformed BTF
 * ("BTF type [N] is malformed"); the library never prints (DESIGN.md), and
 * the application may have its own printer that must keep working.
 *
 * libbpf has one printer per process (libbpf_set_print), so for the length
 * of the parse a filter takes its place:
 *
 *   application printer ◄── forwards ── btf_quiet_print ──► drops
 *   (saved in btf_quiet_saved)            messages of this thread while it
 *                                         parses (btf_quiet_active)
 *
 * Other threads' libbpf messages reach the application's printer during the
 * window, and a mutex keeps two parses from saving each other's filter as
 * "the application's printer". What remains: an application that calls
 * libbpf_set_print() while another thread opens an object may have its new
 * printer replaced when the parse ends (libbpf_set_print is meant to be
 * called once, at start-up). Success paths of btf__new print nothing.
 * Reading a target BTF for CO-RE (a file, or the kernel's) goes the same way. */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "object/elf_reader.h"

static pthread_mutex_t btf_quiet_lock = PTHREAD_MUTEX_INITIALIZER;
static libbpf_print_fn_t _Atomic btf_quiet_saved;
static _Thread_local bool btf_quiet_active;

static int btf_quiet_print(enum libbpf_print_level level, const char *format, va_list args)
{
	libbpf_print_fn_t saved = btf_quiet_saved;

	if (btf_quiet_active || !saved)
		return 0;
	return saved(level, format, args);
}

/* Runs parse(data, size, path) with this thread's libbpf messages dropped. */
static struct btf *btf_quietly(const void *data, uint32_t size, const char *path, bool is_file)
{
	struct btf *btf;
	int err;

	pthread_mutex_lock(&btf_quiet_lock);
	btf_quiet_saved = libbpf_set_print(btf_quiet_print);
	btf_quiet_active = true;
	if (!is_file)
		btf = btf__new(data, size);
	else if (path)
		btf = btf__parse(path, NULL);
	else
		btf = btf__load_vmlinux_btf();
	err = errno;
	btf_quiet_active = false;
	libbpf_set_print(btf_quiet_saved);
	pthread_mutex_unlock(&btf_quiet_lock);
	errno = err;
	return btf;
}

struct btf *reader_btf_new_quietly(const void *data, uint32_t size)
{
	return btf_quietly(data, size, NULL, false);
}

struct btf *reader_btf_load_quietly(const char *path)
{
	struct btf *btf = btf_quietly(NULL, 0, path, true);

	return libbpf_get_error(btf) ? NULL : btf;
}
