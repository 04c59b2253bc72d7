/* A pinned program holds its maps; a prog array's slots go with its last
 * user reference, which a program's hold is not; with real processes
 * (docs/namespace.md, "Programs" and "Shared prog arrays"):
 *
 *   - a process pins only a program whose .data, .rodata and hash map are
 *     not pinned, and exits: another process opens the program, runs it on
 *     the values the first left, and the maps go once it unpins and exits;
 *   - a prog array reachable only through a pinned program empties when its
 *     loader closes it, and when its loader is killed (-9) it empties at the
 *     next open or listing of another process, as the kernel emptied it when
 *     the killed process's descriptor closed; when instead the program's
 *     last pin goes, the array goes with it, and the programs in its slots
 *     with the array;
 *   - a pinned prog array used by a pinned program empties when its last
 *     pin goes;
 *   - a BPF_F_RDONLY open of a shared prog array looks up, refuses writes,
 *     lets chains run through the array, and is a user reference;
 *   - the kernel does the same with the same object (bpffs pins; its half
 *     prints SKIP without bpf()). */
#include <errno.h>
#include <limits.h>
#include <linux/bpf.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "ns/ns_testlib.h"
#include "testlib.h"

static const char *objdir;
static const uint8_t packet[64] = { [12] = 0x08, [13] = 0x00 };

/* XDP_PASS / XDP_DROP of one run, or -1. */
static int run_once(struct bpfvm_prog *prog)
{
	struct bpfvm_test_run_opts run = {
		.sz = sizeof(run), .data_in = packet, .data_size_in = sizeof(packet),
	};

	return bpfvm_prog_test_run(prog, &run) ? -1 : (int)run.retval;
}

/* The map of `prog` whose name ends with `suffix`, or NULL. */
static struct bpfvm_map *prog_map(const struct bpfvm_prog *prog, const char *suffix)
{
	size_t suffix_len = strlen(suffix);

	for (size_t i = 0; i < bpfvm_prog_map_cnt(prog); i++) {
		const char *name = bpfvm_map_name(bpfvm_prog_map(prog, i));
		size_t len = strlen(name);

		if (len >= suffix_len && strcmp(name + len - suffix_len, suffix) == 0)
			return bpfvm_prog_map(prog, i);
	}
	return NULL;
}

struct count_all {
	int maps, progs;
};

static int count_one(void *ctx, const struct bpfvm_ns_entry *entry)
{
	struct count_all *count = ctx;

	count->maps += entry->kind == BPFVM_NS_MAP;
	count->progs += entry->kind == BPFVM_NS_PROG;
	return 0;
}

static struct count_all count_objects(struct bpfvm *vm)
{
	struct count_all count = { 0 };

	bpfvm_ns_list(vm, count_one, &count);
	return count;
}

/* ---- A pinned program keeps its unpinned maps ------------------------------ */

/* Process A: loads, runs three times (total 100 -> 115), pins only the
 * program, closes everything and exits. */
static int pin_and_leave(const char *root, void *arg)
{
	struct bpfvm *vm = ns_test_vm(root);
	struct bpfvm_object *obj = ns_test_load_object(vm, objdir, "ns_hold_globals.bpf.o");
	struct bpfvm_prog *prog = obj ? bpfvm_object_find_prog(obj, "hold_count") : NULL;

	(void)arg;
	if (!prog)
		return 1;
	for (int i = 0; i < 3; i++)
		if (run_once(prog) != XDP_PASS)
			return 2;
	if (bpfvm_prog_pin(prog, "hold_count")) {
		fprintf(stderr, "pin: %s\n", bpfvm_errmsg());
		return 3;
	}
	bpfvm_object_close(obj);
	bpfvm_destroy(vm);
	return 0;
}

struct tag_find {
	uint32_t id;
	uint8_t tag[BPF_TAG_SIZE];
	bool found;
};

static int tag_find(void *ctx, const struct bpfvm_ns_entry *entry)
{
	struct tag_find *find = ctx;

	if (entry->kind == BPFVM_NS_PROG && entry->id == find->id) {
		memcpy(find->tag, entry->tag, BPF_TAG_SIZE);
		find->found = true;
	}
	return 0;
}

/* Process B: opens the pin, runs once (115 -> 120), reads both maps
 * through the program, checks that its instance has the tag the loader
 * stored, unpins it and exits. */
static int open_run_and_unpin(const char *root, void *arg)
{
	struct bpfvm *vm = ns_test_vm(root);
	struct bpfvm_map *data, *rodata, *hash;
	struct bpfvm_prog *prog;
	uint64_t total = 0, step = 0, sum = 0;
	uint32_t zero = 0, one = 1;
	struct tag_find find = { 0 };
	uint8_t tag[BPF_TAG_SIZE];

	(void)arg;
	if (bpfvm_prog_get_by_pin(vm, "hold_count", &prog)) {
		fprintf(stderr, "get_by_pin: %s\n", bpfvm_errmsg());
		return 1;
	}
	if (run_once(prog) != XDP_PASS)
		return 2;
	data = prog_map(prog, ".data");
	rodata = prog_map(prog, ".rodata");
	hash = prog_map(prog, "hold_hash");
	if (!data || !rodata || !hash)
		return 3;
	if (bpfvm_map_lookup(data, &zero, &total) || bpfvm_map_lookup(rodata, &zero, &step) ||
	    bpfvm_map_lookup(hash, &one, &sum))
		return 4;
	if (total != 120 || step != 5 || sum != 120) {
		fprintf(stderr, "total %llu step %llu sum %llu, wanted 120 5 120\n",
			(unsigned long long)total, (unsigned long long)step,
			(unsigned long long)sum);
		return 5;
	}
	find.id = bpfvm_prog_id(prog);
	bpfvm_prog_tag(prog, tag);
	if (bpfvm_ns_list(vm, tag_find, &find) || !find.found ||
	    memcmp(find.tag, tag, BPF_TAG_SIZE) != 0)
		return 7;
	if (bpfvm_obj_unpin(vm, "hold_count"))
		return 6;
	bpfvm_prog_close(prog);
	bpfvm_destroy(vm);
	return 0;
}

static void a_pinned_program_keeps_its_unpinned_maps(const char *root)
{
	const char *test = "a_pinned_program_keeps_its_unpinned_maps";
	struct bpfvm *vm;
	struct count_all count;
	int rc;

	rc = ns_test_in_child(pin_and_leave, root, NULL);
	testlib_check(test, rc == 0, "A loaded, ran, pinned the program and left (step %d)", rc);
	vm = ns_test_vm(root);
	count = count_objects(vm); /* a listing sweeps: nothing must go */
	testlib_check(test, count.progs == 1 && count.maps == 3,
		      "after A: 1 program and its 3 maps (.data, .rodata, hold_hash), got %d and %d",
		      count.progs, count.maps);
	rc = ns_test_in_child(open_run_and_unpin, root, NULL);
	testlib_check(test, rc == 0, "B ran the program on A's values (step %d)", rc);
	count = count_objects(vm);
	testlib_check(test, count.progs == 0 && count.maps == 0,
		      "unpinned by B, and B gone: the program and its maps went, %d and %d left",
		      count.progs, count.maps);
	bpfvm_destroy(vm);
}

/* ---- A prog array held only by a program ---------------------------------- */

static int ready_pipe[2];

/* Process A: hold_jmp[0] = hold_drop, hold_entry pinned (the array is
 * not); then closes everything, or (arg) says so and waits to be killed. */
static int fill_pin_and_go(const char *root, void *arg)
{
	bool wait_for_kill = arg != NULL;
	struct bpfvm *vm = ns_test_vm(root);
	struct bpfvm_object *obj = ns_test_load_object(vm, objdir, "ns_hold_tail.bpf.o");
	struct bpfvm_prog *entry = obj ? bpfvm_object_find_prog(obj, "hold_entry") : NULL;
	struct bpfvm_prog *drop = obj ? bpfvm_object_find_prog(obj, "hold_drop") : NULL;
	struct bpfvm_map *jmp = obj ? bpfvm_object_find_map(obj, "hold_jmp") : NULL;
	uint32_t key = 0, drop_id = drop ? bpfvm_prog_id(drop) : 0;

	if (!entry || !drop || !jmp || bpfvm_map_update(jmp, &key, &drop_id, BPF_ANY))
		return 1;
	if (run_once(entry) != XDP_DROP || bpfvm_prog_pin(entry, "hold_entry"))
		return 2;
	if (wait_for_kill) {
		if (write(ready_pipe[1], &drop_id, sizeof(drop_id)) != sizeof(drop_id))
			return 3;
		pause();
	}
	bpfvm_object_close(obj);
	bpfvm_destroy(vm);
	return 0;
}

/* Process B: the pinned entry's verdict in a process of its own. */
static int run_pinned_entry(const char *root, void *arg)
{
	struct bpfvm *vm = ns_test_vm(root);
	struct bpfvm_prog *entry;
	int verdict;

	(void)arg;
	if (bpfvm_prog_get_by_pin(vm, "hold_entry", &entry)) {
		fprintf(stderr, "get_by_pin: %s\n", bpfvm_errmsg());
		return 100;
	}
	verdict = run_once(entry);
	bpfvm_prog_close(entry);
	bpfvm_destroy(vm);
	return verdict < 0 ? 101 : verdict;
}

static void a_closed_loaders_array_empties_though_a_pinned_program_holds_it(const char *root)
{
	const char *test = "a_closed_loaders_array_empties_though_a_pinned_program_holds_it";
	struct bpfvm *vm;
	int rc;

	rc = ns_test_in_child(fill_pin_and_go, root, NULL);
	testlib_check(test, rc == 0, "A filled the array, pinned the entry and closed (step %d)", rc);
	rc = ns_test_in_child(run_pinned_entry, root, NULL);
	testlib_check(test, rc == XDP_PASS,
		      "the array's last user reference went with A's close: the tail call falls "
		      "through (PASS %d), got %d", XDP_PASS, rc);
	vm = ns_test_vm(root);
	testlib_check(test, bpfvm_obj_unpin(vm, "hold_entry") == 0, "unpinned");
	testlib_check(test, count_objects(vm).maps == 0, "the array went with the program");
	bpfvm_destroy(vm);
}

/* What follows a loader's kill: another process opens the program, the
 * namespace is listed first, or the program's pin is removed first. */
enum after_kill { OPEN, LIST, UNPIN };

/* The loader filled the array, pinned the entry and was killed (-9). */
static uint32_t kill_a_loader(const char *test, const char *root)
{
	uint32_t drop_id = 0;
	pid_t pid;
	int status;

	if (pipe(ready_pipe))
		exit(1);
	fflush(NULL);
	pid = fork();
	if (pid == 0)
		_exit(fill_pin_and_go(root, "kill"));
	testlib_check(test, read(ready_pipe[0], &drop_id, sizeof(drop_id)) == sizeof(drop_id),
		      "A filled the array and pinned the entry");
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	close(ready_pipe[0]);
	close(ready_pipe[1]);
	return drop_id;
}

static void a_killed_loaders_array_empties_at_the_next_sweep(const char *root,
							     enum after_kill after)
{
	const char *tests[] = {
		[OPEN] = "a_killed_loaders_array_empties_at_the_next_open",
		[LIST] = "a_killed_loaders_array_empties_at_the_next_listing",
		[UNPIN] = "a_killed_loaders_array_and_programs_go_with_the_last_pin",
	};
	const char *test = tests[after];
	char drop_file[PATH_MAX + 64];
	uint32_t drop_id = kill_a_loader(test, root);
	struct bpfvm *vm = ns_test_vm(root);
	struct count_all count;
	int rc;

	/* hold_drop's file: only the array's slot keeps it now that A is gone
	 * (its hold, progs/<id>.slot.<array>.0), so it goes when the slot
	 * empties or the array goes. */
	snprintf(drop_file, sizeof(drop_file), "%s/.bpfvm/progs/%u", root, drop_id);
	if (after == LIST) {
		count_objects(vm);
		testlib_check(test, !ns_test_exists(drop_file),
			      "the listing emptied the slot: hold_drop's file went with its hold");
	}
	if (after != UNPIN) {
		rc = ns_test_in_child(run_pinned_entry, root, NULL);
		testlib_check(test, rc == XDP_PASS,
			      "A's descriptor went with A: the tail call falls through (PASS %d), "
			      "got %d", XDP_PASS, rc);
	}
	testlib_check(test, bpfvm_obj_unpin(vm, "hold_entry") == 0, "the entry unpinned");
	testlib_check(test, !ns_test_exists(drop_file), "hold_drop's file is gone");
	count = count_objects(vm);
	testlib_check(test, count.maps == 0 && count.progs == 0,
		      "nothing left: %d maps, %d programs", count.maps, count.progs);
	bpfvm_destroy(vm);
}

/* ---- A pinned prog array used by a pinned program -------------------------- */

static int pin_entry_and_array(const char *root, void *arg)
{
	struct bpfvm *vm = ns_test_vm(root);
	struct bpfvm_object *obj = ns_test_load_object(vm, objdir, "ns_hold_tail.bpf.o");
	struct bpfvm_prog *entry = obj ? bpfvm_object_find_prog(obj, "hold_entry") : NULL;
	struct bpfvm_prog *drop = obj ? bpfvm_object_find_prog(obj, "hold_drop") : NULL;
	struct bpfvm_map *jmp = obj ? bpfvm_object_find_map(obj, "hold_jmp") : NULL;
	uint32_t key = 0, drop_id = drop ? bpfvm_prog_id(drop) : 0;

	(void)arg;
	if (!entry || !drop || !jmp || bpfvm_map_update(jmp, &key, &drop_id, BPF_ANY))
		return 1;
	if (bpfvm_prog_pin(entry, "hold_entry") || bpfvm_map_pin(jmp, "hold_jmp"))
		return 2;
	bpfvm_object_close(obj);
	bpfvm_destroy(vm);
	return 0;
}

static void a_pinned_array_empties_when_its_last_pin_goes(const char *root)
{
	const char *test = "a_pinned_array_empties_when_its_last_pin_goes";
	struct bpfvm *vm;
	int rc;

	rc = ns_test_in_child(pin_entry_and_array, root, NULL);
	testlib_check(test, rc == 0, "A pinned the entry and the filled array (step %d)", rc);
	rc = ns_test_in_child(run_pinned_entry, root, NULL);
	testlib_check(test, rc == XDP_DROP, "the array's pin keeps its slots: DROP, got %d", rc);
	vm = ns_test_vm(root);
	testlib_check(test, bpfvm_obj_unpin(vm, "hold_jmp") == 0, "the array unpinned");
	rc = ns_test_in_child(run_pinned_entry, root, NULL);
	testlib_check(test, rc == XDP_PASS,
		      "its last pin gone (the program's hold is no user reference): PASS, got %d",
		      rc);
	bpfvm_obj_unpin(vm, "hold_entry");
	testlib_check(test, count_objects(vm).maps == 0, "nothing left");
	bpfvm_destroy(vm);
}

/* ---- A read-only open of a shared prog array ------------------------------- */

static void a_readonly_prog_array_looks_up_and_is_a_user_reference(const char *root)
{
	const char *test = "a_readonly_prog_array_looks_up_and_is_a_user_reference";
	struct bpfvm_obj_get_opts rdonly = { .sz = sizeof(rdonly), .file_flags = BPF_F_RDONLY };
	struct bpfvm *vm;
	struct bpfvm_map *view = NULL;
	struct bpfvm_prog *entry;
	uint32_t key = 0, id = 0;
	int rc;

	rc = ns_test_in_child(pin_entry_and_array, root, NULL);
	testlib_check(test, rc == 0, "A pinned the entry and the filled array (step %d)", rc);
	vm = ns_test_vm(root);
	rc = bpfvm_map_get_by_pin(vm, "hold_jmp", &rdonly, &view);
	testlib_check(test, rc == 0, "opened with BPF_F_RDONLY: %d %s", rc, bpfvm_errmsg());
	if (rc)
		goto out;
	testlib_check(test, bpfvm_map_lookup(view, &key, &id) == 0 && id != 0,
		      "its slot 0 reads a program id (%u)", id);
	rc = bpfvm_map_update(view, &key, &id, BPF_ANY);
	testlib_check(test, rc == -EPERM, "an update is -EPERM, got %d", rc);
	testlib_check(test, bpfvm_prog_get_by_pin(vm, "hold_entry", &entry) == 0 &&
				    run_once(entry) == XDP_DROP,
		      "a chain runs through the array in this process");
	bpfvm_prog_close(entry);
	/* The read-only handle is now the array's only user reference. */
	testlib_check(test, bpfvm_obj_unpin(vm, "hold_jmp") == 0, "the array unpinned");
	rc = ns_test_in_child(run_pinned_entry, root, NULL);
	testlib_check(test, rc == XDP_DROP,
		      "a read-only descriptor is a user reference: the slots stay, got %d", rc);
	bpfvm_map_close(view);
	rc = ns_test_in_child(run_pinned_entry, root, NULL);
	testlib_check(test, rc == XDP_PASS, "closed, the last user reference: PASS, got %d", rc);
out:
	bpfvm_obj_unpin(vm, "hold_entry");
	bpfvm_destroy(vm);
}


/* ---- The kernel, for the same two cases ------------------------------------ */

static int kernel_run(int prog_fd)
{
	LIBBPF_OPTS(bpf_test_run_opts, run, .data_in = packet, .data_size_in = sizeof(packet));

	return bpf_prog_test_run_opts(prog_fd, &run) ? -1 : (int)run.retval;
}

/* The kernel empties a prog array in a work item after its last user
 * reference: the verdict `want` within a second, else the last seen. */
static int kernel_run_until(int prog_fd, int want)
{
	int verdict = -1;

	for (int i = 0; i < 100 && verdict != want; i++) {
		struct timespec ts = { .tv_nsec = 10 * 1000000 };

		verdict = kernel_run(prog_fd);
		if (verdict != want)
			nanosleep(&ts, NULL);
	}
	return verdict;
}

static int kernel_quiet(enum libbpf_print_level level, const char *fmt, va_list args)
{
	(void)level;
	(void)fmt;
	(void)args;
	return 0;
}

/* hold_entry pinned (and hold_jmp too when `pin_array`), hold_jmp[0] =
 * hold_drop, every fd closed: the pinned entry's fd, or -1. */
static int kernel_pin_entry(const char *entry_pin, const char *jmp_pin, bool pin_array)
{
	char path[PATH_MAX];
	struct bpf_object *obj;
	struct bpf_program *entry, *drop;
	struct bpf_map *jmp;
	int fd = -1, drop_fd;
	uint32_t key = 0;

	snprintf(path, sizeof(path), "%s/ns_hold_tail.bpf.o", objdir);
	obj = bpf_object__open_file(path, NULL);
	if (!obj || bpf_object__load(obj))
		goto out;
	entry = bpf_object__find_program_by_name(obj, "hold_entry");
	drop = bpf_object__find_program_by_name(obj, "hold_drop");
	jmp = bpf_object__find_map_by_name(obj, "hold_jmp");
	drop_fd = drop ? bpf_program__fd(drop) : -1;
	if (!entry || !jmp || bpf_map_update_elem(bpf_map__fd(jmp), &key, &drop_fd, BPF_ANY) ||
	    bpf_obj_pin(bpf_program__fd(entry), entry_pin))
		goto out;
	if (pin_array && bpf_obj_pin(bpf_map__fd(jmp), jmp_pin))
		goto out;
	bpf_object__close(obj);
	obj = NULL;
	fd = bpf_obj_get(entry_pin);
out:
	bpf_object__close(obj);
	return fd;
}

static void the_kernel_empties_an_array_a_pinned_program_holds(void)
{
	const char *test = "the_kernel_empties_an_array_a_pinned_program_holds";
	char entry_pin[64], jmp_pin[64];
	int fd, verdict;

	snprintf(entry_pin, sizeof(entry_pin), "/sys/fs/bpf/bpfvm_hold_entry_%d", getpid());
	snprintf(jmp_pin, sizeof(jmp_pin), "/sys/fs/bpf/bpfvm_hold_jmp_%d", getpid());
	libbpf_set_print(kernel_quiet);
	fd = kernel_pin_entry(entry_pin, jmp_pin, false);
	if (fd < 0) {
		printf("SKIP %s: the kernel's half (no bpf() or bpffs: %s)\n", test, strerror(errno));
		unlink(entry_pin);
		return;
	}
	verdict = kernel_run_until(fd, XDP_PASS);
	testlib_check(test, verdict == XDP_PASS,
		      "the loader's fds closed, only the pinned program holds the array: PASS, "
		      "got %d", verdict);
	close(fd);
	unlink(entry_pin);
	fd = kernel_pin_entry(entry_pin, jmp_pin, true);
	testlib_check(test, fd >= 0, "entry and array pinned: %s", strerror(errno));
	if (fd < 0)
		goto out;
	verdict = kernel_run(fd);
	testlib_check(test, verdict == XDP_DROP, "the array's pin keeps its slot: DROP, got %d",
		      verdict);
	unlink(jmp_pin);
	verdict = kernel_run_until(fd, XDP_PASS);
	testlib_check(test, verdict == XDP_PASS, "its pin removed: PASS, got %d", verdict);
	close(fd);
out:
	unlink(entry_pin);
	unlink(jmp_pin);
}

int main(int argc, char **argv)
{
	char root[PATH_MAX];

	if (argc < 2) {
		fprintf(stderr, "usage: %s OBJDIR\n", argv[0]);
		return 2;
	}
	objdir = argv[1];
	ns_test_root_make(root, sizeof(root));
	a_pinned_program_keeps_its_unpinned_maps(root);
	a_closed_loaders_array_empties_though_a_pinned_program_holds_it(root);
	a_killed_loaders_array_empties_at_the_next_sweep(root, OPEN);
	a_killed_loaders_array_empties_at_the_next_sweep(root, LIST);
	a_killed_loaders_array_empties_at_the_next_sweep(root, UNPIN);
	a_pinned_array_empties_when_its_last_pin_goes(root);
	a_readonly_prog_array_looks_up_and_is_a_user_reference(root);
	ns_test_root_remove(root);
	the_kernel_empties_an_array_a_pinned_program_holds();
	return testlib_summary();
}
