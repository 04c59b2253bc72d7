/* Who holds a ring buffer's reservation slots and its consumer claim
 * (src/maps/ringbuf.c, map_owner.h). A ring that other processes map (a
 * namespace's) names each holder by tid and start time, the start time read
 * from /proc once per thread, so that a killed producer's record can be
 * told from a later thread's of the same tid. A private ring cannot outlive
 * its process and needs no start time: reserve, commit and consume never
 * read /proc there (owner_stat_reads counts every read). A forked child
 * that shares a private ring (its region is MAP_SHARED) and dies holding a
 * record is still found dead by its tid. */
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bpfvm/bpfvm.h"
#include "core/owner.h"
#include "maps/ringbuf.h"
#include "ns/ns_testlib.h"
#include "testlib.h"

#define RING_RECORDS 64

/* One new thread's reservations, commits and consume on a ring. */
struct ring_work {
	struct bpfvm_map *map;
	int written, read;
	uint64_t stat_reads; /* owner_stat_reads() during the work */
};

static int ring_count(void *ctx, void *data, size_t size)
{
	(void)data, (void)size;
	(*(int *)ctx)++;
	return 0;
}

static void *ring_work_run(void *arg)
{
	struct ring_work *work = arg;
	uint64_t before = owner_stat_reads();

	for (int i = 0; i < RING_RECORDS; i++) {
		void *record = ringbuf_reserve(work->map, 16);

		if (!record)
			break;
		memset(record, i, 16);
		ringbuf_commit(record, 0, false);
		work->written++;
	}
	bpfvm_ringbuf_consume(work->map, ring_count, &work->read);
	work->stat_reads = owner_stat_reads() - before;
	return NULL;
}

/* The work in a thread of its own: a thread that never asked before. */
static void ring_work_in_thread(struct ring_work *work)
{
	pthread_t thread;

	if (pthread_create(&thread, NULL, ring_work_run, work) == 0)
		pthread_join(thread, NULL);
}

/* Every record written and read, with `want` reads of /proc. */
static void ring_work_check(const char *test, const struct ring_work *work, uint64_t want)
{
	testlib_check(test, work->written == RING_RECORDS && work->read == RING_RECORDS &&
			    work->stat_reads == want,
		      "%d written, %d read (want %d), %llu reads of /proc (want %llu)",
		      work->written, work->read, RING_RECORDS,
		      (unsigned long long)work->stat_reads, (unsigned long long)want);
}

static struct bpfvm_map *ring_new(struct bpfvm *vm)
{
	struct bpfvm_map *map = NULL;

	if (bpfvm_map_create(vm, BPF_MAP_TYPE_RINGBUF, "owner_rb", 0, 0, 4096, NULL, &map))
		fprintf(stderr, "ringbuf: %s\n", bpfvm_errmsg());
	return map;
}

static void test_private_ring_reads_no_proc(void)
{
	const char *test = "private_ring_reserves_commits_and_consumes_without_reading_proc";
	struct bpfvm *vm = testlib_vm_create();
	struct ring_work work = { .map = ring_new(vm) };

	if (work.map)
		ring_work_in_thread(&work);
	ring_work_check(test, &work, 0);
	bpfvm_map_close(work.map);
	bpfvm_destroy(vm);
}

/* The counter counts: a shared ring's new thread reads its start time. */
static void test_shared_ring_reads_its_start_time(void)
{
	const char *test = "shared_ring_names_a_new_thread_by_its_start_time_from_proc";
	char root[PATH_MAX];
	struct bpfvm *vm;
	struct ring_work work = { 0 };

	ns_test_root_make(root, sizeof(root));
	vm = ns_test_vm(root);
	work.map = ring_new(vm);
	if (work.map)
		ring_work_in_thread(&work);
	ring_work_check(test, &work, 1);
	bpfvm_map_close(work.map);
	bpfvm_destroy(vm);
	ns_test_root_remove(root);
}

/* A forked child reserves a record in the parent's private ring and exits
 * without submitting it: the consumer discards it for the dead child and
 * reads the parent's record after it. */
static void test_private_ring_dead_child_record(void)
{
	const char *test = "private_ring_shared_by_fork_discards_a_dead_childs_record";
	struct bpfvm *vm = testlib_vm_create();
	struct bpfvm_map *map = ring_new(vm);
	int status = -1, read = 0;
	void *record;
	pid_t pid;

	if (!map)
		goto out;
	fflush(stdout);
	pid = fork();
	if (pid == 0)
		_exit(ringbuf_reserve(map, 16) ? 0 : 1);
	if (pid > 0)
		waitpid(pid, &status, 0);
	record = ringbuf_reserve(map, 16);
	if (record)
		ringbuf_commit(record, 0, false);
	bpfvm_ringbuf_consume(map, ring_count, &read);
	testlib_check(test, status == 0 && record && read == 1,
		      "child status %d, parent's record %p, %d read (want 1)", status, record, read);
out:
	bpfvm_map_close(map);
	bpfvm_destroy(vm);
}

int main(void)
{
	test_private_ring_reads_no_proc();
	test_shared_ring_reads_its_start_time();
	test_private_ring_dead_child_record();
	return testlib_summary();
}
