/* bpf_skb_adjust_room, bpf_skb_pull_data, bpf_skb_set_tunnel_key and
 * bpf_fib_lookup: every program of tests/helpers/bpf/net_helpers.bpf.c run
 * in bpfvm and, when bpf() is usable, in the kernel (libbpf,
 * BPF_PROG_TEST_RUN). Each answer must be the expected one on both, and
 * the packet bpfvm hands back must be the kernel's byte for byte. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpfvm/bpfvm.h"
#include "testlib.h"

enum packet_kind { PKT_V4, PKT_V6, PKT_ARP };

/* FWD_DEPENDS: BPF_FIB_LKUP_RET_FWD_DISABLED (5) or NOT_FWDED (4), as
 * forwarding is off or on on lo (/proc/sys/net/ipv4/conf/lo/forwarding). */
#define FWD_DEPENDS 1000

struct net_case {
	const char *prog;
	enum packet_kind packet;
	int32_t retval;
};

static const struct net_case cases[] = {
	{ "tc_room_grow_mac", PKT_V4, 0 },	      { "tc_room_grow_net", PKT_V4, 0 },
	{ "tc_room_ipip", PKT_V4, 0 },		      { "tc_room_shrink_net", PKT_V4, 0 },
	{ "tc_room_shrink_mac", PKT_V4, 0 },	      { "tc_room_decap", PKT_V4, 0 },
	{ "tc_room_grow_net", PKT_V6, 0 },	      { "tc_room_shrink_net", PKT_V6, 0 },
	{ "tc_room_bad_flags", PKT_V4, -EINVAL },     { "tc_room_too_far", PKT_V4, -EFAULT },
	{ "tc_room_bad_mode", PKT_V4, -524 },	      { "tc_room_grow_mac", PKT_ARP, -524 },
	{ "tc_room_shrink_too_much", PKT_V4, -524 },  { "tc_room_decap_grow", PKT_V4, -EINVAL },
	{ "tc_room_encap_both", PKT_V4, -EINVAL },    { "tc_room_shrink_encap", PKT_V4, -EINVAL },
	{ "tc_room_l2_too_long", PKT_V4, -EINVAL },   { "tc_room_encap6_protocol", PKT_V4, 0xdd86 },
	{ "tc_pull_all", PKT_V4, 0 },		      { "tc_pull_past_end", PKT_V4, -ENOMEM },
	{ "tc_tunnel_key", PKT_V4, 0 },		      { "tc_tunnel_key_old_layout", PKT_V4, 0 },
	{ "tc_tunnel_key_bad_size", PKT_V4, -EINVAL }, { "tc_tunnel_key_label_v4", PKT_V4, -EINVAL },
	{ "tc_tunnel_key_bad_flags", PKT_V4, -EINVAL },
	{ "xdp_fib_no_family", PKT_V4, -EAFNOSUPPORT }, { "tc_fib_no_family", PKT_V4, -EAFNOSUPPORT },
	{ "xdp_fib_short", PKT_V4, -EINVAL },	      { "tc_fib_short", PKT_V4, -EINVAL },
	{ "xdp_fib_bad_flags", PKT_V4, -EINVAL },     { "tc_fib_bad_flags", PKT_V4, -EINVAL },
	{ "xdp_fib_no_device", PKT_V4, -ENODEV },     { "tc_fib_no_device", PKT_V4, -ENODEV },
	{ "xdp_fib_loopback4", PKT_V4, FWD_DEPENDS }, { "tc_fib_loopback4", PKT_V4, FWD_DEPENDS },
	{ "xdp_fib_loopback6", PKT_V4, 4 },	      { "tc_fib_loopback6", PKT_V4, 4 },
};

#define CASE_CNT (sizeof(cases) / sizeof(cases[0]))
#define PACKET_SIZE 64
#define OUT_SIZE 256

struct outcome {
	int err;
	uint32_t retval;
	uint32_t size;
	uint8_t data[OUT_SIZE];
};

static struct outcome bpfvm_out[CASE_CNT];
static int failures;
static int32_t fwd_answer;

/* Ethernet, then an IPv4 (20) or IPv6 (40) header from and to loopback and
 * a counting payload; the ARP one is the same bytes under ETH_P_ARP. */
static void build_packet(enum packet_kind kind, uint8_t *p)
{
	for (int i = 0; i < PACKET_SIZE; i++)
		p[i] = (uint8_t)i;
	memset(p, 0, 12);
	p[12] = kind == PKT_V6 ? 0x86 : 0x08;
	p[13] = kind == PKT_V6 ? 0xdd : kind == PKT_ARP ? 0x06 : 0x00;
	if (kind == PKT_V6) {
		memset(p + 14, 0, 40);
		p[14] = 0x60;
		p[19] = PACKET_SIZE - 54; /* payload length */
		p[20] = 17;
		p[21] = 64;
		p[37] = 1;
		p[53] = 1;
		return;
	}
	memset(p + 14, 0, 20);
	p[14] = 0x45;
	p[17] = PACKET_SIZE - 14; /* total length */
	p[22] = 64;
	p[23] = 17;
	p[26] = 127, p[29] = 1;
	p[30] = 127, p[33] = 1;
}

static int32_t expected(const struct net_case *c)
{
	return c->retval == FWD_DEPENDS ? fwd_answer : c->retval;
}

static void check(const char *who, const struct net_case *c, const struct outcome *o,
		  const char *message)
{
	bool ok = !o->err && (int32_t)o->retval == expected(c);

	printf("%-7s %-26s %s err %4d retval %d size %u %s\n", who, c->prog,
	       c->packet == PKT_V6 ? "v6 " : c->packet == PKT_ARP ? "arp" : "v4 ", o->err,
	       (int32_t)o->retval, o->size, ok ? "OK" : "MISMATCH");
	if (!ok) {
		fprintf(stderr, "  expected retval %d; %s\n", expected(c), message);
		failures++;
	}
}

static void bpfvm_side(const char *path)
{
	struct bpfvm *vm = NULL;
	struct bpfvm_object *obj = NULL;
	int err = bpfvm_create(NULL, &vm);

	if (!err)
		err = bpfvm_object_open(vm, path, NULL, &obj);
	if (!err)
		err = bpfvm_object_load(obj);
	if (err) {
		fprintf(stderr, "bpfvm: %s\n", bpfvm_errmsg());
		failures++;
		goto done;
	}
	for (size_t i = 0; i < CASE_CNT; i++) {
		uint8_t packet[PACKET_SIZE];
		struct outcome *o = &bpfvm_out[i];
		struct bpfvm_test_run_opts run = { .sz = sizeof(run), .data_in = packet,
						   .data_size_in = sizeof(packet),
						   .data_out = o->data,
						   .data_size_out = sizeof(o->data) };
		struct bpfvm_prog *prog = bpfvm_object_find_prog(obj, cases[i].prog);

		build_packet(cases[i].packet, packet);
		o->err = prog ? bpfvm_prog_test_run(prog, &run) : -ENOENT;
		o->retval = run.retval;
		o->size = run.data_size_out;
		check("bpfvm", &cases[i], o, o->err ? bpfvm_errmsg() : "");
	}
done:
	bpfvm_object_close(obj);
	bpfvm_destroy(vm);
}

static void compare_packets(const struct net_case *c, const struct outcome *k,
			    const struct outcome *v)
{
	if (k->size == v->size && !memcmp(k->data, v->data, k->size))
		return;
	fprintf(stderr, "%s: packet out differs: kernel %u bytes, bpfvm %u\n", c->prog, k->size,
		v->size);
	failures++;
}

static void kernel_side(const char *path)
{
	struct bpf_object *obj = bpf_object__open_file(path, NULL);

	if (!obj || bpf_object__load(obj)) {
		fprintf(stderr, "kernel: cannot load %s: %s\n", path, strerror(errno));
		failures++;
		bpf_object__close(obj);
		return;
	}
	for (size_t i = 0; i < CASE_CNT; i++) {
		uint8_t packet[PACKET_SIZE];
		struct outcome o = { 0 };
		LIBBPF_OPTS(bpf_test_run_opts, run, .data_in = packet,
			    .data_size_in = sizeof(packet), .data_out = o.data,
			    .data_size_out = sizeof(o.data));
		struct bpf_program *prog = bpf_object__find_program_by_name(obj, cases[i].prog);

		build_packet(cases[i].packet, packet);
		o.err = prog ? bpf_prog_test_run_opts(bpf_program__fd(prog), &run) : -ENOENT;
		o.err = o.err ? -errno : 0;
		o.retval = run.retval;
		o.size = run.data_size_out;
		check("kernel", &cases[i], &o, o.err ? strerror(-o.err) : "");
		compare_packets(&cases[i], &o, &bpfvm_out[i]);
	}
	bpf_object__close(obj);
}

static int32_t lo_forwarding_answer(void)
{
	FILE *f = fopen("/proc/sys/net/ipv4/conf/lo/forwarding", "r");
	int on = 0;

	if (f) {
		if (fscanf(f, "%d", &on) != 1)
			on = 0;
		fclose(f);
	}
	return on ? 4 : 5;
}

int main(int argc, char **argv)
{
	char path[4096];

	if (argc != 2) {
		fprintf(stderr, "usage: %s OBJDIR\n", argv[0]);
		return 2;
	}
	snprintf(path, sizeof(path), "%s/net_helpers.bpf.o", argv[1]);
	fwd_answer = lo_forwarding_answer();
	bpfvm_side(path);
	if (testlib_kernel_usable())
		kernel_side(path);
	else
		printf("SKIP kernel side: bpf() is not usable\n");
	printf("%s: %d failure(s)\n", argv[0], failures);
	return failures ? 1 : 0;
}
