/* `bpfvm map event_pipe MAP [cpu N index M]`: bpftool's reader of a perf
 * event array (tools/bpf/bpftool/map_perf_ring.c). It opens the map's
 * buffers as their reader, prints every record that programs of any
 * process write there until SIGINT or SIGTERM, then closes them:
 *
 *     == @<sec>.<nsec> CPU: <cpu> index: <index> =====
 *     <the raw bytes, as bpftool's fprint_hex>
 *
 * and "lost <n> events" for records a full buffer refused; with -j, an
 * array of {"type", "cpu", "index", "data": [bytes]} and {"lost": {"id",
 * "count"}} objects. The time is when the record was read (CLOCK_MONOTONIC):
 * bpfvm's records carry none, bpftool's the perf clock's of the sample.
 * A slot is a vCPU's buffer, so index N is cpu N. */
#include <errno.h>
#include <linux/perf_event.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bpfvm/bpfvm.h"
#include "cli.h"
#include "json.h"
#include "kv.h"

static volatile sig_atomic_t event_pipe_stop;

static void event_pipe_on_signal(int sig)
{
	(void)sig;
	event_pipe_stop = 1;
}

struct event_pipe {
	int cpu; /* -1: every vCPU */
};

static void event_pipe_sample(void *ctx, int cpu, void *data, uint32_t size)
{
	const struct event_pipe *pipe = ctx;
	struct timespec now;

	if (pipe->cpu >= 0 && cpu != pipe->cpu)
		return;
	if (cli_json) {
		const uint8_t *bytes = data;

		json_start_object();
		json_uint_field("type", PERF_RECORD_SAMPLE);
		json_uint_field("cpu", (uint64_t)cpu);
		json_uint_field("index", (uint64_t)cpu);
		json_name("data");
		json_start_array();
		for (uint32_t i = 0; i < size; i++)
			json_printf("%d", bytes[i]);
		json_end_array();
		json_end_object();
		return;
	}
	clock_gettime(CLOCK_MONOTONIC, &now);
	printf("== @%lld.%09ld CPU: %d index: %d =====\n", (long long)now.tv_sec, now.tv_nsec,
	       cpu, cpu);
	cli_print_hex(stdout, data, size);
	printf("\n");
}

static void event_pipe_lost(void *ctx, int cpu, uint64_t lost)
{
	const struct event_pipe *pipe = ctx;

	if (pipe->cpu >= 0 && cpu != pipe->cpu)
		return;
	if (!cli_json) {
		printf("lost %llu events\n", (unsigned long long)lost);
		return;
	}
	json_start_object();
	json_uint_field("type", PERF_RECORD_LOST);
	json_uint_field("cpu", (uint64_t)cpu);
	json_uint_field("index", (uint64_t)cpu);
	json_name("lost");
	json_start_object();
	json_uint_field("id", 0);
	json_uint_field("count", lost);
	json_end_object();
	json_end_object();
}

/* bpftool's options: `cpu N index M`, both or neither. */
static int event_pipe_parse(int argc, char **argv, struct event_pipe *pipe)
{
	long cpu = -1, index = -1;

	for (int i = 0; i < argc; i += 2) {
		char *end;
		long value;

		if (i + 1 >= argc)
			return cli_error("missing value for '%s'", argv[i]);
		value = strtol(argv[i + 1], &end, 0);
		if (*end || value < 0)
			return cli_error("can't parse %s as %s", argv[i + 1], argv[i]);
		if (strcmp(argv[i], "cpu") == 0)
			cpu = value;
		else if (strcmp(argv[i], "index") == 0)
			index = value;
		else
			return cli_error("expected 'cpu' or 'index', got: %s", argv[i]);
	}
	if ((cpu < 0) != (index < 0))
		return cli_error("cpu and index must be specified together");
	if (cpu >= 0 && cpu != index)
		return cli_error("index %ld is not CPU %ld's: a slot is a vCPU's buffer here",
				 index, cpu);
	pipe->cpu = (int)cpu;
	return 0;
}

int cli_map_event_pipe(struct bpfvm_map *map, int argc, char **argv)
{
	struct event_pipe pipe = { .cpu = -1 };
	struct sigaction action = { .sa_handler = event_pipe_on_signal };
	struct bpfvm_map_info info;
	int err;

	if (event_pipe_parse(argc, argv, &pipe))
		return -1;
	if (bpfvm_map_get_info(map, &info))
		return cli_fail("can't get map info");
	if (info.type != BPF_MAP_TYPE_PERF_EVENT_ARRAY)
		return cli_error("map is not a perf event array");
	err = bpfvm_perf_buffer_open(map);
	if (err)
		return cli_fail("failed to create perf buffer");
	sigaction(SIGINT, &action, NULL);
	sigaction(SIGTERM, &action, NULL);
	if (cli_json) {
		json_begin(cli_pretty);
		json_start_array();
	}
	while (!event_pipe_stop) {
		err = bpfvm_perf_buffer_consume(map, event_pipe_sample, event_pipe_lost, &pipe);
		if (err < 0)
			break;
		fflush(stdout);
		if (!err)
			usleep(10000);
	}
	if (cli_json) {
		json_end_array();
		json_end();
	}
	bpfvm_perf_buffer_close(map);
	return err < 0 ? cli_fail("perf buffer polling failed") : 0;
}
