/* bpfvm-conformance-run: runs the public BPF conformance suite's test files
 * (data_file.h) through a plugin of its protocol (plugin.c), as the suite's
 * own runner does, once per engine, and reports every failure with its
 * reason and `passed N of M`.
 *
 *   bpfvm-conformance-run --plugin PATH [--engine jit|interpret|both]
 *                         [--timeout SECONDS] DIR|FILE.data...
 *
 * A directory contributes its *.data files (not its subdirectories, as the
 * suite's runner reads one directory). Exit status: 0 when every test that
 * ran passed, 1 when one failed, 2 on a usage error.
 *
 * Pass rules, the suite's: the plugin's stdout is r0 in hex; it must equal
 * `-- result` (0 if absent). A plugin that fails (non-zero exit; its message
 * is its stdout, else its stderr, lines joined, cut at a carriage return)
 * passes only a test with `-- error`, whose message, if it names one, must be
 * exactly the plugin's. A test with neither a
 * result nor an error, or with a directive the protocol cannot carry, is
 * skipped. */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "data_file.h"
#include "suite_asm.h"

#define DEFAULT_TIMEOUT_S 10

enum outcome { OUTCOME_PASS, OUTCOME_FAIL, OUTCOME_SKIP };

struct runner {
	const char *plugin;
	unsigned timeout;
	char **files;
	size_t file_cnt;
};

struct tally {
	size_t passed, failed, skipped;
};

struct plugin_run {
	int status; /* as waitpid() gives it */
	char out[256];
	char err[512];
};

/* Every byte as two hex digits and two spaces, as the suite writes them. */
static char *hex_encode(const uint8_t *bytes, size_t len)
{
	char *text = malloc(len * 4 + 1);

	if (!text)
		return NULL;
	for (size_t i = 0; i < len; i++)
		snprintf(text + i * 4, 5, "%02x  ", bytes[i]);
	text[len * 4] = '\0';
	return text;
}

static void read_back(FILE *file, char *buf, size_t size)
{
	size_t len;

	rewind(file);
	len = fread(buf, 1, size - 1, file);
	buf[len] = '\0';
}

static void child_exec(const struct runner *runner, int in, FILE *out, FILE *err, char **argv)
{
	dup2(in, STDIN_FILENO);
	dup2(fileno(out), STDOUT_FILENO);
	dup2(fileno(err), STDERR_FILENO);
	alarm(runner->timeout); /* kept across execv: a plugin that hangs dies */
	execv(runner->plugin, argv);
	fprintf(stderr, "cannot run %s: %s\n", runner->plugin, strerror(errno));
	_exit(127);
}

static void write_all(int fd, const char *text)
{
	size_t len = strlen(text);

	while (len) {
		ssize_t done = write(fd, text, len);

		if (done <= 0)
			return; /* the plugin stopped reading: its status says why */
		text += done;
		len -= (size_t)done;
	}
}

/* Runs the plugin: the program's hex on stdin, the memory's as argv[1]. */
static int run_plugin(const struct runner *runner, const char *program, const char *memory,
		      const char *engine, struct plugin_run *run)
{
	char *argv[] = { (char *)runner->plugin, (char *)(memory ? memory : engine),
			 memory ? (char *)engine : NULL, NULL };
	FILE *out = tmpfile(), *err = tmpfile();
	int pipe_fds[2] = { -1, -1 };
	pid_t pid = -1;

	if (out && err && pipe(pipe_fds) == 0)
		pid = fork();
	if (pid == 0) {
		close(pipe_fds[1]);
		child_exec(runner, pipe_fds[0], out, err, argv);
	}
	if (pipe_fds[0] >= 0)
		close(pipe_fds[0]);
	if (pid > 0) {
		write_all(pipe_fds[1], program);
		write_all(pipe_fds[1], "\n");
		close(pipe_fds[1]);
		waitpid(pid, &run->status, 0);
		read_back(out, run->out, sizeof(run->out));
		read_back(err, run->err, sizeof(run->err));
	} else if (pipe_fds[1] >= 0) {
		close(pipe_fds[1]);
	}
	if (out)
		fclose(out);
	if (err)
		fclose(err);
	return pid > 0 ? 0 : -1;
}

/* The suite's reading of a plugin's output: its lines joined without a
 * separator, cut at the first carriage return. */
static char *join_lines(char *text)
{
	size_t out = 0;

	for (size_t i = 0; text[i]; i++)
		if (text[i] != '\n')
			text[out++] = text[i];
	text[out] = '\0';
	text[strcspn(text, "\r")] = '\0';
	return text;
}

static enum outcome judge_success(const struct conf_test *test, char *out, char *why,
				  size_t why_size)
{
	uint64_t expected = test->has_result ? test->result : 0;
	char *text = join_lines(out), *end;
	uint64_t r0;

	errno = 0;
	r0 = strtoull(text, &end, 16);
	if (end == text || errno) {
		snprintf(why, why_size, "plugin printed '%s', not r0 in hex", text);
		return OUTCOME_FAIL;
	}
	if (test->has_error && test->error[0]) {
		snprintf(why, why_size, "r0 0x%" PRIx64 ", expected the error '%s'", r0,
			 test->error);
		return OUTCOME_FAIL;
	}
	if (r0 != expected) {
		snprintf(why, why_size, "r0 0x%" PRIx64 ", expected 0x%" PRIx64, r0, expected);
		return OUTCOME_FAIL;
	}
	return OUTCOME_PASS;
}

static enum outcome judge_run(const struct runner *runner, const struct conf_test *test,
			      struct plugin_run *run, char *why, size_t why_size)
{
	char *message;

	if (WIFSIGNALED(run->status)) {
		if (WTERMSIG(run->status) == SIGALRM)
			snprintf(why, why_size, "plugin timed out after %u s", runner->timeout);
		else
			snprintf(why, why_size, "plugin killed by signal %d", WTERMSIG(run->status));
		return OUTCOME_FAIL;
	}
	if (WEXITSTATUS(run->status) == 0)
		return judge_success(test, run->out, why, why_size);
	message = join_lines(run->out);
	if (!*message)
		message = join_lines(run->err);
	if (!test->has_error) {
		snprintf(why, why_size, "plugin failed (exit %d): %s", WEXITSTATUS(run->status),
			 message);
		return OUTCOME_FAIL;
	}
	if (test->error[0] && strcmp(message, test->error) != 0) {
		snprintf(why, why_size, "error '%s', expected '%s'", message, test->error);
		return OUTCOME_FAIL;
	}
	return OUTCOME_PASS;
}

/* The program's bytes: the raw section's words, else the assembled asm. */
static uint8_t *program_bytes(const struct conf_test *test, size_t *len, char *why,
			      size_t why_size)
{
	struct bpf_insn *insns = NULL;
	size_t cnt = 0;
	uint8_t *bytes;

	if (test->raw_cnt) {
		bytes = malloc(test->raw_cnt * 8);
		for (size_t i = 0; bytes && i < test->raw_cnt; i++)
			for (int b = 0; b < 8; b++)
				bytes[i * 8 + b] = (uint8_t)(test->raw[i] >> (8 * b));
		*len = test->raw_cnt * 8;
		return bytes;
	}
	if (!test->asm_text || suite_asm(test->asm_text, &insns, &cnt, why, why_size))
		return NULL;
	*len = cnt * sizeof(*insns);
	return (uint8_t *)insns;
}

static enum outcome run_test(const struct runner *runner, const char *path, const char *engine,
			     char *why, size_t why_size)
{
	struct plugin_run run = { 0 };
	char *program = NULL, *memory = NULL;
	enum outcome outcome = OUTCOME_FAIL;
	struct conf_test test;
	uint8_t *bytes = NULL;
	size_t len = 0;

	if (conf_test_parse(path, &test, why, why_size))
		return OUTCOME_FAIL;
	if (test.skip[0] || (!test.has_result && !test.has_error)) {
		snprintf(why, why_size, "%s", test.skip[0] ? test.skip : "no result and no error");
		conf_test_free(&test);
		return OUTCOME_SKIP;
	}
	snprintf(why, why_size, "no instructions");
	bytes = program_bytes(&test, &len, why, why_size);
	if (bytes && len) {
		program = hex_encode(bytes, len);
		/* As the suite: no memory argument for empty memory. */
		memory = test.mem_len ? hex_encode(test.mem, test.mem_len) : NULL;
		if (!program || (test.mem_len && !memory))
			snprintf(why, why_size, "out of memory");
		else if (run_plugin(runner, program, memory, engine, &run))
			snprintf(why, why_size, "cannot start the plugin: %s", strerror(errno));
		else
			outcome = judge_run(runner, &test, &run, why, why_size);
	}
	free(bytes);
	free(program);
	free(memory);
	conf_test_free(&test);
	return outcome;
}

static const char *test_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

static void run_engine(const struct runner *runner, const char *engine, struct tally *tally)
{
	for (size_t i = 0; i < runner->file_cnt; i++) {
		char why[512] = "";
		enum outcome outcome = run_test(runner, runner->files[i], engine, why, sizeof(why));

		if (outcome == OUTCOME_PASS) {
			tally->passed++;
		} else if (outcome == OUTCOME_SKIP) {
			tally->skipped++;
			printf("SKIP %s %s: %s\n", engine, test_name(runner->files[i]), why);
		} else {
			tally->failed++;
			printf("FAIL %s %s: %s\n", engine, test_name(runner->files[i]), why);
		}
		fflush(stdout);
	}
	printf("%s: passed %zu of %zu (%zu skipped)\n", engine, tally->passed,
	       tally->passed + tally->failed, tally->skipped);
}

static int add_file(struct runner *runner, const char *dir, const char *name)
{
	char **files = realloc(runner->files, (runner->file_cnt + 1) * sizeof(*files));
	size_t len = (dir ? strlen(dir) + 1 : 0) + strlen(name) + 1;
	char *path = malloc(len);

	if (files)
		runner->files = files;
	if (!files || !path) {
		free(path);
		fprintf(stderr, "out of memory\n");
		return -1;
	}
	snprintf(path, len, "%s%s%s", dir ? dir : "", dir ? "/" : "", name);
	runner->files[runner->file_cnt++] = path;
	return 0;
}

static bool is_data_file(const char *name)
{
	size_t len = strlen(name);

	return len > 5 && strcmp(name + len - 5, ".data") == 0;
}

static int compare_paths(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A directory's *.data files, in name order; or one file. */
static int add_path(struct runner *runner, const char *path)
{
	size_t first = runner->file_cnt;
	struct dirent *entry;
	DIR *dir = opendir(path);
	int err = 0;

	if (!dir)
		return errno == ENOTDIR ? add_file(runner, NULL, path) :
		       (fprintf(stderr, "%s: %s\n", path, strerror(errno)), -1);
	while (!err && (entry = readdir(dir)))
		if (is_data_file(entry->d_name))
			err = add_file(runner, path, entry->d_name);
	closedir(dir);
	if (runner->file_cnt > first)
		qsort(runner->files + first, runner->file_cnt - first, sizeof(*runner->files),
		      compare_paths);
	return err;
}

static int usage(void)
{
	fprintf(stderr, "Usage: bpfvm-conformance-run --plugin PATH [--engine jit|interpret|both]\n"
			"                             [--timeout SECONDS] DIR|FILE.data...\n");
	return 2;
}

static int parse_args(int argc, char **argv, struct runner *runner, const char **engines)
{
	for (int i = 1; i < argc; i++) {
		const char *value = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(argv[i], "--plugin") == 0 && value) {
			runner->plugin = value;
			i++;
		} else if (strcmp(argv[i], "--engine") == 0 && value) {
			if (strcmp(value, "jit") && strcmp(value, "interpret") && strcmp(value, "both"))
				return -1;
			*engines = value;
			i++;
		} else if (strcmp(argv[i], "--timeout") == 0 && value) {
			runner->timeout = (unsigned)strtoul(value, NULL, 10);
			i++;
		} else if (strncmp(argv[i], "--", 2) == 0) {
			return -1;
		} else if (add_path(runner, argv[i])) {
			return -1;
		}
	}
	return runner->plugin && runner->file_cnt && runner->timeout ? 0 : -1;
}

int main(int argc, char **argv)
{
	struct runner runner = { .timeout = DEFAULT_TIMEOUT_S };
	struct tally jit = { 0 }, interp = { 0 };
	const char *engines = "both";
	bool failed;

	if (parse_args(argc, argv, &runner, &engines))
		return usage();
	signal(SIGPIPE, SIG_IGN); /* a plugin that exits unread must not end the runner */
	if (strcmp(engines, "interpret") != 0)
		run_engine(&runner, "--jit", &jit);
	if (strcmp(engines, "jit") != 0)
		run_engine(&runner, "--interpret", &interp);
	printf("passed %zu of %zu\n", jit.passed + interp.passed,
	       jit.passed + interp.passed + jit.failed + interp.failed);
	failed = jit.failed || interp.failed;
	for (size_t i = 0; i < runner.file_cnt; i++)
		free(runner.files[i]);
	free(runner.files);
	return failed ? 1 : 0;
}
