/* The verifier's log buffer, with the semantics of the kernel's
 * struct bpf_verifier_log (kernel/bpf/log.c) and BPF_PROG_LOAD's log_buf,
 * log_size, log_level and log_true_size:
 *
 *   positions count every byte ever written, as if the buffer were endless:
 *
 *     0            start_pos                end_pos
 *     |-- dropped --|===== in the buffer =====|      (rolling, the default)
 *     |===== in the buffer ====|-- dropped ----|     (BPF_LOG_FIXED)
 *
 * A rolling log keeps the last log_size - 1 bytes (the end of a long trace:
 * the failing instruction and the reason); BPF_LOG_FIXED keeps the first ones.
 * verifier_log_reset() rewinds to an earlier position (the kernel drops the
 * trace of a path that ended, at level 1). verifier_log_finalize() leaves a
 * NUL-terminated string at the start of the buffer and says whether
 * something was dropped (-ENOSPC). */
#ifndef BPFVM_VERIFIER_LOG_H
#define BPFVM_VERIFIER_LOG_H

#include <stdbool.h>
#include <stdint.h>

/* The kernel's log level bits (include/linux/bpf_verifier.h). */
#define VERIFIER_LOG_LEVEL1 1u
#define VERIFIER_LOG_LEVEL2 2u
#define VERIFIER_LOG_STATS 4u
#define VERIFIER_LOG_FIXED 8u
#define VERIFIER_LOG_MASK 15u

struct verifier_log {
	uint32_t level;
	char *buf;	    /* may be NULL (with len_total 0): only the size is computed */
	uint32_t len_total; /* the buffer's size */
	uint64_t start_pos, end_pos;
	uint32_t len_max;   /* the longest the log has been, NUL included */
	bool reason_written; /* the refusal's reason is in the log */
};

/* 0, or -EINVAL for the attributes the kernel refuses: a buffer without a
 * size or the reverse, a buffer without a level, unknown level bits, a
 * size above UINT32_MAX >> 2. */
int verifier_log_init(struct verifier_log *log, uint32_t level, char *buf, uint32_t size);

static inline bool verifier_log_on(const struct verifier_log *log)
{
	return log && (log->level & (VERIFIER_LOG_LEVEL1 | VERIFIER_LOG_LEVEL2));
}

/* Appends (lines longer than 1023 bytes are cut, as the kernel's). */
void verifier_log_write(struct verifier_log *log, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Rewinds to `pos` (<= end_pos). */
void verifier_log_reset(struct verifier_log *log, uint64_t pos);

/* Leaves the kept bytes as a string at the start of the buffer. *true_size
 * is the size the whole log needs, NUL included. -ENOSPC if bytes were
 * dropped, else 0. */
int verifier_log_finalize(struct verifier_log *log, uint32_t *true_size);

#endif
