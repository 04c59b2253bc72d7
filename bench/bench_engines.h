/* The three engines bench_progs compares: bpfvm's interpreter, bpfvm's JIT
 * and the kernel (libbpf, BPF_PROG_TEST_RUN), each loading the same object
 * file and running its programs with the same packet. */
#ifndef BENCH_ENGINES_H
#define BENCH_ENGINES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bench_packets.h"

enum bench_engine { BENCH_INTERP, BENCH_JIT, BENCH_KERNEL, BENCH_ENGINES };

extern const char *const bench_engine_names[BENCH_ENGINES];

/* One bpfvm runtime per bpfvm engine; `kernel` when bpf() is usable. */
struct bench_runtimes {
	struct bpfvm *vm[BENCH_KERNEL];
	bool kernel;
};

/* Errors: as bpfvm_create(); `why` says why the kernel is not usable
 * (runtimes->kernel false, not an error). */
int bench_runtimes_create(struct bench_runtimes *runtimes, bool want_kernel, char *why,
			  size_t why_size);
void bench_runtimes_destroy(struct bench_runtimes *runtimes);

/* One object file loaded in every engine. */
struct bench_object;

/* Loads `path` in each engine and runs its programs named "*_setup" once in
 * each (they fill maps; each must return 0). A kernel that refuses the
 * object is not an error: the object then has no kernel side and `why`
 * says why. Errors (bpfvm refused it, a setup failed): a negative errno,
 * with the message in `why`. */
int bench_object_open(struct bench_runtimes *runtimes, const char *path,
		      struct bench_object **obj_out, char *why, size_t why_size);
void bench_object_close(struct bench_object *obj);
bool bench_object_has_engine(const struct bench_object *obj, enum bench_engine engine);

/* What one test run gave, and the thread CPU time it took. */
struct bench_result {
	int err;
	uint32_t retval;
	uint32_t size_out;
	uint8_t data_out[BENCH_PACKET_MAX];
	uint32_t duration; /* ns per run, as the test run timed its loop */
	double ns;	   /* thread CPU time of the whole call, set-up included */
};

/* Runs `prog` of `obj` in `engine` over a copy of `packet`, `repeat` times
 * in one test run, then drains the object's ring buffers. */
void bench_object_run(struct bench_object *obj, enum bench_engine engine, const char *prog,
		      const struct bench_packet *packet, int repeat, struct bench_result *result);

/* Does `prog` exist in the object (in bpfvm; the kernel loads the same)? */
bool bench_object_has_prog(const struct bench_object *obj, const char *prog);

#endif
