/* Map values with a struct bpf_spin_lock (tests/maps/test_map_spin_lock.c):
 * where the kernel finds the lock, which maps keep it, and a program that
 * increments two fields under it while user space reads and writes the
 * pair with BPF_F_LOCK. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

/* The lock between the two fields, at offset 8. */
struct pair {
	__u64 a;
	struct bpf_spin_lock lock;
	__u64 b;
};

/* A lock inside a nested struct, at offset 8 of the value. */
struct nested {
	__u32 x;
	struct {
		__u32 y;
		struct bpf_spin_lock lock;
	} in;
};

struct plain {
	__u64 a;
	__u64 b;
};

/* Two locks in an array: the kernel keeps none. */
struct lock_array {
	struct bpf_spin_lock locks[2];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, struct pair);
} array_pair SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, struct pair);
} hash_pair SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct nested);
} nested_lock SEC(".maps");

/* The kernel refuses a lock in these: libbpf creates them without BTF. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, struct pair);
} lru_pair SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct pair);
} percpu_pair SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__uint(map_flags, BPF_F_RDONLY_PROG);
	__type(key, __u32);
	__type(value, struct pair);
} rdonly_pair SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct plain);
} no_lock SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct lock_array);
} locks_in_array SEC(".maps");

/* The value is the lock itself: its members hold no lock. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct bpf_spin_lock);
} bare_lock SEC(".maps");

/* Global data: the .bss map's value holds glock (clang places it first,
 * at offset 0); the ".data.pair" map's holds gpair's lock, at offset 8. */
__u64 gcounter;
struct bpf_spin_lock glock;
struct pair gpair SEC(".data.pair") = { .a = 1, .b = 1 };

/* a, then some work, then b: a reader that does not hold the lock has a
 * window to see them differ. The work reads a through volatile loads, which
 * the compiler keeps between the two volatile stores. */
static __always_inline void pair_bump(struct pair *p)
{
	volatile __u64 *a = &p->a, *b = &p->b;
	__u64 t;

	bpf_spin_lock(&p->lock);
	*a += 1;
	t = 0;
#pragma unroll
	for (int i = 0; i < 32; i++)
		t = t * t + *a;
	*b += 1 + (t == 0x123456789abcdefull);
	bpf_spin_unlock(&p->lock);
}

SEC("tc")
int pair_increment(struct __sk_buff *skb)
{
	struct pair *p, zero = {};
	__u32 key = 0;

	p = bpf_map_lookup_elem(&array_pair, &key);
	if (p)
		pair_bump(p);
	p = bpf_map_lookup_elem(&hash_pair, &key);
	if (!p) {
		bpf_map_update_elem(&hash_pair, &key, &zero, BPF_NOEXIST);
		p = bpf_map_lookup_elem(&hash_pair, &key);
	}
	if (p)
		pair_bump(p);
	bpf_spin_lock(&glock);
	gcounter++;
	bpf_spin_unlock(&glock);
	pair_bump(&gpair);
	return 0;
}

/* bpf_map_update_elem with BPF_F_LOCK from a program: as from user space,
 * -EINVAL without a lock. Returns the two results' errno, a byte each. */
SEC("tc")
int update_with_f_lock(struct __sk_buff *skb)
{
	struct pair value = { .a = 11, .b = 12 };
	struct plain other = { 1, 2 };
	__u32 key = 1;
	long locked, unlocked;

	locked = bpf_map_update_elem(&array_pair, &key, &value, BPF_F_LOCK);
	key = 0;
	unlocked = bpf_map_update_elem(&no_lock, &key, &other, BPF_F_LOCK);
	return (-locked & 0xff) | (-unlocked & 0xff) << 8;
}

char LICENSE[] SEC("license") = "GPL";
