/* The PROG_ARRAY rules of SEMANTICS.md, from user space: each operation is
 * made on a bpfvm prog array and, when bpf() is usable, on a kernel one, and
 * must give the errno written here (Linux 6.18's) on both.
 *   - updates take only BPF_ANY; past the end is E2BIG; deleting an empty
 *     slot is ENOENT; a lookup gives the program's id;
 *   - the owner rule: the first program inserted or loaded with the array
 *     owns it, for good, and a program of another type or attach type is
 *     refused with EINVAL;
 *   - every slot is cleared when the last user reference to the array goes,
 *     even while a program still references it.
 *
 *   usage: test_prog_array_rules OBJDIR */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <linux/bpf.h>

#include "bpfvm/bpfvm.h"
#include "testlib.h"
#include "twin.h"

#define SLOTS 4
#define NO_PROGRAM NULL

static const char *objdir;
static struct bpfvm *vm;
static struct twin owners; /* owners.bpf.o: tc_a, tc_b, xdp_a, cg_ingress, cg_egress */

/* A prog array on both sides: bpfvm's, and the kernel's (fd -1: none). */
struct prog_array {
	struct bpfvm_map *vm_map;
	int fd;
};

static bool kernel_in_use(void)
{
	return owners.k_obj != NULL;
}

static bool prog_array_create(struct prog_array *pa)
{
	int err = bpfvm_map_create(vm, BPF_MAP_TYPE_PROG_ARRAY, "pa", 4, 4, SLOTS, NULL,
				   &pa->vm_map);

	testlib_check("prog_array_create", err == 0, "bpfvm: %d %s", err, bpfvm_errmsg());
	pa->fd = -1;
	if (kernel_in_use()) {
		pa->fd = bpf_map_create(BPF_MAP_TYPE_PROG_ARRAY, "pa", 4, 4, SLOTS, NULL);
		testlib_check("prog_array_create", pa->fd >= 0, "kernel: %d", -errno);
	}
	return err == 0;
}

static void prog_array_destroy(struct prog_array *pa)
{
	bpfvm_map_close(pa->vm_map);
	if (pa->fd >= 0)
		close(pa->fd);
}

/* Both sides' results of one operation against the expected one. */
static void expect_errno(const char *test, const char *what, int vm_err, int k_err, int want)
{
	testlib_check(test, vm_err == want, "bpfvm: %s gave %d, expected %d (%s)", what, vm_err,
		      want, vm_err ? bpfvm_errmsg() : "");
	testlib_check(test, !kernel_in_use() || k_err == want, "kernel: %s gave %d, expected %d",
		      what, k_err, want);
}

/* prog NULL: a value that names no program (an unused id, a closed fd). */
static void expect_update(const char *test, struct prog_array *pa, uint32_t key,
			  const char *prog, uint64_t flags, int want)
{
	uint32_t id = prog ? bpfvm_prog_id(twin_vm_prog(&owners, prog)) : 0x7ffffff0;
	int fd = prog && kernel_in_use() ? twin_kernel_prog_fd(&owners, prog) : 0x7ffffff0;
	int vm_err = bpfvm_map_update(pa->vm_map, &key, &id, flags);
	int k_err = pa->fd < 0 ? 0 : bpf_map_update_elem(pa->fd, &key, &fd, flags) ? -errno : 0;
	char what[128];

	snprintf(what, sizeof(what), "update [%u] = %s, flags %llu", key, prog ? prog : "nothing",
		 (unsigned long long)flags);
	expect_errno(test, what, vm_err, k_err, want);
}

static void expect_delete(const char *test, struct prog_array *pa, uint32_t key, int want)
{
	int vm_err = bpfvm_map_delete(pa->vm_map, &key);
	int k_err = pa->fd < 0 ? 0 : bpf_map_delete_elem(pa->fd, &key) ? -errno : 0;
	char what[64];

	snprintf(what, sizeof(what), "delete [%u]", key);
	expect_errno(test, what, vm_err, k_err, want);
}

static uint32_t kernel_prog_id(int fd)
{
	struct bpf_prog_info info = { 0 };
	uint32_t len = sizeof(info);

	return bpf_obj_get_info_by_fd(fd, &info, &len) ? 0 : info.id;
}

/* A lookup gives the id of the program in the slot (SEMANTICS.md: lookup
 * from user space returns the program id); prog NULL expects `want`. */
static void expect_lookup(const char *test, struct prog_array *pa, uint32_t key,
			  const char *prog, int want)
{
	uint32_t vm_id = 0, k_id = 0;
	int vm_err = bpfvm_map_lookup(pa->vm_map, &key, &vm_id);
	int k_err = pa->fd < 0 ? 0 : bpf_map_lookup_elem(pa->fd, &key, &k_id) ? -errno : 0;
	char what[64];

	snprintf(what, sizeof(what), "lookup [%u]", key);
	expect_errno(test, what, vm_err, k_err, want);
	if (!prog)
		return;
	testlib_check(test, vm_id == bpfvm_prog_id(twin_vm_prog(&owners, prog)),
		      "bpfvm: lookup [%u] gave id %u, %s has id %u", key, vm_id, prog,
		      bpfvm_prog_id(twin_vm_prog(&owners, prog)));
	if (pa->fd >= 0)
		testlib_check(test, k_id == kernel_prog_id(twin_kernel_prog_fd(&owners, prog)),
			      "kernel: lookup [%u] gave id %u, %s has id %u", key, k_id, prog,
			      kernel_prog_id(twin_kernel_prog_fd(&owners, prog)));
}

/* key NULL: the first key. */
static void expect_next_key(const char *test, struct prog_array *pa, const uint32_t *key,
			    int want, uint32_t want_next)
{
	uint32_t vm_next = 0xdead, k_next = 0xdead;
	int vm_err = bpfvm_map_get_next_key(pa->vm_map, key, &vm_next);
	int k_err = pa->fd < 0 ? 0 : bpf_map_get_next_key(pa->fd, key, &k_next) ? -errno : 0;
	char what[64];

	snprintf(what, sizeof(what), "get_next_key after %d", key ? (int)*key : -1);
	expect_errno(test, what, vm_err, k_err, want);
	if (want)
		return;
	testlib_check(test, vm_next == want_next, "bpfvm: %s gave %u, expected %u", what, vm_next,
		      want_next);
	testlib_check(test, pa->fd < 0 || k_next == want_next, "kernel: %s gave %u, expected %u",
		      what, k_next, want_next);
}

/* ---- operations and their errors ---------------------------------------- */

static void prog_array_update_takes_only_bpf_any(void)
{
	const char *test = "prog_array_update_takes_only_bpf_any";
	struct prog_array pa;

	if (!prog_array_create(&pa))
		return;
	expect_update(test, &pa, 0, "tc_a", BPF_ANY, 0);
	expect_update(test, &pa, 0, "tc_b", BPF_NOEXIST, -EINVAL);
	expect_update(test, &pa, 0, "tc_b", BPF_EXIST, -EINVAL);
	expect_update(test, &pa, 1, "tc_b", BPF_NOEXIST, -EINVAL);
	expect_update(test, &pa, 1, "tc_b", BPF_EXIST, -EINVAL);
	expect_lookup(test, &pa, 0, "tc_a", 0);
	expect_lookup(test, &pa, 1, NULL, -ENOENT);
	expect_update(test, &pa, 0, "tc_b", BPF_ANY, 0);
	expect_lookup(test, &pa, 0, "tc_b", 0);
	prog_array_destroy(&pa);
}

static void prog_array_errors_follow_the_kernel(void)
{
	const char *test = "prog_array_index_past_the_end_and_empty_slots_give_the_kernels_errno";
	uint32_t key;
	struct prog_array pa;

	if (!prog_array_create(&pa))
		return;
	expect_update(test, &pa, SLOTS, "tc_a", BPF_ANY, -E2BIG);
	expect_update(test, &pa, 0xffffffff, "tc_a", BPF_ANY, -E2BIG);
	expect_update(test, &pa, 2, NO_PROGRAM, BPF_ANY, -EBADF);
	expect_delete(test, &pa, 2, -ENOENT);
	expect_delete(test, &pa, SLOTS, -E2BIG);
	expect_lookup(test, &pa, 2, NULL, -ENOENT);
	expect_lookup(test, &pa, SLOTS, NULL, -ENOENT);
	expect_update(test, &pa, 2, "tc_a", BPF_ANY, 0);
	expect_lookup(test, &pa, 2, "tc_a", 0);
	expect_delete(test, &pa, 2, 0);
	expect_delete(test, &pa, 2, -ENOENT);
	expect_lookup(test, &pa, 2, NULL, -ENOENT);
	/* Keys are the indexes, filled or not. */
	expect_next_key(test, &pa, NULL, 0, 0);
	key = 1;
	expect_next_key(test, &pa, &key, 0, 2);
	key = SLOTS - 1;
	expect_next_key(test, &pa, &key, -ENOENT, 0);
	key = SLOTS + 5;
	expect_next_key(test, &pa, &key, 0, 0);
	prog_array_destroy(&pa);
}

static void expect_create(const char *test, uint32_t key_size, uint32_t value_size,
			  uint32_t max_entries, int want)
{
	struct bpfvm_map *map = NULL;
	int vm_err = bpfvm_map_create(vm, BPF_MAP_TYPE_PROG_ARRAY, "pa", key_size, value_size,
				      max_entries, NULL, &map);
	int fd = kernel_in_use() ? bpf_map_create(BPF_MAP_TYPE_PROG_ARRAY, "pa", key_size,
						  value_size, max_entries, NULL) :
				   -1;
	int k_err = fd >= 0 ? 0 : -errno;
	char what[96];

	snprintf(what, sizeof(what), "create key %u, value %u, %u entries", key_size, value_size,
		 max_entries);
	expect_errno(test, what, vm_err, k_err, want);
	bpfvm_map_close(map);
	if (fd >= 0)
		close(fd);
}

static void prog_array_keys_and_values_are_4_bytes(void)
{
	const char *test = "prog_array_keys_and_values_are_4_bytes";

	expect_create(test, 4, 4, 1, 0);
	expect_create(test, 4, 8, 1, -EINVAL);
	expect_create(test, 8, 4, 1, -EINVAL);
	expect_create(test, 4, 4, 0, -EINVAL);
}

/* ---- the owner rule ------------------------------------------------------ */

static void xdp_cannot_join_a_tc_owned_array(void)
{
	const char *test = "xdp_program_cannot_join_a_prog_array_owned_by_tc";
	const char *sticky = "prog_array_owner_stays_after_the_array_is_emptied";
	struct prog_array pa;

	if (!prog_array_create(&pa))
		return;
	/* Refused updates claim nothing: the index and flags are checked first. */
	expect_update(test, &pa, SLOTS, "xdp_a", BPF_ANY, -E2BIG);
	expect_update(test, &pa, 0, "xdp_a", BPF_NOEXIST, -EINVAL);
	expect_update(test, &pa, 0, "tc_a", BPF_ANY, 0);
	expect_update(test, &pa, 1, "xdp_a", BPF_ANY, -EINVAL);
	expect_update(test, &pa, 1, "cg_ingress", BPF_ANY, -EINVAL);
	expect_update(test, &pa, 1, "tc_b", BPF_ANY, 0);
	expect_lookup(test, &pa, 1, "tc_b", 0);
	expect_delete(test, &pa, 0, 0);
	expect_delete(test, &pa, 1, 0);
	expect_update(test, &pa, 0, "xdp_a", BPF_ANY, -EINVAL);
	expect_update(sticky, &pa, 0, "xdp_a", BPF_ANY, -EINVAL);
	expect_update(sticky, &pa, 0, "tc_b", BPF_ANY, 0);
	prog_array_destroy(&pa);
}

static void cgroup_egress_cannot_join_an_ingress_owned_array(void)
{
	const char *test = "cgroup_skb_egress_cannot_join_a_prog_array_owned_by_ingress";
	const char *sticky = "prog_array_attach_type_owner_stays_after_the_array_is_emptied";
	struct prog_array pa;

	if (!prog_array_create(&pa))
		return;
	expect_update(test, &pa, 0, "cg_ingress", BPF_ANY, 0);
	expect_update(test, &pa, 1, "cg_egress", BPF_ANY, -EINVAL);
	expect_update(test, &pa, 1, "tc_a", BPF_ANY, -EINVAL);
	expect_delete(test, &pa, 0, 0);
	expect_update(sticky, &pa, 0, "cg_egress", BPF_ANY, -EINVAL);
	expect_update(sticky, &pa, 3, "cg_ingress", BPF_ANY, 0);
	expect_lookup(sticky, &pa, 3, "cg_ingress", 0);
	prog_array_destroy(&pa);
}

/* The programs of one object that reference one array: the first loaded owns
 * it; the XDP one is then refused, and with it the object. */
static void programs_of_two_types_cannot_share_an_array_at_load(void)
{
	const char *test = "programs_of_two_types_referencing_one_prog_array_fail_to_load";
	struct twin t;

	twin_open(&t, vm, objdir, "owner_load_mismatch.bpf.o");
	expect_errno(test, "load", t.vm_err, t.k_err, -EINVAL);
	twin_close(&t);
}

/* ---- clearing when the last user reference goes --------------------------- */

static int run_vm_prog(struct bpfvm_prog *prog, uint32_t *retval)
{
	uint8_t packet[TWIN_PACKET_LEN];
	struct bpfvm_test_run_opts opts = {
		.sz = sizeof(opts), .data_in = packet, .data_size_in = sizeof(packet),
	};
	int err;

	twin_packet(packet);
	err = bpfvm_prog_test_run(prog, &opts);
	*retval = opts.retval;
	return err;
}

static int run_kernel_prog(int fd, uint32_t *retval)
{
	uint8_t packet[TWIN_PACKET_LEN];
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = packet, .data_size_in = sizeof(packet));
	int err;

	twin_packet(packet);
	err = bpf_prog_test_run_opts(fd, &opts) ? -errno : 0;
	*retval = opts.retval;
	return err;
}

/* The kernel clears the slots from a work queue, after the last close: wait
 * for the run to give `want` for up to two seconds. */
static uint32_t kernel_retval_settled(int fd, uint32_t want)
{
	struct timespec tick = { .tv_nsec = 2 * 1000 * 1000 };
	uint32_t retval = 0;

	for (int i = 0; i < 1000; i++) {
		if (run_kernel_prog(fd, &retval) == 0 && retval == want)
			break;
		nanosleep(&tick, NULL);
	}
	return retval;
}

/* lr_entry (last_ref.bpf.c) on both sides, through references that outlive
 * the object: 2 while slot 0 holds lr_target, 1 once it is cleared. */
struct entry_refs {
	struct bpfvm_prog *vm_prog;
	int fd;
	uint32_t vm_map_id, k_map_id;
	uint32_t vm_target_id, k_target_id;
};

static void expect_entry_retval(const char *test, const struct entry_refs *refs, uint32_t want)
{
	uint32_t retval = 0;
	int err = run_vm_prog(refs->vm_prog, &retval);

	testlib_check(test, err == 0 && retval == want, "bpfvm: lr_entry returned %u (run %d), "
		      "expected %u", retval, err, want);
	if (refs->fd < 0)
		return;
	retval = kernel_retval_settled(refs->fd, want);
	testlib_check(test, retval == want, "kernel: lr_entry returned %u, expected %u", retval,
		      want);
}

static uint32_t kernel_map_id(int fd)
{
	struct bpf_map_info info = { 0 };
	uint32_t len = sizeof(info);

	return bpf_obj_get_info_by_fd(fd, &info, &len) ? 0 : info.id;
}

/* A reference by id is a user reference of its own, as the kernel's
 * BPF_MAP_GET_FD_BY_ID gives a file descriptor. */
struct map_refs {
	struct bpfvm_map *vm_map;
	int fd;
};

static struct map_refs map_refs_get(const char *test, const struct entry_refs *entry)
{
	struct map_refs refs = { .fd = -1 };
	int err = bpfvm_map_get_by_id(vm, entry->vm_map_id, &refs.vm_map);

	testlib_check(test, err == 0, "bpfvm_map_get_by_id(%u): %d %s", entry->vm_map_id, err,
		      bpfvm_errmsg());
	if (entry->fd >= 0) {
		refs.fd = bpf_map_get_fd_by_id(entry->k_map_id);
		testlib_check(test, refs.fd >= 0, "kernel: map id %u: %d", entry->k_map_id,
			      -errno);
	}
	return refs;
}

static void map_refs_put(struct map_refs *refs)
{
	bpfvm_map_close(refs->vm_map);
	if (refs->fd >= 0)
		close(refs->fd);
}

static void entry_refs_record(struct entry_refs *refs, const struct twin *t)
{
	const char *test = "prog_array_cleared_on_last_user_reference_setup";
	struct bpfvm_map_info info = { 0 };
	int err;

	err = bpfvm_prog_get_by_id(vm, bpfvm_prog_id(twin_vm_prog(t, "lr_entry")),
				   &refs->vm_prog);
	testlib_check(test, err == 0, "bpfvm_prog_get_by_id(lr_entry): %d %s", err,
		      bpfvm_errmsg());
	bpfvm_map_get_info(twin_vm_map(t, "lr_jmp"), &info);
	refs->vm_map_id = info.id;
	refs->vm_target_id = bpfvm_prog_id(twin_vm_prog(t, "lr_target"));
	if (!t->k_obj)
		return;
	refs->fd = fcntl(twin_kernel_prog_fd(t, "lr_entry"), F_DUPFD_CLOEXEC, 0);
	refs->k_map_id = kernel_map_id(twin_kernel_map_fd(t, "lr_jmp"));
	refs->k_target_id = kernel_prog_id(twin_kernel_prog_fd(t, "lr_target"));
}

/* Loads last_ref.bpf.o, fills slot 0, takes references to lr_entry (and,
 * when `extra` is given, to the array by id), and closes the object. */
static bool entry_refs_take(struct entry_refs *refs, struct map_refs *extra)
{
	const char *test = "prog_array_cleared_on_last_user_reference_setup";
	struct twin t;

	memset(refs, 0, sizeof(*refs));
	refs->fd = -1;
	if (!twin_open_ok(&t, vm, objdir, "last_ref.bpf.o"))
		return false;
	twin_fill(&t, test, "lr_jmp", 0, "lr_target");
	entry_refs_record(refs, &t);
	expect_entry_retval(test, refs, 2);
	if (extra)
		*extra = map_refs_get(test, refs);
	twin_close(&t);
	return refs->vm_prog != NULL;
}

static void entry_refs_release(struct entry_refs *refs)
{
	bpfvm_prog_close(refs->vm_prog);
	if (refs->fd >= 0)
		close(refs->fd);
}

static void expect_slot_empty(const char *test, const struct entry_refs *entry)
{
	struct map_refs refs = map_refs_get(test, entry);
	uint32_t key = 0, id = 0;
	int vm_err = refs.vm_map ? bpfvm_map_lookup(refs.vm_map, &key, &id) : -EBADF;
	int k_err = refs.fd < 0 ? 0 : bpf_map_lookup_elem(refs.fd, &key, &id) ? -errno : 0;

	expect_errno(test, "lookup [0] after the last reference went", vm_err, k_err, -ENOENT);
	map_refs_put(&refs);
}

/* Once cleared, nothing holds lr_target: its id is gone. The kernel frees it
 * after an RCU grace period, bpfvm after its own: wait up to two seconds. */
static void expect_target_gone(const char *test, const struct entry_refs *entry)
{
	struct timespec tick = { .tv_nsec = 2 * 1000 * 1000 };
	struct bpfvm_prog *prog = NULL;
	int vm_err = 0, fd = 0;

	for (int i = 0; i < 1000 && vm_err != -ENOENT; i++) {
		vm_err = bpfvm_prog_get_by_id(vm, entry->vm_target_id, &prog);
		if (!vm_err)
			bpfvm_prog_close(prog);
		nanosleep(&tick, NULL);
	}
	testlib_check(test, vm_err == -ENOENT, "bpfvm: lr_target's id %u still gives %d",
		      entry->vm_target_id, vm_err);
	if (entry->fd < 0)
		return;
	for (int i = 0; i < 1000 && fd >= 0; i++) {
		fd = bpf_prog_get_fd_by_id(entry->k_target_id);
		if (fd >= 0) {
			close(fd);
			nanosleep(&tick, NULL);
		}
	}
	testlib_check(test, fd < 0 && errno == ENOENT, "kernel: lr_target's id %u is still there",
		      entry->k_target_id);
}

/* Closing the object drops the last user reference, although lr_entry, which
 * outlives it, still references the array: the slot is emptied. */
static void prog_array_cleared_when_its_object_closes(void)
{
	const char *test = "prog_array_slots_cleared_when_the_last_user_reference_goes";
	struct entry_refs entry;

	if (!entry_refs_take(&entry, NULL))
		return;
	expect_entry_retval(test, &entry, 1);
	expect_slot_empty(test, &entry);
	expect_target_gone(test, &entry);
	entry_refs_release(&entry);
}

/* A reference taken by id keeps the slots filled after the object closes,
 * until it goes too. */
static void prog_array_kept_while_another_user_reference_holds_it(void)
{
	const char *test = "prog_array_slots_kept_while_a_user_reference_remains";
	struct entry_refs entry;
	struct map_refs extra;

	if (!entry_refs_take(&entry, &extra))
		return;
	expect_entry_retval(test, &entry, 2);
	map_refs_put(&extra);
	expect_entry_retval("prog_array_slots_cleared_when_the_remaining_user_reference_goes",
			    &entry, 1);
	expect_slot_empty(test, &entry);
	entry_refs_release(&entry);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s OBJDIR\n", argv[0]);
		return 2;
	}
	objdir = argv[1];
	vm = twin_vm();
	twin_pin_cpu(vm);
	if (!twin_open_ok(&owners, vm, objdir, "owners.bpf.o"))
		return testlib_summary();

	prog_array_update_takes_only_bpf_any();
	prog_array_errors_follow_the_kernel();
	prog_array_keys_and_values_are_4_bytes();
	xdp_cannot_join_a_tc_owned_array();
	cgroup_egress_cannot_join_an_ingress_owned_array();
	programs_of_two_types_cannot_share_an_array_at_load();
	prog_array_cleared_when_its_object_closes();
	prog_array_kept_while_another_user_reference_holds_it();

	twin_close(&owners);
	bpfvm_cpu_unbind(vm);
	bpfvm_destroy(vm);
	return twin_summary();
}
