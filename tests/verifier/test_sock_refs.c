/* Sockets, as the kernel's verifier tracks them: a lookup's socket is a
 * reference, NULL-checked before use, released once on every path, never
 * used after; casts (bpf_sk_fullsock, bpf_tcp_sock) share it; the fields of
 * struct bpf_sock, bpf_sock_common's part of it and bpf_tcp_sock are read
 * with the kernel's offsets and sizes, never written; no arithmetic. Each
 * case is also loaded into the running kernel when bpf() is usable; so is
 * every (offset, size) of the three socket types, whose verdicts and
 * reasons must agree. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../testlib.h"
#include "verdict_kernel.h"

/* r6 = ctx; r7 = bpf_<helper>(ctx, an IPv4 tuple of zeros on the stack,
 * 12, BPF_F_CURRENT_NETNS, 0): 84 sk_lookup_tcp, 85 _udp, 99 skc_lookup_tcp */
#define LOOKUP(helper)                                                                         \
	"r6 = r1\n*(u64 *)(r10 -8) = 0\n*(u64 *)(r10 -16) = 0\nr1 = r6\nr2 = r10\nr2 += -16\n"   \
	"r3 = 12\nr4 = -1\nr5 = 0\ncall " #helper "\nr7 = r0\n"
#define RELEASE(reg) "r1 = " #reg "\ncall 86\n"
#define OUT "out:\nr0 = 0\nexit\n"

#define SOCK_ADDR .type = BPF_PROG_TYPE_CGROUP_SOCK_ADDR, .attach_type = BPF_CGROUP_INET4_CONNECT
#define CGROUP_SKB .type = BPF_PROG_TYPE_CGROUP_SKB, .attach_type = BPF_CGROUP_INET_EGRESS

static const struct verdict_case cases[] = {
	{ "looked_up_checked_read_released",
	  .text = LOOKUP(84) "if r7 == 0 goto out\nr0 = *(u32 *)(r7 +4)\n" RELEASE(r7) OUT },
	{ "udp_lookup_released_on_both_sides_of_a_test",
	  .text = LOOKUP(85) "if r7 == 0 goto out\nr8 = *(u32 *)(r7 +44)\nif r8 == 80 goto rel\n"
		  RELEASE(r7) "r0 = 1\nexit\nrel:\n" RELEASE(r7) OUT },
	{ "lookup_leaked", .text = LOOKUP(84) "r0 = 0\nexit\n",
	  .reason = "BPF_EXIT instruction in main prog would lead to reference leak" },
	{ "lookup_leaked_on_one_path",
	  .text = LOOKUP(84) "if r7 == 0 goto out\nr8 = *(u32 *)(r7 +4)\nif r8 == 2 goto out\n"
		  RELEASE(r7) OUT,
	  .reason = "BPF_EXIT instruction in main prog would lead to reference leak" },
	{ "released_twice",
	  .text = LOOKUP(84) "if r7 == 0 goto out\n" RELEASE(r7) RELEASE(r7) OUT,
	  .reason = "R1 type=scalar expected=sock_common, sock, tcp_sock, xdp_sock, ptr_" },
	{ "read_after_release",
	  .text = LOOKUP(84) "if r7 == 0 goto out\n" RELEASE(r7) "r0 = *(u32 *)(r7 +4)\n" OUT,
	  .reason = "R7 invalid mem access 'scalar'" },
	{ "read_without_null_check", .text = LOOKUP(84) "r0 = *(u32 *)(r7 +4)\n" RELEASE(r7) OUT,
	  .reason = "R7 invalid mem access 'sock_or_null'" },
	{ "released_without_null_check", .text = LOOKUP(84) RELEASE(r7) OUT,
	  .reason = "R1 type=sock_or_null expected=sock_common, sock, tcp_sock" },
	{ "written_into",
	  .text = LOOKUP(84) "if r7 == 0 goto out\n*(u32 *)(r7 +16) = 1\n" RELEASE(r7) OUT,
	  .reason = "R7 cannot write into sock" },
	{ "moved", .text = LOOKUP(84) "if r7 == 0 goto out\nr7 += 4\n" RELEASE(r7) OUT,
	  .reason = "R7 pointer arithmetic on sock prohibited" },
	{ "moved_before_null_check", .text = LOOKUP(84) "r7 += 4\n" OUT,
	  .reason = "R7 pointer arithmetic on sock_or_null prohibited, null-check it first" },
	{ "atomic_add_into", .text = LOOKUP(84) "if r7 == 0 goto out\nr1 = 1\n"
				     "lock *(u32 *)(r7 +16) += r1\n" RELEASE(r7) OUT,
	  .reason = "BPF_ATOMIC stores into R7 sock is not allowed" },
	{ "context_socket_released",
	  .text = "r1 = *(u64 *)(r1 +168)\nif r1 == 0 goto out\ncall 86\n" OUT,
	  .reason = "R1 must be referenced when passed to release function" },
	{ "context_socket_read_after_check",
	  .text = "r1 = *(u64 *)(r1 +168)\nif r1 == 0 goto out\nr0 = *(u32 *)(r1 +72)\n" OUT },
	{ "context_socket_common_has_no_type",
	  .text = "r1 = *(u64 *)(r1 +168)\nif r1 == 0 goto out\nr0 = *(u32 *)(r1 +8)\n" OUT,
	  .reason = "R1 invalid sock_common access off=8 size=4" },
	{ "held_across_a_tail_call", .maps = { VERDICT_MAP(BPF_MAP_TYPE_PROG_ARRAY, 4, 4, 4) },
	  .text = LOOKUP(84) "if r7 == 0 goto out\nr1 = r6\nr2 = map[idx:0]\nr3 = 0\ncall 12\n"
		  RELEASE(r7) OUT,
	  .reason = "tail_call would lead to reference leak" },
	/* Casts: the same reference under another type. */
	{ "fullsock_of_a_looked_up_common_socket",
	  .text = LOOKUP(99) "if r7 == 0 goto out\nr1 = r7\ncall 95\nif r0 == 0 goto rel\n"
		  "r8 = *(u32 *)(r0 +12)\nrel:\n" RELEASE(r7) OUT },
	{ "fullsock_read_after_its_socket_released",
	  .text = LOOKUP(99) "if r7 == 0 goto out\nr1 = r7\ncall 95\nr8 = r0\n" RELEASE(r7)
		  "if r8 == 0 goto out\nr0 = *(u32 *)(r8 +12)\n" OUT,
	  .reason = "R8 invalid mem access 'scalar'" },
	{ "fullsock_released_for_its_socket", .type = BPF_PROG_TYPE_SCHED_CLS,
	  .text = LOOKUP(99) "if r7 == 0 goto out\nr1 = r7\ncall 95\nif r0 == 0 goto rel\n"
		  RELEASE(r0) "r0 = 0\nexit\nrel:\n" RELEASE(r7) OUT },
	{ "tcp_sock_fields", .text = LOOKUP(84) "if r7 == 0 goto out\nr1 = r7\ncall 96\n"
				    "if r0 == 0 goto rel\nr8 = *(u64 *)(r0 +80)\n"
				    "r8 = *(u32 *)(r0 +108)\nrel:\n" RELEASE(r7) OUT },
	{ "tcp_sock_half_of_a_u64",
	  .text = LOOKUP(84) "if r7 == 0 goto out\nr1 = r7\ncall 96\nif r0 == 0 goto rel\n"
		  "r8 = *(u32 *)(r0 +80)\nrel:\n" RELEASE(r7) OUT,
	  .reason = "R0 invalid tcp_sock access off=80 size=4" },
	{ "listener_is_no_reference",
	  .text = LOOKUP(84) "if r7 == 0 goto out\nr1 = r7\ncall 98\nif r0 == 0 goto rel\n"
		  RELEASE(r0) "rel:\n" RELEASE(r7) OUT,
	  .reason = "R1 must be referenced when passed to release function" },
	{ "one_load_from_a_socket_and_the_stack",
	  .text = LOOKUP(84) "if r7 == 0 goto out\nr8 = r7\nr9 = *(u32 *)(r6 +0)\n"
		  "if r9 > 10 goto use\nr8 = r10\nr8 += -16\nuse:\nr0 = *(u32 *)(r8 +4)\n"
		  RELEASE(r7) OUT,
	  .reason = "same insn cannot be used with different pointers" },
	{ "assigned_then_released",
	  .text = LOOKUP(99) "if r7 == 0 goto out\nr1 = r6\nr2 = r7\nr3 = 0\ncall 124\n"
		  RELEASE(r7) OUT },
	/* Other program types: sock_addr's socket is never NULL, sock_ops'
	 * may be, cgroup_skb has the casts of tc. */
	{ "sock_addr_lookup_and_context_socket", SOCK_ADDR,
	  .text = "r8 = *(u64 *)(r1 +64)\nr8 = *(u32 *)(r8 +4)\n" LOOKUP(85)
		  "if r7 == 0 goto out\n" RELEASE(r7) OUT },
	{ "sock_ops_socket_read_unchecked", .type = BPF_PROG_TYPE_SOCK_OPS,
	  .text = "r1 = *(u64 *)(r1 +184)\nr0 = *(u32 *)(r1 +4)\nr0 = 1\nexit\n",
	  .reason = "R1 invalid mem access 'sock_or_null'" },
	{ "cgroup_skb_fullsock_and_tcp_sock", CGROUP_SKB,
	  .text = "r1 = *(u64 *)(r1 +168)\nif r1 == 0 goto out\ncall 95\nif r0 == 0 goto out\n"
		  "r1 = r0\ncall 96\nif r0 == 0 goto out\nr0 = *(u32 *)(r0 +0)\n"
		  "out:\nr0 = 1\nexit\n" },
};

/* The three socket types: how a program gets one (in r7, NULL-checked), and
 * how it gives it back. */
struct sock_kind {
	const char *name;
	const char *get;
	const char *put;
};

static const struct sock_kind kinds[] = {
	{ "sock", LOOKUP(84) "if r7 == 0 goto out\n", RELEASE(r7) },
	{ "sock_common", LOOKUP(99) "if r7 == 0 goto out\n", RELEASE(r7) },
	{ "tcp_sock", LOOKUP(84) "if r7 == 0 goto out\nr1 = r7\ncall 96\nr8 = r7\nr7 = r0\n"
		      "if r7 == 0 goto rel\n", "rel:\n" RELEASE(r8) },
};

static const char *const size_names[] = { "u8", "u16", "u32", "u64" };

/* Every (offset, size) read from each socket type, kernel and bpfvm. */
static unsigned compare_field_matrix(struct bpfvm *vm)
{
	char text[1024], kbuf[256], vbuf[256], name[64];
	unsigned failed = 0, compared = 0;

	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		for (int off = -4; off < 120; off++) {
			for (int s = 0; s < 4; s++) {
				struct verdict_case c = { .name = name, .text = text };
				const char *kr, *vr;
				struct bpf_insn *insns;
				size_t cnt;
				bool same;

				snprintf(name, sizeof(name), "%s_%s_at_%d", kinds[k].name,
					 size_names[s], off);
				snprintf(text, sizeof(text), "%sr0 = *(%s *)(r7 %+d)\n%s" OUT,
					 kinds[k].get, size_names[s], off, kinds[k].put);
				if (bpfvm_asm_parse(text, &insns, &cnt)) {
					testlib_check(name, false, "assembler: %s", bpfvm_errmsg());
					return failed + 1;
				}
				if (!verdict_kernel(&c, insns, cnt, &kr, kbuf, sizeof(kbuf))) {
					testlib_check(name, false, "kernel: %s", kbuf);
					free(insns);
					return failed + 1;
				}
				verdict_bpfvm(vm, &c, insns, cnt, &vr, vbuf, sizeof(vbuf));
				free(insns);
				compared++;
				same = kr && vr ? strcmp(kr, vr) == 0 : !kr && !vr;
				testlib_check(name, same, "kernel: %s | bpfvm: %s",
					      kr ? kr : "(accepted)", vr ? vr : "(accepted)");
				failed += !same;
			}
		}
	}
	printf("%u socket field reads compared with the kernel, %u differ\n", compared, failed);
	return failed;
}

int main(void)
{
	struct bpfvm *vm = testlib_vm_create();

	verdict_run_cases(vm, cases, sizeof(cases) / sizeof(cases[0]));
	if (verdict_kernel_usable())
		compare_field_matrix(vm);
	else
		printf("note: kernel bpf() not usable, the field matrix is not compared\n");
	bpfvm_destroy(vm);
	return testlib_summary();
}
