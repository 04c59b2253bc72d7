/* Helpers without a room of their own: clocks, random numbers, the CPU, the
 * calling thread (pid, uid, comm: a user-space run has a real one), the
 * spin lock inside map values, and string helpers.
 *
 * Differences from the kernel, on purpose:
 * - bpf_get_prandom_u32: a xorshift64* generator per thread (a vCPU is held
 *   by one thread for a whole run, so per-thread state is as private as the
 *   kernel's per-CPU state), seeded from getrandom() on first use in each
 *   thread. Not reproducible between runs, as in the kernel.
 * - bpf_jiffies64: CLOCK_MONOTONIC_COARSE in ticks of 1/HELPER_HZ s, from
 *   the kernel's INITIAL_JIFFIES (user space cannot read the kernel's HZ).
 * - bpf_get_numa_node_id: 0 (bpfvm's virtual CPUs have no NUMA node).
 * - bpf_get_netns_cookie: the cookie of the network namespace the process
 *   runs in, whatever the context (a user-space context has no socket of
 *   its own); 0 if the kernel cannot say (SO_NETNS_COOKIE is Linux 5.14).
 * - bpf_get_attach_cookie: 0, the cookie of no attachment (bpfvm runs
 *   programs without attaching them; libbpf's usdt.bpf.h reads it). */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "helpers/helper_proto.h"
#include "helpers/helper_run.h"
#include "maps/map_value.h"

#define HELPER_HZ 1000u
/* include/linux/jiffies.h: INITIAL_JIFFIES, (unsigned int)(-300 * HZ). */
#define HELPER_INITIAL_JIFFIES ((uint64_t)(uint32_t)(-300 * (int)HELPER_HZ))

/* ---- clocks ---------------------------------------------------------- */

static uint64_t clock_ns(clockid_t clock)
{
	struct timespec now;

	clock_gettime(clock, &now);
	return (uint64_t)now.tv_sec * 1000000000ull + (uint64_t)now.tv_nsec;
}

static uint64_t helper_ktime_get_ns(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4,
				    uint64_t r5)
{
	return clock_ns(CLOCK_MONOTONIC);
}

static uint64_t helper_ktime_get_boot_ns(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4,
					 uint64_t r5)
{
	return clock_ns(CLOCK_BOOTTIME);
}

static uint64_t helper_ktime_get_coarse_ns(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4,
					   uint64_t r5)
{
	return clock_ns(CLOCK_MONOTONIC_COARSE);
}

static uint64_t helper_ktime_get_tai_ns(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4,
					uint64_t r5)
{
	return clock_ns(CLOCK_TAI);
}

static uint64_t helper_jiffies64(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5)
{
	return HELPER_INITIAL_JIFFIES + clock_ns(CLOCK_MONOTONIC_COARSE) / (1000000000u / HELPER_HZ);
}

/* ---- random numbers and the CPU ---------------------------------------- */

static _Thread_local uint64_t prandom_state;

static uint64_t prandom_seed(void)
{
	uint64_t seed = 0;

	if (getrandom(&seed, sizeof(seed), GRND_NONBLOCK) != sizeof(seed))
		seed = clock_ns(CLOCK_MONOTONIC) ^ ((uint64_t)gettid() << 32);
	return seed ? seed : 0x9e3779b97f4a7c15ull; /* xorshift's state is never 0 */
}

static uint64_t helper_get_prandom_u32(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4,
				       uint64_t r5)
{
	uint64_t x = prandom_state ? prandom_state : prandom_seed();

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	prandom_state = x;
	return (uint32_t)((x * 0x2545f4914f6cdd1dull) >> 32);
}

static uint64_t helper_get_smp_processor_id(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4,
					    uint64_t r5)
{
	return helper_run_cpu();
}

static uint64_t helper_get_numa_node_id(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4,
					uint64_t r5)
{
	return 0;
}

/* ---- the calling thread ------------------------------------------------ */

/* getpid() and gettid() are system calls; each thread caches its pair, and
 * a fork clears the cache of the thread that forked (the child's only one). */
static _Thread_local uint64_t current_pid_tgid;
static pthread_once_t current_atfork_once = PTHREAD_ONCE_INIT;

static void current_forget_after_fork(void)
{
	current_pid_tgid = 0;
}

static void current_register_atfork(void)
{
	pthread_atfork(NULL, NULL, current_forget_after_fork);
}

static uint64_t helper_get_current_pid_tgid(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4,
					    uint64_t r5)
{
	if (!current_pid_tgid) {
		pthread_once(&current_atfork_once, current_register_atfork);
		current_pid_tgid = (uint64_t)(uint32_t)getpid() << 32 | (uint32_t)gettid();
	}
	return current_pid_tgid;
}

/* bpf_get_ns_current_pid_tgid: the pid and tgid as seen from the pid
 * namespace (dev, ino), when the thread is in it: the process's own pid
 * namespace, /proc/self/ns/pid (getpid() and gettid() answer in it). Any
 * other: -EINVAL and the buffer zeroed, as the kernel's. */
static uint64_t helper_get_ns_current_pid_tgid(uint64_t dev, uint64_t ino, uint64_t nsdata,
					       uint64_t size, uint64_t r5)
{
	struct bpf_pidns_info *info = (struct bpf_pidns_info *)(uintptr_t)nsdata;
	struct stat ns;

	if (size == sizeof(*info) && stat("/proc/self/ns/pid", &ns) == 0 &&
	    (uint64_t)ns.st_dev == dev && (uint64_t)ns.st_ino == ino) {
		info->pid = (uint32_t)gettid();
		info->tgid = (uint32_t)getpid();
		return 0;
	}
	memset(info, 0, (size_t)size);
	return (uint64_t)-EINVAL;
}

static uint64_t helper_get_current_uid_gid(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4,
					   uint64_t r5)
{
	return (uint64_t)(uint32_t)getgid() << 32 | (uint32_t)getuid();
}

/* The thread's name (the kernel's task->comm), cut to size - 1 bytes and
 * NUL-padded as strscpy_pad does. */
static uint64_t helper_get_current_comm(uint64_t buf_arg, uint64_t size_arg, uint64_t r3,
					uint64_t r4, uint64_t r5)
{
	char *buf = (char *)(uintptr_t)buf_arg;
	uint32_t size = (uint32_t)size_arg;
	char comm[17] = "";

	if (!size)
		return helper_errno(-EINVAL);
	if (prctl(PR_GET_NAME, comm, 0, 0, 0)) {
		memset(buf, 0, size);
		return helper_errno(-EINVAL);
	}
	strncpy(buf, comm, size);
	buf[size - 1] = '\0';
	return 0;
}

/* ---- bpf_spin_lock ------------------------------------------------------- */

/* struct bpf_spin_lock is a u32 inside a map value: 0 unlocked, else the
 * holder's tid, the protocol user-space BPF_F_LOCK copies follow too
 * (maps/map_value.h), so that a program and a user-space copy exclude each
 * other. The verifier guarantees that a program unlocks what it locks and
 * calls no helper in between, so holders are short. */
static uint64_t helper_spin_lock(uint64_t lock_arg, uint64_t r2, uint64_t r3, uint64_t r4,
				 uint64_t r5)
{
	map_spin_lock((_Atomic uint32_t *)(uintptr_t)lock_arg);
	return 0;
}

static uint64_t helper_spin_unlock(uint64_t lock_arg, uint64_t r2, uint64_t r3, uint64_t r4,
				   uint64_t r5)
{
	map_spin_unlock((_Atomic uint32_t *)(uintptr_t)lock_arg);
	return 0;
}

/* ---- strings ----------------------------------------------------------- */

/* lib/string.c strncmp: -1, 0 or 1. s2 is a constant NUL-terminated string
 * (the verifier proves it); s1 has s1_size readable bytes. */
static uint64_t helper_strncmp(uint64_t s1_arg, uint64_t s1_size, uint64_t s2_arg, uint64_t r4,
			       uint64_t r5)
{
	const unsigned char *s1 = (const unsigned char *)(uintptr_t)s1_arg;
	const unsigned char *s2 = (const unsigned char *)(uintptr_t)s2_arg;

	for (uint32_t i = 0; i < (uint32_t)s1_size; i++) {
		if (s1[i] != s2[i])
			return helper_errno(s1[i] < s2[i] ? -1 : 1);
		if (!s1[i])
			break;
	}
	return 0;
}

#define STRTOX_BASE_MASK 0x1fu
#define STRTOX_OVERFLOW (1u << 31)

/* lib/kstrtox.c _parse_integer_fixup_radix and _parse_integer. */
static const char *strtox_fixup_radix(const char *s, unsigned *base)
{
	if (*base == 0) {
		if (s[0] == '0') {
			*base = (tolower((unsigned char)s[1]) == 'x' &&
				 isxdigit((unsigned char)s[2])) ? 16 : 8;
		} else {
			*base = 10;
		}
	}
	if (*base == 16 && s[0] == '0' && tolower((unsigned char)s[1]) == 'x')
		s += 2;
	return s;
}

static unsigned strtox_parse(const char *s, unsigned base, unsigned long long *res)
{
	unsigned long long value = 0;
	unsigned rv = 0;

	for (;; s++, rv++) {
		unsigned c = (unsigned char)*s, lc = c | 0x20, digit;

		if (c >= '0' && c <= '9')
			digit = c - '0';
		else if (lc >= 'a' && lc <= 'f')
			digit = lc - 'a' + 10;
		else
			break;
		if (digit >= base)
			break;
		if (value > (~0ull - digit) / base)
			rv |= STRTOX_OVERFLOW;
		value = value * base + digit;
	}
	*res = value;
	return rv;
}

/* kernel/bpf/helpers.c __bpf_strtoull: returns the bytes consumed. */
static long strtox(const char *buf, size_t buf_len, uint64_t flags, unsigned long long *res,
		   bool *is_negative)
{
	unsigned base = flags & STRTOX_BASE_MASK, parsed;
	const char *cur = buf;
	size_t consumed, len;
	char str[64];

	if (!buf || !buf_len)
		return -EINVAL;
	if ((base != 0 && base != 8 && base != 10 && base != 16) || (flags & ~STRTOX_BASE_MASK))
		return -EINVAL;
	while (cur < buf + buf_len && isspace((unsigned char)*cur))
		cur++;
	*is_negative = cur < buf + buf_len && *cur == '-';
	if (*is_negative)
		cur++;
	consumed = (size_t)(cur - buf);
	len = buf_len - consumed;
	if (!len)
		return -EINVAL;
	if (len > sizeof(str) - 1)
		len = sizeof(str) - 1;
	memcpy(str, cur, len);
	str[len] = '\0';
	cur = strtox_fixup_radix(str, &base);
	parsed = strtox_parse(cur, base, res);
	if (parsed & STRTOX_OVERFLOW)
		return -ERANGE;
	if (!parsed)
		return -EINVAL;
	return (long)(consumed + (size_t)(cur + parsed - str));
}

/* The result is written only on success; on error *res is 0, as the kernel
 * clears ARG_PTR_TO_LONG on every error path. */
static uint64_t helper_strtol(uint64_t buf, uint64_t buf_len, uint64_t flags, uint64_t res_arg,
			      uint64_t r5)
{
	int64_t *res = (int64_t *)(uintptr_t)res_arg;
	unsigned long long value;
	bool negative;
	long err = strtox((const char *)(uintptr_t)buf, (uint32_t)buf_len, flags, &value, &negative);

	*res = 0;
	if (err < 0)
		return helper_errno((int)err);
	if (negative ? (int64_t)-value > 0 : (int64_t)value < 0)
		return helper_errno(-ERANGE);
	*res = negative ? (int64_t)-value : (int64_t)value;
	return (uint64_t)err;
}

static uint64_t helper_strtoul(uint64_t buf, uint64_t buf_len, uint64_t flags, uint64_t res_arg,
			       uint64_t r5)
{
	uint64_t *res = (uint64_t *)(uintptr_t)res_arg;
	unsigned long long value;
	bool negative;
	long err = strtox((const char *)(uintptr_t)buf, (uint32_t)buf_len, flags, &value, &negative);

	*res = 0;
	if (err < 0)
		return helper_errno((int)err);
	if (negative)
		return helper_errno(-EINVAL);
	*res = value;
	return (uint64_t)err;
}

/* kernel/bpf/helpers.c, kernel/trace/bpf_trace.c. The pid/uid/comm helpers
 * (get_ns_current_pid_tgid too) are in Linux 6.18's bpf_base_func_proto: every program type may call them
 * (a user-space run has a calling thread). */
#define HELPER_FAMILIES_CURRENT HELPER_FAMILY_ANY

/* ---- the network namespace ------------------------------------------ */

#ifndef SO_NETNS_COOKIE
#define SO_NETNS_COOKIE 71
#endif

/* Asked of the kernel once per process: a process does not change its
 * network namespace under a running program in any way bpfvm supports. */
static uint64_t helper_get_netns_cookie(uint64_t ctx, uint64_t r2, uint64_t r3, uint64_t r4,
				       uint64_t r5)
{
	static _Atomic uint64_t cookie;
	uint64_t value = atomic_load_explicit(&cookie, memory_order_relaxed);
	socklen_t len = sizeof(value);
	int fd;

	(void)ctx, (void)r2, (void)r3, (void)r4, (void)r5;
	if (value)
		return value;
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return 0;
	if (getsockopt(fd, SOL_SOCKET, SO_NETNS_COOKIE, &value, &len) || len != sizeof(value))
		value = 0;
	close(fd);
	atomic_store_explicit(&cookie, value, memory_order_relaxed);
	return value;
}

static uint64_t helper_get_attach_cookie(uint64_t ctx, uint64_t r2, uint64_t r3, uint64_t r4,
					 uint64_t r5)
{
	return 0;
}

const struct helper_proto helper_protos_misc[] = {
	/* kprobe, tracepoint, perf_event, raw_tp (Linux 6.18's
	 * *_prog_func_proto): the tracepoint's takes anything, the others the
	 * context; the context is what every program passes. */
	{ .id = BPF_FUNC_get_attach_cookie, .name = "bpf_get_attach_cookie",
	  .fn = helper_get_attach_cookie, .ret = RET_INTEGER, .args = { ARG_PTR_TO_CTX },
	  .families = HELPER_FAMILY_TRACING },
	{ .id = BPF_FUNC_ktime_get_ns, .name = "bpf_ktime_get_ns", .fn = helper_ktime_get_ns,
	  .ret = RET_INTEGER, .families = HELPER_FAMILY_ANY },
	/* The cgroup types but the device and sysctl ones, and socket_filter,
	 * tc and sk_msg (progtypes' helpers_added). The kernel's skb variant
	 * takes ARG_PTR_TO_CTX: NULL is accepted there too (differences.md). */
	{ .id = BPF_FUNC_get_netns_cookie, .name = "bpf_get_netns_cookie",
	  .fn = helper_get_netns_cookie, .ret = RET_INTEGER,
	  .args = { ARG_PTR_TO_CTX_OR_NULL }, .families = HELPER_FAMILY_CGROUP },
	{ .id = BPF_FUNC_ktime_get_boot_ns, .name = "bpf_ktime_get_boot_ns",
	  .fn = helper_ktime_get_boot_ns, .ret = RET_INTEGER, .families = HELPER_FAMILY_ANY },
	/* The kernel gives the coarse clock to networking and cgroup types
	 * only (bpf_sk_base_func_proto, cgroup_base_func_proto), sk_lookup
	 * and sk_msg included: tracing programs, which may run in NMI, and
	 * netfilter are refused it (Linux 6.18, checked with bpf()). */
	{ .id = BPF_FUNC_ktime_get_coarse_ns, .name = "bpf_ktime_get_coarse_ns",
	  .fn = helper_ktime_get_coarse_ns, .ret = RET_INTEGER,
	  .families = HELPER_FAMILY_SKB | HELPER_FAMILY_XDP | HELPER_FAMILY_CGROUP |
		      HELPER_FAMILY_RAW | HELPER_FAMILY_SOCK },
	{ .id = BPF_FUNC_ktime_get_tai_ns, .name = "bpf_ktime_get_tai_ns",
	  .fn = helper_ktime_get_tai_ns, .ret = RET_INTEGER, .families = HELPER_FAMILY_ANY },
	{ .id = BPF_FUNC_jiffies64, .name = "bpf_jiffies64", .fn = helper_jiffies64,
	  .ret = RET_INTEGER, .families = HELPER_FAMILY_ANY },
	{ .id = BPF_FUNC_get_prandom_u32, .name = "bpf_get_prandom_u32",
	  .fn = helper_get_prandom_u32, .ret = RET_INTEGER, .families = HELPER_FAMILY_ANY },
	{ .id = BPF_FUNC_get_smp_processor_id, .name = "bpf_get_smp_processor_id",
	  .fn = helper_get_smp_processor_id, .ret = RET_INTEGER, .families = HELPER_FAMILY_ANY },
	{ .id = BPF_FUNC_get_numa_node_id, .name = "bpf_get_numa_node_id",
	  .fn = helper_get_numa_node_id, .ret = RET_INTEGER, .families = HELPER_FAMILY_ANY },
	{ .id = BPF_FUNC_get_current_pid_tgid, .name = "bpf_get_current_pid_tgid",
	  .fn = helper_get_current_pid_tgid, .ret = RET_INTEGER,
	  .families = HELPER_FAMILIES_CURRENT },
	{ .id = BPF_FUNC_get_ns_current_pid_tgid, .name = "bpf_get_ns_current_pid_tgid",
	  .fn = helper_get_ns_current_pid_tgid, .ret = RET_INTEGER,
	  .args = { ARG_ANYTHING, ARG_ANYTHING, ARG_PTR_TO_UNINIT_MEM, ARG_CONST_SIZE },
	  .families = HELPER_FAMILIES_CURRENT },
	{ .id = BPF_FUNC_get_current_uid_gid, .name = "bpf_get_current_uid_gid",
	  .fn = helper_get_current_uid_gid, .ret = RET_INTEGER,
	  .families = HELPER_FAMILIES_CURRENT },
	{ .id = BPF_FUNC_get_current_comm, .name = "bpf_get_current_comm",
	  .fn = helper_get_current_comm, .ret = RET_INTEGER,
	  .args = { ARG_PTR_TO_UNINIT_MEM, ARG_CONST_SIZE }, .families = HELPER_FAMILIES_CURRENT },
	{ .id = BPF_FUNC_spin_lock, .name = "bpf_spin_lock", .fn = helper_spin_lock,
	  .ret = RET_VOID, .args = { ARG_PTR_TO_SPIN_LOCK }, .families = HELPER_FAMILY_ANY },
	{ .id = BPF_FUNC_spin_unlock, .name = "bpf_spin_unlock", .fn = helper_spin_unlock,
	  .ret = RET_VOID, .args = { ARG_PTR_TO_SPIN_LOCK }, .families = HELPER_FAMILY_ANY },
	{ .id = BPF_FUNC_strncmp, .name = "bpf_strncmp", .fn = helper_strncmp, .ret = RET_INTEGER,
	  .args = { ARG_PTR_TO_MEM, ARG_CONST_SIZE, ARG_PTR_TO_CONST_STR },
	  .families = HELPER_FAMILY_ANY },
	{ .id = BPF_FUNC_strtol, .name = "bpf_strtol", .fn = helper_strtol, .ret = RET_INTEGER,
	  .args = { ARG_PTR_TO_MEM, ARG_CONST_SIZE, ARG_ANYTHING, ARG_PTR_TO_LONG },
	  .families = HELPER_FAMILY_ANY },
	{ .id = BPF_FUNC_strtoul, .name = "bpf_strtoul", .fn = helper_strtoul, .ret = RET_INTEGER,
	  .args = { ARG_PTR_TO_MEM, ARG_CONST_SIZE, ARG_ANYTHING, ARG_PTR_TO_LONG },
	  .families = HELPER_FAMILY_ANY },
	{ 0 },
};
