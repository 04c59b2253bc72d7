/* Programs in the namespace and shared prog arrays, with real processes:
 * a program pinned by one process is instantiated once by another; seed
 * 002's switch (process B puts its prog_drop into the jmp_table of the
 * entry program that process A keeps running, then deletes it: every run
 * accounted for); the owner rule across processes; a shared prog array
 * empties when the last user reference of every process goes. */
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

#include "ns/ns_testlib.h"
#include "testlib.h"

static const char *objdir;
static const uint8_t packet[64] = { [12] = 0x08, [13] = 0x00 };

static struct bpfvm_object *load(struct bpfvm *vm, const char *file)
{
	struct bpfvm_object *obj = NULL;
	char path[PATH_MAX];
	int err;

	snprintf(path, sizeof(path), "%s/%s", objdir, file);
	err = bpfvm_object_open(vm, path, NULL, &obj);
	if (!err)
		err = bpfvm_object_load(obj);
	if (err) {
		fprintf(stderr, "%s: %d %s\n", file, err, bpfvm_errmsg());
		bpfvm_object_close(obj);
		return NULL;
	}
	return obj;
}

/* XDP_PASS / XDP_DROP of one run, or -1. */
static int run_once(struct bpfvm_prog *prog)
{
	struct bpfvm_test_run_opts run = {
		.sz = sizeof(run), .data_in = packet, .data_size_in = sizeof(packet),
	};

	return bpfvm_prog_test_run(prog, &run) ? -1 : (int)run.retval;
}

static uint64_t runs_slot(struct bpfvm *vm, uint32_t key)
{
	struct bpfvm_map *map;
	uint64_t value = ~0ull;

	if (bpfvm_map_get_by_pin(vm, "runs", NULL, &map))
		return ~0ull;
	bpfvm_map_lookup(map, &key, &value);
	bpfvm_map_close(map);
	return value;
}

static int set_slot(struct bpfvm *vm, uint32_t prog_id)
{
	struct bpfvm_map *table;
	uint32_t key = 0;
	int err = bpfvm_map_get_by_pin(vm, "jmp_table", NULL, &table);

	if (err)
		return err;
	err = prog_id ? bpfvm_map_update(table, &key, &prog_id, BPF_ANY)
		      : bpfvm_map_delete(table, &key);
	bpfvm_map_close(table);
	return err;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

/* ---- A pinned program in another process --------------------------------- */

struct list_find {
	uint32_t id;
	bool found;
	uint32_t pin_cnt;
	uint32_t type;
};

static int list_find(void *ctx, const struct bpfvm_ns_entry *entry)
{
	struct list_find *find = ctx;

	if (entry->id == find->id && entry->kind == BPFVM_NS_PROG) {
		find->found = true;
		find->pin_cnt = entry->pin_cnt;
		find->type = entry->type;
	}
	return 0;
}

static int open_pinned_prog(const char *root, void *arg)
{
	uint32_t id = *(uint32_t *)arg;
	struct bpfvm *vm = ns_test_vm(root);
	struct bpfvm_prog *prog, *again, *by_id;
	struct list_find find = { .id = id };

	if (bpfvm_prog_get_by_pin(vm, "prog_drop", &prog)) {
		fprintf(stderr, "get_by_pin: %s\n", bpfvm_errmsg());
		return 1;
	}
	if (bpfvm_prog_id(prog) != id || strcmp(bpfvm_prog_name(prog), "prog_drop") ||
	    bpfvm_prog_type(prog) != BPF_PROG_TYPE_XDP)
		return 2;
	/* Instantiated once: the same instance by pin and by id. */
	if (bpfvm_prog_get_by_pin(vm, "prog_drop", &again) || again != prog ||
	    bpfvm_prog_get_by_id(vm, id, &by_id) || by_id != prog)
		return 3;
	if (run_once(prog) != XDP_DROP)
		return 4;
	if (bpfvm_ns_list(vm, list_find, &find) || !find.found || find.pin_cnt != 1 ||
	    find.type != BPF_PROG_TYPE_XDP)
		return 5;
	bpfvm_prog_close(by_id);
	bpfvm_prog_close(again);
	bpfvm_prog_close(prog);
	bpfvm_destroy(vm);
	return 0;
}

static void a_pinned_program_is_instantiated_once_in_another_process(const char *root)
{
	const char *test = "a_pinned_program_is_instantiated_once_in_another_process";
	struct bpfvm *vm = ns_test_vm(root);
	struct bpfvm_object *obj = load(vm, "ns_tail_drop.bpf.o");
	struct bpfvm_prog *prog = obj ? bpfvm_object_find_prog(obj, "prog_drop") : NULL;
	uint32_t id = prog ? bpfvm_prog_id(prog) : 0;
	char file[PATH_MAX + 64];
	int rc;

	testlib_check(test, prog && id, "prog_drop loaded");
	rc = bpfvm_prog_pin(prog, "prog_drop");
	testlib_check(test, rc == 0, "pinned: %d %s", rc, bpfvm_errmsg());
	testlib_check(test, bpfvm_prog_pin(prog, "prog_drop") == -EEXIST, "EEXIST on a pin");
	rc = ns_test_in_child(open_pinned_prog, root, &id);
	testlib_check(test, rc == 0, "the child got, ran and listed it (step %d)", rc);
	testlib_check(test, runs_slot(vm, 1) == 1, "the child's run counted in the shared map");
	snprintf(file, sizeof(file), "%s/.bpfvm/progs/%u", root, id);
	testlib_check(test, bpfvm_obj_unpin(vm, "prog_drop") == 0, "unpinned");
	testlib_check(test, ns_test_exists(file), "loaded here: its file stays");
	bpfvm_object_close(obj);
	testlib_check(test, !ns_test_exists(file), "unpinned and unloaded: its file went");
	bpfvm_obj_unpin(vm, "runs");
	bpfvm_destroy(vm);
}

/* ---- Seed 002 across processes -------------------------------------------- */

struct runner_report {
	uint32_t runs, passes, drops, switches;
	int error;
};

static int report_fd[2], runner_ready[2];

/* Process A: the entry program in a loop until it has seen drops and then
 * 200 passes again (or 20 s). */
static int runner(const char *root, void *arg)
{
	struct bpfvm *vm = ns_test_vm(root);
	struct bpfvm_object *obj = load(vm, "ns_tail_entry.bpf.o");
	struct bpfvm_prog *prog = obj ? bpfvm_object_find_prog(obj, "prog_entry") : NULL;
	struct runner_report report = { 0 };
	int last = XDP_PASS, passes_after = 0;
	time_t start = time(NULL);

	(void)arg;
	if (!prog || write(runner_ready[1], "r", 1) != 1)
		return 1;
	while (time(NULL) - start < 20 && !(report.drops && passes_after >= 200)) {
		int rc = run_once(prog);

		report.runs++;
		if (rc == XDP_PASS) {
			report.passes++;
			passes_after += report.drops != 0;
		} else if (rc == XDP_DROP) {
			report.drops++;
		} else {
			report.error = rc;
			break;
		}
		report.switches += rc != last;
		last = rc;
	}
	if (write(report_fd[1], &report, sizeof(report)) != sizeof(report))
		return 2;
	bpfvm_object_close(obj);
	bpfvm_destroy(vm);
	return 0;
}

/* Process B: loads prog_drop, pins it, puts it in jmp_table by its pinned
 * path, waits for 100 drops, deletes it. */
static int switcher(const char *root, void *arg)
{
	struct bpfvm *vm = ns_test_vm(root);
	struct bpfvm_object *obj = load(vm, "ns_tail_drop.bpf.o");
	struct bpfvm_prog *prog;
	time_t start = time(NULL);

	(void)arg;
	if (!obj || bpfvm_prog_pin(bpfvm_object_find_prog(obj, "prog_drop"), "prog_drop"))
		return 1;
	if (bpfvm_prog_get_by_pin(vm, "prog_drop", &prog) || set_slot(vm, bpfvm_prog_id(prog)))
		return 2;
	while (runs_slot(vm, 1) < 100 && time(NULL) - start < 10)
		sleep_ms(1);
	if (set_slot(vm, 0))
		return 3;
	bpfvm_prog_close(prog);
	bpfvm_obj_unpin(vm, "prog_drop");
	bpfvm_object_close(obj);
	bpfvm_destroy(vm);
	return 0;
}

static pid_t spawn(int (*fn)(const char *root, void *arg), const char *root)
{
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid == 0)
		_exit(fn(root, NULL));
	return pid;
}

static int wait_exit(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) != pid)
		return -1;
	if (WIFSIGNALED(status))
		return 1000 + WTERMSIG(status);
	if (!WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

static void seed_002_switch_from_another_process_loses_no_run(const char *root)
{
	const char *test = "seed_002_switch_from_another_process_loses_no_run";
	struct bpfvm *vm = ns_test_vm(root);
	struct runner_report report = { 0 };
	pid_t a, b;
	char ready;
	int rc;

	if (pipe(report_fd) || pipe(runner_ready))
		exit(1);
	a = spawn(runner, root);
	testlib_check(test, read(runner_ready[0], &ready, 1) == 1, "A loaded the entry program");
	b = spawn(switcher, root);
	close(report_fd[1]); /* A's death reads as an end of file */
	rc = wait_exit(b);
	testlib_check(test, rc == 0, "B switched and switched back (step %d)", rc);
	testlib_check(test, read(report_fd[0], &report, sizeof(report)) == sizeof(report),
		      "A reported");
	rc = wait_exit(a);
	testlib_check(test, rc == 0, "A exited (%d)", rc);
	testlib_check(test, report.error == 0, "every run gave PASS or DROP (%d)", report.error);
	testlib_check(test, report.drops >= 100 && report.passes >= 200,
		      "A saw both: %u passes, %u drops in %u runs", report.passes, report.drops,
		      report.runs);
	testlib_check(test, report.switches == 2, "PASS, then DROP, then PASS: %u switches",
		      report.switches);
	testlib_check(test, runs_slot(vm, 0) == report.runs,
		      "the entry counted each run once: %llu of %u",
		      (unsigned long long)runs_slot(vm, 0), report.runs);
	testlib_check(test, runs_slot(vm, 1) == report.drops,
		      "prog_drop counted each drop once: %llu of %u",
		      (unsigned long long)runs_slot(vm, 1), report.drops);
	bpfvm_obj_unpin(vm, "runs");
	bpfvm_obj_unpin(vm, "jmp_table");
	bpfvm_destroy(vm);
}

/* ---- Owner rule and clearing across processes ----------------------------- */

static int put_tc_program(const char *root, void *arg)
{
	struct bpfvm *vm = ns_test_vm(root);
	struct bpfvm_object *obj = load(vm, "ns_tail_drop.bpf.o");
	struct bpfvm_prog *tc = obj ? bpfvm_object_find_prog(obj, "prog_tc") : NULL;
	struct bpfvm_prog *drop = obj ? bpfvm_object_find_prog(obj, "prog_drop") : NULL;
	int rc;

	(void)arg;
	if (!tc || !drop)
		return 1;
	rc = set_slot(vm, bpfvm_prog_id(tc));
	if (rc != -EINVAL || !strstr(bpfvm_errmsg(), "cannot join"))
		return 2;
	/* prog_drop fits; the process exits without deleting it. */
	if (set_slot(vm, bpfvm_prog_id(drop)))
		return 3;
	bpfvm_object_close(obj);
	bpfvm_destroy(vm);
	return 0;
}

static int hold_table[2], release_table[2];

/* Holds a user reference to jmp_table until told to close it. */
static int table_holder(const char *root, void *arg)
{
	struct bpfvm *vm = ns_test_vm(root);
	struct bpfvm_map *table;
	char go;

	(void)arg;
	if (bpfvm_map_get_by_pin(vm, "jmp_table", NULL, &table) ||
	    write(hold_table[1], "h", 1) != 1 || read(release_table[0], &go, 1) != 1)
		return 1;
	bpfvm_map_close(table);
	bpfvm_destroy(vm);
	return 0;
}

static void owner_rule_and_clearing_hold_across_processes(const char *root)
{
	const char *test = "owner_rule_and_clearing_hold_across_processes";
	struct bpfvm *vm = ns_test_vm(root);
	struct bpfvm_object *obj = load(vm, "ns_tail_entry.bpf.o");
	struct bpfvm_prog *entry = obj ? bpfvm_object_find_prog(obj, "prog_entry") : NULL;
	pid_t holder;
	char held;
	int rc;

	testlib_check(test, entry != NULL, "entry loaded");
	testlib_check(test, run_once(entry) == XDP_PASS, "empty slot: PASS");
	rc = ns_test_in_child(put_tc_program, root, NULL);
	testlib_check(test, rc == 0, "another process: tc refused, XDP accepted (step %d)", rc);
	testlib_check(test, run_once(entry) == XDP_DROP,
		      "its program stays in the slot after it exited (the pin holds the array)");
	if (pipe(hold_table) || pipe(release_table))
		exit(1);
	holder = spawn(table_holder, root);
	testlib_check(test, read(hold_table[0], &held, 1) == 1, "another process holds the array");
	/* This process keeps only its program (which uses the array), drops
	 * its object's user references and the pin. */
	testlib_check(test, bpfvm_prog_get_by_id(vm, bpfvm_prog_id(entry), &entry) == 0, "ref");
	bpfvm_object_close(obj);
	testlib_check(test, bpfvm_obj_unpin(vm, "jmp_table") == 0, "unpinned");
	testlib_check(test, run_once(entry) == XDP_DROP, "the other process's reference keeps it");
	testlib_check(test, write(release_table[1], "r", 1) == 1, "go");
	testlib_check(test, wait_exit(holder) == 0, "the holder closed it");
	testlib_check(test, run_once(entry) == XDP_PASS,
		      "the last user reference of every process went: the slot is empty");
	bpfvm_prog_close(entry);
	bpfvm_obj_unpin(vm, "runs");
	bpfvm_destroy(vm);
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
	if (argc < 3)
		a_pinned_program_is_instantiated_once_in_another_process(root);
	seed_002_switch_from_another_process_loses_no_run(root);
	owner_rule_and_clearing_hold_across_processes(root);
	ns_test_root_remove(root);
	return testlib_summary();
}
