/* Holders of locks shared between processes (see owner.h). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/owner.h"

/* The state field of /proc/<tid>/stat and its start time (field 22). */
struct owner_stat {
	char state;
	uint64_t start;
};

static _Atomic uint64_t stat_reads;
static _Thread_local uint32_t self_tid;
static _Thread_local uint64_t self_ident;
static pthread_once_t atfork_once = PTHREAD_ONCE_INIT;

static void owner_forget_after_fork(void)
{
	self_tid = 0;
	self_ident = 0;
}

static void owner_register_atfork(void)
{
	pthread_atfork(NULL, NULL, owner_forget_after_fork);
}

/* Reads /proc/<tid>/stat (tid 0: this thread's). False when it is gone. */
static bool owner_read_stat(uint32_t tid, struct owner_stat *st)
{
	char path[64], buf[1024];
	unsigned long long start;
	const char *rest;
	ssize_t len;
	int fd;

	if (tid)
		snprintf(path, sizeof(path), "/proc/%u/stat", tid);
	else
		snprintf(path, sizeof(path), "/proc/thread-self/stat");
	atomic_fetch_add_explicit(&stat_reads, 1, memory_order_relaxed);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	len = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (len <= 0)
		return false;
	buf[len] = '\0';
	/* The command name is in parentheses and may hold anything. */
	rest = strrchr(buf, ')');
	if (!rest || sscanf(rest + 1,
			    " %c %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s "
			    "%*s %*s %llu",
			    &st->state, &start) != 2)
		return false;
	st->start = start;
	return true;
}

uint32_t owner_tid(void)
{
	if (!self_tid) {
		pthread_once(&atfork_once, owner_register_atfork);
		self_tid = (uint32_t)gettid();
	}
	return self_tid;
}

uint64_t owner_ident(void)
{
	if (!self_ident) {
		struct owner_stat st = { 0 };

		/* Without /proc the start time is 0: the tid alone names
		 * the thread, as in a lock word. */
		owner_read_stat(0, &st);
		self_ident = (uint64_t)owner_tid() << 32 | (uint32_t)st.start;
	}
	return self_ident;
}

bool owner_ident_dead(uint64_t ident)
{
	struct owner_stat st;
	uint32_t start = (uint32_t)ident;

	if (!owner_read_stat((uint32_t)(ident >> 32), &st))
		return true;
	if (st.state == 'Z' || st.state == 'X' || st.state == 'x')
		return true;
	return start && (uint32_t)st.start != start;
}

bool owner_take_over(_Atomic uint32_t *word, uint32_t held, uint32_t start, uint32_t self)
{
	if (!owner_ident_dead((uint64_t)(held & OWNER_TID_MASK) << 32 | start))
		return false;
	return atomic_compare_exchange_strong_explicit(word, &held, self, memory_order_acquire,
						       memory_order_relaxed);
}

uint64_t owner_stat_reads(void)
{
	return atomic_load_explicit(&stat_reads, memory_order_relaxed);
}
