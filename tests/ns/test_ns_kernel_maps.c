/* DEVMAP(_HASH), CPUMAP, XSKMAP, SOCKMAP/SOCKHASH, STACK_TRACE and the local
 * storages shared by the processes of a namespace (docs/namespace.md):
 *
 *   across processes  A loads ns_kernel_maps.bpf.o (every map pinned by name)
 *                     and fills its maps; B loads the same object (the maps
 *                     reused: the same ids), finds A's entries, runs the
 *                     redirect programs on them, writes and deletes; A then
 *                     sees B's entries and its own programs follow them.
 *   kill -9           writers of DEVMAP, DEVMAP_HASH, CPUMAP, SOCKMAP and
 *                     SOCKHASH killed at random moments; afterwards every
 *                     entry is one a writer wrote (an ifindex, a queue size,
 *                     one of the writers' socket cookies), hash iteration
 *                     ends with each key once, and each map empties and
 *                     refills to max_entries (a full hash: -E2BIG).
 *   crafted files     a map file whose header says another layout (a slot
 *                     offset, a hash table's offset, a device map without
 *                     BPF_F_RDONLY_PROG) is refused when opened.
 *   the kernel        (`kernel` argument; root) in a process that did not
 *                     make them, the shared maps and the kernel's maps of the
 *                     same object answer one sequence of updates, lookups,
 *                     deletes and redirects with the same errors, values and
 *                     actions.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "maps/hash.h"
#include "maps/map.h"
#include "ns/ns_testlib.h"
#include "testlib.h"

#define OBJECT "ns_kernel_maps.bpf.o"
#define PACKET_SIZE 64
#define NR_MAPS 9

static const char *const map_names[NR_MAPS] = {
	"km_dev", "km_dev_hash", "km_cpu", "km_xsk", "km_sock", "km_sock_hash", "km_stacks",
	"km_sk_store", "km_task_store",
};

static const char *objects_dir;
static char root[64];
static uint32_t lo; /* the loopback device's ifindex */

static uint64_t socket_cookie(int fd)
{
	uint64_t cookie = 0;
	socklen_t len = sizeof(cookie);

	getsockopt(fd, SOL_SOCKET, SO_COOKIE, &cookie, &len);
	return cookie;
}

/* A connected unix stream socket, which sock_map takes; its peer leaks on
 * purpose (closing it would not change what the maps hold). */
static int map_socket(void)
{
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		return -1;
	return sv[0];
}

/* The XDP verdict of `prog` on a packet whose first byte is `key`. */
static uint32_t run_redirect(struct bpfvm_object *obj, const char *prog, uint8_t key)
{
	uint8_t packet[PACKET_SIZE] = { key };
	struct bpfvm_test_run_opts opts = { .sz = sizeof(opts), .data_in = packet,
					    .data_size_in = sizeof(packet) };

	if (bpfvm_prog_test_run(bpfvm_object_find_prog(obj, prog), &opts))
		return UINT32_MAX;
	return opts.retval;
}

static struct bpfvm_map *km(struct bpfvm_object *obj, const char *name)
{
	return bpfvm_object_find_map(obj, name);
}

static int update_u64(struct bpfvm_map *map, uint32_t key, uint64_t value, uint64_t flags)
{
	return bpfvm_map_update(map, &key, &value, flags);
}

/* The 8-byte value of `key`, or ~0 when the lookup fails. */
static uint64_t lookup_u64(struct bpfvm_map *map, uint32_t key)
{
	uint64_t value = 0;

	return bpfvm_map_lookup(map, &key, &value) ? UINT64_MAX : value;
}

static void unpin_all(struct bpfvm *vm)
{
	for (int i = 0; i < NR_MAPS; i++)
		bpfvm_obj_unpin(vm, map_names[i]);
}

/* ---- across processes ---------------------------------------------- */

struct share_arg {
	uint32_t ids[NR_MAPS]; /* A's map ids */
	uint64_t cookie_a;     /* A's socket in km_sock[1] and km_sock_hash[1] */
	bool xsk;	       /* A put an AF_XDP socket in km_xsk[1] */
	int cookie_pipe;       /* B writes its socket's cookie here */
};

/* B: the same maps, A's entries found and redirected to. A number per
 * failed check, to tell which. */
static int b_reads_a(struct bpfvm_object *obj, const struct share_arg *arg)
{
	struct bpfvm_map_info info;
	uint32_t key = 0;
	uint64_t value;

	for (int i = 0; i < NR_MAPS; i++)
		if (bpfvm_map_get_info(km(obj, map_names[i]), &info) || info.id != arg->ids[i])
			return 10 + i;
	if (lookup_u64(km(obj, "km_dev"), 1) != lo || lookup_u64(km(obj, "km_dev_hash"), 1) != lo)
		return 20;
	if (lookup_u64(km(obj, "km_cpu"), 1) != 64)
		return 21;
	if (lookup_u64(km(obj, "km_sock"), 1) != arg->cookie_a ||
	    lookup_u64(km(obj, "km_sock_hash"), 1) != arg->cookie_a)
		return 22;
	if (run_redirect(obj, "km_redirect_dev", 1) != XDP_REDIRECT ||
	    run_redirect(obj, "km_redirect_dev_hash", 1) != XDP_REDIRECT ||
	    run_redirect(obj, "km_redirect_cpu", 1) != XDP_REDIRECT ||
	    run_redirect(obj, "km_redirect_dev", 2) != XDP_PASS ||
	    run_redirect(obj, "km_redirect_cpu", 0) != XDP_PASS)
		return 23;
	if (arg->xsk && (run_redirect(obj, "km_redirect_xsk", 1) != XDP_REDIRECT ||
			 bpfvm_map_lookup(km(obj, "km_xsk"), &key, &value) != -EOPNOTSUPP))
		return 24;
	return 0;
}

/* B: its own entries, for A to find. */
static int b_writes(struct bpfvm_object *obj, int cookie_pipe)
{
	uint8_t stack[64];
	int fd = map_socket();
	uint64_t cookie = socket_cookie(fd);
	uint32_t key = 1;

	if (update_u64(km(obj, "km_dev"), 2, lo, BPF_ANY) ||
	    update_u64(km(obj, "km_dev_hash"), 2, lo, BPF_ANY) ||
	    update_u64(km(obj, "km_cpu"), 0, 32, BPF_ANY) ||
	    bpfvm_map_delete(km(obj, "km_dev"), &key) ||
	    bpfvm_map_delete(km(obj, "km_dev_hash"), &key))
		return 30;
	if (update_u64(km(obj, "km_sock"), 2, (uint64_t)fd, BPF_NOEXIST) ||
	    update_u64(km(obj, "km_sock_hash"), 2, (uint64_t)fd, BPF_NOEXIST) ||
	    write(cookie_pipe, &cookie, sizeof(cookie)) != sizeof(cookie))
		return 31;
	/* Nothing is recorded, in any process: the same answers as A's. */
	key = 0;
	memset(stack, 0, sizeof(stack));
	if (bpfvm_map_lookup(km(obj, "km_stacks"), &key, stack) != -ENOENT ||
	    bpfvm_map_update(km(obj, "km_stacks"), &key, stack, BPF_ANY) != -EINVAL ||
	    update_u64(km(obj, "km_sk_store"), (uint32_t)fd, 1, BPF_ANY) != -EOPNOTSUPP)
		return 32;
	return 0;
}

static int process_b(const char *ns_root, void *p)
{
	const struct share_arg *arg = p;
	struct bpfvm *vm = ns_test_vm(ns_root);
	struct bpfvm_object *obj = ns_test_load_object(vm, objects_dir, OBJECT);
	struct bpfvm_test_run_opts opts = { .sz = sizeof(opts) };
	int rc;

	if (!obj)
		return 2;
	rc = b_reads_a(obj, arg);
	if (!rc)
		rc = b_writes(obj, arg->cookie_pipe);
	if (!rc && (bpfvm_prog_test_run(bpfvm_object_find_prog(obj, "km_stackid"), &opts) ||
		    (int32_t)opts.retval != -EFAULT))
		rc = 40;
	if (!rc && (bpfvm_prog_test_run(bpfvm_object_find_prog(obj, "km_task_storage"), &opts) ||
		    opts.retval != 0))
		rc = 41;
	bpfvm_object_close(obj);
	bpfvm_destroy(vm);
	return rc;
}

static int a_fills(struct bpfvm_object *obj, struct share_arg *arg)
{
	int fd = map_socket(), xsk = socket(AF_XDP, SOCK_RAW, 0);

	arg->cookie_a = socket_cookie(fd);
	arg->xsk = xsk >= 0 && update_u64(km(obj, "km_xsk"), 1, (uint64_t)xsk, BPF_ANY) == 0;
	if (!arg->xsk)
		printf("note: no AF_XDP socket here (%s): XSKMAP shared without an entry\n",
		       strerror(errno));
	return update_u64(km(obj, "km_dev"), 1, lo, BPF_ANY) ||
	       update_u64(km(obj, "km_dev_hash"), 1, lo, BPF_ANY) ||
	       update_u64(km(obj, "km_cpu"), 1, 64, BPF_ANY) ||
	       update_u64(km(obj, "km_sock"), 1, (uint64_t)fd, BPF_ANY) ||
	       update_u64(km(obj, "km_sock_hash"), 1, (uint64_t)fd, BPF_ANY);
}

/* A sees what B did, B gone: its programs follow B's changes, B's
 * sockets keep their cookies (closed with B: the kernel would have
 * removed them, docs/namespace.md). */
static void a_sees_b(struct bpfvm_object *obj, uint64_t cookie_b, const char *t)
{
	testlib_check(t, run_redirect(obj, "km_redirect_dev", 1) == XDP_PASS &&
				 run_redirect(obj, "km_redirect_dev", 2) == XDP_REDIRECT &&
				 run_redirect(obj, "km_redirect_dev_hash", 1) == XDP_PASS &&
				 run_redirect(obj, "km_redirect_dev_hash", 2) == XDP_REDIRECT &&
				 run_redirect(obj, "km_redirect_cpu", 0) == XDP_REDIRECT,
		      "A's redirects do not follow B's device and CPU entries");
	testlib_check(t, lookup_u64(km(obj, "km_cpu"), 0) == 32 &&
				 lookup_u64(km(obj, "km_dev"), 2) == lo &&
				 lookup_u64(km(obj, "km_dev_hash"), 1) == UINT64_MAX,
		      "A does not read B's device and CPU entries");
	testlib_check(t, cookie_b && lookup_u64(km(obj, "km_sock"), 2) == cookie_b &&
				 lookup_u64(km(obj, "km_sock_hash"), 2) == cookie_b,
		      "A does not read B's socket cookie %llu", (unsigned long long)cookie_b);
}

static int list_shared(void *ctx, const struct bpfvm_ns_entry *entry)
{
	int *bad = ctx;

	for (int i = 0; i < NR_MAPS; i++)
		if (!strcmp(entry->name, map_names[i]))
			*bad += entry->pid != 0 || entry->pin_cnt != 1;
	return 0;
}

static void test_shared_across_processes(void)
{
	const char *t = "device_cpu_xsk_socket_stack_and_storage_maps_are_shared_across_processes";
	struct bpfvm *vm = ns_test_vm(root);
	struct bpfvm_object *obj = ns_test_load_object(vm, objects_dir, OBJECT);
	struct share_arg arg = { 0 };
	struct bpfvm_map_info info;
	uint64_t cookie_b = 0;
	int pipe_fd[2], rc, not_shared = 0;

	testlib_check(t, obj != NULL, "A cannot load %s", OBJECT);
	if (!obj || pipe(pipe_fd))
		return;
	for (int i = 0; i < NR_MAPS; i++) {
		bpfvm_map_get_info(km(obj, map_names[i]), &info);
		arg.ids[i] = info.id;
	}
	bpfvm_ns_list(vm, list_shared, &not_shared);
	testlib_check(t, not_shared == 0, "%d maps are not shared and pinned once", not_shared);
	testlib_check(t, a_fills(obj, &arg) == 0, "A's updates: %s", bpfvm_errmsg());
	testlib_check(t, run_redirect(obj, "km_redirect_dev", 1) == XDP_REDIRECT,
		      "A's own redirect misses");
	arg.cookie_pipe = pipe_fd[1];
	rc = ns_test_in_child(process_b, root, &arg);
	testlib_check(t, rc == 0, "B failed its check %d", rc);
	close(pipe_fd[1]); /* B's end is closed: a B that wrote nothing reads as 0 */
	if (read(pipe_fd[0], &cookie_b, sizeof(cookie_b)) != sizeof(cookie_b))
		cookie_b = 0;
	a_sees_b(obj, cookie_b, t);
	close(pipe_fd[0]);
	unpin_all(vm);
	bpfvm_object_close(obj);
	bpfvm_destroy(vm);
}

/* ---- kill -9 of writers ---------------------------------------------- */

#define KS_WRITERS 4
#define KS_KEYS 4 /* per writer */
#define KS_MAX (KS_WRITERS * KS_KEYS)
#define KS_QSIZE_MAX 100

enum { KS_DEV, KS_DEV_HASH, KS_CPU, KS_SOCK, KS_SOCK_HASH, KS_NR };

static const struct {
	const char *name;
	enum bpf_map_type type;
	uint32_t max_entries;
} ks_maps[KS_NR] = {
	{ "ks_dev", BPF_MAP_TYPE_DEVMAP, KS_MAX },
	{ "ks_dev_hash", BPF_MAP_TYPE_DEVMAP_HASH, KS_MAX },
	{ "ks_cpu", BPF_MAP_TYPE_CPUMAP, 2 },
	{ "ks_sock", BPF_MAP_TYPE_SOCKMAP, KS_MAX },
	{ "ks_sock_hash", BPF_MAP_TYPE_SOCKHASH, KS_MAX },
};

static int ks_socks[KS_WRITERS];
static uint64_t ks_cookies[KS_WRITERS];

/* A writer updates and deletes its own keys of every map, for ever. */
static int ks_writer(uint32_t writer)
{
	struct bpfvm *vm = ns_test_vm(root);
	struct bpfvm_map *maps[KS_NR];

	for (int i = 0; i < KS_NR; i++)
		if (bpfvm_map_get_by_pin(vm, ks_maps[i].name, NULL, &maps[i]))
			return 1;
	for (uint32_t n = 1;; n++) {
		uint32_t key = writer * KS_KEYS + n % KS_KEYS;
		uint64_t sock = (uint64_t)ks_socks[writer];

		for (int i = 0; i < KS_NR; i++) {
			if (i == KS_CPU)
				continue;
			if (n % 5 == 0)
				bpfvm_map_delete(maps[i], &key);
			else
				update_u64(maps[i], key, i >= KS_SOCK ? sock : lo, BPF_ANY);
		}
		update_u64(maps[KS_CPU], writer % 2, 1 + n % KS_QSIZE_MAX, BPF_ANY);
	}
}

static bool ks_value_ok(int which, uint64_t value)
{
	if (which == KS_CPU)
		return value >= 1 && value <= KS_QSIZE_MAX;
	if (which < KS_SOCK)
		return value == lo;
	for (int w = 0; w < KS_WRITERS; w++)
		if (value == ks_cookies[w])
			return true;
	return false;
}

/* Walks the keys: each once, within max_entries, every value one that was
 * written. Returns the number of keys, or -1 for a bad walk. */
static int ks_walk(struct bpfvm_map *map, int which)
{
	uint32_t max = ks_maps[which].max_entries, key, next;
	uint8_t seen[KS_MAX] = { 0 };
	void *cur = NULL;
	int count = 0;

	while (bpfvm_map_get_next_key(map, cur, &next) == 0) {
		uint64_t value = lookup_u64(map, next);

		if (++count > (int)max || next >= max || seen[next]++)
			return -1;
		/* An array slot without an entry is a key without a value. */
		if (value != UINT64_MAX && !ks_value_ok(which, value))
			return -1;
		key = next;
		cur = &key;
	}
	return count;
}

/* Consistent after the storm: walks well, empties, refills to its size,
 * and a hash is then full. */
static void ks_check(struct bpfvm_map *map, int which, const char *t)
{
	const char *name = ks_maps[which].name;
	uint32_t max = ks_maps[which].max_entries, key;
	uint64_t value = which >= KS_SOCK ? (uint64_t)ks_socks[0] : which == KS_CPU ? 7 : lo;
	int count = ks_walk(map, which), left = 0, refilled = 0;

	testlib_check(t, count >= 0, "%s: a key twice, out of range, or a value never written",
		      name);
	for (key = 0; key < max; key++)
		bpfvm_map_delete(map, &key);
	for (key = 0; key < max; key++)
		left += lookup_u64(map, key) != UINT64_MAX;
	for (key = 0; key < max; key++)
		refilled += update_u64(map, key, value, BPF_ANY) == 0 && lookup_u64(map, key) ==
			    (which >= KS_SOCK ? ks_cookies[0] : value);
	testlib_check(t, left == 0 && refilled == (int)max,
		      "%s: %d entries left after deleting all, %d of %u refilled: %s", name, left,
		      refilled, max, bpfvm_errmsg());
	if (ks_maps[which].type == BPF_MAP_TYPE_DEVMAP_HASH ||
	    ks_maps[which].type == BPF_MAP_TYPE_SOCKHASH)
		testlib_check(t, update_u64(map, 1000, value, BPF_ANY) == -E2BIG,
			      "%s: full, yet a new key went in", name);
}

static void test_kill_storm(void)
{
	const char *t = "device_cpu_and_socket_maps_stay_consistent_after_writers_are_killed";
	struct bpfvm *vm = ns_test_vm(root);
	struct bpfvm_map *maps[KS_NR];
	unsigned seed = (unsigned)time(NULL);
	pid_t pids[KS_WRITERS];
	int killed = 0;

	for (int i = 0; i < KS_NR; i++) {
		if (bpfvm_map_create(vm, ks_maps[i].type, ks_maps[i].name, 4, 8,
				     ks_maps[i].max_entries, NULL, &maps[i]) ||
		    bpfvm_map_pin(maps[i], ks_maps[i].name)) {
			testlib_check(t, false, "%s: %s", ks_maps[i].name, bpfvm_errmsg());
			return;
		}
	}
	for (int w = 0; w < KS_WRITERS; w++) {
		ks_socks[w] = map_socket();
		ks_cookies[w] = socket_cookie(ks_socks[w]);
	}
	printf("kill storm seed %u\n", seed);
	fflush(stdout);
	for (uint32_t w = 0; w < KS_WRITERS; w++)
		if ((pids[w] = fork()) == 0)
			_exit(ks_writer(w));
	/* Every writer is killed, one at a time, at a random moment. */
	for (int w = 0; w < KS_WRITERS; w++) {
		int status;

		usleep(20000 + (useconds_t)(rand_r(&seed) % 80000));
		kill(pids[w], SIGKILL);
		waitpid(pids[w], &status, 0);
		killed += WIFSIGNALED(status);
	}
	testlib_check(t, killed == KS_WRITERS, "%d of %d writers died by the signal", killed,
		      KS_WRITERS);
	for (int i = 0; i < KS_NR; i++) {
		ks_check(maps[i], i, t);
		bpfvm_obj_unpin(vm, ks_maps[i].name);
		bpfvm_map_close(maps[i]);
	}
	bpfvm_destroy(vm);
}

/* ---- crafted files ---------------------------------------------------- */

/* Overwrites 8 bytes of the region header of map `id`'s file at `off`
 * with `bad`, tries to open the pin, and puts the bytes back. */
static int open_with_header(struct bpfvm *vm, uint32_t id, size_t off, uint64_t bad,
			    const char *pin)
{
	char path[256];
	struct bpfvm_map *map = NULL;
	uint64_t good;
	int fd, rc;

	snprintf(path, sizeof(path), "%s/.bpfvm/maps/%u", root, id);
	fd = open(path, O_RDWR);
	if (fd < 0 || pread(fd, &good, 8, (off_t)off) != 8 || pwrite(fd, &bad, 8, (off_t)off) != 8)
		return -1000;
	rc = bpfvm_map_get_by_pin(vm, pin, NULL, &map);
	if (!rc)
		bpfvm_map_close(map);
	if (pwrite(fd, &good, 8, (off_t)off) != 8)
		rc = -1001;
	close(fd);
	return rc;
}

static void test_crafted_files(void)
{
	const char *t = "crafted_device_cpu_and_socket_map_files_are_refused";
	const size_t family = offsetof(struct map_region, family);
	const size_t flags = offsetof(struct map_region, map_flags); /* and nr_cpus */
	const struct {
		enum bpf_map_type type;
		size_t off;
	} cases[] = {
		{ BPF_MAP_TYPE_DEVMAP, family },
		{ BPF_MAP_TYPE_DEVMAP, flags },
		{ BPF_MAP_TYPE_DEVMAP_HASH, family + HASH_FAMILY_TABLE * 8 },
		{ BPF_MAP_TYPE_DEVMAP_HASH, flags },
		{ BPF_MAP_TYPE_CPUMAP, family },
		{ BPF_MAP_TYPE_XSKMAP, family },
		{ BPF_MAP_TYPE_SOCKMAP, family },
		{ BPF_MAP_TYPE_SOCKHASH, family + HASH_FAMILY_TABLE * 8 },
	};
	struct bpfvm *vm = ns_test_vm(root);

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint32_t value_size = cases[i].type == BPF_MAP_TYPE_XSKMAP ? 4 : 8;
		struct bpfvm_map_info info;
		struct bpfvm_map *map;
		uint64_t bad;
		int rc;

		if (bpfvm_map_create(vm, cases[i].type, "crafted", 4, value_size, 2, NULL, &map) ||
		    bpfvm_map_pin(map, "crafted") || bpfvm_map_get_info(map, &info)) {
			testlib_check(t, false, "case %zu: %s", i, bpfvm_errmsg());
			return;
		}
		/* An offset inside the header, or no flags (no
		 * BPF_F_RDONLY_PROG) with the same 2 CPUs. */
		bad = cases[i].off == flags ? (uint64_t)2 << 32 : 8;
		rc = open_with_header(vm, info.id, cases[i].off, bad, "crafted");
		testlib_check(t, rc == -EINVAL, "case %zu (type %u, header byte %zu): opened (%d)", i,
			      cases[i].type, cases[i].off, rc);
		bpfvm_obj_unpin(vm, "crafted");
		bpfvm_map_close(map);
	}
	bpfvm_destroy(vm);
}

/* ---- the kernel: the same answers ------------------------------------- */

#define SOCK_FD UINT64_MAX /* a step's value: the socket's fd */

struct step {
	const char *map;
	char op; /* u: update, l: lookup, d: delete, r: run the program on key */
	uint32_t key;
	uint64_t value;
	uint64_t flags;
	const char *prog;
};

#define UPDATE(m, k, v, f) { .map = (m), .op = 'u', .key = (k), .value = (v), .flags = (f) }
#define LOOKUP(m, k) { .map = (m), .op = 'l', .key = (k) }
#define DELETE(m, k) { .map = (m), .op = 'd', .key = (k) }
#define RUN(m, k, p) { .map = (m), .op = 'r', .key = (k), .prog = (p) }

static const struct step steps[] = {
	UPDATE("km_dev", 1, 0, BPF_ANY), /* value 0: lo, below */
	UPDATE("km_dev", 1, 0, BPF_NOEXIST),
	UPDATE("km_dev", 9, 0, BPF_ANY),
	UPDATE("km_dev", 3, 999999, BPF_ANY),
	LOOKUP("km_dev", 1),
	LOOKUP("km_dev", 2),
	RUN("km_dev", 1, "km_redirect_dev"),
	RUN("km_dev", 2, "km_redirect_dev"),
	DELETE("km_dev", 1),
	DELETE("km_dev", 9),
	LOOKUP("km_dev", 1),
	RUN("km_dev", 1, "km_redirect_dev"),
	UPDATE("km_dev_hash", 5, 0, BPF_ANY),
	UPDATE("km_dev_hash", 5, 0, BPF_NOEXIST),
	LOOKUP("km_dev_hash", 5),
	RUN("km_dev_hash", 5, "km_redirect_dev_hash"),
	DELETE("km_dev_hash", 5),
	DELETE("km_dev_hash", 5),
	RUN("km_dev_hash", 5, "km_redirect_dev_hash"),
	UPDATE("km_cpu", 1, 64, BPF_ANY),
	UPDATE("km_cpu", 1, 20000, BPF_ANY),
	UPDATE("km_cpu", 0, 64, BPF_NOEXIST),
	UPDATE("km_cpu", 2, 64, BPF_ANY),
	LOOKUP("km_cpu", 1),
	RUN("km_cpu", 1, "km_redirect_cpu"),
	DELETE("km_cpu", 1),
	LOOKUP("km_cpu", 1),
	RUN("km_cpu", 1, "km_redirect_cpu"),
	LOOKUP("km_xsk", 0),
	RUN("km_xsk", 0, "km_redirect_xsk"),
	UPDATE("km_sock", 1, SOCK_FD, BPF_ANY),
	UPDATE("km_sock", 1, SOCK_FD, BPF_NOEXIST),
	LOOKUP("km_sock", 1),
	DELETE("km_sock", 1),
	DELETE("km_sock", 1),
	LOOKUP("km_sock", 1),
	UPDATE("km_sock_hash", 1, SOCK_FD, BPF_ANY),
	LOOKUP("km_sock_hash", 1),
	DELETE("km_sock_hash", 1),
	DELETE("km_sock_hash", 1),
	LOOKUP("km_stacks", 0),
	UPDATE("km_stacks", 0, 0, BPF_ANY),
	DELETE("km_stacks", 0),
};

struct answer {
	int rc;
	uint64_t value; /* a lookup's, or a run's verdict */
};

static uint64_t step_value(const struct step *s, int sock)
{
	bool device_map = !strcmp(s->map, "km_dev") || !strcmp(s->map, "km_dev_hash");

	if (s->value == SOCK_FD)
		return (uint64_t)sock;
	return !s->value && device_map ? lo : s->value;
}

static struct answer kernel_step(struct bpf_object *obj, const struct step *s, int sock)
{
	int fd = bpf_object__find_map_fd_by_name(obj, s->map);
	uint8_t value[64] = { 0 }, packet[PACKET_SIZE] = { (uint8_t)s->key };
	uint64_t v = step_value(s, sock);
	struct answer a = { 0 };
	LIBBPF_OPTS(bpf_test_run_opts, run, .data_in = packet, .data_size_in = sizeof(packet));

	memcpy(value, &v, sizeof(v));
	if (s->op == 'u')
		a.rc = bpf_map_update_elem(fd, &s->key, value, s->flags);
	else if (s->op == 'l')
		a.rc = bpf_map_lookup_elem(fd, &s->key, value);
	else if (s->op == 'd')
		a.rc = bpf_map_delete_elem(fd, &s->key);
	else
		a.rc = bpf_prog_test_run_opts(
			bpf_program__fd(bpf_object__find_program_by_name(obj, s->prog)), &run);
	a.rc = a.rc ? -errno : 0;
	if (!a.rc && s->op == 'r')
		a.value = run.retval;
	if (!a.rc && s->op == 'l')
		memcpy(&a.value, value, sizeof(a.value));
	return a;
}

static struct answer bpfvm_step(struct bpfvm_object *obj, const struct step *s, int sock)
{
	struct bpfvm_map *map = km(obj, s->map);
	uint8_t value[64] = { 0 };
	uint64_t v = step_value(s, sock);
	struct answer a = { 0 };

	memcpy(value, &v, sizeof(v));
	if (s->op == 'u')
		a.rc = bpfvm_map_update(map, &s->key, value, s->flags);
	else if (s->op == 'l')
		a.rc = bpfvm_map_lookup(map, &s->key, value);
	else if (s->op == 'd')
		a.rc = bpfvm_map_delete(map, &s->key);
	else
		a.value = run_redirect(obj, s->prog, (uint8_t)s->key);
	if (!a.rc && s->op == 'l')
		memcpy(&a.value, value, sizeof(a.value));
	return a;
}

static struct bpf_object *kernel_object(void)
{
	char path[512];
	struct bpf_object *obj;
	struct bpf_map *map;

	snprintf(path, sizeof(path), "%s/%s", objects_dir, OBJECT);
	obj = bpf_object__open_file(path, NULL);
	if (!obj)
		return NULL;
	bpf_object__for_each_map(map, obj)
		bpf_map__set_pin_path(map, NULL); /* nothing left in bpffs */
	if (bpf_object__load(obj)) {
		bpf_object__close(obj);
		return NULL;
	}
	return obj;
}

/* In a process that did not make the shared maps: every step's answer,
 * bpfvm's and the kernel's. Returns the number that differ. */
static int compare_with_kernel(const char *ns_root, void *p)
{
	struct bpfvm *vm = ns_test_vm(ns_root);
	struct bpfvm_object *obj = ns_test_load_object(vm, objects_dir, OBJECT);
	struct bpf_object *kobj = kernel_object();
	int sock = map_socket(), differ = 0;

	(void)p;
	if (!obj || !kobj) {
		fprintf(stderr, "cannot load %s (%s)\n", OBJECT, obj ? "kernel" : "bpfvm");
		return 100;
	}
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		struct answer k = kernel_step(kobj, &steps[i], sock);
		struct answer b = bpfvm_step(obj, &steps[i], sock);

		if (k.rc == b.rc && k.value == b.value)
			continue;
		fprintf(stderr, "step %zu (%s %c key %u): kernel %d/0x%llx, bpfvm %d/0x%llx\n", i,
			steps[i].map, steps[i].op, steps[i].key, k.rc,
			(unsigned long long)k.value, b.rc, (unsigned long long)b.value);
		differ++;
	}
	bpf_object__close(kobj);
	bpfvm_object_close(obj);
	bpfvm_destroy(vm);
	return differ;
}

static int test_kernel_agrees(void)
{
	const char *t = "shared_device_cpu_and_socket_maps_answer_as_the_kernels";
	struct bpfvm *vm = ns_test_vm(root);
	struct bpfvm_object *obj = ns_test_load_object(vm, objects_dir, OBJECT);
	/* r0 = 0; exit */
	static const struct bpf_insn ret0[] = { { .code = 0xb7 }, { .code = 0x95 } };
	char log[256];
	int differ, fd = testlib_kernel_load(BPF_PROG_TYPE_SOCKET_FILTER, 0, ret0, 2, log,
					     sizeof(log));

	if (fd < 0) {
		printf("SKIP %s: bpf() is not usable: %s\n", t, strerror(errno));
		return 77;
	}
	close(fd);
	differ = ns_test_in_child(compare_with_kernel, root, NULL);
	testlib_check(t, obj && differ == 0, "%d steps answered differently", differ);
	unpin_all(vm);
	bpfvm_object_close(obj);
	bpfvm_destroy(vm);
	return 0;
}

int main(int argc, char **argv)
{
	int rc = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: %s OBJECTS_DIR [kernel]\n", argv[0]);
		return 2;
	}
	objects_dir = argv[1];
	lo = if_nametoindex("lo");
	ns_test_root_make(root, sizeof(root));
	if (argc > 2 && !strcmp(argv[2], "kernel")) {
		rc = test_kernel_agrees();
	} else {
		test_shared_across_processes();
		test_kill_storm();
		test_crafted_files();
	}
	ns_test_root_remove(root);
	return rc ? rc : testlib_summary();
}
