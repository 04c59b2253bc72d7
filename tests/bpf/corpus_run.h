/* The object corpus (tests/bpf/cases.txt) and what one test run of a case
 * produces, written as text so that two runs compare line by line.
 *
 * A case line in cases.txt is a list of key=value words:
 *
 *     case=xdp_parse_ipv4_udp obj=xdp_parse prog=xdp_count_protocols
 *          data=ipv4_udp ctx=- repeat=1
 *
 *   case    the rule or scenario it pins (the expected-result file's name)
 *   obj     the object, tests/bpf/<obj>.bpf.c built to <objdir>/<obj>.bpf.o
 *   prog    the program's symbol name
 *   data    packets/<data>.hex, or "-" for none (raw_tracepoint)
 *   ctx     "-" (no ctx_in), or a ctx_in:
 *           "skb:mark=N,priority=N,cb0=N,..." an __sk_buff with those fields
 *             (mark, priority, ingress_ifindex, ifindex, cb0..cb4, tstamp,
 *             wire_len, gso_segs, gso_size, hwtstamp; N in C notation), the
 *             rest zero; "skb:zero" an all-zero one
 *           "xdp:ingress_ifindex=N,..." an xdp_md with those fields (any of
 *             them), data_end the packet's size unless given
 *           "rawtp:ids" args[0] = tgid, args[1] = pid, args[2] = 42 (the
 *             program compares them with the helpers' answers)
 *           "rawtp:args=N" N arguments, args[i] = 0x0102030405060708 * (i+1)
 *   repeat  the test run's repeat count
 *
 * The result of a run (struct run_result) is text, one fact per line:
 *
 *     retval 2
 *     data_out 51: 02 00 00 ...
 *     ctx_out 192: 00 00 ...
 *     map flows hash key 4 value 16 max 64 flags 0x0
 *       06005000: 0100000000000000 3300000000000000
 *     map .bss array key 4 value 16 max 1 flags 0x0
 *       00000000: ...
 *     ringbuf events: 0c000000 ... (one line per record)
 *     perf perf_events cpu 0: ... (one line per record)
 *
 * Entries are sorted by key, so hash iteration order does not matter;
 * per-CPU values list every CPU's slice; values of maps of maps are the
 * inner map's name, not its id; QUEUE and STACK list their values in pop
 * order; internal maps are named by their section (".bss"), not with
 * libbpf's object-name prefix. Spin locks read as zero (the kernel clears
 * them in lookups). */
#ifndef BPFVM_TESTS_BPF_CORPUS_RUN_H
#define BPFVM_TESTS_BPF_CORPUS_RUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CORPUS_MAX_CASES 128
#define CORPUS_DATA_OUT_CAPACITY 4096
#define CORPUS_CTX_OUT_CAPACITY 512
#define CORPUS_RAWTP_MAGIC_ARG 42

struct corpus_case {
	char name[64];
	char obj[64];
	char prog[64];
	char data[64];
	char ctx[256];
	int repeat;
	unsigned line;
};

struct corpus_list {
	struct corpus_case cases[CORPUS_MAX_CASES];
	size_t count;
};

/* Reads cases.txt. Returns 0, or -1 after printing what is wrong. */
int corpus_list_read(const char *path, struct corpus_list *list);

/* The inputs of a case, built from its files and generators. */
struct case_input {
	uint8_t *data;
	uint32_t data_len;
	uint8_t ctx[CORPUS_CTX_OUT_CAPACITY];
	uint32_t ctx_len;
};

/* Reads packets/<data>.hex and builds the context. Returns 0, or -1 after
 * printing what is wrong. */
int case_input_build(const struct corpus_case *c, const char *packet_dir,
		     struct case_input *input);
void case_input_release(struct case_input *input);

/* A run's result as text. */
struct run_result {
	char *text;
	size_t len, cap;
	bool failed; /* the run itself failed; text says how */
};

void result_printf(struct run_result *result, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void result_hex(struct run_result *result, const void *data, size_t len);
void result_release(struct run_result *result);

/* One line of a map's contents, kept to sort them before printing. */
struct map_entry_line {
	uint8_t *key;
	uint32_t key_size;
	char *text; /* "  <key hex>: <value>" */
};

/* Sorts the lines by key bytes, appends them, frees them. */
void result_add_sorted_entries(struct run_result *result, struct map_entry_line *lines,
			       size_t count);

/* Formats a value as hex, per-CPU values as "cpuN <hex>" slices. */
char *format_value(const uint8_t *value, uint32_t value_size, uint32_t nr_cpus,
		   bool percpu);
char *format_hex(const void *data, size_t len);

/* "xdp_pars.bss" -> ".bss"; other names unchanged. */
const char *canonical_map_name(const char *name);
const char *map_type_name(uint32_t type);
bool map_type_is_percpu(uint32_t type);

/* Prints a line diff of two results ("- kernel", "+ bpfvm"). Returns true
 * when they are equal. */
bool result_compare(const char *case_name, const char *left_label, const char *left,
		    const char *right_label, const char *right);

/* Reads a whole text file; NULL if it cannot. */
char *corpus_read_text(const char *path);

/* Runs a case: loads <obj_dir>/<obj>.bpf.o fresh, test-runs the program on
 * CPU 0 and writes the result. A failure to load or run is a result too
 * ("load failed: ..."), so that it is compared like the rest. */
void kernel_run_case(const struct corpus_case *c, const char *obj_dir,
		     const struct case_input *input, struct run_result *result);
void bpfvm_run_case(const struct corpus_case *c, const char *obj_dir,
		    const struct case_input *input, struct run_result *result);

/* Whether bpf() can load and test-run programs here; if not, why. */
bool kernel_bpf_usable(char *why, size_t size);

/* Pins the calling thread to CPU 0, where the kernel's test runs must happen
 * for per-CPU values and bpf_get_smp_processor_id() to be comparable. */
int pin_to_cpu0(void);

#endif
