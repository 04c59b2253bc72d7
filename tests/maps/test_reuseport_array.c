/* BPF_MAP_TYPE_REUSEPORT_SOCKARRAY from user space (maps/reuseport_array.c):
 * created with the kernel's attribute rules, always empty, an update
 * refused once its flags, index and fd are checked. Every answer is
 * compared with the running kernel's when bpf() is usable (the kernel's
 * map holds a listening SO_REUSEPORT socket, bpfvm's refuses it: that
 * case is bpfvm's alone). Found by the kernel's verifier selftests
 * (verifier_sock declares one: bpfvm could not open the object). */
#include <bpf/bpf.h>
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "maps_testutil.h"

struct op {
	const char *name;
	char kind;	     /* c create, l lookup, d delete, u update */
	uint32_t value_size; /* of the map */
	uint32_t flags;	     /* create: map flags; update: its flags */
	uint32_t key;
	int64_t fd;	     /* update: the value */
	int want;
};

static int not_a_socket = -1;

#define C(name, vs, fl, want) { name, 'c', vs, fl, 0, 0, want }
static const struct op ops[] = {
	C("create_value_4", 4, 0, 0),
	C("create_value_8", 8, 0, 0),
	C("create_value_16", 16, 0, -EINVAL),
	C("create_mmapable", 8, BPF_F_MMAPABLE, -EINVAL),
	{ "lookup_empty", 'l', 8, 0, 0, 0, -ENOENT },
	{ "lookup_value_4", 'l', 4, 0, 0, 0, -ENOSPC },
	{ "delete_empty", 'd', 8, 0, 1, 0, -ENOENT },
	{ "delete_past_the_end", 'd', 8, 0, 2, 0, -E2BIG },
	{ "update_bad_flags", 'u', 8, 3, 0, 0, -EINVAL },
	{ "update_past_the_end", 'u', 8, 0, 2, 0, -E2BIG },
	{ "update_fd_too_large", 'u', 8, 0, 0, 1ll << 32, -EINVAL },
	{ "update_bad_fd", 'u', 4, 0, 0, -1, -EBADF },
	{ "update_not_a_socket", 'u', 8, 0, 0, -2, -ENOTSOCK },
};

static int64_t op_fd(const struct op *o)
{
	return o->fd == -2 ? not_a_socket : o->fd;
}

static int run_bpfvm(struct bpfvm *vm, const struct op *o)
{
	struct bpfvm_map *map = NULL;
	uint64_t value = (uint64_t)op_fd(o);
	int err;

	if (o->kind == 'c')
		return create_rc(vm, BPF_MAP_TYPE_REUSEPORT_SOCKARRAY, 4, o->value_size, 2,
				 o->flags, NULL);
	map = create_map(vm, BPF_MAP_TYPE_REUSEPORT_SOCKARRAY, "reuseport", 4, o->value_size, 2,
			 0, NULL);
	if (!map)
		return 1;
	if (o->kind == 'l')
		err = bpfvm_map_lookup(map, &o->key, &value);
	else if (o->kind == 'd')
		err = bpfvm_map_delete(map, &o->key);
	else
		err = bpfvm_map_update(map, &o->key, &value, o->flags);
	bpfvm_map_close(map);
	return err;
}

static int run_kernel(const struct op *o)
{
	LIBBPF_OPTS(bpf_map_create_opts, opts, .map_flags = o->kind == 'c' ? o->flags : 0);
	uint64_t value = (uint64_t)op_fd(o);
	int fd = bpf_map_create(BPF_MAP_TYPE_REUSEPORT_SOCKARRAY, "reuseport", 4, o->value_size, 2,
				&opts);
	int err;

	if (fd < 0 || o->kind == 'c') {
		if (fd >= 0)
			close(fd);
		return fd < 0 ? -errno : 0;
	}
	if (o->kind == 'l')
		err = bpf_map_lookup_elem(fd, &o->key, &value);
	else if (o->kind == 'd')
		err = bpf_map_delete_elem(fd, &o->key);
	else
		err = bpf_map_update_elem(fd, &o->key, &value, o->flags);
	close(fd);
	return err < 0 ? -errno : err;
}

/* A listening SO_REUSEPORT TCP socket: the kernel's map holds it, bpfvm
 * has no group to hold it in. */
static void test_listening_socket(struct bpfvm *vm)
{
	struct sockaddr_in addr = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct op o = { "update_listening_reuseport_socket", 'u', 8, 0, 0, 0, -ENOTSUPP_KERNEL };
	int one = 1, s = socket(AF_INET, SOCK_STREAM, 0);

	if (s < 0 || setsockopt(s, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) ||
	    bind(s, (struct sockaddr *)&addr, sizeof(addr)) || listen(s, 1)) {
		printf("SKIP %s: no listening socket (%s)\n", o.name, strerror(errno));
		if (s >= 0)
			close(s);
		return;
	}
	o.fd = s;
	expect_rc(o.name, run_bpfvm(vm, &o), o.want, "reuseport");
	close(s);
}

int main(void)
{
	struct bpfvm *vm = testlib_vm_create();
	bool kernel = bpf_map_create(BPF_MAP_TYPE_ARRAY, "probe", 4, 4, 1, NULL) >= 0;

	not_a_socket = open("/dev/null", O_RDONLY);
	if (!kernel)
		printf("note: kernel bpf() not usable, comparing with the recorded answers only\n");
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		const struct op *o = &ops[i];
		int got = run_bpfvm(vm, o);

		testlib_check(o->name, got == o->want, "bpfvm %d, want %d (%s)", got, o->want,
			      bpfvm_errmsg());
		if (kernel) {
			int k = run_kernel(o);

			testlib_check(o->name, k == o->want, "kernel %d, want %d", k, o->want);
		}
	}
	test_listening_socket(vm);
	close(not_a_socket);
	bpfvm_destroy(vm);
	return testlib_summary();
}
