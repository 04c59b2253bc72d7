/* What the example host programs share: opening their object, reading their
 * input packets, stopping with bpfvm's message on an error, and printing
 * what bpf_printk wrote. */
#ifndef BPFVM_EXAMPLE_H
#define BPFVM_EXAMPLE_H

#include <stddef.h>

#include <bpfvm/bpfvm.h>

/* Prints "<what>: <bpfvm_errmsg()> (<strerror(-err)>)" and exits with 1. */
_Noreturn void example_fail(const char *what, int err);

/* Opens and loads the object at `path` (or stops). */
struct bpfvm_object *example_load_object(struct bpfvm *vm, const char *path);

/* The program or map of `obj` named `name` (or stops). */
struct bpfvm_prog *example_prog(struct bpfvm_object *obj, const char *name);
struct bpfvm_map *example_map(struct bpfvm_object *obj, const char *name);

/* Reads `dir`/`name`.bin into buf (at most `size` bytes) and returns its
 * length (or stops). */
size_t example_read_packet(const char *dir, const char *name, void *buf, size_t size);

/* Prints the message of every bpf_printk line written since the last call,
 * after `indent`, without the trace_pipe prefix (task, CPU, timestamp). */
void example_print_trace(struct bpfvm *vm, const char *indent);

#endif
