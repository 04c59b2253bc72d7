/* The trace pipe of a runtime: where bpf_trace_printk and bpf_trace_vprintk
 * write, one line per call, and what bpfvm_trace_pipe_read() consumes.
 *
 * A line has the kernel's trace_pipe format (tracing with the default
 * options: context-info, irq-info, no tgid):
 *
 *     "%16s-%-7d [%03u] %5s %5llu.%06llu: bpf_trace_printk: %s\n"
 *       comm  tid   cpu  flags  seconds.microseconds     message
 *
 * comm and tid are the calling thread's, cpu the run's virtual CPU, the
 * time CLOCK_MONOTONIC (what bpf_ktime_get_ns returns, as the kernel's trace
 * clock is its local clock). The irq-info flags column is "....." (a
 * user-space run has no irq or preemption state). As in the kernel, a
 * message that ends in '\n' gives an empty line after it. */
#ifndef BPFVM_HELPERS_TRACE_PIPE_H
#define BPFVM_HELPERS_TRACE_PIPE_H

#include <stddef.h>
#include <stdint.h>

/* Bytes of lines the pipe keeps: a writer drops the oldest whole lines. */
#define TRACE_PIPE_SIZE (64 * 1024)

struct trace_pipe;

/* NULL when out of memory. */
struct trace_pipe *trace_pipe_create(void);
void trace_pipe_destroy(struct trace_pipe *pipe);

/* Appends the line for `message` (len bytes, no NUL needed) written on
 * virtual CPU `cpu` by the calling thread. Thread-safe. */
void trace_pipe_write(struct trace_pipe *pipe, uint32_t cpu, const char *message, size_t len);

/* Moves whole pending lines into buf (NUL-terminated) and returns their
 * bytes: 0 when none is pending, -ENOSPC (nothing consumed) when the oldest
 * line does not fit in size - 1 bytes. Thread-safe. */
long trace_pipe_read(struct trace_pipe *pipe, char *buf, size_t size);

#endif
