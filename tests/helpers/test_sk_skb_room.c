/* bpf_skb_adjust_room in sk_skb programs is the kernel's
 * sk_skb_adjust_room, not tc's: the function chosen per program type
 * (helper_fn_for_type) and its semantics on a stream's skb, called
 * directly since neither bpfvm nor the kernel has a test run for sk_skb
 * (checked: both refuse one). An object calling it loads in both. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "testlib.h"
#include "core/runtime.h"
#include "helpers/helper_per_type.h"
#include "helpers/helper_table.h"
#include "progtypes/skb.h"

#define ROOM BPF_FUNC_skb_adjust_room

static uint64_t embedder_room(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5)
{
	return 42;
}

static void the_function_depends_on_the_type(void)
{
	const char *test = "the_function_depends_on_the_type";
	struct bpfvm *vm = testlib_vm_create();
	const struct helper_entry *entry = helper_table_find(&vm->helpers, ROOM);

	testlib_check(test, entry && entry->fn != helper_sk_skb_adjust_room, "tc's entry");
	testlib_check(test, helper_fn_for_type(entry, ROOM, BPF_PROG_TYPE_SK_SKB) ==
			    helper_sk_skb_adjust_room, "sk_skb runs sk_skb_adjust_room");
	testlib_check(test, helper_fn_for_type(entry, ROOM, BPF_PROG_TYPE_SCHED_CLS) == entry->fn,
		      "tc runs bpf_skb_adjust_room");
	testlib_check(test, helper_fn_for_type(NULL, ROOM, BPF_PROG_TYPE_SK_SKB) == NULL,
		      "no entry, no function");
	testlib_check(test, bpfvm_helper_register(vm, ROOM, "room", embedder_room) == 0,
		      "register");
	entry = helper_table_find(&vm->helpers, ROOM);
	testlib_check(test, helper_fn_for_type(entry, ROOM, BPF_PROG_TYPE_SK_SKB) == embedder_room,
		      "an embedder's helper wins");
	bpfvm_destroy(vm);
}

struct stream {
	uint8_t buf[SKB_HEADROOM + 40];
	struct skb_ctx skb;
};

/* 40 bytes of counting data after the headroom. */
static void stream_init(struct stream *s)
{
	memset(s, 0, sizeof(*s));
	for (int i = 0; i < 40; i++)
		s->buf[SKB_HEADROOM + i] = (uint8_t)(i + 1);
	s->skb.head = s->buf;
	s->skb.data = s->buf + SKB_HEADROOM;
	s->skb.mac_header = s->skb.data;
	s->skb.network_header = s->skb.data;
	s->skb.fields.len = 40;
	s->skb.data_end = s->skb.data + 40;
	s->skb.data_meta = s->skb.data;
}

static int64_t room(struct stream *s, int32_t diff, uint32_t mode, uint64_t flags)
{
	return (int64_t)helper_sk_skb_adjust_room((uint64_t)(uintptr_t)&s->skb, (uint64_t)diff,
						  mode, flags, 0);
}

static bool stream_is(const struct stream *s, uint32_t head_off, uint32_t len)
{
	return s->skb.data == s->buf + head_off && s->skb.fields.len == len &&
	       s->skb.data_end == s->skb.data + len && s->skb.data_meta == s->skb.data;
}

static void sk_skb_semantics(void)
{
	const char *test = "sk_skb_adjust_room_semantics";
	struct stream s;
	bool zeroed = true;

	stream_init(&s);
	testlib_check(test, room(&s, 4, 0, 1) == -EINVAL, "flags");
	testlib_check(test, room(&s, 4, BPF_ADJ_ROOM_MAC, 0) == -EINVAL, "mode MAC (1)");
	testlib_check(test, room(&s, 0x1000, 0, 0) == -EFAULT, "0x1000");
	testlib_check(test, room(&s, -0x1000, 0, 0) == -EFAULT, "-0x1000");
	testlib_check(test, stream_is(&s, SKB_HEADROOM, 40), "refusals leave the skb");
	testlib_check(test, room(&s, 8, 0, 0) == 0 && stream_is(&s, SKB_HEADROOM - 8, 48),
		      "grow 8 at the front");
	for (int i = 0; i < 8; i++)
		zeroed &= s.skb.data[i] == 0;
	testlib_check(test, zeroed && s.skb.data[8] == 1, "the room is zeroed, the data after");
	testlib_check(test, s.skb.network_header == s.buf + SKB_HEADROOM,
		      "no header moves (a stream has none)");
	testlib_check(test, room(&s, -12, 0, 0) == 0 && stream_is(&s, SKB_HEADROOM + 4, 36) &&
			    s.skb.data[0] == 5, "pull 12 from the front");
	testlib_check(test, room(&s, -37, 0, 0) == -ENOMEM && stream_is(&s, SKB_HEADROOM + 4, 36),
		      "pull past the end");
	testlib_check(test, room(&s, -36, 0, 0) == 0 && stream_is(&s, SKB_HEADROOM + 40, 0),
		      "pull everything");
	stream_init(&s);
	testlib_check(test, room(&s, SKB_HEADROOM + 1, 0, 0) == -ENOMEM &&
			    stream_is(&s, SKB_HEADROOM, 40), "grow past the headroom");
	testlib_check(test, room(&s, SKB_HEADROOM, 0, 0) == 0 && stream_is(&s, 0, 40 + SKB_HEADROOM),
		      "grow by the whole headroom");
}

static void object_loads_in_both(const char *path)
{
	const char *test = "sk_skb_object_loads_in_both";
	struct bpfvm *vm = testlib_vm_create();
	struct bpfvm_object *obj = NULL;
	struct bpfvm_prog *prog;
	uint8_t data[64] = { 0 };
	struct bpfvm_test_run_opts run = { .sz = sizeof(run), .data_in = data,
					   .data_size_in = sizeof(data) };
	int err = bpfvm_object_open(vm, path, NULL, &obj);

	err = err ? err : bpfvm_object_load(obj);
	testlib_check(test, !err, "bpfvm: %s", err ? bpfvm_errmsg() : "");
	prog = obj ? bpfvm_object_find_prog(obj, "sk_skb_room") : NULL;
	testlib_check(test, prog && bpfvm_prog_test_run(prog, &run) != 0,
		      "bpfvm has no sk_skb test run");
	bpfvm_object_close(obj);
	bpfvm_destroy(vm);
	if (!testlib_kernel_usable()) {
		printf("SKIP kernel side: bpf() is not usable\n");
		return;
	}
	struct bpf_object *kobj = bpf_object__open_file(path, NULL);
	LIBBPF_OPTS(bpf_test_run_opts, krun, .data_in = data, .data_size_in = sizeof(data));

	err = kobj ? bpf_object__load(kobj) : -errno;
	testlib_check(test, !err, "kernel: %d", err);
	if (!err) {
		struct bpf_program *kprog = bpf_object__find_program_by_name(kobj, "sk_skb_room");

		testlib_check(test, bpf_prog_test_run_opts(bpf_program__fd(kprog), &krun) != 0,
			      "the kernel has no sk_skb test run");
	}
	bpf_object__close(kobj);
}

int main(int argc, char **argv)
{
	char path[4096];

	if (argc != 2) {
		fprintf(stderr, "usage: %s OBJDIR\n", argv[0]);
		return 2;
	}
	snprintf(path, sizeof(path), "%s/sk_skb_room.bpf.o", argv[1]);
	the_function_depends_on_the_type();
	sk_skb_semantics();
	object_loads_in_both(path);
	return testlib_summary();
}
