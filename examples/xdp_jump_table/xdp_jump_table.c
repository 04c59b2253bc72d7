/* Seed 002's user side: loads xdp_jump_table.bpf.o, reads prog_entry's
 * events from the perf buffer, and puts prog_drop into jmp_table[0] and
 * takes it out again, as the seed's session does with
 * `jmp_table[0] = prog_drop.fd` and `del jmp_table[0]`.
 *
 * First one packet at a time, as in the seed; then live: a runner thread,
 * bound to vCPU 1, runs prog_entry without pause while this thread edits
 * the slot, and reports what every run did in each of the three phases.
 *
 * Usage: xdp_jump_table [OBJECT [INPUT_DIR]]   (defaults: the build's files) */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "example.h"
#include "xdp_jump_table.h"

#define NR_CPUS 2
#define RUNNER_CPU 1
#define TRACE_LEN 128
#define PHASES 3
#define RUNS_PER_PHASE 2000
#define PHASE_TIMEOUT_MS 20000

struct jump_table_example {
	struct bpfvm *vm;
	struct bpfvm_object *obj;
	struct bpfvm_prog *entry;
	struct bpfvm_map *jmp_table;
	struct bpfvm_map *events;
	char packet[256];
	uint32_t packet_len;
};

static const char *const phase_names[PHASES] = {
	"jmp_table[0] empty",
	"jmp_table[0] = prog_drop",
	"del jmp_table[0]",
};

/* ---- one run: its events and verdict as one line --------------------- */

struct run_trace {
	char text[TRACE_LEN];
	int cpu; /* the vCPU whose buffer the events came from */
};

static void append(struct run_trace *trace, const char *text)
{
	size_t used = strlen(trace->text);

	snprintf(trace->text + used, sizeof(trace->text) - used, "%s%s", used ? " / " : "",
		 text);
}

static void on_event(void *ctx, int cpu, void *data, uint32_t size)
{
	struct run_trace *trace = ctx;
	struct event event = { 0 };

	memcpy(&event, data, size < sizeof(event) ? size : sizeof(event));
	event.message[MESSAGE_LEN - 1] = '\0';
	append(trace, event.message);
	trace->cpu = cpu;
}

static void on_lost(void *ctx, int cpu, uint64_t lost)
{
	append(ctx, "(events lost)");
}

static const char *xdp_action_name(uint32_t action)
{
	switch (action) {
	case XDP_ABORTED: return "XDP_ABORTED";
	case XDP_DROP: return "XDP_DROP";
	case XDP_PASS: return "XDP_PASS";
	case XDP_TX: return "XDP_TX";
	case XDP_REDIRECT: return "XDP_REDIRECT";
	default: return "unknown action";
	}
}

/* Runs prog_entry on the packet and describes the run in `trace`:
 * "Enter prog_entry / Exit prog_entry -> XDP_PASS". */
static int run_entry(struct jump_table_example *ex, struct run_trace *trace)
{
	struct bpfvm_test_run_opts run = { .sz = sizeof(run), .data_in = ex->packet,
					   .data_size_in = ex->packet_len };
	size_t used;
	int err = bpfvm_prog_test_run(ex->entry, &run);

	if (err)
		return err;
	memset(trace, 0, sizeof(*trace));
	err = bpfvm_perf_buffer_consume(ex->events, on_event, on_lost, trace);
	if (err < 0)
		return err;
	used = strlen(trace->text);
	snprintf(trace->text + used, sizeof(trace->text) - used, " -> %s",
		 xdp_action_name(run.retval));
	return 0;
}

/* ---- the slot, edited from user space -------------------------------- */

/* Phase 0 leaves the slot empty, phase 1 puts prog_drop in, phase 2
 * deletes it. Values of a prog array are program ids. */
static void edit_jmp_table(struct jump_table_example *ex, int phase)
{
	uint32_t slot = 0, prog_drop = bpfvm_prog_id(example_prog(ex->obj, "prog_drop"));
	int err = 0;

	if (phase == 1)
		err = bpfvm_map_update(ex->jmp_table, &slot, &prog_drop, BPF_ANY);
	else if (phase == 2)
		err = bpfvm_map_delete(ex->jmp_table, &slot);
	if (err)
		example_fail(phase_names[phase], err);
}

/* ---- one packet at a time, as in the seed's session ------------------ */

static void run_one_at_a_time(struct jump_table_example *ex)
{
	printf("One packet at a time:\n");
	for (int phase = 0; phase < PHASES; phase++) {
		struct run_trace trace;
		int err;

		edit_jmp_table(ex, phase);
		err = run_entry(ex, &trace);
		if (err)
			example_fail("prog_entry", err);
		printf("  %-26s %s\n", phase_names[phase], trace.text);
	}
}

/* ---- live: a runner thread keeps running while the slot changes ------ */

/* `phase` is 2 * k while phase k is stable and 2 * k + 1 while this thread
 * edits the slot. A run that saw the same even value before and after it
 * ran entirely inside phase k, so it must show phase k's behaviour; runs
 * that overlap an edit may show either side's, and are not counted. */
struct live {
	struct jump_table_example *ex;
	atomic_uint phase;
	atomic_bool stop;
	atomic_ulong runs[PHASES]; /* runs entirely inside each phase */
	/* Written by the runner only, read once it has stopped: */
	struct run_trace first[PHASES];	  /* the first run of each phase */
	struct run_trace differing[PHASES]; /* a later run that did otherwise */
	int err;
};

static void record_run(struct live *live, int phase, const struct run_trace *trace)
{
	if (atomic_load(&live->runs[phase]) == 0)
		live->first[phase] = *trace;
	else if ((strcmp(trace->text, live->first[phase].text) ||
		  trace->cpu != live->first[phase].cpu) && !live->differing[phase].text[0])
		live->differing[phase] = *trace;
	atomic_fetch_add(&live->runs[phase], 1);
}

static void *runner_main(void *arg)
{
	struct live *live = arg;
	int err = bpfvm_cpu_bind(live->ex->vm, RUNNER_CPU);

	while (err >= 0 && !atomic_load(&live->stop)) {
		unsigned before = atomic_load(&live->phase), after;
		struct run_trace trace;

		err = run_entry(live->ex, &trace);
		after = atomic_load(&live->phase);
		if (!err && before == after && before % 2 == 0)
			record_run(live, before / 2, &trace);
	}
	if (err >= 0)
		bpfvm_cpu_unbind(live->ex->vm);
	live->err = err < 0 ? err : 0;
	return NULL;
}

static void sleep_ms(long ms)
{
	struct timespec pause = { .tv_sec = ms / 1000, .tv_nsec = ms % 1000 * 1000000L };

	nanosleep(&pause, NULL);
}

/* Waits until the runner has made RUNS_PER_PHASE runs inside `phase`. */
static bool wait_for_runs(struct live *live, int phase)
{
	for (long waited = 0; waited < PHASE_TIMEOUT_MS; waited++) {
		if (atomic_load(&live->runs[phase]) >= RUNS_PER_PHASE)
			return true;
		if (live->err)
			return false;
		sleep_ms(1);
	}
	return false;
}

static void print_phase(const struct live *live, int phase)
{
	const struct run_trace *first = &live->first[phase];

	if (atomic_load(&live->runs[phase]) < RUNS_PER_PHASE)
		printf("  %-26s only %lu runs\n", phase_names[phase],
		       (unsigned long)atomic_load(&live->runs[phase]));
	else if (live->differing[phase].text[0])
		printf("  %-26s runs differ: %s (vCPU %d) and %s (vCPU %d)\n", phase_names[phase],
		       first->text, first->cpu, live->differing[phase].text,
		       live->differing[phase].cpu);
	else
		printf("  %-26s every run: %s\n", phase_names[phase], first->text);
}

static int run_live(struct jump_table_example *ex)
{
	struct live *live = calloc(1, sizeof(*live));
	pthread_t runner;
	bool complete = true;
	int err;

	if (!live)
		example_fail("calloc", -ENOMEM);
	live->ex = ex;
	printf("Live: a runner thread on vCPU %d keeps running prog_entry "
	       "while this thread edits jmp_table[0]:\n", RUNNER_CPU);
	if (pthread_create(&runner, NULL, runner_main, live))
		example_fail("pthread_create", -EAGAIN);
	for (int phase = 0; phase < PHASES && complete; phase++) {
		if (phase > 0) {
			atomic_store(&live->phase, 2 * phase - 1);
			edit_jmp_table(ex, phase);
			atomic_store(&live->phase, 2 * phase);
		}
		complete = wait_for_runs(live, phase);
	}
	atomic_store(&live->stop, true);
	pthread_join(runner, NULL);
	if (live->err)
		example_fail("runner thread", live->err);
	for (int phase = 0; phase < PHASES; phase++)
		print_phase(live, phase);
	if (live->first[0].cpu != RUNNER_CPU)
		printf("  events came from vCPU %d, not %d\n", live->first[0].cpu, RUNNER_CPU);
	err = complete ? 0 : 1;
	free(live);
	return err;
}

int main(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : EXAMPLE_DIR "/xdp_jump_table.bpf.o";
	const char *packet_dir = argc > 2 ? argv[2] : EXAMPLE_DIR "/inputs";
	struct bpfvm_opts opts = { .sz = sizeof(opts), .nr_cpus = NR_CPUS };
	struct jump_table_example ex = { 0 };
	int err = bpfvm_create(&opts, &ex.vm);

	if (err)
		example_fail("bpfvm_create", err);
	ex.obj = example_load_object(ex.vm, path);
	ex.entry = example_prog(ex.obj, "prog_entry");
	ex.jmp_table = example_map(ex.obj, "jmp_table");
	ex.events = example_map(ex.obj, "events");
	ex.packet_len = example_read_packet(packet_dir, "ipv4_icmp_echo", ex.packet,
					    sizeof(ex.packet));
	/* As perf_buffer__new or bcc's open_perf_buffer: without a reader,
	 * bpf_perf_event_output has nowhere to write. */
	err = bpfvm_perf_buffer_open(ex.events);
	if (err)
		example_fail("bpfvm_perf_buffer_open(events)", err);

	run_one_at_a_time(&ex);
	err = run_live(&ex);

	bpfvm_perf_buffer_close(ex.events);
	bpfvm_object_close(ex.obj);
	bpfvm_destroy(ex.vm);
	return err;
}
