/* Device and socket maps under concurrent use. Their array forms are one
 * atomic word per key (no lock), their hash forms hash.c's table:
 *   - SOCKMAP: threads race to fill and empty one slot with BPF_NOEXIST
 *     updates and deletes; each round exactly one update and one delete win.
 *   - DEVMAP_HASH / SOCKHASH: threads insert and delete their own keys
 *     while readers look up a key that never leaves (always found, its value
 *     whole) and keys that never come (never found); the program side's
 *     lookup of DEVMAP and DEVMAP_HASH gives the stored ifindex or NULL.
 *   - A full DEVMAP_HASH / SOCKHASH of many keys: every key found, E2BIG
 *     past max_entries, every key deleted.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/socket.h>
#include <unistd.h>

#include "maps/map.h"
#include "maps_testutil.h"

#define THREADS 4
#define ROUNDS 5000

static struct bpfvm *vm;
static int sock_fd; /* a connected unix stream socket: sock_map takes it */

/* ---- SOCKMAP: one winner per round ------------------------------------- */

struct race {
	struct bpfvm_map *map;
	pthread_barrier_t *barrier;
	_Atomic unsigned *updates_won, *deletes_won;
};

static void *race_run(void *arg)
{
	struct race *r = arg;
	uint64_t fd = (uint64_t)sock_fd;
	uint32_t key = 0;

	for (int round = 0; round < ROUNDS; round++) {
		pthread_barrier_wait(r->barrier);
		if (!bpfvm_map_update(r->map, &key, &fd, BPF_NOEXIST))
			atomic_fetch_add(&r->updates_won[round], 1);
		pthread_barrier_wait(r->barrier);
		if (!bpfvm_map_delete(r->map, &key))
			atomic_fetch_add(&r->deletes_won[round], 1);
	}
	return NULL;
}

static void test_sockmap_slot_race(void)
{
	const char *t = "sockmap_slot_has_one_noexist_winner_and_one_delete_winner";
	static _Atomic unsigned updates_won[ROUNDS], deletes_won[ROUNDS];
	struct bpfvm_map *map = create_map(vm, BPF_MAP_TYPE_SOCKMAP, "race", 4, 8, 4, 0, NULL);
	pthread_t threads[THREADS];
	pthread_barrier_t barrier;
	struct race race = { map, &barrier, updates_won, deletes_won };
	unsigned bad = 0;

	if (!map)
		return;
	pthread_barrier_init(&barrier, NULL, THREADS);
	for (int i = 0; i < THREADS; i++)
		pthread_create(&threads[i], NULL, race_run, &race);
	for (int i = 0; i < THREADS; i++)
		pthread_join(threads[i], NULL);
	for (int round = 0; round < ROUNDS; round++)
		bad += updates_won[round] != 1 || deletes_won[round] != 1;
	testlib_check(t, bad == 0, "%u of %d rounds without exactly one winner each", bad, ROUNDS);
	pthread_barrier_destroy(&barrier);
	bpfvm_map_close(map);
}

/* ---- DEVMAP_HASH / SOCKHASH: readers beside writers --------------------- */

#define KEYS_PER_WRITER 16
#define STAYING_KEY 1000000u
#define NEVER_KEY 2000000u

struct hash_shared {
	struct bpfvm_map *map;
	const void *value; /* what every update stores */
	uint32_t expect;   /* the first 4 bytes a lookup gives back */
	_Atomic bool stop;
	_Atomic unsigned bad;
};

struct hash_writer {
	struct hash_shared *s;
	uint32_t id;
};

static void *hash_writer_run(void *arg)
{
	struct hash_writer *w = arg;

	for (int round = 0; round < ROUNDS; round++) {
		uint32_t key = w->id * KEYS_PER_WRITER + (uint32_t)round % KEYS_PER_WRITER;

		if (bpfvm_map_update(w->s->map, &key, w->s->value, BPF_ANY) ||
		    bpfvm_map_delete(w->s->map, &key))
			atomic_fetch_add(&w->s->bad, 1);
	}
	return NULL;
}

/* The user side, and for device maps the program side, finds the staying
 * key whole and never the key that never comes. */
static void *hash_reader_run(void *arg)
{
	struct hash_shared *s = arg;
	uint32_t staying = STAYING_KEY, never = NEVER_KEY;
	bool device = map_type(s->map) == BPF_MAP_TYPE_DEVMAP_HASH;
	uint64_t out;

	while (!atomic_load(&s->stop)) {
		const uint32_t *seen;

		out = 0;
		if (bpfvm_map_lookup(s->map, &staying, &out) || (uint32_t)out != s->expect ||
		    bpfvm_map_lookup(s->map, &never, &out) != -ENOENT)
			atomic_fetch_add(&s->bad, 1);
		if (!device)
			continue;
		seen = s->map->ops->bpf_lookup(s->map, &staying, 0);
		if (!seen || *seen != s->expect || s->map->ops->bpf_lookup(s->map, &never, 0))
			atomic_fetch_add(&s->bad, 1);
	}
	return NULL;
}

static void hash_hammer(const char *t, enum bpf_map_type type, const void *value,
			uint32_t expect)
{
	struct bpfvm_map *map = create_map(vm, type, "hammer", 4, 8,
					   THREADS * KEYS_PER_WRITER + 1, 0, NULL);
	struct hash_shared s = { .map = map, .value = value, .expect = expect };
	struct hash_writer writers[THREADS];
	pthread_t threads[THREADS], reader;
	uint32_t staying = STAYING_KEY;

	if (!map)
		return;
	testlib_check(t, !bpfvm_map_update(map, &staying, value, BPF_NOEXIST), "insert: %s",
		      bpfvm_errmsg());
	pthread_create(&reader, NULL, hash_reader_run, &s);
	for (uint32_t i = 0; i < THREADS; i++) {
		writers[i] = (struct hash_writer){ &s, i };
		pthread_create(&threads[i], NULL, hash_writer_run, &writers[i]);
	}
	for (int i = 0; i < THREADS; i++)
		pthread_join(threads[i], NULL);
	atomic_store(&s.stop, true);
	pthread_join(reader, NULL);
	testlib_check(t, s.bad == 0, "%u failed or wrong operations", s.bad);
	bpfvm_map_close(map);
}

/* ---- Many keys -------------------------------------------------------- */

static void many_keys(const char *t, enum bpf_map_type type, const void *value, uint32_t expect)
{
	const uint32_t max = 4096;
	struct bpfvm_map *map = create_map(vm, type, "many", 4, 8, max, 0, NULL);
	unsigned bad = 0;
	uint64_t out;

	if (!map)
		return;
	for (uint32_t key = 0; key < max; key++)
		bad += bpfvm_map_update(map, &(uint32_t){ key * 7919 }, value, BPF_NOEXIST) != 0;
	testlib_check(t, bad == 0, "%u of %u inserts failed", bad, max);
	testlib_check(t, bpfvm_map_update(map, &max, value, BPF_ANY) == -E2BIG,
		      "an insert into a full map: not -E2BIG");
	for (uint32_t key = 0; key < max; key++) {
		out = 0;
		bad += bpfvm_map_lookup(map, &(uint32_t){ key * 7919 }, &out) != 0 ||
		       (uint32_t)out != expect;
	}
	for (uint32_t key = 0; key < max; key++)
		bad += bpfvm_map_delete(map, &(uint32_t){ key * 7919 }) != 0;
	testlib_check(t, bad == 0, "%u lookups or deletes failed", bad);
	testlib_check(t, bpfvm_map_get_next_key(map, NULL, &out) == -ENOENT,
		      "keys left after deleting them all");
	bpfvm_map_close(map);
}

/* DEVMAP's program-side lookup: the slot's value while a device is there. */
static void test_devmap_program_lookup(void)
{
	const char *t = "devmap_program_lookup_gives_the_stored_ifindex_or_null";
	struct bpfvm_map *map = create_map(vm, BPF_MAP_TYPE_DEVMAP, "dev", 4, 8, 4, 0, NULL);
	uint32_t lo[2] = { 1, 0 }, none[2] = { 0, 0 }, key = 2;
	const uint32_t *seen;

	if (!map)
		return;
	testlib_check(t, map->ops->bpf_lookup(map, &key, 0) == NULL, "an empty slot is found");
	testlib_check(t, !bpfvm_map_update(map, &key, lo, BPF_ANY), "update: %s", bpfvm_errmsg());
	seen = map->ops->bpf_lookup(map, &key, 0);
	testlib_check(t, seen && seen[0] == 1 && seen[1] == 0, "lo is not found");
	testlib_check(t, !bpfvm_map_update(map, &key, none, BPF_ANY), "ifindex 0 refused");
	testlib_check(t, map->ops->bpf_lookup(map, &key, 0) == NULL, "an emptied slot is found");
	key = 4;
	testlib_check(t, map->ops->bpf_lookup(map, &key, 0) == NULL, "a key past the end");
	bpfvm_map_close(map);
}

static uint32_t socket_cookie(int fd)
{
	uint64_t cookie = 0;
	socklen_t len = sizeof(cookie);

	getsockopt(fd, SOL_SOCKET, SO_COOKIE, &cookie, &len);
	return (uint32_t)cookie;
}

int main(void)
{
	struct bpfvm_opts opts = { .sz = sizeof(opts), .nr_cpus = 2 };
	const uint32_t lo[2] = { 1, 0 }; /* struct bpf_devmap_val: lo, no program */
	uint64_t fd;
	int pair[2];

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, pair)) {
		perror("socketpair");
		return 1;
	}
	sock_fd = pair[0];
	fd = (uint64_t)sock_fd;
	if (bpfvm_create(&opts, &vm)) {
		printf("cannot create a runtime: %s\n", bpfvm_errmsg());
		return 1;
	}
	test_sockmap_slot_race();
	test_devmap_program_lookup();
	hash_hammer("devmap_hash_lookups_stay_whole_beside_inserts_and_deletes",
		    BPF_MAP_TYPE_DEVMAP_HASH, lo, 1);
	many_keys("devmap_hash_holds_max_entries_keys", BPF_MAP_TYPE_DEVMAP_HASH, lo, 1);
	/* A SOCKHASH lookup gives the socket's cookie (SO_COOKIE). */
	hash_hammer("sockhash_lookups_stay_whole_beside_inserts_and_deletes",
		    BPF_MAP_TYPE_SOCKHASH, &fd, socket_cookie(sock_fd));
	many_keys("sockhash_holds_max_entries_keys", BPF_MAP_TYPE_SOCKHASH, &fd,
		  socket_cookie(sock_fd));
	bpfvm_destroy(vm);
	close(pair[0]);
	close(pair[1]);
	return testlib_summary();
}
