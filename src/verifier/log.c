/* The verifier's log buffer (see log.h for the picture): the kernel's
 * bpf_verifier_vlog, bpf_vlog_reset and bpf_vlog_finalize over memory that
 * the caller owns. A rolling log is a ring indexed by position % size. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "verifier/log.h"

#define LOG_LINE_MAX 1024 /* the kernel's BPF_VERIFIER_TMP_LOG_SIZE */

int verifier_log_init(struct verifier_log *log, uint32_t level, char *buf, uint32_t size)
{
	memset(log, 0, sizeof(*log));
	log->level = level;
	log->buf = buf;
	log->len_total = size;
	if (!!buf != !!size || (buf && !level) || (level & ~VERIFIER_LOG_MASK) ||
	    size > UINT32_MAX >> 2)
		return -EINVAL;
	if (buf)
		buf[0] = '\0';
	return 0;
}

static void log_note_len(struct verifier_log *log, uint32_t len_with_nul)
{
	uint64_t len = log->end_pos + len_with_nul;

	if (len > UINT32_MAX)
		log->len_max = UINT32_MAX;
	else if (len > log->len_max)
		log->len_max = (uint32_t)len;
}

/* Bytes [pos, pos + n) of the endless log into the ring. */
static void ring_copy(struct verifier_log *log, uint64_t pos, const char *bytes, uint32_t n)
{
	uint32_t at = (uint32_t)(pos % log->len_total);
	uint32_t first = n < log->len_total - at ? n : log->len_total - at;

	memcpy(log->buf + at, bytes, first);
	memcpy(log->buf, bytes + first, n - first);
}

static void log_append_fixed(struct verifier_log *log, char *line, uint32_t n)
{
	if (log->buf && log->end_pos < log->len_total) {
		uint64_t room = log->len_total - log->end_pos;
		uint32_t kept = room < n ? (uint32_t)room : n;

		line[kept - 1] = '\0';
		memcpy(log->buf + log->end_pos, line, kept);
	}
	log->end_pos += n - 1;
}

static void log_append_rolling(struct verifier_log *log, const char *line, uint32_t n)
{
	uint64_t new_end = log->end_pos + n;
	uint32_t kept;

	log->end_pos = new_end - 1;
	if (!log->buf)
		return;
	if (new_end - log->start_pos >= log->len_total)
		log->start_pos = new_end - log->len_total;
	kept = n < log->len_total ? n : log->len_total;
	ring_copy(log, new_end - kept, line + n - kept, kept);
}

void verifier_log_write(struct verifier_log *log, const char *fmt, ...)
{
	char line[LOG_LINE_MAX];
	va_list ap;
	int len;

	if (!log || !log->level)
		return;
	va_start(ap, fmt);
	len = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (len < 0)
		return;
	if (len >= (int)sizeof(line))
		len = sizeof(line) - 1;
	log_note_len(log, (uint32_t)len + 1);
	if (log->level & VERIFIER_LOG_FIXED)
		log_append_fixed(log, line, (uint32_t)len + 1);
	else
		log_append_rolling(log, line, (uint32_t)len + 1);
}

void verifier_log_reset(struct verifier_log *log, uint64_t pos)
{
	if (!log || !log->level || pos > log->end_pos)
		return;
	log->end_pos = pos;
	if (log->end_pos < log->start_pos)
		log->start_pos = log->end_pos;
	if (!log->buf)
		return;
	if (log->level & VERIFIER_LOG_FIXED) {
		if (pos < log->len_total)
			log->buf[pos] = '\0';
	} else {
		log->buf[pos % log->len_total] = '\0';
	}
}

static void reverse(char *bytes, uint32_t len)
{
	for (uint32_t i = 0, j = len ? len - 1 : 0; i < j; i++, j--) {
		char c = bytes[i];

		bytes[i] = bytes[j];
		bytes[j] = c;
	}
}

int verifier_log_finalize(struct verifier_log *log, uint32_t *true_size)
{
	*true_size = 0;
	if (!log || !log->level)
		return 0;
	/* A rolling log that dropped its start fills the whole ring; its
	 * oldest byte is at start_pos % size: three reversals rotate it to 0. */
	if (log->buf && !(log->level & VERIFIER_LOG_FIXED) && log->start_pos) {
		uint32_t shift = (uint32_t)(log->start_pos % log->len_total);

		reverse(log->buf, log->len_total);
		reverse(log->buf, log->len_total - shift);
		reverse(log->buf + log->len_total - shift, shift);
	}
	*true_size = log->len_max;
	if (log->buf && log->len_max > log->len_total)
		return -ENOSPC;
	return 0;
}
