/* The namespace's vCPU ownership table (see ns_vcpu.h). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/error.h"
#include "ns/ns_vcpu.h"

#define NS_VCPU_MAGIC 0x7370637676667062ull /* "bpfvvcps" */
#define NS_VCPU_VERSION 1u

struct ns_vcpu {
	_Alignas(NS_VCPU_STRIDE) _Atomic uint64_t owner;
};

struct ns_vcpu_file {
	uint64_t magic;
	uint32_t version;
	uint32_t nr_cpus;
	uint64_t size;
	struct ns_vcpu cpus[];
};

_Static_assert(sizeof(struct ns_vcpu) == NS_VCPU_STRIDE, "one cache line per vCPU");

struct ns_vcpus {
	struct ns_vcpu_file *file;
	size_t size;
};

static size_t ns_vcpus_size(uint32_t nr_cpus)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	size_t size = sizeof(struct ns_vcpu_file) + (size_t)nr_cpus * sizeof(struct ns_vcpu);

	return (size + page - 1) / page * page;
}

/* Formats a new table (all vCPUs free) under an exclusive flock, so that
 * two processes opening the namespace at once format it once; the magic is
 * written last. */
static int ns_vcpus_format(int fd, uint32_t nr_cpus, size_t size)
{
	struct ns_vcpu_file *file;
	struct stat st;
	int err = 0;

	if (flock(fd, LOCK_EX) || fstat(fd, &st))
		return -errno;
	if (st.st_size == 0) {
		if (ftruncate(fd, (off_t)size))
			err = -errno;
		file = err ? MAP_FAILED : mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (!err && file == MAP_FAILED)
			err = -errno;
		if (!err) {
			file->version = NS_VCPU_VERSION;
			file->nr_cpus = nr_cpus;
			file->size = size;
			__atomic_store_n(&file->magic, NS_VCPU_MAGIC, __ATOMIC_RELEASE);
			munmap(file, size);
		}
	}
	flock(fd, LOCK_UN);
	return err;
}

static int ns_vcpus_check(const struct ns_vcpus *vcpus, uint32_t nr_cpus, const char *path)
{
	const struct ns_vcpu_file *file = vcpus->file;

	if (__atomic_load_n(&file->magic, __ATOMIC_ACQUIRE) != NS_VCPU_MAGIC ||
	    file->version != NS_VCPU_VERSION || file->nr_cpus != nr_cpus ||
	    file->size != vcpus->size) {
		vm_error("namespace: '%s' is not a vCPU table of version %u for %u vCPUs: refused",
			 path, NS_VCPU_VERSION, nr_cpus);
		return -EINVAL;
	}
	return 0;
}

int ns_vcpus_map(const char *root, uint32_t nr_cpus, struct ns_vcpus **out)
{
	struct ns_vcpus *vcpus = calloc(1, sizeof(*vcpus));
	char path[PATH_MAX + 32];
	struct stat st;
	int fd, err;

	if (!vcpus)
		return -ENOMEM;
	snprintf(path, sizeof(path), "%s/.bpfvm/vcpus", root);
	vcpus->size = ns_vcpus_size(nr_cpus);
	/* The registry's mode: another user cannot hold this user's vCPUs
	 * and make its runs wait (chmod the file to share them). */
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	err = fd < 0 ? -errno : ns_vcpus_format(fd, nr_cpus, vcpus->size);
	if (!err && fstat(fd, &st))
		err = -errno;
	if (!err && (size_t)st.st_size != vcpus->size) {
		vm_error("namespace: '%s' has %lld bytes, a table of %u vCPUs has %zu: refused",
			 path, (long long)st.st_size, nr_cpus, vcpus->size);
		err = -EINVAL;
	}
	if (!err) {
		vcpus->file = mmap(NULL, vcpus->size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (vcpus->file == MAP_FAILED) {
			vcpus->file = NULL;
			err = -errno;
		}
	}
	if (fd >= 0)
		close(fd);
	if (!err)
		err = ns_vcpus_check(vcpus, nr_cpus, path);
	if (err == -EPERM)
		err = -EACCES;
	if (err && err != -EACCES && err != -EINVAL)
		vm_error("namespace: cannot map '%s': %s", path, strerror(-err));
	if (err) {
		ns_vcpus_unmap(vcpus);
		return err;
	}
	*out = vcpus;
	return 0;
}

void ns_vcpus_unmap(struct ns_vcpus *vcpus)
{
	if (!vcpus)
		return;
	if (vcpus->file)
		munmap(vcpus->file, vcpus->size);
	free(vcpus);
}

_Atomic uint64_t *ns_vcpus_owner(struct ns_vcpus *vcpus, uint32_t cpu)
{
	return &vcpus->file->cpus[cpu].owner;
}
