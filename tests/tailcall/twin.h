/* One object file loaded twice: into bpfvm, and into the running kernel
 * through libbpf when bpf() is usable. A test runs a program of it in both
 * with the same input and compares what each gives back (return value,
 * packet, context, maps), and also checks bpfvm's results against values
 * written in the test, so that it means something without the kernel.
 *
 * The kernel's half runs on one CPU (twin_pin_cpu), where a tc test run puts
 * its per-CPU values; bpfvm's runs use the vCPU of the same number. */
#ifndef BPFVM_TESTS_TAILCALL_TWIN_H
#define BPFVM_TESTS_TAILCALL_TWIN_H

#include <stdbool.h>
#include <stdint.h>

#include "bpfvm/bpfvm.h"

struct bpf_object;

#define TWIN_SKIP 77
#define TWIN_DATA_MAX 512
#define TWIN_CTX_MAX 256
#define TWIN_PACKET_LEN 64

struct twin {
	const char *file;	  /* file name, for messages */
	struct bpfvm_object *vm_obj;
	struct bpf_object *k_obj; /* NULL: no kernel, or its load failed */
	int vm_err;		  /* load results: 0 or -errno */
	int k_err;
};

struct twin_input {
	const void *data;
	uint32_t data_size;
	const void *ctx;
	uint32_t ctx_size;
	uint32_t ctx_size_out; /* capacity for ctx_out; 0: none asked */
	int repeat;
	uint32_t flags; /* BPF_F_TEST_RUN_ON_CPU */
	uint32_t cpu;
};

struct twin_output {
	int err; /* 0 or -errno of the test run */
	uint32_t retval;
	uint32_t data_size;
	uint8_t data[TWIN_DATA_MAX];
	uint32_t ctx_size;
	uint8_t ctx[TWIN_CTX_MAX];
};

/* Whether the kernel takes part; the first call probes bpf() and prints why
 * not. */
bool twin_kernel_usable(void);

/* Pins the calling thread to the first CPU it may run on (the kernel's test
 * runs of tc programs run where the caller runs) and binds it to the vCPU of
 * that number in `vm`. Returns the CPU; exits on failure. */
int twin_pin_cpu(struct bpfvm *vm);

/* The CPUs both sides have: bpfvm's vCPUs that are online CPUs here. */
uint32_t twin_cpu_count(struct bpfvm *vm);

/* A runtime with the default number of vCPUs; exits on failure. */
struct bpfvm *twin_vm(void);

/* A 64-byte Ethernet + IPv4 + UDP packet with a zero payload. */
void twin_packet(uint8_t packet[TWIN_PACKET_LEN]);

/* Opens and loads dir/file in bpfvm and, when usable, in the kernel. Returns
 * bpfvm's result; t->k_err holds the kernel's. Load failures are not checks:
 * the caller decides what it expects. */
int twin_open(struct twin *t, struct bpfvm *vm, const char *dir, const char *file);
/* Opens and loads, counting a failed check when either side fails. */
bool twin_open_ok(struct twin *t, struct bpfvm *vm, const char *dir, const char *file);
void twin_close(struct twin *t);

/* Handles on both sides, by name; NULL / -1 (and a failed check) if absent. */
struct bpfvm_prog *twin_vm_prog(const struct twin *t, const char *name);
struct bpfvm_map *twin_vm_map(const struct twin *t, const char *name);
int twin_kernel_prog_fd(const struct twin *t, const char *name);
int twin_kernel_map_fd(const struct twin *t, const char *name);

/* Puts program `prog` in slot `slot` of prog array `map`, on both sides. */
void twin_fill(struct twin *t, const char *test, const char *map, uint32_t slot,
	       const char *prog);

/* Runs `prog` in bpfvm (into *vm_out) and, when the object is loaded there,
 * in the kernel (into *k_out). Returns whether the kernel ran it. */
bool twin_run(struct twin *t, const char *prog, const struct twin_input *in,
	      struct twin_output *vm_out, struct twin_output *k_out);

/* Runs `prog` in both and checks that each returns `want` and that both give
 * the same packet and context back. *vm_out (may be NULL) receives bpfvm's
 * output for further checks. */
void twin_expect_retval(struct twin *t, const char *test, const char *prog,
			const struct twin_input *in, uint32_t want, struct twin_output *vm_out);

/* Checks that the u64 value at `key` of map `map` is `want` on both sides. */
void twin_expect_u64(struct twin *t, const char *test, const char *map, uint32_t key,
		     uint64_t want);

/* Checks that every entry of map `map` (all CPUs of a per-CPU map) holds
 * the same bytes on both sides. */
void twin_expect_maps_agree(struct twin *t, const char *test, const char *map);

/* The process's exit code: 1 after a failed check; TWIN_SKIP when the kernel
 * could not take part (bpfvm's own checks passed); 0 otherwise. */
int twin_summary(void);

#endif
