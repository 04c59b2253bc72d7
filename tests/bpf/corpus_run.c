/* The corpus manifest, case inputs, and results as text (corpus_run.h). */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <sched.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/bpf.h>

#include "corpus_run.h"

char *corpus_read_text(const char *path)
{
	FILE *file = fopen(path, "rb");
	char *text = NULL;
	long size;

	if (!file)
		return NULL;
	if (fseek(file, 0, SEEK_END) == 0 && (size = ftell(file)) >= 0 &&
	    fseek(file, 0, SEEK_SET) == 0) {
		text = malloc((size_t)size + 1);
		if (text && fread(text, 1, (size_t)size, file) != (size_t)size) {
			free(text);
			text = NULL;
		}
		if (text)
			text[size] = '\0';
	}
	fclose(file);
	return text;
}

/* ---- cases.txt ------------------------------------------------------- */

static int copy_field(char *dst, size_t size, const char *value)
{
	if (strlen(value) >= size)
		return -1;
	strcpy(dst, value);
	return 0;
}

static int parse_word(struct corpus_case *c, char *word)
{
	char *value = strchr(word, '=');

	if (!value)
		return -1;
	*value++ = '\0';
	if (strcmp(word, "case") == 0)
		return copy_field(c->name, sizeof(c->name), value);
	if (strcmp(word, "obj") == 0)
		return copy_field(c->obj, sizeof(c->obj), value);
	if (strcmp(word, "prog") == 0)
		return copy_field(c->prog, sizeof(c->prog), value);
	if (strcmp(word, "data") == 0)
		return copy_field(c->data, sizeof(c->data), value);
	if (strcmp(word, "ctx") == 0)
		return copy_field(c->ctx, sizeof(c->ctx), value);
	if (strcmp(word, "repeat") == 0) {
		char *end;

		c->repeat = (int)strtol(value, &end, 10);
		return *end || c->repeat < 0 ? -1 : 0;
	}
	return -1;
}

static int parse_case_line(char *line, unsigned line_no, struct corpus_case *c)
{
	char *save = NULL;

	memset(c, 0, sizeof(*c));
	strcpy(c->data, "-");
	strcpy(c->ctx, "-");
	c->line = line_no;
	for (char *word = strtok_r(line, " \t", &save); word; word = strtok_r(NULL, " \t", &save)) {
		if (parse_word(c, word)) {
			fprintf(stderr, "cases.txt:%u: bad word '%s'\n", line_no, word);
			return -1;
		}
	}
	if (!c->name[0] || !c->obj[0] || !c->prog[0]) {
		fprintf(stderr, "cases.txt:%u: case, obj and prog are required\n", line_no);
		return -1;
	}
	return 0;
}

static int corpus_list_add(struct corpus_list *list, char *line, unsigned line_no)
{
	if (list->count == CORPUS_MAX_CASES) {
		fprintf(stderr, "cases.txt:%u: more than %d cases\n", line_no, CORPUS_MAX_CASES);
		return -1;
	}
	if (parse_case_line(line, line_no, &list->cases[list->count]))
		return -1;
	list->count++;
	return 0;
}

/* A case is a line and the indented lines after it. */
int corpus_list_read(const char *path, struct corpus_list *list)
{
	char *text = corpus_read_text(path), *rest, *line, pending[1024] = "";
	unsigned line_no = 0, pending_line = 0;
	int err = 0;

	list->count = 0;
	if (!text) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return -1;
	}
	rest = text;
	while ((line = strsep(&rest, "\n")) != NULL) {
		const char *start = line + strspn(line, " \t");

		line_no++;
		if (*start == '\0' || *start == '#')
			continue;
		if (start != line && pending[0]) {
			snprintf(pending + strlen(pending), sizeof(pending) - strlen(pending), " %s", start);
			continue;
		}
		if (pending[0] && corpus_list_add(list, pending, pending_line))
			err = -1;
		snprintf(pending, sizeof(pending), "%s", start);
		pending_line = line_no;
	}
	if (pending[0] && corpus_list_add(list, pending, pending_line))
		err = -1;
	free(text);
	return err;
}

/* ---- inputs ---------------------------------------------------------- */

static int read_hex_packet(const char *path, struct case_input *input)
{
	char *text = corpus_read_text(path);
	size_t cap = 0;
	int high = -1;

	if (!text) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return -1;
	}
	cap = strlen(text) / 2 + 1;
	input->data = calloc(1, cap);
	input->data_len = 0;
	for (char *p = text; *p; p++) {
		if (*p == '#') {
			while (*p && *p != '\n')
				p++;
			if (!*p)
				break;
			continue;
		}
		if (!isxdigit((unsigned char)*p))
			continue;
		int digit = isdigit((unsigned char)*p) ? *p - '0' : tolower(*p) - 'a' + 10;

		if (high < 0) {
			high = digit;
		} else {
			input->data[input->data_len++] = (uint8_t)(high << 4 | digit);
			high = -1;
		}
	}
	free(text);
	return 0;
}

/* A "name=value,..." list into a context struct: each name is a field of
 * `table` (offset and size in the struct); values in C notation (0x..). */
struct ctx_field_name {
	const char *name;
	size_t off, size;
};

#define SKB_FIELD(name, member) \
	{ name, offsetof(struct __sk_buff, member), sizeof(((struct __sk_buff *)0)->member) }
#define XDP_FIELD(member) \
	{ #member, offsetof(struct xdp_md, member), sizeof(((struct xdp_md *)0)->member) }

static const struct ctx_field_name skb_field_names[] = {
	SKB_FIELD("mark", mark),
	SKB_FIELD("priority", priority),
	SKB_FIELD("ingress_ifindex", ingress_ifindex),
	SKB_FIELD("ifindex", ifindex),
	SKB_FIELD("cb0", cb[0]),
	SKB_FIELD("cb1", cb[1]),
	SKB_FIELD("cb2", cb[2]),
	SKB_FIELD("cb3", cb[3]),
	SKB_FIELD("cb4", cb[4]),
	SKB_FIELD("tstamp", tstamp),
	SKB_FIELD("wire_len", wire_len),
	SKB_FIELD("gso_segs", gso_segs),
	SKB_FIELD("gso_size", gso_size),
	SKB_FIELD("hwtstamp", hwtstamp),
	{ NULL, 0, 0 },
};

static const struct ctx_field_name xdp_field_names[] = {
	XDP_FIELD(data),
	XDP_FIELD(data_end),
	XDP_FIELD(data_meta),
	XDP_FIELD(ingress_ifindex),
	XDP_FIELD(rx_queue_index),
	XDP_FIELD(egress_ifindex),
	{ NULL, 0, 0 },
};

static int set_ctx_field(const struct ctx_field_name *table, const char *field, uint8_t *ctx)
{
	const char *equal = strchr(field, '=');
	unsigned long long value;
	char *end;

	if (!equal)
		return -1;
	errno = 0;
	value = strtoull(equal + 1, &end, 0);
	if (*end || errno)
		return -1;
	for (; table->name; table++) {
		if (strlen(table->name) != (size_t)(equal - field) ||
		    strncmp(table->name, field, (size_t)(equal - field)) != 0)
			continue;
		if (table->size == 4) {
			uint32_t narrow = (uint32_t)value;

			memcpy(ctx + table->off, &narrow, 4);
		} else {
			memcpy(ctx + table->off, &value, 8);
		}
		return 0;
	}
	return -1;
}

static int set_ctx_fields(const struct ctx_field_name *table, const char *spec, uint8_t *ctx)
{
	char copy[sizeof(((struct corpus_case *)0)->ctx)], *save = NULL;

	snprintf(copy, sizeof(copy), "%s", spec);
	for (char *field = strtok_r(copy, ",", &save); field; field = strtok_r(NULL, ",", &save))
		if (set_ctx_field(table, field, ctx))
			return -1;
	return 0;
}

static int build_skb_ctx(const char *spec, struct case_input *input)
{
	struct __sk_buff skb = { 0 };

	if (strcmp(spec, "zero") != 0 && set_ctx_fields(skb_field_names, spec, (uint8_t *)&skb))
		return -1;
	memcpy(input->ctx, &skb, sizeof(skb));
	input->ctx_len = sizeof(skb);
	return 0;
}

/* data_end is the packet's size unless the spec says otherwise. */
static int build_xdp_ctx(const char *spec, struct case_input *input)
{
	struct xdp_md md = { .data_end = input->data_len };

	if (set_ctx_fields(xdp_field_names, spec, (uint8_t *)&md))
		return -1;
	memcpy(input->ctx, &md, sizeof(md));
	input->ctx_len = sizeof(md);
	return 0;
}

/* "ids" (corpus_run.h) or "args=N": N arguments, args[i] =
 * 0x0102030405060708 * (i + 1), distinct in every byte. */
static int build_rawtp_ctx(const char *spec, struct case_input *input)
{
	uint64_t args[12];
	unsigned count;
	char tail;

	if (sscanf(spec, "args=%u%c", &count, &tail) == 1 && count >= 1 && count <= 12) {
		for (unsigned i = 0; i < count; i++)
			args[i] = 0x0102030405060708ull * (i + 1);
		memcpy(input->ctx, args, count * sizeof(args[0]));
		input->ctx_len = count * sizeof(args[0]);
		return 0;
	}
	if (strcmp(spec, "ids") != 0)
		return -1;
	args[0] = (uint64_t)getpid();
	args[1] = (uint64_t)syscall(SYS_gettid);
	args[2] = CORPUS_RAWTP_MAGIC_ARG;
	memcpy(input->ctx, args, 3 * sizeof(args[0]));
	input->ctx_len = 3 * sizeof(args[0]);
	return 0;
}

int case_input_build(const struct corpus_case *c, const char *packet_dir,
		     struct case_input *input)
{
	char path[512];
	int err = 0;

	memset(input, 0, sizeof(*input));
	if (strcmp(c->data, "-") != 0) {
		snprintf(path, sizeof(path), "%s/%s.hex", packet_dir, c->data);
		if (read_hex_packet(path, input))
			return -1;
	}
	if (strncmp(c->ctx, "skb:", 4) == 0)
		err = build_skb_ctx(c->ctx + 4, input);
	else if (strncmp(c->ctx, "xdp:", 4) == 0)
		err = build_xdp_ctx(c->ctx + 4, input);
	else if (strncmp(c->ctx, "rawtp:", 6) == 0)
		err = build_rawtp_ctx(c->ctx + 6, input);
	else if (strcmp(c->ctx, "-") != 0)
		err = -1;
	if (err)
		fprintf(stderr, "cases.txt:%u: bad ctx '%s'\n", c->line, c->ctx);
	return err;
}

void case_input_release(struct case_input *input)
{
	free(input->data);
	input->data = NULL;
}

/* ---- results --------------------------------------------------------- */

void result_printf(struct run_result *result, const char *fmt, ...)
{
	va_list args;
	int need;

	va_start(args, fmt);
	need = vsnprintf(NULL, 0, fmt, args);
	va_end(args);
	if (need < 0)
		return;
	if (result->len + (size_t)need + 1 > result->cap) {
		size_t cap = (result->cap ? result->cap * 2 : 1024) + (size_t)need;
		char *bigger = realloc(result->text, cap);

		if (!bigger)
			abort();
		result->text = bigger;
		result->cap = cap;
	}
	va_start(args, fmt);
	vsnprintf(result->text + result->len, result->cap - result->len, fmt, args);
	va_end(args);
	result->len += (size_t)need;
}

char *format_hex(const void *data, size_t len)
{
	const uint8_t *bytes = data;
	char *text = malloc(len * 2 + 1);

	for (size_t i = 0; i < len; i++)
		sprintf(text + 2 * i, "%02x", bytes[i]);
	text[len * 2] = '\0';
	return text;
}

void result_hex(struct run_result *result, const void *data, size_t len)
{
	char *hex = format_hex(data, len);

	result_printf(result, "%s", hex);
	free(hex);
}

void result_release(struct run_result *result)
{
	free(result->text);
	memset(result, 0, sizeof(*result));
}

char *format_value(const uint8_t *value, uint32_t value_size, uint32_t nr_cpus, bool percpu)
{
	uint32_t stride = (value_size + 7) & ~7u;
	struct run_result text = { 0 };

	if (!percpu)
		return format_hex(value, value_size);
	for (uint32_t cpu = 0; cpu < nr_cpus; cpu++) {
		result_printf(&text, "%scpu%u ", cpu ? " " : "", cpu);
		result_hex(&text, value + (size_t)cpu * stride, value_size);
	}
	return text.text ? text.text : strdup("");
}

static int compare_entries(const void *a, const void *b)
{
	const struct map_entry_line *left = a, *right = b;
	uint32_t size = left->key_size < right->key_size ? left->key_size : right->key_size;
	int order = memcmp(left->key, right->key, size);

	return order ? order : (int)left->key_size - (int)right->key_size;
}

void result_add_sorted_entries(struct run_result *result, struct map_entry_line *lines,
			       size_t count)
{
	if (count)
		qsort(lines, count, sizeof(*lines), compare_entries);
	for (size_t i = 0; i < count; i++) {
		result_printf(result, "%s\n", lines[i].text);
		free(lines[i].text);
		free(lines[i].key);
	}
}

const char *canonical_map_name(const char *name)
{
	static const char *const sections[] = { ".rodata", ".data", ".bss", ".kconfig" };
	const char *first = NULL;

	for (size_t i = 0; i < sizeof(sections) / sizeof(sections[0]); i++) {
		const char *at = strstr(name, sections[i]);

		if (at && (!first || at < first))
			first = at;
	}
	return first ? first : name;
}

static const char *const map_type_names[] = {
	[BPF_MAP_TYPE_HASH] = "hash",
	[BPF_MAP_TYPE_ARRAY] = "array",
	[BPF_MAP_TYPE_PROG_ARRAY] = "prog_array",
	[BPF_MAP_TYPE_PERF_EVENT_ARRAY] = "perf_event_array",
	[BPF_MAP_TYPE_PERCPU_HASH] = "percpu_hash",
	[BPF_MAP_TYPE_PERCPU_ARRAY] = "percpu_array",
	[BPF_MAP_TYPE_LRU_HASH] = "lru_hash",
	[BPF_MAP_TYPE_LRU_PERCPU_HASH] = "lru_percpu_hash",
	[BPF_MAP_TYPE_LPM_TRIE] = "lpm_trie",
	[BPF_MAP_TYPE_ARRAY_OF_MAPS] = "array_of_maps",
	[BPF_MAP_TYPE_HASH_OF_MAPS] = "hash_of_maps",
	[BPF_MAP_TYPE_QUEUE] = "queue",
	[BPF_MAP_TYPE_STACK] = "stack",
	[BPF_MAP_TYPE_RINGBUF] = "ringbuf",
};

const char *map_type_name(uint32_t type)
{
	if (type < sizeof(map_type_names) / sizeof(map_type_names[0]) && map_type_names[type])
		return map_type_names[type];
	return "unknown";
}

bool map_type_is_percpu(uint32_t type)
{
	return type == BPF_MAP_TYPE_PERCPU_ARRAY || type == BPF_MAP_TYPE_PERCPU_HASH ||
	       type == BPF_MAP_TYPE_LRU_PERCPU_HASH;
}

/* ---- comparing ------------------------------------------------------- */

struct lines {
	char **line;
	size_t count;
};

static struct lines split_lines(const char *text)
{
	struct lines lines = { 0 };
	char *copy = strdup(text ? text : ""), *save = NULL;
	size_t cap = 16;

	lines.line = malloc(cap * sizeof(*lines.line));
	for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (lines.count == cap)
			lines.line = realloc(lines.line, (cap *= 2) * sizeof(*lines.line));
		lines.line[lines.count++] = strdup(line);
	}
	free(copy);
	return lines;
}

static void lines_release(struct lines *lines)
{
	for (size_t i = 0; i < lines->count; i++)
		free(lines->line[i]);
	free(lines->line);
}

/* A longest-common-subsequence diff: results are short (hundreds of lines). */
static void print_diff(const struct lines *a, const struct lines *b, const char *left_label,
		       const char *right_label)
{
	size_t n = a->count, m = b->count;
	unsigned *lcs = calloc((n + 1) * (m + 1), sizeof(*lcs));
	size_t i = 0, j = 0;

#define LCS(x, y) lcs[(x) * (m + 1) + (y)]
	for (size_t x = n; x-- > 0;)
		for (size_t y = m; y-- > 0;)
			LCS(x, y) = strcmp(a->line[x], b->line[y]) == 0 ?
					    LCS(x + 1, y + 1) + 1 :
					    (LCS(x + 1, y) > LCS(x, y + 1) ? LCS(x + 1, y) : LCS(x, y + 1));
	while (i < n || j < m) {
		if (i < n && j < m && strcmp(a->line[i], b->line[j]) == 0) {
			i++, j++;
		} else if (j >= m || (i < n && LCS(i + 1, j) >= LCS(i, j + 1))) {
			printf("    - %-6s %s\n", left_label, a->line[i++]);
		} else {
			printf("    + %-6s %s\n", right_label, b->line[j++]);
		}
	}
#undef LCS
	free(lcs);
}

bool result_compare(const char *case_name, const char *left_label, const char *left,
		    const char *right_label, const char *right)
{
	struct lines a, b;

	if (strcmp(left ? left : "", right ? right : "") == 0)
		return true;
	a = split_lines(left);
	b = split_lines(right);
	printf("FAIL %s: %s and %s differ:\n", case_name, left_label, right_label);
	print_diff(&a, &b, left_label, right_label);
	lines_release(&a);
	lines_release(&b);
	return false;
}

int pin_to_cpu0(void)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(0, &set);
	return sched_setaffinity(0, sizeof(set), &set) ? -errno : 0;
}
