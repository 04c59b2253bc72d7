/* `bpfvm run`: keeps a program running, as if attached, while commands read
 * from standard input change its maps: seed 002's session, where prog_drop
 * goes into jmp_table[0] and out again while packets keep arriving.
 *
 *     bpfvm run PROG [data_in FILE] [ctx_in FILE] [interval MS]
 *               [count N] [cpu N] [map {idx N | name X} {id M | pinned P}]
 *
 * PROG is `name P of OBJ` (or `OBJ name P`), or a program of the namespace
 * (`pinned FILE`, `id N`).
 *
 * A runner thread, bound to one vCPU, test-runs PROG over the same input
 * every `interval` milliseconds (default 1000; 0 = back to back), `count`
 * times (default: until `quit`, Ctrl-C or the end of the input), and prints what
 * each run emits as it comes: bpf_printk lines (to stderr, as trace_pipe
 * shows them), perf events (as bpftool's `map event_pipe`, with the strings
 * they carry) and ring buffer records. The main thread reads commands, one
 * per line:
 *
 *     map {show|dump|lookup|update|delete} ...   bpftool's, without OBJ
 *
 * Maps given with `map` are the namespace's: another process (`bpfvm map
 * update pinned P ...`) changes what the running program sees.
 *     wait N                                     until N more runs are done
 *     sleep MS
 *     quit
 */
#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bpfvm/bpfvm.h"
#include "cli.h"
#include "ref.h"
#include "reuse.h"

#define RUN_MAX_WORDS 64
#define RUN_OUT_SIZE (64u * 1024)
#define RUN_RETVALS 8

struct runner {
	struct cli_object co;
	struct bpfvm_prog *prog;
	void *data_in, *ctx_in;
	size_t data_size_in, ctx_size_in;
	uint32_t interval_ms;
	uint64_t count; /* 0: until stopped */
	int cpu;	/* -1: any free vCPU */
	struct cli_reuse reuse; /* maps from the namespace: map name X pinned P */

	pthread_mutex_t lock; /* output, and the fields below */
	pthread_cond_t ran;
	uint64_t runs;
	uint32_t last_retval;
	/* how many runs returned each value, the first RUN_RETVALS distinct
	 * ones: every packet accounted for (seed 002: passed and dropped) */
	struct {
		uint32_t value;
		uint64_t runs;
	} retvals[RUN_RETVALS];
	size_t retval_cnt;
	uint64_t other_runs;
	int error;
	atomic_bool stop;
	bool finished;
};

/* Set by SIGINT or SIGTERM (catch_interrupts). */
static atomic_bool run_interrupted;

static void sleep_ms(uint32_t ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

/* ---- what runs emit ------------------------------------------------------- */

/* The runs of 4 or more printable characters in an event: what a person
 * looks for in a record such as seed 002's { u64 timestamp; char msg[128]; }. */
static void print_strings(const uint8_t *data, uint32_t size)
{
	bool any = false;

	for (uint32_t i = 0; i < size;) {
		uint32_t end = i;

		while (end < size && isprint(data[end]))
			end++;
		if (end - i >= 4) {
			printf("%s\"%.*s\"", any ? " " : "strings: ", (int)(end - i),
			       (const char *)data + i);
			any = true;
		}
		i = end + 1;
	}
	if (any)
		printf("\n");
}

/* bpftool's header names the perf array slot; bpfvm's readers give the
 * vCPU, which is the slot for BPF_F_CURRENT_CPU, and the map. */
static void print_perf_event(void *ctx, int cpu, void *data, uint32_t size)
{
	printf("== CPU: %d map: %s =====\n", cpu, (const char *)ctx);
	cli_print_hex(stdout, data, size);
	printf("\n");
	print_strings(data, size);
}

static void print_lost(void *ctx, int cpu, uint64_t lost)
{
	(void)ctx;
	printf("== CPU: %d: %llu events lost =====\n", cpu, (unsigned long long)lost);
}

static int print_ringbuf_record(void *ctx, void *data, size_t size)
{
	printf("== ringbuf %s: %zu bytes =====\n", (const char *)ctx, size);
	cli_print_hex(stdout, data, size);
	printf("\n");
	print_strings(data, (uint32_t)size);
	return 0;
}

static void print_emitted(struct runner *runner)
{
	struct bpfvm_object *obj = runner->co.obj;

	cli_flush_trace_pipe(runner->co.vm);
	for (size_t i = 0; obj && i < bpfvm_object_map_cnt(obj); i++) {
		struct bpfvm_map *map = bpfvm_object_map(obj, i);
		struct bpfvm_map_info info;

		if (bpfvm_map_get_info(map, &info))
			continue;
		if (info.type == BPF_MAP_TYPE_PERF_EVENT_ARRAY)
			bpfvm_perf_buffer_consume(map, print_perf_event, print_lost,
						  (void *)bpfvm_map_name(map));
		else if (info.type == BPF_MAP_TYPE_RINGBUF)
			bpfvm_ringbuf_consume(map, print_ringbuf_record,
					      (void *)bpfvm_map_name(map));
	}
	fflush(stdout);
}

/* As bpftool's `map event_pipe` and libbpf's perf_buffer__new, the runner
 * is the reader of every perf event array: without one, the kernel's
 * bpf_perf_event_output fails with -ENOENT. */
static int open_perf_readers(struct runner *runner)
{
	struct bpfvm_object *obj = runner->co.obj;

	for (size_t i = 0; obj && i < bpfvm_object_map_cnt(obj); i++) {
		struct bpfvm_map *map = bpfvm_object_map(obj, i);
		struct bpfvm_map_info info;

		if (bpfvm_map_get_info(map, &info) || info.type != BPF_MAP_TYPE_PERF_EVENT_ARRAY)
			continue;
		if (bpfvm_perf_buffer_open(map))
			return cli_fail(bpfvm_map_name(map));
	}
	return 0;
}

/* ---- the runner thread ---------------------------------------------------- */

static int run_once(struct runner *runner, uint32_t *retval)
{
	static _Thread_local uint8_t data_out[RUN_OUT_SIZE];
	struct bpfvm_test_run_opts opts = {
		.sz = sizeof(opts),
		.data_in = runner->data_in,
		.data_size_in = (uint32_t)runner->data_size_in,
		.data_out = runner->data_in ? data_out : NULL,
		.data_size_out = runner->data_in ? sizeof(data_out) : 0,
		.ctx_in = runner->ctx_in,
		.ctx_size_in = (uint32_t)runner->ctx_size_in,
	};
	int err = bpfvm_prog_test_run(runner->prog, &opts);

	*retval = opts.retval;
	return err;
}

/* Called by the runner, with the lock held. */
static bool runner_done(struct runner *runner)
{
	return atomic_load(&runner->stop) || atomic_load(&run_interrupted) ||
	       (runner->count && runner->runs >= runner->count);
}

/* Called with the lock held. */
static void count_retval(struct runner *runner, uint32_t retval)
{
	for (size_t i = 0; i < runner->retval_cnt; i++) {
		if (runner->retvals[i].value == retval) {
			runner->retvals[i].runs++;
			return;
		}
	}
	if (runner->retval_cnt == RUN_RETVALS) {
		runner->other_runs++;
		return;
	}
	runner->retvals[runner->retval_cnt].value = retval;
	runner->retvals[runner->retval_cnt++].runs = 1;
}

static void *runner_main(void *arg)
{
	struct runner *runner = arg;
	int bound = bpfvm_cpu_bind(runner->co.vm, runner->cpu);

	if (bound < 0)
		cli_fail("run: cpu");
	for (bool done = bound < 0; !done;) {
		uint32_t retval = 0;
		int err = run_once(runner, &retval);

		pthread_mutex_lock(&runner->lock);
		print_emitted(runner);
		if (err) {
			cli_fail(bpfvm_prog_name(runner->prog));
			runner->error = err;
		}
		runner->runs++;
		runner->last_retval = retval;
		if (!err)
			count_retval(runner, retval);
		done = err || runner_done(runner);
		pthread_cond_broadcast(&runner->ran);
		pthread_mutex_unlock(&runner->lock);
		if (!done && runner->interval_ms)
			sleep_ms(runner->interval_ms);
	}
	if (bound >= 0)
		bpfvm_cpu_unbind(runner->co.vm);
	pthread_mutex_lock(&runner->lock);
	runner->finished = true;
	pthread_cond_broadcast(&runner->ran);
	pthread_mutex_unlock(&runner->lock);
	return NULL;
}

/* ---- commands ------------------------------------------------------------- */

/* Waits until `more` runs after the current one are done, or the runner
 * has finished. */
static void wait_runs(struct runner *runner, uint64_t more)
{
	pthread_mutex_lock(&runner->lock);
	for (uint64_t target = runner->runs + more; runner->runs < target && !runner->finished;)
		pthread_cond_wait(&runner->ran, &runner->lock);
	pthread_mutex_unlock(&runner->lock);
}

static int split_words(char *line, char **words)
{
	int count = 0;

	for (char *word = strtok(line, " \t\r\n"); word && count < RUN_MAX_WORDS;
	     word = strtok(NULL, " \t\r\n"))
		words[count++] = word;
	return count;
}

static int parse_count(const char *word, const char *what, uint64_t *out)
{
	char *end;
	unsigned long long value = strtoull(word, &end, 0);

	if (!*word || *end)
		return cli_error("run: can't parse '%s' as %s", word, what);
	*out = value;
	return 0;
}

/* Runs one command line; returns 1 on `quit`. Errors are printed and the
 * session goes on, as in an interactive tool. */
static int run_command(struct runner *runner, char *line)
{
	char *words[RUN_MAX_WORDS];
	int count = split_words(line, words);
	uint64_t value = 0;

	if (count == 0 || words[0][0] == '#')
		return 0;
	if (strcmp(words[0], "quit") == 0 || strcmp(words[0], "exit") == 0)
		return 1;
	if (strcmp(words[0], "wait") == 0 && count == 2 && !parse_count(words[1], "runs", &value)) {
		wait_runs(runner, value);
	} else if (strcmp(words[0], "sleep") == 0 && count == 2 &&
		   !parse_count(words[1], "milliseconds", &value)) {
		sleep_ms((uint32_t)value);
	} else if (strcmp(words[0], "map") == 0) {
		pthread_mutex_lock(&runner->lock);
		printf("> %s", words[0]);
		for (int i = 1; i < count; i++)
			printf(" %s", words[i]);
		printf("\n");
		cli_map_on_object(&runner->co, count - 1, words + 1);
		fflush(stdout);
		pthread_mutex_unlock(&runner->lock);
	} else if (strcmp(words[0], "wait") != 0 && strcmp(words[0], "sleep") != 0) {
		cli_error("run: unknown command '%s' (map, wait, sleep, quit)", words[0]);
	}
	return 0;
}

static bool runner_finished(struct runner *runner)
{
	bool finished;

	pthread_mutex_lock(&runner->lock);
	finished = runner->finished;
	pthread_mutex_unlock(&runner->lock);
	return finished;
}

static void read_commands(struct runner *runner)
{
	char *line = NULL;
	size_t cap = 0;

	while (!runner_finished(runner) && !atomic_load(&run_interrupted) &&
	       getline(&line, &cap, stdin) >= 0)
		if (run_command(runner, line))
			break;
	free(line);
}

/* ---- arguments ------------------------------------------------------------ */

static int parse_run_option(struct runner *runner, const char *key, const char *value,
			    const char **prog_name)
{
	uint64_t number = 0;

	if (strcmp(key, "name") == 0) {
		*prog_name = value;
		return 0;
	}
	if (strcmp(key, "data_in") == 0) {
		runner->data_in = cli_read_file(value, &runner->data_size_in);
		return runner->data_in ? 0 : 1;
	}
	if (strcmp(key, "ctx_in") == 0) {
		runner->ctx_in = cli_read_file(value, &runner->ctx_size_in);
		return runner->ctx_in ? 0 : 1;
	}
	if (strcmp(key, "interval") == 0 && !parse_count(value, "milliseconds", &number)) {
		runner->interval_ms = number > UINT32_MAX ? UINT32_MAX : (uint32_t)number;
		return 0;
	}
	if (strcmp(key, "count") == 0 && !parse_count(value, "a count", &number)) {
		runner->count = number;
		return 0;
	}
	if (strcmp(key, "cpu") == 0 && !parse_count(value, "a vCPU", &number)) {
		runner->cpu = number > INT32_MAX ? INT32_MAX : (int)number;
		return 0;
	}
	return cli_error("run: expected name, data_in, ctx_in, interval, count, cpu or map, "
			 "not '%s'", key);
}

static int run_help(void)
{
	fprintf(stderr,
		"Usage: bpfvm run PROG [data_in FILE] [ctx_in FILE] [interval MS]\n"
		"                 [count N] [cpu N] [map { idx IDX | name NAME } MAP]\n"
		"       bpfvm run help\n"
		"\n"
		"       PROG := { name PROG_NAME of OBJ | id PROG_ID | pinned FILE }\n"
		"                             (or: OBJ name PROG_NAME)\n"
		"       MAP := { id MAP_ID | pinned FILE }   a map of the namespace that\n"
		"                             the object uses instead of its own\n"
		"\n"
		"Keeps test-running PROG (every MS ms, default 1000; 0: back to back;\n"
		"count times, or until quit) on one virtual CPU, printing bpf_printk\n"
		"lines, perf events and ring buffer records as they come, while commands\n"
		"read from standard input change the maps, one per line:\n"
		"       map COMMAND MAP ...   bpftool's (see 'bpfvm map help'), MAP in\n"
		"                             the runner's object\n"
		"       wait N                until N more runs are done\n"
		"       sleep MS\n"
		"       quit\n");
	return 0;
}

/* PROG as a target (ref.h): `name P of OBJ`, `OBJ [name P]`, or a program
 * of the namespace, `pinned FILE` or `id N` (another process's). */
static int parse_run_args(int argc, char **argv, struct runner *runner, const char **prog_name,
			  struct cli_target *target)
{
	if (argc < 1)
		return cli_error("run: expected PROG [data_in FILE] [ctx_in FILE] "
				 "[interval MS] [count N] [cpu N]");
	if (cli_target_parse(&argc, &argv, target, "PROG", true))
		return -1;
	if (!target->obj && !target->has_ref)
		return cli_error("run: which program? 'name PROG of OBJ', 'pinned FILE' or 'id N'");
	*prog_name = target->has_ref ? target->ref.name : NULL;
	while (argc) {
		if (cli_reuse_starts(argc, argv)) {
			if (cli_reuse_parse(&argc, &argv, &runner->reuse))
				return 1;
			continue;
		}
		if (argc < 2)
			return cli_error("run: '%s' needs a value", argv[0]);
		if (parse_run_option(runner, argv[0], argv[1], prog_name))
			return 1;
		argc -= 2;
		argv += 2;
	}
	return 0;
}

static void runner_release(struct runner *runner)
{
	free(runner->data_in);
	free(runner->ctx_in);
	pthread_cond_destroy(&runner->ran);
	pthread_mutex_destroy(&runner->lock);
}

/* "returned 2: 1200 runs, 1: 800 runs": what each run ended in. */
static void print_retvals(const struct runner *runner)
{
	for (size_t i = 0; i < runner->retval_cnt; i++)
		printf("%s%u: %llu run%s", i ? ", " : "returned ", runner->retvals[i].value,
		       (unsigned long long)runner->retvals[i].runs,
		       runner->retvals[i].runs == 1 ? "" : "s");
	if (runner->other_runs)
		printf(", other values: %llu runs", (unsigned long long)runner->other_runs);
	if (runner->retval_cnt)
		printf("\n");
}

/* Ctrl-C (or a kill) ends the session as `quit` does, with its summary:
 * the main thread's read is interrupted (no SA_RESTART), the runner
 * thread, which never takes these signals, finishes its run. */
static void on_interrupt(int sig)
{
	(void)sig;
	atomic_store(&run_interrupted, true);
}

static void catch_interrupts(void)
{
	struct sigaction action = { .sa_handler = on_interrupt };

	sigemptyset(&action.sa_mask);
	sigaction(SIGINT, &action, NULL);
	sigaction(SIGTERM, &action, NULL);
}

static int start_runner(struct runner *runner, pthread_t *thread)
{
	sigset_t block, old;
	int err;

	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	err = pthread_create(thread, NULL, runner_main, runner);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return err;
}

static int run_session(struct runner *runner)
{
	pthread_t thread;

	if (open_perf_readers(runner))
		return 1;
	catch_interrupts();
	if (start_runner(runner, &thread))
		return cli_error("run: cannot start the runner thread");
	read_commands(runner);
	/* The end of the commands ends the session unless a count is still
	 * being run; an interrupt ends it. */
	if (!runner->count || atomic_load(&run_interrupted))
		atomic_store(&runner->stop, true);
	pthread_join(thread, NULL);
	printf("%llu runs, last return value: %u\n", (unsigned long long)runner->runs,
	       runner->last_retval);
	print_retvals(runner);
	return runner->error ? 1 : 0;
}

/* The runner's runtime and PROG: the object loaded with the maps given,
 * or the namespace alone for a pinned program or an id. */
static int open_runner(struct runner *runner, const struct cli_target *target,
		       const char *prog_name)
{
	struct cli_load_opts opts = { .reuse = &runner->reuse };

	if (!target->obj && runner->reuse.cnt)
		return cli_error("run: 'map ...' replaces a map of an object file: which one?");
	if (target->obj ? cli_object_load_opts(target->obj, &opts, &runner->co)
			: cli_ns_open(&runner->co))
		return 1;
	if (target->has_ref && target->ref.kind != CLI_REF_NAME) {
		if (!cli_ref_prog(&runner->co, &target->ref, &runner->prog))
			return 0;
	} else if (prog_name) {
		runner->prog = cli_find_prog(&runner->co, prog_name);
		if (runner->prog)
			return 0;
	} else {
		cli_error("run: which program? 'name PROG of OBJ'");
	}
	cli_object_close(&runner->co);
	return 1;
}

int cli_run(int argc, char **argv)
{
	struct runner runner = { .interval_ms = 1000, .cpu = -1 };
	struct cli_target target;
	const char *prog_name = NULL;
	int err;

	if (argc >= 1 && strcmp(argv[0], "help") == 0)
		return run_help();
	pthread_mutex_init(&runner.lock, NULL);
	pthread_cond_init(&runner.ran, NULL);
	err = parse_run_args(argc, argv, &runner, &prog_name, &target);
	if (!err)
		err = open_runner(&runner, &target, prog_name);
	if (!err) {
		err = run_session(&runner);
		cli_object_close(&runner.co);
	}
	runner_release(&runner);
	return err ? -1 : 0;
}
