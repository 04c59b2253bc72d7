/* Test runs: every program type's BPF_PROG_TEST_RUN in bpfvm gives what the
 * running kernel gives for the same program and input: error code, return
 * value, data_out (size and bytes) and ctx_out.
 *
 * - Reading every context field: for each __sk_buff type, programs are
 *   generated that read each field the type may read, at every size and
 *   offset the kernel accepts, and store the values in cb[] (ctx_out shows
 *   them), over several packets and with and without a ctx_in.
 * - Writing the writable fields, the packet helpers, the checksum helpers,
 *   ld_abs / ld_ind, XDP head/meta/tail adjustments, raw tracepoint
 *   arguments, repeats (nothing is reset between them), and the error paths
 *   of each test run.
 * Without bpf() the test prints SKIP and exits 77. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "engine/prog.h"
#include "kernel_oracle.h"
#include "progtypes/progtype.h"
#include "testlib.h"

static struct bpfvm *vm;

/* ---- Packets and contexts -------------------------------------------- */

static uint8_t pkt_ipv4[64] = {
	0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 1, 0x08, 0x00,		  /* Ethernet, to us */
	0x45, 0, 0, 50, 0, 1, 0, 0, 64, 17, 0x66, 0x55,		  /* IPv4, UDP */
	10, 0, 0, 1, 10, 0, 0, 2,				  /* saddr, daddr */
	0x30, 0x39, 0x00, 0x35, 0, 30, 0xab, 0xcd,		  /* UDP 12345 -> 53 */
	'p', 'a', 'y', 'l', 'o', 'a', 'd', 1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
};
static uint8_t pkt_ipv6[80] = {
	2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x86, 0xdd,		  /* to another host */
	0x60, 0, 0, 0, 0, 26, 17, 64,				  /* IPv6, UDP */
	0xfe, 0x80, [38] = 1,					  /* saddr fe80::1 */
	0xfe, 0x80, [54] = 2,					  /* daddr fe80::2 */
	0x30, 0x39, 0x00, 0x35, 0, 26, 0, 0, 'x',
};
static uint8_t pkt_arp_broadcast[42] = {
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 2, 0, 0, 0, 0, 1, 0x08, 0x06, 0, 1, 8, 0, 6, 4, 0, 1,
};
static uint8_t pkt_llc_min[14] = { 1, 0, 0x5e, 0, 0, 1, 2, 0, 0, 0, 0, 1, 0x00, 0x20 };
static uint8_t pkt_udp_nocsum[64];

struct packet {
	const char *name;
	const uint8_t *bytes;
	uint32_t len;
};

static const struct packet packets[] = {
	{ "ipv4", pkt_ipv4, sizeof(pkt_ipv4) },
	{ "ipv6", pkt_ipv6, sizeof(pkt_ipv6) },
	{ "arp_broadcast", pkt_arp_broadcast, sizeof(pkt_arp_broadcast) },
	{ "llc_14_bytes", pkt_llc_min, sizeof(pkt_llc_min) },
};

/* Every field a ctx_in may set, set. */
static struct __sk_buff skb_ctx_full(void)
{
	return (struct __sk_buff){
		.mark = 0x11, .priority = 0x22, .ingress_ifindex = 3, .ifindex = 1,
		.cb = { 1, 2, 3, 4, 5 }, .tstamp = 0x1234567890ull, .wire_len = 1000,
		.gso_segs = 2, .gso_size = 0x10578, .hwtstamp = 0x99,
	};
}

static void run_case(const struct oracle_case *c)
{
	static struct oracle_result kernel, bpfvm;

	if (oracle_run_kernel(c, &kernel) || oracle_run_bpfvm(vm, c, &bpfvm))
		return;
	oracle_compare(c, &kernel, &bpfvm);
}

/* ---- Reading every field of __sk_buff -------------------------------- */

struct skb_type {
	enum bpf_prog_type type;
	enum bpf_attach_type attach;
	const char *name;
};

static const struct skb_type skb_types[] = {
	{ BPF_PROG_TYPE_SOCKET_FILTER, 0, "socket_filter" },
	{ BPF_PROG_TYPE_SCHED_CLS, 0, "sched_cls" },
	{ BPF_PROG_TYPE_SCHED_ACT, 0, "sched_act" },
	{ BPF_PROG_TYPE_CGROUP_SKB, BPF_CGROUP_INET_EGRESS, "cgroup_skb" },
};

/* The scalar reads a type may make: (offset, size) pairs. */
static size_t skb_readable(const struct skb_type *t, int offs[], int sizes[])
{
	struct bpfvm_prog prog = { .name = (char *)"fields", .type = t->type,
				   .expected_attach_type = t->attach };
	const struct progtype *pt = progtype_for(t->type);
	size_t n = 0;

	for (int off = 0; off < (int)sizeof(struct __sk_buff); off++) {
		for (int size = 1; size <= 8; size *= 2) {
			struct ctx_rewrite rw;

			if (pt->ctx_access(&prog, off, (uint32_t)size, false, &rw) ||
			    rw.kind != CTX_FIELD_SCALAR)
				continue;
			offs[n] = off;
			sizes[n++] = size;
		}
	}
	return n;
}

static const char *size_name(int size)
{
	return size == 1 ? "u8" : size == 2 ? "u16" : size == 4 ? "u32" : "u64";
}

/* Reads `count` fields into cb[0..count-1]; the last one is also r0 (0 for
 * cgroup skb programs, which must return 0 or 1). */
static void skb_fields_program(const struct skb_type *t, const int offs[], const int sizes[],
			       size_t count, char *text, size_t text_size)
{
	size_t len = (size_t)snprintf(text, text_size, "r6 = r1\nr0 = 0\n");

	for (size_t i = 0; i < count; i++)
		len += (size_t)snprintf(text + len, text_size - len,
					"r0 = *(%s *)(r6 %+d)\n*(u32 *)(r6 %+d) = r0\n",
					size_name(sizes[i]), offs[i], 48 + 4 * (int)i);
	if (t->type == BPF_PROG_TYPE_CGROUP_SKB)
		len += (size_t)snprintf(text + len, text_size - len, "r0 = 1\n");
	snprintf(text + len, text_size - len, "exit\n");
}

static void test_skb_fields(const struct skb_type *t)
{
	int offs[1024], sizes[1024];
	size_t n = skb_readable(t, offs, sizes);
	struct __sk_buff full = skb_ctx_full();
	char text[2048], name[128];

	for (size_t first = 0; first < n; first += 5) {
		size_t count = n - first < 5 ? n - first : 5;

		skb_fields_program(t, offs + first, sizes + first, count, text, sizeof(text));
		for (size_t p = 0; p < sizeof(packets) / sizeof(packets[0]); p++) {
			for (int with_ctx = 0; with_ctx <= 1; with_ctx++) {
				struct oracle_case c = {
					.name = name, .type = t->type, .attach = t->attach,
					.text = text, .data_in = packets[p].bytes,
					.data_size_in = packets[p].len,
					.ctx_in = with_ctx ? &full : NULL,
					.ctx_size_in = with_ctx ? sizeof(full) : 0,
					.want_ctx_out = true,
					.ctx_size_out = sizeof(struct __sk_buff),
				};

				snprintf(name, sizeof(name),
					 "%s_reads_fields_as_the_kernel(%s at %d.., %s%s)", t->name,
					 size_name(sizes[first]), offs[first], packets[p].name,
					 with_ctx ? ", ctx_in" : "");
				/* Without ctx_in the kernel gives no ctx_out: ask the
				 * fields through r0 and the packet only. */
				if (!with_ctx)
					c.want_ctx_out = false;
				run_case(&c);
			}
		}
	}
}

/* ---- Hand-written __sk_buff programs --------------------------------- */

static const char *tc_writes =
	"r6 = r1\n"
	"r2 = 0x12345\n"
	"*(u32 *)(r6 +8) = r2\n"	  /* mark */
	"*(u32 *)(r6 +32) = r2\n"	  /* priority */
	"*(u32 *)(r6 +44) = r2\n"	  /* tc_index: u16 */
	"*(u32 *)(r6 +72) = r2\n"	  /* tc_classid: u16 */
	"r3 = 7\n"
	"*(u32 *)(r6 +12) = r3\n"	  /* queue_mapping */
	"r3 = 0x55\n"
	"*(u8 *)(r6 +49) = r3\n"	  /* cb[0] byte 1 */
	"*(u16 *)(r6 +54) = r3\n"	  /* cb[1] high half */
	"r4 = 0x1122334455667788 ll\n"
	"*(u64 *)(r6 +56) = r4\n"	  /* cb[2..3] */
	"*(u64 *)(r6 +152) = r4\n"	  /* tstamp */
	"r2 = *(u32 *)(r6 +44)\n"
	"*(u32 *)(r6 +64) = r2\n"	  /* cb[4] = tc_index */
	"r0 = *(u32 *)(r6 +72)\n"
	"r2 = *(u32 *)(r6 +12)\n"
	"r2 <<= 20\n"
	"r0 |= r2\n"
	"exit\n";

static const char *cgroup_writes =
	"r6 = r1\n"
	"r2 = 0xabcdef\n"
	"*(u32 *)(r6 +8) = r2\n"
	"*(u32 *)(r6 +32) = r2\n"
	"r4 = 0x1122334455667788 ll\n"
	"*(u64 *)(r6 +152) = r4\n"
	"*(u64 *)(r6 +48) = r4\n"
	"*(u16 *)(r6 +66) = r2\n"
	"r0 = 1\n"
	"exit\n";

static const char *socket_writes =
	"r6 = r1\n"
	"r2 = 0xabcdef\n"
	"*(u32 *)(r6 +48) = r2\n"
	"*(u8 *)(r6 +53) = r2\n"
	"r4 = 0x1122334455667788 ll\n"
	"*(u64 *)(r6 +56) = r4\n"
	"r0 = *(u32 *)(r6 +0)\n"
	"exit\n";

/* Each run adds one to mark: a repeat sees the previous run's skb. */
static const char *mark_increment =
	"r6 = r1\n"
	"r2 = *(u32 *)(r6 +8)\n"
	"r2 += 1\n"
	"*(u32 *)(r6 +8) = r2\n"
	"r0 = r2\n"
	"exit\n";

/* Packet access through data / data_end: tc writes, cgroup reads. */
static const char *tc_direct_packet =
	"r6 = r1\n"
	"r2 = *(u32 *)(r6 +76)\n"
	"r3 = *(u32 *)(r6 +80)\n"
	"r4 = *(u32 *)(r6 +140)\n"
	"r0 = 0\n"
	"if r4 != r2 goto out\n"
	"r5 = r2\n"
	"r5 += 16\n"
	"if r5 > r3 goto out\n"
	"r0 = *(u32 *)(r2 +12)\n"
	"r7 = 0x77\n"
	"*(u8 *)(r2 +15) = r7\n"
	"r3 -= r2\n"
	"*(u32 *)(r6 +48) = r3\n"
	"out:\n"
	"exit\n";

static const char *cgroup_direct_packet =
	"r6 = r1\n"
	"r2 = *(u32 *)(r6 +76)\n"
	"r3 = *(u32 *)(r6 +80)\n"
	"r5 = r2\n"
	"r5 += 8\n"
	"if r5 > r3 goto out\n"
	"r0 = *(u32 *)(r2 +0)\n"
	"*(u32 *)(r6 +48) = r0\n"
	"r3 -= r2\n"
	"*(u32 *)(r6 +52) = r3\n"
	"out:\n"
	"r0 = 1\n"
	"exit\n";

static const char *skb_load_store =
	"r6 = r1\n"
	"r1 = r6\n"
	"r2 = 12\n"
	"r3 = r10\n"
	"r3 += -8\n"
	"r4 = 4\n"
	"call 26\n"			  /* skb_load_bytes(12, 4) */
	"*(u32 *)(r6 +48) = r0\n"
	"r2 = *(u32 *)(r10 -8)\n"
	"*(u32 *)(r6 +52) = r2\n"
	"r1 = r6\n"
	"r2 = *(u32 *)(r6 +0)\n"
	"r2 += -2\n"
	"r3 = r10\n"
	"r3 += -8\n"
	"r4 = 4\n"
	"call 26\n"			  /* past the end: -EFAULT, zeroed */
	"*(u32 *)(r6 +56) = r0\n"
	"r2 = *(u32 *)(r10 -8)\n"
	"*(u32 *)(r6 +60) = r2\n"
	"r2 = 0xa1a2a3a4a5a6a7a8 ll\n"
	"*(u64 *)(r10 -16) = r2\n"
	"r1 = r6\n"
	"r2 = 20\n"
	"r3 = r10\n"
	"r3 += -16\n"
	"r4 = 8\n"
	"r5 = 0\n"
	"call 9\n"			  /* skb_store_bytes(20, 8) */
	"*(u32 *)(r6 +64) = r0\n"
	"r1 = r6\n"
	"r2 = *(u32 *)(r6 +0)\n"
	"r2 += -4\n"
	"r3 = r10\n"
	"r3 += -16\n"
	"r4 = 8\n"
	"r5 = 1\n"
	"call 9\n"			  /* past the end: -EFAULT */
	"*(u32 *)(r6 +8) = r0\n"
	"r1 = r6\n"
	"r2 = 0\n"
	"r3 = r10\n"
	"r3 += -16\n"
	"r4 = 1\n"
	"r5 = 8\n"
	"call 9\n"			  /* unknown flag: -EINVAL */
	"*(u32 *)(r6 +32) = r0\n"
	"r0 = 0\n"
	"exit\n";

/* skb_load_bytes_relative from the MAC and network headers; r0 = 1 so
 * that cgroup skb programs may run it. */
static const char *skb_load_relative =
	"r6 = r1\n"
	"r1 = r6\n"
	"r2 = 0\n"
	"r3 = r10\n"
	"r3 += -8\n"
	"r4 = 4\n"
	"r5 = 0\n"
	"call 68\n"
	"*(u32 *)(r6 +48) = r0\n"
	"r2 = *(u32 *)(r10 -8)\n"
	"*(u32 *)(r6 +52) = r2\n"
	"r1 = r6\n"
	"r2 = 12\n"
	"r3 = r10\n"
	"r3 += -8\n"
	"r4 = 4\n"
	"r5 = 1\n"
	"call 68\n"
	"*(u32 *)(r6 +56) = r0\n"
	"r2 = *(u32 *)(r10 -8)\n"
	"*(u32 *)(r6 +60) = r2\n"
	"r1 = r6\n"
	"r2 = 60\n"
	"r3 = r10\n"
	"r3 += -8\n"
	"r4 = 4\n"
	"r5 = 1\n"
	"call 68\n"
	"r7 = r0\n"
	"r1 = r6\n"
	"r2 = 0\n"
	"r3 = r10\n"
	"r3 += -8\n"
	"r4 = 4\n"
	"r5 = 2\n"
	"call 68\n"
	"r0 <<= 8\n"
	"r0 ^= r7\n"
	"*(u32 *)(r6 +64) = r0\n"
	"r0 = 1\n"
	"exit\n";

static const char *legacy_loads =
	"r6 = r1\n"
	"r0 = *(u8 *)skb[0]\n"
	"r7 = r0\n"
	"r0 = *(u16 *)skb[12]\n"
	"r7 <<= 16\n"
	"r7 |= r0\n"
	"*(u32 *)(r6 +48) = r7\n"
	"r8 = 2\n"
	"r0 = *(u32 *)skb[r8 + 10]\n"
	"*(u32 *)(r6 +52) = r0\n"
	"r0 = *(u8 *)skb[r8 + 40]\n"
	"r0 += r7\n"
	"exit\n";

static const char *legacy_load_out_of_range =
	"r6 = r1\n"
	"r0 = *(u32 *)skb[60]\n"
	"r0 = 7\n"
	"exit\n";

static const char *csum_helpers =
	"r6 = r1\n"
	"r1 = r6\n"
	"r2 = 24\n"
	"r3 = 0x0100000a\n"
	"r4 = 0x0300000a\n"
	"r5 = 4\n"
	"call 10\n"			  /* l3_csum_replace, 4 bytes */
	"*(u32 *)(r6 +48) = r0\n"
	"r1 = r6\n"
	"r2 = 24\n"
	"r3 = 0x1234\n"
	"r4 = 0x4321\n"
	"r5 = 2\n"
	"call 10\n"			  /* 2 bytes */
	"*(u32 *)(r6 +52) = r0\n"
	"r1 = r6\n"
	"r2 = 25\n"
	"r3 = 0\n"
	"r4 = 0\n"
	"r5 = 2\n"
	"call 10\n"			  /* odd offset: -EFAULT */
	"r7 = r0\n"
	"r1 = r6\n"
	"r2 = 24\n"
	"r3 = 1\n"
	"r4 = 0\n"
	"r5 = 0\n"
	"call 10\n"			  /* from with size 0: -EINVAL */
	"r7 <<= 8\n"
	"r7 ^= r0\n"
	"*(u32 *)(r6 +56) = r7\n"
	"r1 = r6\n"
	"r2 = 40\n"
	"r3 = 0x0100000a\n"
	"r4 = 0x0300000a\n"
	"r5 = 0x14\n"
	"call 11\n"			  /* l4, pseudo header, 4 bytes */
	"*(u32 *)(r6 +60) = r0\n"
	"r2 = 0x0a000001\n"
	"*(u32 *)(r10 -8) = r2\n"
	"r2 = 0x0a000003\n"
	"*(u32 *)(r10 -16) = r2\n"
	"r2 = 0x5eadbeef\n"
	"*(u32 *)(r10 -12) = r2\n"
	"r1 = r10\n"
	"r1 += -8\n"
	"r2 = 4\n"
	"r3 = r10\n"
	"r3 += -16\n"
	"r4 = 8\n"
	"r5 = 0x1234\n"
	"call 28\n"			  /* csum_diff */
	"*(u32 *)(r6 +64) = r0\n"
	"r1 = r6\n"
	"r2 = 44\n"
	"r3 = 0\n"
	"r4 = r0\n"
	"r5 = 0\n"
	"call 11\n"			  /* l4 by diff */
	"r7 = r0\n"
	"r1 = r10\n"
	"r1 += -16\n"
	"r2 = 3\n"
	"r3 = 0\n"
	"r4 = 0\n"
	"r5 = 0x55\n"
	"call 28\n"			  /* csum_diff, 3 bytes pulled */
	"r0 <<= 16\n"
	"r0 |= r7\n"
	"*(u32 *)(r6 +8) = r0\n"
	"r1 = r6\n"
	"r2 = 40\n"
	"r3 = 0\n"
	"r4 = 0\n"
	"r5 = 0x100\n"
	"call 11\n"			  /* unknown flag: -EINVAL */
	"*(u32 *)(r6 +32) = r0\n"
	"r0 = 0\n"
	"exit\n";

/* BPF_F_MARK_MANGLED_0 over a zero UDP checksum: left alone, unless
 * BPF_F_MARK_ENFORCE; a result of zero is written as 0xffff. */
static const char *csum_mangled_0 =
	"r6 = r1\n"
	"r1 = r6\n"
	"r2 = 40\n"
	"r3 = 0x1234\n"
	"r4 = 0x4321\n"
	"r5 = 0x22\n"
	"call 11\n"
	"*(u32 *)(r6 +48) = r0\n"
	"r1 = r6\n"
	"r2 = 40\n"
	"r3 = 0x1234\n"
	"r4 = 0x1234\n"
	"r5 = 0x62\n"
	"call 11\n"
	"*(u32 *)(r6 +52) = r0\n"
	"r0 = 0\n"
	"exit\n";

static void test_skb_programs(void)
{
	struct __sk_buff full = skb_ctx_full();
	struct oracle_case c = {
		.data_in = pkt_ipv4, .data_size_in = sizeof(pkt_ipv4), .ctx_in = &full,
		.ctx_size_in = sizeof(full), .want_ctx_out = true,
	};
	static const struct { const char *name; enum bpf_prog_type type;
			      enum bpf_attach_type attach; const char *text; } progs[] = {
		{ "tc_writes_mark_priority_u16_fields_queue_cb_tstamp", BPF_PROG_TYPE_SCHED_CLS, 0,
		  NULL },
		{ "cgroup_skb_writes_mark_priority_tstamp_cb", BPF_PROG_TYPE_CGROUP_SKB,
		  BPF_CGROUP_INET_EGRESS, NULL },
		{ "socket_filter_writes_cb", BPF_PROG_TYPE_SOCKET_FILTER, 0, NULL },
		{ "tc_reads_and_writes_the_packet_directly", BPF_PROG_TYPE_SCHED_CLS, 0, NULL },
		{ "cgroup_skb_reads_the_packet_after_the_ethernet_header",
		  BPF_PROG_TYPE_CGROUP_SKB, BPF_CGROUP_INET_INGRESS, NULL },
		{ "tc_skb_load_and_store_bytes", BPF_PROG_TYPE_SCHED_CLS, 0, NULL },
		{ "tc_skb_load_bytes_relative", BPF_PROG_TYPE_SCHED_CLS, 0, NULL },
		{ "cgroup_skb_load_bytes_relative", BPF_PROG_TYPE_CGROUP_SKB,
		  BPF_CGROUP_INET_EGRESS, NULL },
		{ "socket_filter_load_bytes_relative", BPF_PROG_TYPE_SOCKET_FILTER, 0, NULL },
		{ "socket_filter_ld_abs_ld_ind_start_at_the_network_header",
		  BPF_PROG_TYPE_SOCKET_FILTER, 0, NULL },
		{ "tc_ld_abs_ld_ind_start_at_the_ethernet_header", BPF_PROG_TYPE_SCHED_CLS, 0,
		  NULL },
		{ "ld_abs_out_of_range_returns_0", BPF_PROG_TYPE_SOCKET_FILTER, 0, NULL },
		{ "tc_checksum_helpers", BPF_PROG_TYPE_SCHED_CLS, 0, NULL },
		{ "tc_l4_csum_replace_mangled_0", BPF_PROG_TYPE_SCHED_ACT, 0, NULL },
	};
	const char *texts[] = { tc_writes, cgroup_writes, socket_writes, tc_direct_packet,
				cgroup_direct_packet, skb_load_store, skb_load_relative,
				skb_load_relative, skb_load_relative, legacy_loads, legacy_loads,
				legacy_load_out_of_range, csum_helpers, csum_mangled_0 };

	for (size_t i = 0; i < sizeof(progs) / sizeof(progs[0]); i++) {
		for (size_t p = 0; p < sizeof(packets) / sizeof(packets[0]); p++) {
			c.name = progs[i].name;
			c.type = progs[i].type;
			c.attach = progs[i].attach;
			c.text = texts[i];
			c.data_in = packets[p].bytes;
			c.data_size_in = packets[p].len;
			if (texts[i] == csum_mangled_0) {
				if (p)
					break;
				c.data_in = pkt_udp_nocsum;
				c.data_size_in = sizeof(pkt_udp_nocsum);
			}
			run_case(&c);
		}
	}
	c = (struct oracle_case){
		.name = "skb_repeat_runs_the_same_skb_again", .type = BPF_PROG_TYPE_SCHED_CLS,
		.text = mark_increment, .data_in = pkt_ipv4, .data_size_in = sizeof(pkt_ipv4),
		.ctx_in = &full, .ctx_size_in = sizeof(full), .want_ctx_out = true, .repeat = 5,
	};
	run_case(&c);
}

/* ---- __sk_buff test-run errors --------------------------------------- */

static void skb_error_case(const char *name, struct __sk_buff *ctx, uint32_t ctx_size,
			   uint32_t data_size, uint32_t flags, uint32_t cpu)
{
	struct oracle_case c = {
		.name = name, .type = BPF_PROG_TYPE_SCHED_CLS, .text = mark_increment,
		.data_in = pkt_ipv4, .data_size_in = data_size, .ctx_in = ctx,
		.ctx_size_in = ctx_size, .want_ctx_out = ctx != NULL, .flags = flags, .cpu = cpu,
	};

	run_case(&c);
}

/* Linux 6.18 refuses an IPv4 / IPv6 packet whose network header is shorter
 * than struct iphdr / ipv6hdr (20 / 40 bytes after Ethernet), for every
 * __sk_buff type; one byte more runs. */
static void skb_short_ip_case(const char *name, enum bpf_prog_type type, const uint8_t *pkt,
			      uint32_t len, bool refused)
{
	static struct oracle_result res;
	struct oracle_case c = {
		.name = name, .type = type, .text = "r0 = 0\nexit\n",
		.data_in = pkt, .data_size_in = len,
	};

	if (oracle_run_bpfvm(vm, &c, &res))
		return;
	if (refused)
		testlib_check(name, res.err == -EINVAL && strstr(bpfvm_errmsg(), "network header"),
			      "err %d, message '%s'", res.err, bpfvm_errmsg());
	else
		testlib_check(name, res.err == 0, "err %d, message '%s'", res.err, bpfvm_errmsg());
	run_case(&c);
}

static void skb_short_ip_cases(void)
{
	skb_short_ip_case("skb_ipv4_network_header_of_19_bytes_is_einval",
			  BPF_PROG_TYPE_SOCKET_FILTER, pkt_ipv4, 33, true);
	skb_short_ip_case("skb_ipv4_network_header_of_20_bytes_runs",
			  BPF_PROG_TYPE_SOCKET_FILTER, pkt_ipv4, 34, false);
	skb_short_ip_case("tc_ipv4_network_header_of_10_bytes_is_einval",
			  BPF_PROG_TYPE_SCHED_CLS, pkt_ipv4, 24, true);
	skb_short_ip_case("skb_ipv6_network_header_of_39_bytes_is_einval",
			  BPF_PROG_TYPE_CGROUP_SKB, pkt_ipv6, 53, true);
	skb_short_ip_case("skb_ipv6_network_header_of_40_bytes_runs",
			  BPF_PROG_TYPE_CGROUP_SKB, pkt_ipv6, 54, false);
	skb_short_ip_case("skb_short_arp_runs", BPF_PROG_TYPE_SOCKET_FILTER,
			  pkt_arp_broadcast, 20, false);
}

static void test_skb_errors(void)
{
	uint8_t big[200] = { 0 };
	struct __sk_buff ctx;
	struct oracle_case c;

	skb_error_case("skb_packet_shorter_than_ethernet_is_einval", NULL, 0, 13, 0, 0);
	skb_error_case("skb_flags_are_einval", NULL, 0, 64, BPF_F_TEST_RUN_ON_CPU, 0);
	skb_error_case("skb_cpu_is_einval", NULL, 0, 64, 0, 1);
	ctx = skb_ctx_full();
	ctx.len = 1;
	skb_error_case("skb_ctx_in_len_is_einval", &ctx, sizeof(ctx), 64, 0, 0);
	ctx = skb_ctx_full();
	ctx.tc_index = 1;
	skb_error_case("skb_ctx_in_tc_index_is_einval", &ctx, sizeof(ctx), 64, 0, 0);
	ctx = skb_ctx_full();
	ctx.ifindex = 100000;
	skb_error_case("skb_ctx_in_unknown_ifindex_is_enodev", &ctx, sizeof(ctx), 64, 0, 0);
	ctx = skb_ctx_full();
	ctx.wire_len = 10;
	skb_error_case("skb_ctx_in_wire_len_below_len_is_einval", &ctx, sizeof(ctx), 64, 0, 0);
	ctx = skb_ctx_full();
	ctx.gso_segs = 70000;
	skb_error_case("skb_ctx_in_gso_segs_above_max_is_einval", &ctx, sizeof(ctx), 64, 0, 0);
	skb_error_case("skb_short_ctx_in_is_zero_extended", &ctx, 12, 64, 0, 0);
	memcpy(big, &ctx, 12);
	skb_error_case("skb_long_ctx_in_with_a_zero_tail_is_accepted", (struct __sk_buff *)big,
		       sizeof(big), 64, 0, 0);
	big[199] = 1;
	skb_error_case("skb_long_ctx_in_with_a_non_zero_tail_is_e2big", (struct __sk_buff *)big,
		       sizeof(big), 64, 0, 0);
	skb_short_ip_cases();
	ctx = skb_ctx_full();
	c = (struct oracle_case){
		.name = "skb_small_data_out_is_enospc_with_the_full_size",
		.type = BPF_PROG_TYPE_SOCKET_FILTER, .text = mark_increment - 0 + 0,
		.data_in = pkt_ipv4, .data_size_in = sizeof(pkt_ipv4), .data_size_out = 10,
	};
	c.text = "r0 = 0\nexit\n";
	run_case(&c);
	c = (struct oracle_case){
		.name = "skb_small_ctx_out_is_enospc", .type = BPF_PROG_TYPE_SCHED_CLS,
		.text = mark_increment, .data_in = pkt_ipv4, .data_size_in = sizeof(pkt_ipv4),
		.ctx_in = &ctx, .ctx_size_in = sizeof(ctx), .want_ctx_out = true,
		.ctx_size_out = 100,
	};
	run_case(&c);
}

/* ---- XDP -------------------------------------------------------------- */

static const char *xdp_fields =
	"r6 = r1\n"
	"r2 = *(u32 *)(r6 +0)\n"
	"r3 = *(u32 *)(r6 +4)\n"
	"r4 = *(u32 *)(r6 +8)\n"
	"r5 = r2\n"
	"r5 += 16\n"
	"r0 = 1\n"
	"if r5 > r3 goto out\n"
	"r7 = *(u32 *)(r6 +12)\n"
	"*(u32 *)(r2 +0) = r7\n"
	"r7 = *(u32 *)(r6 +16)\n"
	"*(u32 *)(r2 +4) = r7\n"
	"r3 -= r2\n"
	"*(u32 *)(r2 +8) = r3\n"
	"r8 = r2\n"
	"r8 -= r4\n"
	"*(u32 *)(r2 +12) = r8\n"
	"r0 = 2\n"
	"out:\n"
	"exit\n";

static const char *xdp_adjust =
	"r6 = r1\n"
	"r1 = r6\n"
	"r2 = -20\n"
	"call 44\n"
	"r7 = r0\n"
	"r1 = r6\n"
	"r2 = -8\n"
	"call 54\n"
	"r8 = r0\n"
	"r1 = r6\n"
	"r2 = 30\n"
	"call 65\n"
	"r9 = r0\n"
	"r2 = *(u32 *)(r6 +0)\n"
	"r3 = *(u32 *)(r6 +4)\n"
	"r4 = *(u32 *)(r6 +8)\n"
	"r5 = r2\n"
	"r5 += 12\n"
	"r0 = 1\n"
	"if r5 > r3 goto out\n"
	"*(u32 *)(r2 +0) = r7\n"
	"*(u32 *)(r2 +4) = r8\n"
	"*(u32 *)(r2 +8) = r9\n"
	"r5 = r4\n"
	"r5 += 8\n"
	"if r5 > r2 goto out\n"
	"r7 = 0x6d6d6d6d6d6d6d6d ll\n"
	"*(u64 *)(r4 +0) = r7\n"
	"r0 = 3\n"
	"out:\n"
	"exit\n";

static const char *xdp_adjust_errors =
	"r6 = r1\n"
	"r1 = r6\n"
	"r2 = -300\n"
	"call 44\n"
	"*(u32 *)(r10 -4) = r0\n"
	"r1 = r6\n"
	"r2 = 1000\n"
	"call 44\n"
	"*(u32 *)(r10 -8) = r0\n"
	"r1 = r6\n"
	"r2 = -2\n"
	"call 54\n"
	"*(u32 *)(r10 -12) = r0\n"
	"r1 = r6\n"
	"r2 = 4\n"
	"call 54\n"
	"*(u32 *)(r10 -16) = r0\n"
	"r1 = r6\n"
	"r2 = 5000\n"
	"call 65\n"
	"*(u32 *)(r10 -20) = r0\n"
	"r1 = r6\n"
	"r2 = -1000\n"
	"call 65\n"
	"*(u32 *)(r10 -24) = r0\n"
	"r1 = r6\n"
	"r2 = -216\n"
	"call 44\n"
	"*(u32 *)(r10 -28) = r0\n"
	"r1 = r6\n"
	"r2 = -4\n"
	"call 54\n"
	"*(u32 *)(r10 -32) = r0\n"
	"r2 = *(u32 *)(r6 +0)\n"
	"r3 = *(u32 *)(r6 +4)\n"
	"r5 = r2\n"
	"r5 += 32\n"
	"r0 = 1\n"
	"if r5 > r3 goto out\n"
	"r7 = *(u64 *)(r10 -8)\n"
	"*(u64 *)(r2 +0) = r7\n"
	"r7 = *(u64 *)(r10 -16)\n"
	"*(u64 *)(r2 +8) = r7\n"
	"r7 = *(u64 *)(r10 -24)\n"
	"*(u64 *)(r2 +16) = r7\n"
	"r7 = *(u64 *)(r10 -32)\n"
	"*(u64 *)(r2 +24) = r7\n"
	"r0 = 2\n"
	"out:\n"
	"exit\n";

static const char *xdp_grow_to_the_limit =
	"r6 = r1\n"
	"r1 = r6\n"
	"r2 = 3456\n"
	"call 65\n"
	"r7 = r0\n"
	"r1 = r6\n"
	"r2 = 1\n"
	"call 65\n"
	"r7 <<= 8\n"
	"r0 ^= r7\n"
	"exit\n";

static const char *xdp_shrink =
	"r6 = r1\n"
	"r1 = r6\n"
	"r2 = -20\n"
	"call 65\n"
	"r1 = r6\n"
	"r2 = 10\n"
	"call 44\n"
	"r0 = 1\n"
	"exit\n";

static const char *xdp_head_each_repeat =
	"r6 = r1\n"
	"r1 = r6\n"
	"r2 = -4\n"
	"call 44\n"
	"r0 = 2\n"
	"exit\n";

static const char *xdp_csum_diff =
	"r6 = r1\n"
	"r2 = *(u32 *)(r6 +0)\n"
	"r3 = *(u32 *)(r6 +4)\n"
	"r5 = r2\n"
	"r5 += 20\n"
	"r0 = 0\n"
	"if r5 > r3 goto out\n"
	"r1 = r2\n"
	"r2 = 8\n"
	"r3 = r1\n"
	"r3 += 8\n"
	"r4 = 12\n"
	"r5 = 0xffff\n"
	"call 28\n"
	"out:\n"
	"exit\n";

static void xdp_case(const char *name, const char *text, const void *ctx, uint32_t ctx_size,
		     bool ctx_out, const uint8_t *data, uint32_t size, int repeat, uint32_t flags)
{
	struct oracle_case c = {
		.name = name, .type = BPF_PROG_TYPE_XDP, .text = text, .data_in = data,
		.data_size_in = size, .ctx_in = ctx, .ctx_size_in = ctx_size,
		.want_ctx_out = ctx_out, .ctx_size_out = sizeof(struct xdp_md), .repeat = repeat,
		.flags = flags,
	};

	run_case(&c);
}

/* A known difference: the kernel builds a multi-buffer packet (fragments
 * past the linear part); bpfvm refuses with -ENOTSUP and says why. */
static void bpfvm_refuses_multi_buffer(const char *name, const struct xdp_md *md,
				       uint32_t md_size, uint32_t size)
{
	static uint8_t packet[4096], ctx_out[sizeof(struct xdp_md)];
	struct bpfvm_test_run_opts opts = {
		.sz = sizeof(opts), .data_in = packet, .data_size_in = size, .ctx_in = md,
		.ctx_size_in = md_size, .ctx_out = ctx_out, .ctx_size_out = sizeof(ctx_out),
	};
	struct bpfvm_prog *prog;
	int err;

	if (oracle_bpfvm_load(vm, BPF_PROG_TYPE_XDP, 0, xdp_fields, &prog)) {
		testlib_check(name, false, "load: %s", bpfvm_errmsg());
		return;
	}
	err = bpfvm_prog_test_run(prog, &opts);
	testlib_check(name, err == -ENOTSUP && strstr(bpfvm_errmsg(), "multi-buffer"),
		      "err %d (%s)", err, bpfvm_errmsg());
	bpfvm_prog_free(prog);
}

static void test_xdp(void)
{
	struct xdp_md md = { .data = 8, .data_end = sizeof(pkt_ipv4) };
	static uint8_t jumbo[3520];

	for (size_t p = 0; p < sizeof(packets) / sizeof(packets[0]); p++) {
		xdp_case("xdp_reads_every_field", xdp_fields, NULL, 0, false, packets[p].bytes,
			 packets[p].len, 0, 0);
		xdp_case("xdp_adjusts_head_meta_and_tail", xdp_adjust, NULL, 0, false,
			 packets[p].bytes, packets[p].len, 0, 0);
	}
	xdp_case("xdp_adjust_helpers_refuse_out_of_frame_moves", xdp_adjust_errors, NULL, 0, false,
		 pkt_ipv4, sizeof(pkt_ipv4), 0, 0);
	xdp_case("xdp_adjust_tail_grows_to_the_shared_info", xdp_grow_to_the_limit, NULL, 0,
		 false, pkt_ipv4, sizeof(pkt_ipv4), 0, 0);
	xdp_case("xdp_adjust_tail_and_head_shrink", xdp_shrink, NULL, 0, false, pkt_ipv4,
		 sizeof(pkt_ipv4), 0, 0);
	xdp_case("xdp_repeat_runs_the_same_frame_again", xdp_head_each_repeat, NULL, 0, false,
		 pkt_ipv4, sizeof(pkt_ipv4), 7, 0);
	xdp_case("xdp_csum_diff", xdp_csum_diff, NULL, 0, false, pkt_ipv4, sizeof(pkt_ipv4), 0, 0);
	xdp_case("xdp_ctx_in_metadata_and_ctx_out", xdp_fields, &md, sizeof(md), true, pkt_ipv4,
		 sizeof(pkt_ipv4), 0, 0);
	xdp_case("xdp_ctx_in_metadata_then_adjust", xdp_adjust, &md, sizeof(md), true, pkt_ipv4,
		 sizeof(pkt_ipv4), 0, 0);
	md = (struct xdp_md){ .data_end = sizeof(pkt_ipv4), .ingress_ifindex = 1 };
	xdp_case("xdp_ctx_in_loopback_queue_0", xdp_fields, &md, sizeof(md), true, pkt_ipv4,
		 sizeof(pkt_ipv4), 0, 0);
	md.rx_queue_index = 1;
	xdp_case("xdp_ctx_in_missing_queue_is_einval", xdp_fields, &md, sizeof(md), true, pkt_ipv4,
		 sizeof(pkt_ipv4), 0, 0);
	md = (struct xdp_md){ .data_end = sizeof(pkt_ipv4), .ingress_ifindex = 100000 };
	xdp_case("xdp_ctx_in_unknown_device_is_enodev", xdp_fields, &md, sizeof(md), true,
		 pkt_ipv4, sizeof(pkt_ipv4), 0, 0);
	md = (struct xdp_md){ .data_end = sizeof(pkt_ipv4) + 1 };
	xdp_case("xdp_ctx_in_data_end_past_the_packet_is_einval", xdp_fields, &md, sizeof(md),
		 true, pkt_ipv4, sizeof(pkt_ipv4), 0, 0);
	md = (struct xdp_md){ .data_end = 20 };
	bpfvm_refuses_multi_buffer("xdp_ctx_in_data_end_below_the_size_is_multi_buffer_enotsup",
				   &md, sizeof(md), sizeof(pkt_ipv4));
	bpfvm_refuses_multi_buffer("xdp_ctx_out_without_ctx_in_is_multi_buffer_enotsup", NULL, 0,
				   sizeof(pkt_ipv4));
	bpfvm_refuses_multi_buffer("xdp_packet_larger_than_a_frame_is_multi_buffer_enotsup",
				   NULL, 0, 3521);
	md = (struct xdp_md){ .data = 6, .data_end = sizeof(pkt_ipv4) };
	xdp_case("xdp_ctx_in_unaligned_metadata_is_einval", xdp_fields, &md, sizeof(md), true,
		 pkt_ipv4, sizeof(pkt_ipv4), 0, 0);
	md = (struct xdp_md){ .data_meta = 4, .data_end = sizeof(pkt_ipv4) };
	xdp_case("xdp_ctx_in_data_meta_is_einval", xdp_fields, &md, sizeof(md), true, pkt_ipv4,
		 sizeof(pkt_ipv4), 0, 0);
	md = (struct xdp_md){ .data_end = sizeof(pkt_ipv4), .egress_ifindex = 1 };
	xdp_case("xdp_ctx_in_egress_ifindex_is_einval", xdp_fields, &md, sizeof(md), true,
		 pkt_ipv4, sizeof(pkt_ipv4), 0, 0);
	xdp_case("xdp_packet_shorter_than_ethernet_is_einval", xdp_fields, NULL, 0, false,
		 pkt_ipv4, 13, 0, 0);
	xdp_case("xdp_run_on_cpu_flag_is_einval", xdp_fields, NULL, 0, false, pkt_ipv4,
		 sizeof(pkt_ipv4), 0, BPF_F_TEST_RUN_ON_CPU);
	xdp_case("xdp_largest_single_frame_packet", xdp_fields, NULL, 0, false, jumbo,
		 sizeof(jumbo), 0, 0);
}

/* ---- Raw tracepoints -------------------------------------------------- */

static const char *raw_tp_args =
	"r6 = r1\n"
	"r0 = *(u64 *)(r6 +8)\n"
	"r2 = *(u32 *)(r6 +20)\n"
	"r0 += r2\n"
	"r2 = *(u8 *)(r6 +1)\n"
	"r0 += r2\n"
	"exit\n";

static void raw_tp_case(const char *name, const char *text, uint32_t ctx_size, const void *data,
			int repeat, uint32_t flags, uint32_t cpu)
{
	static const uint64_t args[13] = { 0x1100, 0x100000002ull, 0x3300000000ull, 4, 5 };
	struct oracle_case c = {
		.name = name, .type = BPF_PROG_TYPE_RAW_TRACEPOINT, .text = text,
		.ctx_in = ctx_size ? args : NULL, .ctx_size_in = ctx_size, .data_in = data,
		.data_size_in = data ? 14 : 0, .repeat = repeat, .flags = flags, .cpu = cpu,
	};

	run_case(&c);
}

static void test_raw_tracepoint(void)
{
	raw_tp_case("raw_tp_reads_args", raw_tp_args, 24, NULL, 0, 0, 0);
	raw_tp_case("raw_tp_reads_args_with_all_twelve", raw_tp_args, 96, NULL, 0, 0, 0);
	raw_tp_case("raw_tp_ctx_shorter_than_the_reads_is_einval", raw_tp_args, 16, NULL, 0, 0, 0);
	raw_tp_case("raw_tp_ctx_above_twelve_args_is_einval", raw_tp_args, 104, NULL, 0, 0, 0);
	raw_tp_case("raw_tp_data_in_is_einval", raw_tp_args, 24, pkt_ipv4, 0, 0, 0);
	raw_tp_case("raw_tp_repeat_is_einval", raw_tp_args, 24, NULL, 2, 0, 0);
	raw_tp_case("raw_tp_cpu_without_flag_is_einval", raw_tp_args, 24, NULL, 0, 0, 1);
	raw_tp_case("raw_tp_on_cpu_0", raw_tp_args, 24, NULL, 0, BPF_F_TEST_RUN_ON_CPU, 0);
	raw_tp_case("raw_tp_on_a_missing_cpu_is_enxio", raw_tp_args, 24, NULL, 0,
		    BPF_F_TEST_RUN_ON_CPU, 100000);
	raw_tp_case("raw_tp_without_ctx", "r0 = 9\nexit\n", 0, NULL, 0, 0, 0);
}

int main(void)
{
	memcpy(pkt_udp_nocsum, pkt_ipv4, sizeof(pkt_ipv4));
	pkt_udp_nocsum[40] = 0;
	pkt_udp_nocsum[41] = 0;
	if (!oracle_kernel_usable())
		return ORACLE_SKIP;
	vm = oracle_vm();
	for (size_t i = 0; i < sizeof(skb_types) / sizeof(skb_types[0]); i++)
		test_skb_fields(&skb_types[i]);
	test_skb_programs();
	test_skb_errors();
	test_xdp();
	test_raw_tracepoint();
	bpfvm_destroy(vm);
	return testlib_summary();
}
