/* Code memory: packs of pages shared by many programs, as the kernel's
 * bpf_prog_pack. A pack is a memfd mapped twice: read + execute where the
 * code runs, read + write elsewhere, where the compiler writes it. Neither
 * view is ever writable and executable at once (W^X per mapping), so that
 * a compile costs no system call once a pack exists: no mmap, no page
 * fault, no mprotect with its TLB shootdown (about 100 us each in the VM
 * this was measured on). docs/jit.md says what the writable view costs.
 *
 * A pack is carved in 64-byte chunks (the kernel's BPF_PROG_CHUNK_SIZE),
 * found first-fit in a bitmap. A compile reserves the worst case of its
 * program (jit_code_bound), writes its code at its final address (helper
 * calls are rel32 when in reach) and gives the unused tail back. Programs
 * larger than half a pack get a pack of their own. Freed code is filled
 * with int3 and its chunks reused; it is freed with its program, after a
 * grace period (engine/vcpu.h), so no run is inside it then. An empty pack
 * is unmapped, except the last one, which stays for the next compile. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "core/error.h"
#include "engine/jit_internal.h"

#define JIT_CHUNK 64
#define JIT_PACK_SIZE ((size_t)2 << 20)
#define JIT_INT3 0xcc

struct jit_pack {
	struct jit_pack *next;
	uint8_t *rx;		/* the executable view */
	uint8_t *rw;		/* the writable view: the same pages */
	size_t size;
	size_t chunk_cnt;
	size_t used_cnt;	/* chunks handed out */
	bool dedicated;		/* one large program's, in dedicated_packs */
	uint64_t used[];	/* a bit per chunk: 1 = handed out */
};

static pthread_mutex_t pack_lock = PTHREAD_MUTEX_INITIALIZER;
static struct jit_pack *packs; /* standard-size packs, under pack_lock */
static struct jit_pack *dedicated_packs; /* large programs' packs, under pack_lock */

static size_t page_size(void)
{
	static _Atomic size_t size;
	size_t s = atomic_load_explicit(&size, memory_order_relaxed);

	if (!s) {
		s = (size_t)sysconf(_SC_PAGESIZE);
		atomic_store_explicit(&size, s, memory_order_relaxed);
	}
	return s;
}

/* A hint 256 MiB below this library's code: far from the heap, within
 * rel32 reach of every function linked with it. */
static uintptr_t near_code_hint(void)
{
	uintptr_t text = (uintptr_t)(const void *)jit_mem_alloc;
	uintptr_t gap = (uintptr_t)256 << 20;

	if (text < gap * 2)
		return 0;
	return (text - gap) & ~(uintptr_t)(page_size() - 1);
}

/* Where the next executable view is asked for: after the last one that
 * landed where it was asked for, so that packs line up near the code.
 * Under pack_lock. */
static uintptr_t next_hint;

/* memfd_create(MFD_EXEC) where vm.memfd_noexec would otherwise refuse an
 * executable mapping; older kernels know no MFD_EXEC (EINVAL). */
static int code_memfd(void)
{
#ifdef MFD_EXEC
	int fd = memfd_create("bpfvm-jit", MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC);

	if (fd >= 0 || errno != EINVAL)
		return fd;
#endif
	return memfd_create("bpfvm-jit", MFD_CLOEXEC | MFD_ALLOW_SEALING);
}

/* Maps the two views of a new memfd of `size` bytes; the size is sealed so
 * that nothing can shrink the file under running code (SIGBUS). */
static int map_views(size_t size, uint8_t **rx, uint8_t **rw)
{
	int fd = code_memfd();
	void *x = MAP_FAILED, *w = MAP_FAILED;

	if (fd < 0) {
		vm_error("JIT: no code memory: memfd_create: %s (the interpreter needs none: "
			 "BPFVM_ENGINE=interp)", strerror(errno));
		return -ENOMEM;
	}
	if (!next_hint)
		next_hint = near_code_hint();
	if (!ftruncate(fd, (off_t)size)) {
		fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL);
		x = mmap((void *)next_hint, size, PROT_READ | PROT_EXEC, MAP_SHARED, fd, 0);
		w = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	}
	close(fd);
	if (x == MAP_FAILED || w == MAP_FAILED) {
		if (x != MAP_FAILED)
			munmap(x, size);
		if (w != MAP_FAILED)
			munmap(w, size);
		vm_error("JIT: cannot map %zu bytes of code memory: %s", size, strerror(errno));
		return -ENOMEM;
	}
	if ((uintptr_t)x == next_hint)
		next_hint += size;
	*rx = x;
	*rw = w;
	return 0;
}

/* Touches every page of both views once, filling the pack with int3, so
 * that compiles take no page faults (about 25 us each in the VM measured). */
static void prefault(const struct jit_pack *pack)
{
	volatile const uint8_t *rx = pack->rx;
	uint8_t sink = 0;

	memset(pack->rw, JIT_INT3, pack->size);
	for (size_t off = 0; off < pack->size; off += page_size())
		sink ^= rx[off];
	(void)sink;
}

/* A child of fork() inherits the packs as MAP_SHARED mappings of the same
 * memfds: its compiles would write into chunks that its parent's allocator
 * also hands out, each process overwriting the other's running code. So
 * the child gets a private copy of every pack at the same addresses (the
 * programs it inherited keep running) and, since a free chunk it copied may
 * hold the parent's code, int3 in every free chunk again. */
static void pack_privatize(struct jit_pack *pack)
{
	int fd = code_memfd();
	bool ok = fd >= 0 && ftruncate(fd, (off_t)pack->size) == 0 &&
		  pwrite(fd, pack->rw, pack->size, 0) == (ssize_t)pack->size;

	if (ok) {
		fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL);
		ok = mmap(pack->rw, pack->size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
			  fd, 0) != MAP_FAILED &&
		     mmap(pack->rx, pack->size, PROT_READ | PROT_EXEC, MAP_SHARED | MAP_FIXED, fd,
			  0) != MAP_FAILED;
	}
	if (fd >= 0)
		close(fd);
	if (!ok)
		abort(); /* sharing code pages with the parent would corrupt both */
	for (size_t i = 0; !pack->dedicated && i < pack->chunk_cnt; i++)
		if (!(pack->used[i / 64] >> (i % 64) & 1))
			memset(pack->rw + i * JIT_CHUNK, JIT_INT3, JIT_CHUNK);
}

static void packs_fork_prepare(void)
{
	pthread_mutex_lock(&pack_lock);
}

static void packs_fork_parent(void)
{
	pthread_mutex_unlock(&pack_lock);
}

static void packs_fork_child(void)
{
	for (struct jit_pack *pack = packs; pack; pack = pack->next)
		pack_privatize(pack);
	for (struct jit_pack *pack = dedicated_packs; pack; pack = pack->next)
		pack_privatize(pack);
	pthread_mutex_unlock(&pack_lock);
}

static void packs_fork_register(void)
{
	pthread_atfork(packs_fork_prepare, packs_fork_parent, packs_fork_child);
}

static struct jit_pack *pack_create(size_t size, bool dedicated)
{
	static pthread_once_t fork_once = PTHREAD_ONCE_INIT;

	size_t chunk_cnt = size / JIT_CHUNK;
	struct jit_pack *pack = calloc(1, sizeof(*pack) + (chunk_cnt + 63) / 64 * 8);

	pthread_once(&fork_once, packs_fork_register);
	if (!pack) {
		vm_error("JIT: out of memory for a code pack");
		return NULL;
	}
	if (map_views(size, &pack->rx, &pack->rw)) {
		free(pack);
		return NULL;
	}
	pack->size = size;
	pack->chunk_cnt = chunk_cnt;
	pack->dedicated = dedicated;
	if (!dedicated) /* a large program's pages fault as it writes them */
		prefault(pack);
	return pack;
}

static void pack_destroy(struct jit_pack *pack)
{
	munmap(pack->rx, pack->size);
	munmap(pack->rw, pack->size);
	free(pack);
}

static bool chunk_used(const struct jit_pack *pack, size_t i)
{
	return pack->used[i / 64] >> (i % 64) & 1;
}

/* Sets or clears the bits of chunks [first, first + cnt), a word at a time. */
static void mark_chunks(struct jit_pack *pack, size_t first, size_t cnt, bool used)
{
	for (size_t i = first, end = first + cnt; i < end;) {
		size_t bits = end - i < 64 - i % 64 ? end - i : 64 - i % 64;
		uint64_t mask = (bits == 64 ? UINT64_MAX : ((uint64_t)1 << bits) - 1) << (i % 64);

		if (used)
			pack->used[i / 64] |= mask;
		else
			pack->used[i / 64] &= ~mask;
		i += bits;
	}
	if (used)
		pack->used_cnt += cnt;
	else
		pack->used_cnt -= cnt;
}

/* First fit: the first run of `cnt` free chunks, skipping whole words that
 * are full; SIZE_MAX when there is none. */
static size_t find_free(const struct jit_pack *pack, size_t cnt)
{
	size_t run = 0;

	for (size_t i = 0; i < pack->chunk_cnt;) {
		if (i % 64 == 0 && pack->used[i / 64] == UINT64_MAX) {
			run = 0;
			i += 64;
			continue;
		}
		run = chunk_used(pack, i) ? 0 : run + 1;
		i++;
		if (run == cnt)
			return i - cnt;
	}
	return SIZE_MAX;
}

static void take(struct jit_pack *pack, size_t first, size_t cnt, struct jit_mem *mem)
{
	mark_chunks(pack, first, cnt, true);
	*mem = (struct jit_mem){
		.pack = pack,
		.rx = pack->rx + first * JIT_CHUNK,
		.rw = pack->rw + first * JIT_CHUNK,
		.size = cnt * JIT_CHUNK,
	};
}

/* A program larger than half a pack: a pack of its own, listed apart. */
static int alloc_dedicated(size_t size, struct jit_mem *mem)
{
	size_t map_size = (size + page_size() - 1) & ~(page_size() - 1);
	struct jit_pack *pack = pack_create(map_size, true);

	if (!pack)
		return -ENOMEM;
	pack->next = dedicated_packs;
	dedicated_packs = pack;
	take(pack, 0, (size + JIT_CHUNK - 1) / JIT_CHUNK, mem);
	return 0;
}

int jit_mem_alloc(size_t size, struct jit_mem *mem)
{
	size_t cnt = (size + JIT_CHUNK - 1) / JIT_CHUNK;
	struct jit_pack *pack;
	int err = 0;

	pthread_mutex_lock(&pack_lock);
	if (size > JIT_PACK_SIZE / 2) {
		err = alloc_dedicated(size, mem);
		pthread_mutex_unlock(&pack_lock);
		return err;
	}
	for (pack = packs; pack; pack = pack->next) {
		size_t first = find_free(pack, cnt);

		if (first != SIZE_MAX) {
			take(pack, first, cnt, mem);
			break;
		}
	}
	if (!pack) {
		pack = pack_create(JIT_PACK_SIZE, false);
		if (pack) {
			pack->next = packs;
			packs = pack;
			take(pack, 0, cnt, mem);
		} else {
			err = -ENOMEM;
		}
	}
	pthread_mutex_unlock(&pack_lock);
	return err;
}

/* Gives chunks back. Free chunks hold int3 (the whole pack is filled so
 * when it is created), so that a stray jump into freed code traps rather
 * than runs what the next program left there: `written` bytes of them were
 * written since they were handed out. */
static void give_back(struct jit_pack *pack, uint8_t *rw, size_t size, size_t written)
{
	if (!pack->dedicated) /* its untouched tail stays unbacked */
		memset(rw, JIT_INT3, written);
	mark_chunks(pack, (size_t)(rw - pack->rw) / JIT_CHUNK, size / JIT_CHUNK, false);
}

/* The compiler wrote only the first `used` bytes: the rest still holds
 * int3. */
void jit_mem_trim(struct jit_mem *mem, size_t used)
{
	size_t keep = (used + JIT_CHUNK - 1) / JIT_CHUNK * JIT_CHUNK;

	if (keep >= mem->size)
		return;
	pthread_mutex_lock(&pack_lock);
	give_back(mem->pack, mem->rw + keep, mem->size - keep, 0);
	pthread_mutex_unlock(&pack_lock);
	mem->size = keep;
}

/* Destroys an empty pack, unless it is the only standard one. */
static void release_if_empty(struct jit_pack *pack)
{
	struct jit_pack **link = pack->dedicated ? &dedicated_packs : &packs;

	if (pack->used_cnt || (!pack->dedicated && packs == pack && !pack->next))
		return;
	while (*link != pack)
		link = &(*link)->next;
	*link = pack->next;
	pack_destroy(pack);
}

void jit_mem_free(struct jit_mem *mem)
{
	if (!mem->pack)
		return;
	pthread_mutex_lock(&pack_lock);
	give_back(mem->pack, mem->rw, mem->size, mem->size);
	release_if_empty(mem->pack);
	pthread_mutex_unlock(&pack_lock);
	*mem = (struct jit_mem){ 0 };
}
