/* Map values with a struct bpf_spin_lock (src/maps/map_value.h, the loader's
 * src/object/btf_spin_lock.c): which maps of an object keep the lock, what
 * BPF_F_LOCK does on each user-space operation, that copies never carry the
 * lock word, and that a program holding the lock and user-space BPF_F_LOCK
 * copies exclude each other (threads; never a torn pair).
 *
 * Objects: bpf/spin_lock.bpf.c, bpf/spin_lock_refused.bpf.c. The same
 * operations run on the kernel (libbpf, bpf()) when it is usable and their
 * logs must be equal; the error table is also checked against what Linux
 * 6.18 answered, so the test means something without bpf() too.
 *
 *     test_map_spin_lock OBJDIR */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bpfvm/bpfvm.h"
#include "maps/map.h"
#include "testlib.h"

#define VALUE_MAX 8192 /* per-CPU values of up to 341 CPUs */

struct pair {
	uint64_t a;
	uint32_t lock;
	uint32_t pad;
	uint64_t b;
};

/* One way to reach the maps and programs of an object: the kernel's (file
 * descriptors from libbpf) or bpfvm's. */
struct side {
	const char *name;
	bool kernel;
	struct bpf_object *kobj;
	struct bpfvm *vm;
	struct bpfvm_object *vobj;
	struct testlib_log log;
};

static const char *objdir;

static int side_open(struct side *s, const char *obj_name)
{
	char path[512];
	int err;

	snprintf(path, sizeof(path), "%s/%s.bpf.o", objdir, obj_name);
	if (s->kernel) {
		s->kobj = bpf_object__open_file(path, NULL);
		if (!s->kobj)
			return -errno;
		err = bpf_object__load(s->kobj);
		return err;
	}
	err = bpfvm_object_open(s->vm, path, NULL, &s->vobj);
	return err ? err : bpfvm_object_load(s->vobj);
}

static void side_close(struct side *s)
{
	if (s->kernel)
		bpf_object__close(s->kobj);
	else
		bpfvm_object_close(s->vobj);
	s->kobj = NULL;
	s->vobj = NULL;
}

static int side_fd(struct side *s, const char *map)
{
	return bpf_map__fd(bpf_object__find_map_by_name(s->kobj, map));
}

static struct bpfvm_map *side_map(struct side *s, const char *map)
{
	return bpfvm_object_find_map(s->vobj, map);
}

static int side_lookup(struct side *s, const char *map, uint32_t key, void *value,
		       uint64_t flags)
{
	if (s->kernel)
		return testlib_kernel_rc(
			bpf_map_lookup_elem_flags(side_fd(s, map), &key, value, flags));
	return bpfvm_map_lookup_flags(side_map(s, map), &key, value, flags);
}

static int side_update(struct side *s, const char *map, uint32_t key, const void *value,
		       uint64_t flags)
{
	if (s->kernel)
		return testlib_kernel_rc(bpf_map_update_elem(side_fd(s, map), &key, value, flags));
	return bpfvm_map_update(side_map(s, map), &key, value, flags);
}

static int side_lookup_and_delete(struct side *s, const char *map, uint32_t key, void *value,
				  uint64_t flags)
{
	if (s->kernel)
		return testlib_kernel_rc(bpf_map_lookup_and_delete_elem_flags(side_fd(s, map), &key,
									      value, flags));
	return bpfvm_map_lookup_and_delete_flags(side_map(s, map), &key, value, flags);
}

enum batch_op { BATCH_LOOKUP, BATCH_LOOKUP_AND_DELETE, BATCH_UPDATE, BATCH_DELETE };

static int side_batch(struct side *s, const char *map, enum batch_op op, uint32_t *keys,
		      void *values, uint32_t *count, uint64_t elem_flags)
{
	uint32_t out_batch;

	if (s->kernel) {
		LIBBPF_OPTS(bpf_map_batch_opts, opts, .elem_flags = elem_flags);
		int fd = side_fd(s, map);

		switch (op) {
		case BATCH_LOOKUP:
			return testlib_kernel_rc(bpf_map_lookup_batch(fd, NULL, &out_batch, keys,
								      values, count, &opts));
		case BATCH_LOOKUP_AND_DELETE:
			return testlib_kernel_rc(bpf_map_lookup_and_delete_batch(
				fd, NULL, &out_batch, keys, values, count, &opts));
		case BATCH_UPDATE:
			return testlib_kernel_rc(
				bpf_map_update_batch(fd, keys, values, count, &opts));
		default:
			return testlib_kernel_rc(bpf_map_delete_batch(fd, keys, count, &opts));
		}
	}
	struct bpfvm_map_batch_opts opts = { .sz = sizeof(opts), .elem_flags = elem_flags };
	struct bpfvm_map *m = side_map(s, map);

	switch (op) {
	case BATCH_LOOKUP:
		return bpfvm_map_lookup_batch(m, NULL, &out_batch, keys, values, count, &opts);
	case BATCH_LOOKUP_AND_DELETE:
		return bpfvm_map_lookup_and_delete_batch(m, NULL, &out_batch, keys, values, count,
							 &opts);
	case BATCH_UPDATE:
		return bpfvm_map_update_batch(m, keys, values, count, &opts);
	default:
		return bpfvm_map_delete_batch(m, keys, count, &opts);
	}
}

/* A test run of `prog` over a small packet; *retval gets its r0. */
static int side_run_retval(struct side *s, const char *prog, int repeat, uint32_t *retval)
{
	static const uint8_t packet[64] = { [12] = 0x08 };
	int err;

	if (s->kernel) {
		LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = packet,
			    .data_size_in = sizeof(packet), .repeat = repeat);
		struct bpf_program *p = bpf_object__find_program_by_name(s->kobj, prog);

		err = testlib_kernel_rc(bpf_prog_test_run_opts(bpf_program__fd(p), &opts));
		*retval = opts.retval;
		return err;
	}
	struct bpfvm_test_run_opts opts = { .sz = sizeof(opts), .data_in = packet,
					    .data_size_in = sizeof(packet), .repeat = repeat };

	err = bpfvm_prog_test_run(bpfvm_object_find_prog(s->vobj, prog), &opts);
	*retval = opts.retval;
	return err;
}

static int side_run(struct side *s, const char *prog, int repeat)
{
	uint32_t retval;

	return side_run_retval(s, prog, repeat, &retval);
}

/* ---- Which maps keep a lock ---------------------------------------------- */

struct lock_case {
	const char *map;
	int update, lookup; /* BPF_F_LOCK on key 0, as Linux 6.18 answers */
};

static const struct lock_case lock_cases[] = {
	{ "array_pair", 0, 0 },		/* the lock at offset 8 */
	{ "hash_pair", 0, 0 },
	{ "nested_lock", 0, 0 },	/* in a nested struct */
	{ ".bss", 0, 0 },		/* a global struct bpf_spin_lock */
	{ ".data.pair", 0, 0 },		/* a global struct holding one */
	{ "lru_pair", -EINVAL, -EINVAL },	/* -EOPNOTSUPP at creation: no BTF */
	{ "percpu_pair", -EINVAL, -EINVAL },
	{ "rdonly_pair", -EINVAL, -EINVAL },	/* -EACCES at creation: no BTF */
	{ "no_lock", -EINVAL, -EINVAL },
	{ "locks_in_array", -EINVAL, -EINVAL },
	{ "bare_lock", -EINVAL, -EINVAL },
};

static void scenario_which_maps_keep_a_lock(struct side *s)
{
	uint8_t value[VALUE_MAX] = { 0 };

	for (size_t i = 0; i < sizeof(lock_cases) / sizeof(lock_cases[0]); i++) {
		const struct lock_case *c = &lock_cases[i];
		int update = side_update(s, c->map, 0, value, BPF_F_LOCK);
		int lookup = side_lookup(s, c->map, 0, value, BPF_F_LOCK);
		char name[96];

		testlib_log(&s->log, "%s: update F_LOCK %d, lookup F_LOCK %d", c->map, update,
			    lookup);
		snprintf(name, sizeof(name), "f_lock_on_%s_is_%s",
			 c->map[0] == '.' ? "global_data" : c->map, c->update ? "einval" : "accepted");
		testlib_check(name, update == c->update && lookup == c->lookup,
			      "%s: update %d lookup %d, Linux gives %d %d", s->name, update, lookup,
			      c->update, c->lookup);
	}
}

/* bpfvm's region records the offsets the kernel's btf_record would hold. */
static void check_recorded_offsets(struct side *s)
{
	static const struct { const char *map; int32_t off; } offsets[] = {
		{ "array_pair", 8 }, { "hash_pair", 8 }, { "nested_lock", 8 }, { ".bss", 0 },
		{ ".data.pair", 8 },
		{ "lru_pair", -1 }, { "rdonly_pair", -1 }, { "no_lock", -1 }, { "bare_lock", -1 },
	};

	for (size_t i = 0; i < sizeof(offsets) / sizeof(offsets[0]); i++) {
		struct bpfvm_map *map = side_map(s, offsets[i].map);
		int32_t off = map ? map->region->spin_lock_off : -2;

		testlib_check("spin_lock_offset_comes_from_the_value_btf", off == offsets[i].off,
			      "%s: offset %d, expected %d", offsets[i].map, off, offsets[i].off);
	}
}

static bool object_has_note(struct bpfvm_object *obj, const char *words)
{
	for (size_t i = 0; i < bpfvm_object_note_cnt(obj); i++)
		if (strstr(bpfvm_object_note(obj, i), words))
			return true;
	return false;
}

/* ---- What BPF_F_LOCK does on each operation -------------------------------- */

static void log_pair(struct side *s, const char *what, int rc, const struct pair *p)
{
	testlib_log(&s->log, "%s -> %d: a %llu lock %u b %llu", what, rc, (unsigned long long)p->a,
		    p->lock, (unsigned long long)p->b);
}

/* Runs a batch of up to `count` elements and logs its result and count. */
static void log_batch(struct side *s, const char *label, const char *map, enum batch_op op,
		      uint32_t *keys, void *values, uint32_t count, uint64_t elem_flags)
{
	int rc = side_batch(s, map, op, keys, values, &count, elem_flags);

	testlib_log(&s->log, "%s -> %d count %u", label, rc, count);
}

static void scenario_array_operations(struct side *s)
{
	struct pair in = { .a = 1, .lock = 0xffffffff, .b = 2 }, out;
	uint32_t keys[2] = { 0, 1 };
	struct pair values[2] = { { 5, 0, 0, 5 }, { 6, 0, 0, 6 } };

	/* A plain update must not write the lock word: the F_LOCK lookup
	 * after it would wait forever. */
	testlib_log(&s->log, "plain update with a lock word of ones -> %d",
		    side_update(s, "array_pair", 0, &in, BPF_ANY));
	memset(&out, 0x55, sizeof(out));
	log_pair(s, "F_LOCK lookup", side_lookup(s, "array_pair", 0, &out, BPF_F_LOCK), &out);
	memset(&out, 0x55, sizeof(out));
	log_pair(s, "plain lookup", side_lookup(s, "array_pair", 0, &out, 0), &out);
	in.a = 3;
	testlib_log(&s->log, "F_LOCK|BPF_EXIST -> %d", side_update(s, "array_pair", 0, &in,
							    BPF_F_LOCK | BPF_EXIST));
	testlib_log(&s->log, "F_LOCK|BPF_NOEXIST -> %d", side_update(s, "array_pair", 0, &in,
							      BPF_F_LOCK | BPF_NOEXIST));
	testlib_log(&s->log, "F_LOCK|BPF_EXIST|BPF_NOEXIST -> %d",
		    side_update(s, "array_pair", 0, &in, BPF_F_LOCK | 3));
	testlib_log(&s->log, "F_LOCK|8 -> %d",
		    side_update(s, "array_pair", 0, &in, BPF_F_LOCK | 8));
	testlib_log(&s->log, "F_LOCK index 9 -> %d",
		    side_update(s, "array_pair", 9, &in, BPF_F_LOCK));
	testlib_log(&s->log, "lookup flags 8 -> %d", side_lookup(s, "array_pair", 0, &out, 8));
	testlib_log(&s->log, "F_LOCK lookup index 9 -> %d", side_lookup(s, "array_pair", 9, &out,
							         BPF_F_LOCK));
	testlib_log(&s->log, "F_LOCK lookup_and_delete -> %d",
		    side_lookup_and_delete(s, "array_pair", 0, &out, BPF_F_LOCK));
	memset(&out, 0x55, sizeof(out));
	log_pair(s, "after F_LOCK update", side_lookup(s, "array_pair", 0, &out, BPF_F_LOCK), &out);
	log_batch(s, "update_batch F_LOCK", "array_pair", BATCH_UPDATE, keys, values, 2,
		  BPF_F_LOCK);
	memset(values, 0x55, sizeof(values));
	log_batch(s, "lookup_batch F_LOCK", "array_pair", BATCH_LOOKUP, keys, values, 2,
		  BPF_F_LOCK);
	log_pair(s, "  element 1", 0, &values[1]);
	log_batch(s, "no_lock update_batch F_LOCK", "no_lock", BATCH_UPDATE, keys, values, 1,
		  BPF_F_LOCK);
	log_batch(s, "no_lock lookup_batch F_LOCK", "no_lock", BATCH_LOOKUP, keys, values, 1,
		  BPF_F_LOCK);
	log_batch(s, "lookup_batch elem_flags 8", "array_pair", BATCH_LOOKUP, keys, values, 1, 8);
}

static void scenario_hash_operations(struct side *s)
{
	struct pair in = { .a = 7, .lock = 0xffffffff, .b = 8 }, out;
	uint32_t keys[4] = { 1, 2, 3 };
	struct pair values[4] = { { 1, 0, 0, 1 }, { 2, 0, 0, 2 }, { 3, 0, 0, 3 } };

	testlib_log(&s->log, "F_LOCK|BPF_EXIST on a missing key -> %d",
		    side_update(s, "hash_pair", 9, &in, BPF_F_LOCK | BPF_EXIST));
	testlib_log(&s->log, "F_LOCK on a missing key inserts -> %d",
		    side_update(s, "hash_pair", 9, &in, BPF_F_LOCK));
	testlib_log(&s->log, "F_LOCK|BPF_NOEXIST on a present key -> %d",
		    side_update(s, "hash_pair", 9, &in, BPF_F_LOCK | BPF_NOEXIST));
	memset(&out, 0x55, sizeof(out));
	log_pair(s, "F_LOCK lookup", side_lookup(s, "hash_pair", 9, &out, BPF_F_LOCK), &out);
	in.a = 70;
	testlib_log(&s->log, "F_LOCK in place -> %d",
		    side_update(s, "hash_pair", 9, &in, BPF_F_LOCK));
	memset(&out, 0x55, sizeof(out));
	log_pair(s, "plain lookup", side_lookup(s, "hash_pair", 9, &out, 0), &out);
	testlib_log(&s->log, "F_LOCK lookup of a missing key -> %d",
		    side_lookup(s, "hash_pair", 5, &out, BPF_F_LOCK));
	testlib_log(&s->log, "lookup_and_delete F_LOCK|8 -> %d",
		    side_lookup_and_delete(s, "hash_pair", 9, &out, BPF_F_LOCK | 8));
	memset(&out, 0x55, sizeof(out));
	log_pair(s, "lookup_and_delete F_LOCK",
		 side_lookup_and_delete(s, "hash_pair", 9, &out, BPF_F_LOCK), &out);
	log_batch(s, "update_batch F_LOCK", "hash_pair", BATCH_UPDATE, keys, values, 3,
		  BPF_F_LOCK);
	log_batch(s, "delete_batch F_LOCK", "hash_pair", BATCH_DELETE, keys, NULL, 1, BPF_F_LOCK);
	memset(values, 0x55, sizeof(values));
	log_batch(s, "lookup_and_delete_batch F_LOCK", "hash_pair", BATCH_LOOKUP_AND_DELETE,
		  keys, values, 4, BPF_F_LOCK);
	/* In bucket order, which the hash seed makes differ from run to run. */
	if (values[0].a > values[1].a) {
		in = values[0];
		values[0] = values[1];
		values[1] = in;
	}
	log_pair(s, "  smaller", 0, &values[0]);
	log_pair(s, "  larger", 0, &values[1]);
	log_batch(s, "lru delete_batch F_LOCK", "lru_pair", BATCH_DELETE, keys, NULL, 1,
		  BPF_F_LOCK);
}

/* A plain update writes around the lock word; the program still locks. */
static void scenario_program_after_plain_update(struct side *s)
{
	struct pair in = { .a = 40, .lock = 0xffffffff, .b = 40 }, out;
	uint64_t bss[2];
	struct pair gpair;
	uint32_t retval;
	int rc;

	side_update(s, "array_pair", 0, &in, BPF_ANY);
	side_update(s, "hash_pair", 0, &in, BPF_ANY);
	testlib_log(&s->log, "run x3 -> %d", side_run(s, "pair_increment", 3));
	rc = side_run_retval(s, "update_with_f_lock", 1, &retval);
	testlib_log(&s->log, "a program's F_LOCK updates -> %d: retval 0x%x", rc, retval);
	log_pair(s, "array_pair", side_lookup(s, "array_pair", 1, &out, 0), &out);
	log_pair(s, "array_pair", side_lookup(s, "array_pair", 0, &out, BPF_F_LOCK), &out);
	log_pair(s, "hash_pair", side_lookup(s, "hash_pair", 0, &out, BPF_F_LOCK), &out);
	memset(bss, 0x55, sizeof(bss));
	rc = side_lookup(s, ".bss", 0, bss, 0);
	testlib_log(&s->log, ".bss -> %d: lock word %llx gcounter %llu", rc,
		    (unsigned long long)bss[0], (unsigned long long)bss[1]);
	log_pair(s, "gpair", side_lookup(s, ".data.pair", 0, &gpair, BPF_F_LOCK), &gpair);
}

/* ---- A program and user space, concurrently -------------------------------- */

#define RACE_REPEAT 100
#define RACE_LOOKUPS 40000
#define RACE_MIN_OTHERS 20000 /* program runs and updates during the lookups */

/* Programs and F_LOCK updates go on until the lookups are done. */
struct race {
	struct side *side;
	_Atomic int stop;
	int run_err, lookup_err, update_err;
	_Atomic unsigned long runs, updates;
	unsigned long torn[2], lookups;
};

static void *race_programs(void *arg)
{
	struct race *r = arg;

	while (!atomic_load(&r->stop) && !r->run_err) {
		r->run_err = side_run(r->side, "pair_increment", RACE_REPEAT);
		r->runs += RACE_REPEAT;
	}
	return NULL;
}

/* F_LOCK updates set a == b to a new value each time. */
static void *race_updates(void *arg)
{
	struct race *r = arg;
	const char *maps[2] = { "array_pair", "hash_pair" };

	for (uint64_t n = 1; !atomic_load(&r->stop) && !r->update_err; n++) {
		struct pair p = { .a = n << 32, .b = n << 32 };

		r->update_err = side_update(r->side, maps[n & 1], 0, &p, BPF_F_LOCK);
		r->updates++;
	}
	return NULL;
}

static void race_lookups(struct race *r)
{
	const char *maps[2] = { "array_pair", "hash_pair" };

	for (unsigned long i = 0; i < RACE_LOOKUPS || r->runs < RACE_MIN_OTHERS ||
				  r->updates < RACE_MIN_OTHERS; i++) {
		struct pair p;

		if (r->run_err || r->update_err)
			break;
		int err = side_lookup(r->side, maps[i & 1], 0, &p, BPF_F_LOCK);

		if (err && !r->lookup_err)
			r->lookup_err = err;
		r->torn[i & 1] += !err && p.a != p.b;
		r->lookups++;
	}
	atomic_store(&r->stop, 1);
}

static void scenario_race(struct side *s)
{
	struct race r = { .side = s };
	struct pair zero = { 0 }, last[2];
	pthread_t programs, updates;

	side_update(s, "array_pair", 0, &zero, BPF_ANY);
	side_update(s, "hash_pair", 0, &zero, BPF_ANY);
	pthread_create(&programs, NULL, race_programs, &r);
	pthread_create(&updates, NULL, race_updates, &r);
	race_lookups(&r);
	pthread_join(programs, NULL);
	pthread_join(updates, NULL);
	side_lookup(s, "array_pair", 0, &last[0], BPF_F_LOCK);
	side_lookup(s, "hash_pair", 0, &last[1], BPF_F_LOCK);
	printf("  %s: %lu F_LOCK lookups, %lu F_LOCK updates, %lu program runs\n", s->name,
	       r.lookups, r.updates, r.runs);
	testlib_check("program_and_f_lock_updates_and_lookups_all_succeed",
		      !r.run_err && !r.lookup_err && !r.update_err,
		      "%s: run %d, lookup %d, update %d", s->name, r.run_err, r.lookup_err,
		      r.update_err);
	testlib_check("f_lock_lookups_never_see_a_torn_pair_in_an_array", r.torn[0] == 0,
		      "%s: %lu torn pairs", s->name, r.torn[0]);
	testlib_check("f_lock_lookups_never_see_a_torn_pair_in_a_hash", r.torn[1] == 0,
		      "%s: %lu torn pairs", s->name, r.torn[1]);
	testlib_check("the_pairs_end_equal", last[0].a == last[0].b && last[1].a == last[1].b,
		      "%s: array %llu/%llu hash %llu/%llu", s->name,
		      (unsigned long long)last[0].a, (unsigned long long)last[0].b,
		      (unsigned long long)last[1].a, (unsigned long long)last[1].b);
}

/* ---- The object whose BTF the kernel refuses ------------------------------- */

static void scenario_refused_btf(struct side *s)
{
	struct pair p = { 0 };

	int update = side_update(s, "pair", 0, &p, BPF_F_LOCK);
	int lookup = side_lookup(s, "pair", 0, &p, BPF_F_LOCK);

	testlib_log(&s->log, "pair: update F_LOCK %d, lookup F_LOCK %d", update, lookup);
	testlib_log(&s->log, "two: lookup F_LOCK %d", side_lookup(s, "two", 0, &p, BPF_F_LOCK));
}

/* ---- Creating maps with a lock directly (map_attr) ------------------------- */

static int create_locked(struct bpfvm *vm, uint32_t type, uint32_t flags, uint32_t off,
			 const struct bpfvm_map *inner, struct bpfvm_map **map)
{
	struct map_attr attr = { .type = type, .key_size = 4, .value_size = 24, .max_entries = 2,
				 .map_flags = flags, .nr_cpus = 2, .name = "locked",
				 .has_spin_lock = true, .spin_lock_off = off, .inner_map = inner };

	*map = NULL;
	return map_create(vm, &attr, map);
}

/* map_check_btf's answers, which libbpf turns into a retry without BTF
 * (observed on Linux 6.18: -EOPNOTSUPP for LRU_HASH and PERCPU_ARRAY,
 * -EACCES for BPF_F_RDONLY_PROG). */
static void test_map_create_rules(struct bpfvm *vm)
{
	struct bpfvm_map *map, *plain, *outer;
	uint32_t key = 0, id;
	int err;

	err = create_locked(vm, BPF_MAP_TYPE_LRU_HASH, 0, 8, NULL, &map);
	testlib_check("a_lock_in_an_lru_hash_is_eopnotsupp", err == -EOPNOTSUPP, "error %d", err);
	err = create_locked(vm, BPF_MAP_TYPE_PERCPU_ARRAY, 0, 8, NULL, &map);
	testlib_check("a_lock_in_a_percpu_array_is_eopnotsupp", err == -EOPNOTSUPP, "error %d",
		      err);
	err = create_locked(vm, BPF_MAP_TYPE_ARRAY, BPF_F_RDONLY_PROG, 8, NULL, &map);
	testlib_check("a_lock_in_a_map_read_only_to_programs_is_eacces", err == -EACCES,
		      "error %d", err);
	err = create_locked(vm, BPF_MAP_TYPE_ARRAY, 0, 6, NULL, &map);
	testlib_check("a_misaligned_lock_is_einval", err == -EINVAL, "error %d", err);
	err = create_locked(vm, BPF_MAP_TYPE_ARRAY, 0, 24, NULL, &map);
	testlib_check("a_lock_past_the_value_is_einval", err == -EINVAL, "error %d", err);

	/* btf_record_equal: an inner map must have the template's lock. */
	err = create_locked(vm, BPF_MAP_TYPE_ARRAY, 0, 8, NULL, &map);
	err = err ? err : bpfvm_map_create(vm, BPF_MAP_TYPE_ARRAY, "plain", 4, 24, 2, NULL, &plain);
	if (err) {
		testlib_check("create_maps_with_and_without_a_lock", false, "error %d %s", err,
			      bpfvm_errmsg());
		return;
	}
	struct bpfvm_map_create_opts opts = { .sz = sizeof(opts), .inner_map = map };

	err = bpfvm_map_create(vm, BPF_MAP_TYPE_ARRAY_OF_MAPS, "outer", 4, 4, 1, &opts, &outer);
	id = map->region->id;
	err = err ? err : bpfvm_map_update(outer, &key, &id, BPF_ANY);
	testlib_check("an_inner_map_with_the_templates_lock_goes_in", err == 0, "error %d %s", err,
		      bpfvm_errmsg());
	id = plain->region->id;
	err = bpfvm_map_update(outer, &key, &id, BPF_ANY);
	testlib_check("an_inner_map_without_the_templates_lock_is_einval",
		      err == -EINVAL && strstr(bpfvm_errmsg(), "bpf_spin_lock"), "error %d %s", err,
		      bpfvm_errmsg());
	bpfvm_map_close(outer);
	bpfvm_map_close(plain);
	bpfvm_map_close(map);
}

/* ---- Driver ---------------------------------------------------------------- */

typedef void (*scenario_fn)(struct side *s);

/* Runs one scenario on a fresh load of `obj` on each side. */
static void run_scenario(const char *name, const char *obj, scenario_fn fn, struct side *kernel,
			 struct side *vm)
{
	struct side *sides[2] = { vm, kernel };

	for (int i = 0; i < 2; i++) {
		struct side *s = sides[i];
		int err;

		if (!s)
			continue;
		s->log.lines = 0;
		err = side_open(s, obj);
		if (err) {
			testlib_check(name, false, "%s: %s does not load: %d %s", s->name, obj, err,
				      s->kernel ? "" : bpfvm_errmsg());
			side_close(s);
			return;
		}
		fn(s);
		if (!s->kernel && strcmp(name, "which_maps_keep_a_lock") == 0)
			check_recorded_offsets(s);
		if (!s->kernel && strcmp(name, "refused_btf") == 0)
			testlib_check("a_refused_btf_leaves_a_note",
				      object_has_note(s->vobj, "refuse the object's BTF"),
				      "no note says so");
		side_close(s);
	}
	if (kernel)
		testlib_logs_compare(name, &kernel->log, &vm->log);
	if (getenv("SPIN_LOCK_LOG"))
		testlib_log_print(&vm->log);
}

int main(int argc, char **argv)
{
	static struct side kernel = { .name = "kernel", .kernel = true };
	static struct side vm = { .name = "bpfvm" };
	struct side *kernel_side = NULL;
	struct bpfvm_opts opts = { .sz = sizeof(opts), .nr_cpus = 2 };

	if (argc != 2) {
		fprintf(stderr, "usage: %s OBJDIR\n", argv[0]);
		return 2;
	}
	objdir = argv[1];
	libbpf_set_print(NULL);
	if (testlib_kernel_usable())
		kernel_side = &kernel;
	else
		printf("SKIP (kernel part): bpf() is not usable here (%s)\n", strerror(errno));
	if (bpfvm_create(&opts, &vm.vm)) {
		fprintf(stderr, "cannot create a runtime: %s\n", bpfvm_errmsg());
		return 2;
	}
	run_scenario("which_maps_keep_a_lock", "spin_lock", scenario_which_maps_keep_a_lock,
		     kernel_side, &vm);
	run_scenario("array_f_lock_operations", "spin_lock", scenario_array_operations,
		     kernel_side, &vm);
	run_scenario("hash_f_lock_operations", "spin_lock", scenario_hash_operations,
		     kernel_side, &vm);
	run_scenario("programs_lock_after_a_plain_update", "spin_lock",
		     scenario_program_after_plain_update, kernel_side, &vm);
	run_scenario("refused_btf", "spin_lock_refused", scenario_refused_btf, kernel_side, &vm);
	run_scenario("program_and_user_space_race", "spin_lock", scenario_race, kernel_side, &vm);
	test_map_create_rules(vm.vm);
	bpfvm_destroy(vm.vm);
	return testlib_summary();
}
