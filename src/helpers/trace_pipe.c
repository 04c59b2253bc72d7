/* The trace pipe: a ring of the latest TRACE_PIPE_SIZE bytes of lines.
 *
 *     ring (TRACE_PIPE_SIZE bytes, wraps around)
 *     +-------------+-------------------+-------------+-----------------+
 *     | ...free     | u32 len | line    | u32 len | line ...  | free... |
 *     +-------------+-------------------+-------------+-----------------+
 *                   ^ head (oldest)                         ^ head + used
 *
 * Each record is a 4-byte length and the line's bytes (no NUL), stored
 * across the end of the ring when it wraps. A writer that finds no room
 * drops the oldest records, as the kernel's ring buffer overwrites in
 * "overwrite" mode (the default). One mutex orders writers and readers:
 * the pipe is per runtime and printk is not on any fast path. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include "core/error.h"
#include "core/runtime.h"
#include "helpers/trace_pipe.h"

#define TRACE_RECORD_HEADER 4u

struct trace_pipe {
	pthread_mutex_t lock;
	uint32_t head; /* offset of the oldest record */
	uint32_t used; /* bytes of records */
	uint8_t ring[TRACE_PIPE_SIZE];
};

struct trace_pipe *trace_pipe_create(void)
{
	struct trace_pipe *pipe = calloc(1, sizeof(*pipe));

	if (pipe && pthread_mutex_init(&pipe->lock, NULL)) {
		free(pipe);
		return NULL;
	}
	return pipe;
}

void trace_pipe_destroy(struct trace_pipe *pipe)
{
	if (!pipe)
		return;
	pthread_mutex_destroy(&pipe->lock);
	free(pipe);
}

static void ring_copy_in(struct trace_pipe *pipe, uint32_t pos, const void *src, uint32_t len)
{
	uint32_t at = pos % TRACE_PIPE_SIZE, first = TRACE_PIPE_SIZE - at;

	if (first > len)
		first = len;
	memcpy(pipe->ring + at, src, first);
	memcpy(pipe->ring, (const uint8_t *)src + first, len - first);
}

static void ring_copy_out(const struct trace_pipe *pipe, uint32_t pos, void *dst, uint32_t len)
{
	uint32_t at = pos % TRACE_PIPE_SIZE, first = TRACE_PIPE_SIZE - at;

	if (first > len)
		first = len;
	memcpy(dst, pipe->ring + at, first);
	memcpy((uint8_t *)dst + first, pipe->ring, len - first);
}

static uint32_t ring_record_len(const struct trace_pipe *pipe)
{
	uint32_t len;

	ring_copy_out(pipe, pipe->head, &len, sizeof(len));
	return len;
}

static void ring_drop_oldest(struct trace_pipe *pipe)
{
	uint32_t size = TRACE_RECORD_HEADER + ring_record_len(pipe);

	pipe->head = (pipe->head + size) % TRACE_PIPE_SIZE;
	pipe->used -= size;
}

/* The kernel's context columns for the calling thread. */
static int trace_line_prefix(char *buf, size_t size, uint32_t cpu)
{
	char comm[17] = "";
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (prctl(PR_GET_NAME, comm, 0, 0, 0))
		strcpy(comm, "<...>");
	return snprintf(buf, size, "%16s-%-7d [%03u] ..... %5llu.%06llu: bpf_trace_printk: ", comm,
			(int)gettid(), cpu, (unsigned long long)now.tv_sec,
			(unsigned long long)now.tv_nsec / 1000);
}

void trace_pipe_write(struct trace_pipe *pipe, uint32_t cpu, const char *message, size_t len)
{
	char prefix[128];
	int prefix_len = trace_line_prefix(prefix, sizeof(prefix), cpu);
	uint32_t line_len, size;

	if (prefix_len < 0 || (size_t)prefix_len >= sizeof(prefix))
		return;
	if (len > TRACE_PIPE_SIZE / 2)
		len = TRACE_PIPE_SIZE / 2;
	line_len = (uint32_t)prefix_len + (uint32_t)len + 1;
	size = TRACE_RECORD_HEADER + line_len;
	pthread_mutex_lock(&pipe->lock);
	while (TRACE_PIPE_SIZE - pipe->used < size)
		ring_drop_oldest(pipe);
	{
		uint32_t tail = pipe->head + pipe->used;

		ring_copy_in(pipe, tail, &line_len, sizeof(line_len));
		ring_copy_in(pipe, tail + TRACE_RECORD_HEADER, prefix, (uint32_t)prefix_len);
		ring_copy_in(pipe, tail + TRACE_RECORD_HEADER + (uint32_t)prefix_len, message,
			     (uint32_t)len);
		ring_copy_in(pipe, tail + size - 1, "\n", 1);
	}
	pipe->used += size;
	pthread_mutex_unlock(&pipe->lock);
}

long trace_pipe_read(struct trace_pipe *pipe, char *buf, size_t size)
{
	size_t done = 0;
	long result;

	pthread_mutex_lock(&pipe->lock);
	while (pipe->used) {
		uint32_t len = ring_record_len(pipe);

		if (done + len + 1 > size)
			break;
		ring_copy_out(pipe, pipe->head + TRACE_RECORD_HEADER, buf + done, len);
		done += len;
		ring_drop_oldest(pipe);
	}
	result = (!done && pipe->used) ? -ENOSPC : (long)done;
	pthread_mutex_unlock(&pipe->lock);
	buf[done] = '\0';
	return result;
}

long bpfvm_trace_pipe_read(struct bpfvm *vm, char *buf, size_t size)
{
	long result;

	if (!vm || !buf || !size) {
		vm_error("bpfvm_trace_pipe_read: NULL runtime or empty buffer");
		return -EINVAL;
	}
	result = trace_pipe_read(vm->trace, buf, size);
	if (result == -ENOSPC)
		vm_error("bpfvm_trace_pipe_read: the oldest line does not fit in %zu bytes", size);
	return result;
}
