/* bpf_get_netns_cookie: tests/helpers/bpf/netns_cookie.bpf.o run in bpfvm
 * must return the cookie of the process's network namespace
 * (SO_NETNS_COOKIE), and, when bpf() is usable, the same as the kernel's
 * BPF_PROG_TEST_RUN of the same programs. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpfvm/bpfvm.h"
#include "testlib.h"

#ifndef SO_NETNS_COOKIE
#define SO_NETNS_COOKIE 71
#endif

static uint8_t packet[64] = { [12] = 0x08 };

static uint64_t process_cookie(void)
{
	uint64_t cookie = 0;
	socklen_t len = sizeof(cookie);
	int fd = socket(AF_UNIX, SOCK_DGRAM, 0);

	if (fd < 0 || getsockopt(fd, SOL_SOCKET, SO_NETNS_COOKIE, &cookie, &len))
		cookie = 0;
	if (fd >= 0)
		close(fd);
	return cookie;
}

static uint64_t bpfvm_cookie(const char *path)
{
	struct bpfvm *vm = NULL;
	struct bpfvm_object *obj = NULL;
	uint32_t half[2] = { 0, 0 };
	const char *names[2] = { "cookie_lo", "cookie_hi" };
	int err = bpfvm_create(NULL, &vm);

	if (!err)
		err = bpfvm_object_open(vm, path, NULL, &obj);
	if (!err)
		err = bpfvm_object_load(obj);
	for (int i = 0; i < 2 && !err; i++) {
		struct bpfvm_test_run_opts run = { .sz = sizeof(run), .data_in = packet,
						   .data_size_in = sizeof(packet) };

		err = bpfvm_prog_test_run(bpfvm_object_find_prog(obj, names[i]), &run);
		half[i] = run.retval;
	}
	testlib_check("bpfvm_runs", !err, "%s", bpfvm_errmsg());
	bpfvm_object_close(obj);
	bpfvm_destroy(vm);
	return (uint64_t)half[1] << 32 | half[0];
}

/* 0 when the kernel cannot run the programs. */
static uint64_t kernel_cookie(const char *path)
{
	struct bpf_object *obj = bpf_object__open_file(path, NULL);
	const char *names[2] = { "cookie_lo", "cookie_hi" };
	uint32_t half[2] = { 0, 0 };

	if (!obj || bpf_object__load(obj)) {
		printf("SKIP kernel side: %s\n", strerror(errno));
		bpf_object__close(obj);
		return 0;
	}
	for (int i = 0; i < 2; i++) {
		LIBBPF_OPTS(bpf_test_run_opts, run, .data_in = packet,
			    .data_size_in = sizeof(packet));
		struct bpf_program *prog = bpf_object__find_program_by_name(obj, names[i]);

		testlib_check("kernel_runs", !bpf_prog_test_run_opts(bpf_program__fd(prog), &run),
			      "%s", strerror(errno));
		half[i] = run.retval;
	}
	bpf_object__close(obj);
	return (uint64_t)half[1] << 32 | half[0];
}

int main(int argc, char **argv)
{
	char path[4096];
	uint64_t expected = process_cookie(), ours, kernel;

	if (argc < 2) {
		fprintf(stderr, "usage: %s OBJECTS_DIR\n", argv[0]);
		return 2;
	}
	snprintf(path, sizeof(path), "%s/netns_cookie.bpf.o", argv[1]);
	ours = bpfvm_cookie(path);
	kernel = kernel_cookie(path);
	printf("process %llu bpfvm %llu kernel %llu\n", (unsigned long long)expected,
	       (unsigned long long)ours, (unsigned long long)kernel);
	testlib_check("cookie_is_the_processs", ours == expected && expected != 0,
		      "bpfvm %llu, SO_NETNS_COOKIE %llu", (unsigned long long)ours,
		      (unsigned long long)expected);
	testlib_check("cookie_is_the_kernels", !kernel || kernel == ours,
		      "kernel %llu, bpfvm %llu", (unsigned long long)kernel,
		      (unsigned long long)ours);
	return testlib_summary();
}
