/* Iterators over a map's elements: their key (read-only) and value buffers,
 * sized by the map given at attach, unknown at load (test_iter_buffers.c).
 * Each program is loaded alone (SEC("?...") leaves autoload off). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct seq_file;

struct bpf_iter_meta {
	struct seq_file *seq;
	__u64 session_id;
	__u64 seq_num;
};

struct bpf_iter__bpf_map_elem {
	struct bpf_iter_meta *meta;
	struct bpf_map *map;
	void *key;
	void *value;
};

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u64[2]);
} copy SEC(".maps");

SEC("?iter/bpf_map_elem")
int iter_ok(struct bpf_iter__bpf_map_elem *ctx)
{
	__u32 *key = ctx->key;
	__u64 *value = ctx->value;

	if (!key || !value)
		return 0;
	value[1] += *key;
	bpf_map_update_elem(&copy, &(__u32){ 0 }, value, BPF_ANY);
	return 0;
}

/* A map key argument is no MEM_RDONLY argument: the key cannot be one. */
SEC("?iter/bpf_map_elem")
int iter_key_to_a_map_helper(struct bpf_iter__bpf_map_elem *ctx)
{
	__u32 *key = ctx->key;
	__u64 *value = ctx->value;

	if (!key || !value)
		return 0;
	bpf_map_update_elem(&copy, key, value, BPF_ANY);
	return 0;
}

SEC("?iter/bpf_map_elem")
int iter_far(struct bpf_iter__bpf_map_elem *ctx)
{
	__u32 *key = ctx->key;
	__u8 *value = ctx->value;

	if (!key || !value)
		return 0;
	value[4095] = (__u8)key[5];
	return 0;
}

SEC("?iter/bpf_map_elem")
int iter_key_written(struct bpf_iter__bpf_map_elem *ctx)
{
	__u32 *key = ctx->key;

	if (key)
		*key = 1;
	return 0;
}

SEC("?iter/bpf_map_elem")
int iter_key_unchecked(struct bpf_iter__bpf_map_elem *ctx)
{
	__u32 *key = ctx->key;

	return *key == 1;
}

SEC("?iter/bpf_map_elem")
int iter_value_before(struct bpf_iter__bpf_map_elem *ctx)
{
	volatile __u8 *value = ctx->value;

	if (value)
		value[-1] = 0;
	return 0;
}

SEC("?iter/bpf_map_elem")
int iter_value_variable(struct bpf_iter__bpf_map_elem *ctx)
{
	__u32 *key = ctx->key;
	__u8 *value = ctx->value;

	if (!key || !value)
		return 0;
	value[*key & 7] = 1;
	return 0;
}
