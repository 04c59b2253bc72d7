/* Global data as kernel selftests' test_global_data.c uses it: .bss, .data,
 * .rodata (const volatile configuration a loader may set before load),
 * strings in .rodata.str1.1, structs and arrays, and custom sections
 * .data.<name> / .rodata.<name> (libbpf >= 0.6). Each program writes what
 * it reads over the packet, so data_out shows it. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct foo {
	__u8 a;
	__u32 b;
	__u64 c;
};

/* .bss */
static __u64 bss_counter;
__u32 bss_array[4];
struct foo bss_struct;

/* .data */
__u64 data_num = 0xfeedbeefcafe0001ull;
struct foo data_struct = { .a = 42, .b = 0xfefeefef, .c = 0x1111111111111111ull };
__u16 data_array[3] = { 0x0102, 0x0304, 0x0506 };

/* .rodata */
const volatile __u32 cfg_magic = 0x11223344;
const volatile __u8 cfg_enabled = 1;
const struct foo ro_struct = { .a = 7, .b = 0x77777777, .c = 0x7070707070707070ull };
static const char ro_string[] = "abcdefghijklmnopqrstuvwxyz";

/* custom sections */
__u32 custom_data SEC(".data.custom") = 0xc0ffee;
const volatile __u32 custom_ro SEC(".rodata.custom") = 0xbadcafe;

#define PUT(off, val)                                                         \
	do {                                                                  \
		__typeof__((val) + 0) v_ = (val);                             \
		if (data + (off) + sizeof(v_) > data_end)                     \
			return XDP_ABORTED;                                   \
		__builtin_memcpy(data + (off), &v_, sizeof(v_));              \
	} while (0)
#define PUT_OBJ(off, obj)                                                     \
	do {                                                                  \
		if (data + (off) + sizeof(obj) > data_end)                    \
			return XDP_ABORTED;                                   \
		__builtin_memcpy(data + (off), (const void *)&(obj), sizeof(obj)); \
	} while (0)

SEC("xdp")
int global_data_read(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	__u64 counter;

	bss_counter += 3;
	bss_array[2] = 0xabcd;
	bss_struct.b = 0x1234;
	counter = bss_counter;

	PUT(0, counter);
	PUT(8, data_num);
	PUT_OBJ(16, data_struct);
	PUT_OBJ(32, data_array);
	PUT(38, bss_array[2]);
	PUT(42, bss_struct.b);
	if (!cfg_enabled)
		return XDP_DROP;
	PUT(46, cfg_magic);
	PUT(50, ro_struct.c);
	return XDP_PASS;
}

SEC("xdp")
int global_strings(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	char local[8];

	__builtin_memcpy(local, &ro_string[10], sizeof(local));
	PUT_OBJ(0, local);
	PUT(8, custom_data);
	PUT(12, custom_ro);
	custom_data++;
	return XDP_PASS + (custom_data & 1) * 0;
}

/* Global data written in one run is seen by the next (repeat). */
SEC("tc")
int global_counter(struct __sk_buff *skb)
{
	data_array[0]++;
	__sync_fetch_and_add(&bss_counter, 2);
	return data_array[0] * 1000 + bss_counter;
}

char _license[] SEC("license") = "GPL";
