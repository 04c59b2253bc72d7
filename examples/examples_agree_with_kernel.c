/* Each example's steps, run in the running kernel (libbpf, BPF_PROG_TEST_RUN,
 * prog array slots set with program fds) and in bpfvm (public API, slots set
 * with program ids), with the same object and the same inputs. Each side
 * writes a transcript: return values, the errno of every slot update, perf
 * events (without their timestamps), bpf_printk messages, map contents. The
 * transcripts must be equal.
 *
 *   examples_agree_with_kernel EXAMPLE OBJDIR INPUTDIR
 *
 * Both sides run on CPU 0 (the process pins itself there; bpfvm binds
 * vCPU 0 and has as many vCPUs as the machine has possible CPUs), so per-CPU
 * values compare. bpf_printk messages are compared when the kernel's trace
 * buffer is readable and tracing is on (the kernel's lines are those of this
 * process in /sys/kernel/tracing/trace). Without a usable bpf() the test
 * prints SKIP and exits 77. */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <bpfvm/bpfvm.h>

#include "xdp_jump_table/xdp_jump_table.h" /* struct event */

#define SKIP_RETURN_CODE 77
#define PERF_PAGES 8
#define TRACE_MARK "bpf_trace_printk: "
#define KERNEL_TRACE "/sys/kernel/tracing/trace"
#define KERNEL_TRACING_ON "/sys/kernel/tracing/tracing_on"

/* ---- the examples' steps --------------------------------------------- */

enum step_kind {
	RUN_PACKET,  /* run `name` on packet `arg` */
	RUN_SYSCALL, /* run `name` with sys_enter's args: { 0, number } */
	SET_SLOT,    /* map `name`[number] = program `arg` */
	DELETE_SLOT, /* delete map `name`[number] */
	DUMP_MAP,    /* map `name`'s contents */
};

struct step {
	enum step_kind kind;
	const char *name;
	const char *arg;
	uint64_t number;
};

#define RUN(prog, packet) { RUN_PACKET, prog, packet, 0 }
#define SYSCALL(prog, nr) { RUN_SYSCALL, prog, NULL, nr }
#define SET(map, key, prog) { SET_SLOT, map, prog, key }
#define DELETE(map, key) { DELETE_SLOT, map, NULL, key }
#define DUMP(map) { DUMP_MAP, map, NULL, 0 }

static const struct step egress_chain_steps[] = {
	DUMP("chain_programs"),
	RUN("egress1", "ipv4_udp"),
	DUMP("chain_context_map"),
	RUN("egress2", "ipv4_tcp_syn"), /* the middle of the chain, alone */
	DUMP("chain_context_map"),
};

static const struct step syscall_dispatch_steps[] = {
	DUMP("syscall_programs"),
	SYSCALL("sys_enter_dispatch", 268),
	SYSCALL("sys_enter_dispatch", 257),
	SET("syscall_programs", 257, "enter_openat"),
	SYSCALL("sys_enter_dispatch", 257),
	SYSCALL("sys_enter_dispatch", 59),
	DELETE("syscall_programs", 268),
	SYSCALL("sys_enter_dispatch", 268),
	DELETE("syscall_programs", 268),		 /* empty: ENOENT */
	SET("syscall_programs", 1024, "enter_openat"),	 /* past the end: E2BIG */
	SYSCALL("sys_enter_dispatch", 0x100000000ull + 257), /* the index is a u32 */
	DUMP("syscall_programs"),
	DUMP("syscall_counts"),
};

static const struct step xdp_jump_table_steps[] = {
	RUN("prog_entry", "ipv4_icmp_echo"),
	SET("jmp_table", 0, "prog_drop"),
	DUMP("jmp_table"),
	RUN("prog_entry", "ipv4_icmp_echo"),
	RUN("prog_entry", "ipv4_udp"),
	DELETE("jmp_table", 0),
	RUN("prog_entry", "ipv4_icmp_echo"),
	DELETE("jmp_table", 0),
	SET("jmp_table", 8, "prog_drop"),
	DUMP("jmp_table"),
};

#define PARSE(packet) RUN("parse_eth", packet), DUMP("parse_states")

static const struct step packet_parser_steps[] = {
	DUMP("jmp_table"),
	PARSE("ipv4_udp"),
	PARSE("vlan_ipv4_tcp"),
	PARSE("qinq_ipv4_udp"),
	PARSE("mpls_ipv4_udp"),
	PARSE("mpls2_ipv6_tcp"),
	PARSE("ipv6_udp"),
	PARSE("ipip_tcp"),
	PARSE("ipv4_icmp_echo"),
	PARSE("ipv4_udp"),
	PARSE("ipv4_fragment"),
	PARSE("arp"),
	PARSE("ipv4_tcp_syn"),
	DUMP("flows"),
	DUMP("stage_runs"),
	DELETE("jmp_table", 3), /* no IPv4 stage: */
	PARSE("vlan_ipv4_tcp"),
	DUMP("stage_runs"),
};

struct example {
	const char *name;
	const char *events_map; /* a PERF_EVENT_ARRAY of struct event, or NULL */
	const struct step *steps;
	size_t step_cnt;
};

#define EXAMPLE(name, events) { #name, events, name##_steps, \
				sizeof(name##_steps) / sizeof(name##_steps[0]) }

static const struct example examples[] = {
	EXAMPLE(egress_chain, NULL),
	EXAMPLE(syscall_dispatch, NULL),
	EXAMPLE(xdp_jump_table, "events"),
	EXAMPLE(packet_parser, NULL),
};

/* ---- transcripts ----------------------------------------------------- */

struct text {
	char *buf;
	size_t len, cap;
};

static void text_printf(struct text *text, const char *fmt, ...)
{
	va_list args;
	int need;

	va_start(args, fmt);
	need = vsnprintf(NULL, 0, fmt, args);
	va_end(args);
	if (text->len + need + 1 > text->cap) {
		text->cap = (text->len + need + 1) * 2;
		text->buf = realloc(text->buf, text->cap);
		if (!text->buf)
			abort();
	}
	va_start(args, fmt);
	vsnprintf(text->buf + text->len, text->cap - text->len, fmt, args);
	va_end(args);
	text->len += need;
}

static void text_hex(struct text *text, const void *data, size_t len)
{
	const uint8_t *bytes = data;

	for (size_t i = 0; i < len; i++)
		text_printf(text, "%02x", bytes[i]);
}

/* Appends the message of every bpf_printk line of `lines` (trace_pipe
 * format) that `accept` takes, skipping the first *skip of them. */
static void text_trace_messages(struct text *text, const char *lines,
				bool (*accept)(const char *line, const char *mark), size_t *skip)
{
	const char *line, *next;

	for (line = lines; *line; line = next) {
		const char *mark = strstr(line, TRACE_MARK), *message;
		int len;

		next = strchr(line, '\n');
		next = next ? next + 1 : line + strlen(line);
		if (!mark || mark >= next || !accept(line, mark))
			continue;
		if (*skip) {
			(*skip)--;
			continue;
		}
		message = mark + strlen(TRACE_MARK);
		len = (int)(next - message);
		while (len > 0 && message[len - 1] == '\n')
			len--;
		text_printf(text, "  printk: %.*s\n", len, message);
	}
}

/* ---- one side: the kernel or bpfvm ----------------------------------- */

struct run_input {
	const void *data;
	uint32_t data_len;
	const void *ctx;
	uint32_t ctx_len;
	uint32_t flags;
	uint32_t cpu;
};

/* A map as the dump below reads it, on either side. */
struct map_reader {
	uint32_t type, key_size, value_size;
	void *handle;
	int (*next_key)(void *handle, const void *key, void *next);
	int (*lookup)(void *handle, const void *key, void *value);
};

struct side_ops {
	const char *name;
	int (*open)(void *side, const char *path, const struct example *example);
	void (*close)(void *side);
	int (*run)(void *side, const char *prog, const struct run_input *in, uint32_t *retval);
	int (*set_slot)(void *side, const char *map, uint32_t key, const char *prog);
	int (*delete_slot)(void *side, const char *map, uint32_t key);
	int (*map_reader)(void *side, const char *map, struct map_reader *reader);
	const char *(*prog_name)(void *side, uint32_t id);
	/* perf events and bpf_printk messages since the last call */
	void (*output)(void *side, struct text *out);
};

static bool compare_printk; /* the kernel's messages can be read */
static int nr_cpus;

/* ---- the kernel's side ----------------------------------------------- */

struct kernel_side {
	struct bpf_object *obj;
	struct perf_buffer *events;
	struct text *events_out;
	size_t printk_seen;
};

static int kernel_errno(int ret)
{
	return ret < 0 ? -errno : ret;
}

static void kernel_event(void *ctx, int cpu, void *data, __u32 size)
{
	struct kernel_side *side = ctx;
	struct event event = { 0 };

	memcpy(&event, data, size < sizeof(event) ? size : sizeof(event));
	text_printf(side->events_out, "  event cpu %d: %.*s\n", cpu, MESSAGE_LEN, event.message);
}

static void kernel_lost(void *ctx, int cpu, __u64 lost)
{
	struct kernel_side *side = ctx;

	text_printf(side->events_out, "  event cpu %d: %llu lost\n", cpu,
		    (unsigned long long)lost);
}

static int kernel_open(void *opaque, const char *path, const struct example *example)
{
	struct kernel_side *side = opaque;
	struct bpf_map *events;

	side->obj = bpf_object__open_file(path, NULL);
	if (!side->obj)
		return -errno;
	if (bpf_object__load(side->obj))
		return -errno;
	if (!example->events_map)
		return 0;
	events = bpf_object__find_map_by_name(side->obj, example->events_map);
	if (!events)
		return -ENOENT;
	side->events = perf_buffer__new(bpf_map__fd(events), PERF_PAGES, kernel_event,
					kernel_lost, side, NULL);
	return side->events ? 0 : -errno;
}

static void kernel_close(void *opaque)
{
	struct kernel_side *side = opaque;

	perf_buffer__free(side->events);
	bpf_object__close(side->obj);
}

static int kernel_prog_fd(struct kernel_side *side, const char *name)
{
	struct bpf_program *prog = bpf_object__find_program_by_name(side->obj, name);

	return prog ? bpf_program__fd(prog) : -ENOENT;
}

static int kernel_map_fd(struct kernel_side *side, const char *name)
{
	struct bpf_map *map = bpf_object__find_map_by_name(side->obj, name);

	return map ? bpf_map__fd(map) : -ENOENT;
}

static int kernel_run(void *opaque, const char *prog, const struct run_input *in,
		      uint32_t *retval)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = in->data, .data_size_in = in->data_len,
		    .ctx_in = in->ctx, .ctx_size_in = in->ctx_len, .flags = in->flags,
		    .cpu = in->cpu);
	int fd = kernel_prog_fd(opaque, prog), err;

	if (fd < 0)
		return fd;
	err = kernel_errno(bpf_prog_test_run_opts(fd, &opts));
	*retval = opts.retval;
	return err;
}

static int kernel_set_slot(void *opaque, const char *map, uint32_t key, const char *prog)
{
	int map_fd = kernel_map_fd(opaque, map), prog_fd = kernel_prog_fd(opaque, prog);

	if (map_fd < 0 || prog_fd < 0)
		return -ENOENT;
	return kernel_errno(bpf_map_update_elem(map_fd, &key, &prog_fd, BPF_ANY));
}

static int kernel_delete_slot(void *opaque, const char *map, uint32_t key)
{
	int map_fd = kernel_map_fd(opaque, map);

	return map_fd < 0 ? map_fd : kernel_errno(bpf_map_delete_elem(map_fd, &key));
}

static int kernel_next_key(void *handle, const void *key, void *next)
{
	return kernel_errno(bpf_map_get_next_key((int)(intptr_t)handle, key, next));
}

static int kernel_lookup(void *handle, const void *key, void *value)
{
	return kernel_errno(bpf_map_lookup_elem((int)(intptr_t)handle, key, value));
}

static int kernel_map_reader(void *opaque, const char *map, struct map_reader *reader)
{
	struct bpf_map_info info = { 0 };
	uint32_t len = sizeof(info);
	int fd = kernel_map_fd(opaque, map);

	if (fd < 0)
		return fd;
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return -errno;
	*reader = (struct map_reader){ .type = info.type, .key_size = info.key_size,
				       .value_size = info.value_size,
				       .handle = (void *)(intptr_t)fd,
				       .next_key = kernel_next_key, .lookup = kernel_lookup };
	return 0;
}

static const char *kernel_prog_name(void *opaque, uint32_t id)
{
	struct kernel_side *side = opaque;
	struct bpf_program *prog;

	bpf_object__for_each_program(prog, side->obj) {
		struct bpf_prog_info info = { 0 };
		uint32_t len = sizeof(info);

		if (bpf_obj_get_info_by_fd(bpf_program__fd(prog), &info, &len) == 0 &&
		    info.id == id)
			return bpf_program__name(prog);
	}
	return "<a program of no object>";
}

static char *read_file(const char *path)
{
	FILE *file = fopen(path, "r");
	struct text text = { 0 };
	char chunk[65536];
	size_t got;

	if (!file)
		return NULL;
	text_printf(&text, "%s", "");
	while ((got = fread(chunk, 1, sizeof(chunk), file)) > 0)
		text_printf(&text, "%.*s", (int)got, chunk);
	fclose(file);
	return text.buf;
}

/* A kernel trace line of this process: "<comm>-<pid>   [<cpu>] ...". */
static bool is_own_line(const char *line, const char *mark)
{
	char task[32];
	const char *at;

	snprintf(task, sizeof(task), "-%d ", (int)getpid());
	at = strstr(line, task);
	if (!at || at > mark)
		return false;
	at += strlen(task);
	while (*at == ' ')
		at++;
	return *at == '[';
}

static void kernel_output(void *opaque, struct text *out)
{
	struct kernel_side *side = opaque;

	if (side->events) {
		side->events_out = out;
		perf_buffer__consume(side->events);
	}
	if (compare_printk) {
		char *trace = read_file(KERNEL_TRACE);
		size_t skip = side->printk_seen;
		struct text messages = { 0 };

		text_printf(&messages, "%s", "");
		text_trace_messages(&messages, trace ? trace : "", is_own_line, &skip);
		for (const char *c = messages.buf; *c; c++)
			side->printk_seen += *c == '\n';
		text_printf(out, "%s", messages.buf);
		free(messages.buf);
		free(trace);
	}
}

static const struct side_ops kernel_ops = {
	.name = "kernel", .open = kernel_open, .close = kernel_close, .run = kernel_run,
	.set_slot = kernel_set_slot, .delete_slot = kernel_delete_slot,
	.map_reader = kernel_map_reader, .prog_name = kernel_prog_name,
	.output = kernel_output,
};

/* ---- bpfvm's side ---------------------------------------------------- */

struct vm_side {
	struct bpfvm *vm;
	struct bpfvm_object *obj;
	struct bpfvm_map *events;
	bool bound;
};

static int vm_open(void *opaque, const char *path, const struct example *example)
{
	struct vm_side *side = opaque;
	struct bpfvm_opts opts = { .sz = sizeof(opts), .nr_cpus = (uint32_t)nr_cpus };
	int err = bpfvm_create(&opts, &side->vm);

	if (err)
		return err;
	err = bpfvm_cpu_bind(side->vm, 0);
	if (err < 0)
		return err;
	side->bound = true;
	err = bpfvm_object_open(side->vm, path, NULL, &side->obj);
	if (!err)
		err = bpfvm_object_load(side->obj);
	if (err || !example->events_map)
		return err;
	side->events = bpfvm_object_find_map(side->obj, example->events_map);
	return side->events ? bpfvm_perf_buffer_open(side->events) : -ENOENT;
}

static void vm_close(void *opaque)
{
	struct vm_side *side = opaque;

	if (side->events)
		bpfvm_perf_buffer_close(side->events);
	bpfvm_object_close(side->obj);
	if (side->bound)
		bpfvm_cpu_unbind(side->vm);
	if (side->vm)
		bpfvm_destroy(side->vm);
}

static int vm_run(void *opaque, const char *name, const struct run_input *in, uint32_t *retval)
{
	struct vm_side *side = opaque;
	struct bpfvm_prog *prog = bpfvm_object_find_prog(side->obj, name);
	struct bpfvm_test_run_opts opts = {
		.sz = sizeof(opts), .data_in = in->data, .data_size_in = in->data_len,
		.ctx_in = in->ctx, .ctx_size_in = in->ctx_len, .flags = in->flags,
		.cpu = in->cpu,
	};
	int err;

	if (!prog)
		return -ENOENT;
	err = bpfvm_prog_test_run(prog, &opts);
	*retval = opts.retval;
	return err;
}

static int vm_set_slot(void *opaque, const char *map_name, uint32_t key, const char *prog_name)
{
	struct vm_side *side = opaque;
	struct bpfvm_map *map = bpfvm_object_find_map(side->obj, map_name);
	struct bpfvm_prog *prog = bpfvm_object_find_prog(side->obj, prog_name);
	uint32_t id;

	if (!map || !prog)
		return -ENOENT;
	id = bpfvm_prog_id(prog);
	return bpfvm_map_update(map, &key, &id, BPF_ANY);
}

static int vm_delete_slot(void *opaque, const char *map_name, uint32_t key)
{
	struct vm_side *side = opaque;
	struct bpfvm_map *map = bpfvm_object_find_map(side->obj, map_name);

	return map ? bpfvm_map_delete(map, &key) : -ENOENT;
}

static int vm_next_key(void *handle, const void *key, void *next)
{
	return bpfvm_map_get_next_key(handle, key, next);
}

static int vm_lookup(void *handle, const void *key, void *value)
{
	return bpfvm_map_lookup(handle, key, value);
}

static int vm_map_reader(void *opaque, const char *name, struct map_reader *reader)
{
	struct vm_side *side = opaque;
	struct bpfvm_map *map = bpfvm_object_find_map(side->obj, name);
	struct bpfvm_map_info info;
	int err;

	if (!map)
		return -ENOENT;
	err = bpfvm_map_get_info(map, &info);
	if (err)
		return err;
	*reader = (struct map_reader){ .type = info.type, .key_size = info.key_size,
				       .value_size = info.value_size, .handle = map,
				       .next_key = vm_next_key, .lookup = vm_lookup };
	return 0;
}

static const char *vm_prog_name(void *opaque, uint32_t id)
{
	struct vm_side *side = opaque;

	for (size_t i = 0; i < bpfvm_object_prog_cnt(side->obj); i++)
		if (bpfvm_prog_id(bpfvm_object_prog(side->obj, i)) == id)
			return bpfvm_prog_name(bpfvm_object_prog(side->obj, i));
	return "<a program of no object>";
}

static void vm_event(void *ctx, int cpu, void *data, uint32_t size)
{
	struct event event = { 0 };

	memcpy(&event, data, size < sizeof(event) ? size : sizeof(event));
	text_printf(ctx, "  event cpu %d: %.*s\n", cpu, MESSAGE_LEN, event.message);
}

static void vm_lost(void *ctx, int cpu, uint64_t lost)
{
	text_printf(ctx, "  event cpu %d: %llu lost\n", cpu, (unsigned long long)lost);
}

static bool any_line(const char *line, const char *mark)
{
	return true;
}

static void vm_output(void *opaque, struct text *out)
{
	struct vm_side *side = opaque;
	char lines[16384];
	size_t skip = 0;

	if (side->events)
		bpfvm_perf_buffer_consume(side->events, vm_event, vm_lost, out);
	while (bpfvm_trace_pipe_read(side->vm, lines, sizeof(lines)) > 0)
		if (compare_printk)
			text_trace_messages(out, lines, any_line, &skip);
}

static const struct side_ops vm_ops = {
	.name = "bpfvm", .open = vm_open, .close = vm_close, .run = vm_run,
	.set_slot = vm_set_slot, .delete_slot = vm_delete_slot, .map_reader = vm_map_reader,
	.prog_name = vm_prog_name, .output = vm_output,
};

/* ---- map contents, in the same words on both sides ------------------- */

struct entry {
	uint8_t *key;
	uint32_t key_size;
	struct text line;
};

static int compare_entries(const void *a, const void *b)
{
	const struct entry *left = a, *right = b;

	return memcmp(left->key, right->key, left->key_size);
}

static bool is_percpu(uint32_t type)
{
	return type == BPF_MAP_TYPE_PERCPU_ARRAY || type == BPF_MAP_TYPE_PERCPU_HASH ||
	       type == BPF_MAP_TYPE_LRU_PERCPU_HASH;
}

static bool all_zero(const uint8_t *bytes, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (bytes[i])
			return false;
	return true;
}

/* The value of one entry, or false when it is not worth a line (an array
 * element still zero, an empty prog array slot). */
static bool format_value(const struct side_ops *ops, void *side, const struct map_reader *map,
			 const uint8_t *value, size_t len, struct text *line)
{
	uint32_t stride = (map->value_size + 7) & ~7u;
	bool array = map->type == BPF_MAP_TYPE_ARRAY || map->type == BPF_MAP_TYPE_PERCPU_ARRAY;

	if (map->type == BPF_MAP_TYPE_PROG_ARRAY) {
		uint32_t id;

		memcpy(&id, value, sizeof(id));
		text_printf(line, "%s", ops->prog_name(side, id));
		return true;
	}
	if (array && all_zero(value, len))
		return false;
	if (!is_percpu(map->type)) {
		text_hex(line, value, map->value_size);
		return true;
	}
	for (int cpu = 0; cpu < nr_cpus; cpu++) {
		text_printf(line, "%scpu%d ", cpu ? " " : "", cpu);
		text_hex(line, value + (size_t)cpu * stride, map->value_size);
	}
	return true;
}

static void dump_map(const struct side_ops *ops, void *side, const char *name, struct text *out)
{
	struct map_reader map;
	struct entry *entries = NULL;
	size_t count = 0, len;
	uint8_t *key, *next, *value;
	int err = ops->map_reader(side, name, &map);

	text_printf(out, "map %s:\n", name);
	if (err) {
		text_printf(out, "  error %d\n", err);
		return;
	}
	len = is_percpu(map.type) ? (size_t)((map.value_size + 7) & ~7u) * nr_cpus
				  : map.value_size;
	key = calloc(1, map.key_size);
	next = calloc(1, map.key_size);
	value = calloc(1, len);
	for (err = map.next_key(map.handle, NULL, next); !err;
	     err = map.next_key(map.handle, key, next)) {
		struct entry entry = { .key_size = map.key_size };

		memcpy(key, next, map.key_size);
		if (map.lookup(map.handle, key, value))
			continue; /* an empty prog array slot */
		text_printf(&entry.line, "  ");
		text_hex(&entry.line, key, map.key_size);
		text_printf(&entry.line, ": ");
		if (!format_value(ops, side, &map, value, len, &entry.line)) {
			free(entry.line.buf);
			continue;
		}
		entry.key = malloc(map.key_size);
		memcpy(entry.key, key, map.key_size);
		entries = realloc(entries, (count + 1) * sizeof(*entries));
		entries[count++] = entry;
	}
	if (err != -ENOENT)
		text_printf(out, "  get_next_key: error %d\n", err);
	if (count)
		qsort(entries, count, sizeof(*entries), compare_entries);
	for (size_t i = 0; i < count; i++) {
		text_printf(out, "%s\n", entries[i].line.buf);
		free(entries[i].line.buf);
		free(entries[i].key);
	}
	free(entries);
	free(key);
	free(next);
	free(value);
}

/* ---- running the steps ----------------------------------------------- */

static int read_packet(const char *dir, const char *name, uint8_t *buf, size_t size)
{
	char path[1024];
	FILE *file;
	size_t len;

	snprintf(path, sizeof(path), "%s/%s.bin", dir, name);
	file = fopen(path, "rb");
	if (!file)
		return -errno;
	len = fread(buf, 1, size, file);
	fclose(file);
	return (int)len;
}

static void run_step(const struct side_ops *ops, void *side, const struct step *step,
		     const char *input_dir, struct text *out)
{
	uint8_t packet[512];
	uint64_t args[2] = { 0, step->number };
	struct run_input in = { 0 };
	uint32_t retval = 0;
	int err, len;

	switch (step->kind) {
	case RUN_PACKET:
		len = read_packet(input_dir, step->arg, packet, sizeof(packet));
		if (len < 0) {
			text_printf(out, "run %s on %s: no packet (%d)\n", step->name, step->arg, len);
			return;
		}
		in.data = packet;
		in.data_len = (uint32_t)len;
		err = ops->run(side, step->name, &in, &retval);
		text_printf(out, "run %s on %s: error %d retval %u\n", step->name, step->arg, err,
			    retval);
		ops->output(side, out);
		break;
	case RUN_SYSCALL:
		/* The kernel takes only ctx_in for a raw tracepoint, and runs
		 * it on the CPU asked. */
		in.ctx = args;
		in.ctx_len = sizeof(args);
		in.flags = BPF_F_TEST_RUN_ON_CPU;
		err = ops->run(side, step->name, &in, &retval);
		text_printf(out, "run %s for syscall %#llx: error %d retval %u\n", step->name,
			    (unsigned long long)step->number, err, retval);
		ops->output(side, out);
		break;
	case SET_SLOT:
		err = ops->set_slot(side, step->name, (uint32_t)step->number, step->arg);
		text_printf(out, "%s[%llu] = %s: error %d\n", step->name,
			    (unsigned long long)step->number, step->arg, err);
		break;
	case DELETE_SLOT:
		err = ops->delete_slot(side, step->name, (uint32_t)step->number);
		text_printf(out, "delete %s[%llu]: error %d\n", step->name,
			    (unsigned long long)step->number, err);
		break;
	case DUMP_MAP:
		dump_map(ops, side, step->name, out);
		break;
	}
}

static int transcript(const struct side_ops *ops, void *side, const struct example *example,
		      char **argv, struct text *out)
{
	char path[1024];
	int err;

	snprintf(path, sizeof(path), "%s/%s.bpf.o", argv[2], example->name);
	err = ops->open(side, path, example);
	if (err) {
		printf("FAIL %s: cannot open and load %s: %d %s\n", ops->name, path, err,
		       ops == &vm_ops ? bpfvm_errmsg() : "");
		ops->close(side);
		return err;
	}
	ops->output(side, out); /* nothing yet: drops what came before */
	out->len = 0;
	text_printf(out, "%s", "");
	for (size_t i = 0; i < example->step_cnt; i++)
		run_step(ops, side, &example->steps[i], argv[3], out);
	ops->close(side);
	return 0;
}

/* ---- the environment ------------------------------------------------- */

static bool kernel_bpf_usable(char *why, size_t size)
{
	struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	int fd = bpf_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, "probe", "GPL", insns, 2, NULL);

	if (fd < 0) {
		snprintf(why, size, "bpf(BPF_PROG_LOAD) failed: %s", strerror(errno));
		return false;
	}
	close(fd);
	return true;
}

static bool kernel_trace_readable(void)
{
	char *on = read_file(KERNEL_TRACING_ON);
	bool readable = on && on[0] == '1' && access(KERNEL_TRACE, R_OK) == 0;

	free(on);
	return readable;
}

static int pin_to_cpu0(void)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(0, &set);
	return sched_setaffinity(0, sizeof(set), &set) ? -errno : 0;
}

static int quiet_libbpf(enum libbpf_print_level level, const char *fmt, va_list args)
{
	return level == LIBBPF_WARN ? vfprintf(stderr, fmt, args) : 0;
}

/* Prints the first line where the transcripts part. */
static void show_difference(const char *kernel, const char *vm)
{
	size_t line = 1, at = 0;

	while (kernel[at] && kernel[at] == vm[at]) {
		if (kernel[at] == '\n')
			line++;
		at++;
	}
	while (at > 0 && kernel[at - 1] != '\n')
		at--;
	printf("first difference at line %zu:\n  kernel: %.*s\n  bpfvm:  %.*s\n", line,
	       (int)strcspn(kernel + at, "\n"), kernel + at, (int)strcspn(vm + at, "\n"),
	       vm + at);
}

int main(int argc, char **argv)
{
	const struct example *example = NULL;
	struct kernel_side kernel = { 0 };
	struct vm_side vm = { 0 };
	struct text kernel_text = { 0 }, vm_text = { 0 };
	char why[256];
	bool agree;

	if (argc != 4) {
		fprintf(stderr, "usage: %s EXAMPLE OBJDIR INPUTDIR\n", argv[0]);
		return 2;
	}
	for (size_t i = 0; i < sizeof(examples) / sizeof(examples[0]); i++)
		if (strcmp(examples[i].name, argv[1]) == 0)
			example = &examples[i];
	if (!example) {
		fprintf(stderr, "no example %s\n", argv[1]);
		return 2;
	}
	libbpf_set_print(quiet_libbpf);
	if (!kernel_bpf_usable(why, sizeof(why))) {
		printf("SKIP %s\n", why);
		return SKIP_RETURN_CODE;
	}
	if (pin_to_cpu0()) {
		printf("SKIP cannot run on CPU 0: %s\n", strerror(errno));
		return SKIP_RETURN_CODE;
	}
	nr_cpus = libbpf_num_possible_cpus();
	compare_printk = kernel_trace_readable();
	if (!compare_printk)
		printf("note: %s not readable or tracing off: bpf_printk output not compared\n",
		       KERNEL_TRACE);
	if (transcript(&kernel_ops, &kernel, example, argv, &kernel_text) ||
	    transcript(&vm_ops, &vm, example, argv, &vm_text))
		return 1;
	agree = strcmp(kernel_text.buf, vm_text.buf) == 0;
	printf("%s: %s\n%s", example->name, agree ? "bpfvm agrees with the kernel" : "FAIL",
	       kernel_text.buf);
	if (!agree) {
		show_difference(kernel_text.buf, vm_text.buf);
		printf("bpfvm's transcript:\n%s", vm_text.buf);
	}
	free(kernel_text.buf);
	free(vm_text.buf);
	return agree ? 0 : 1;
}
