/* JSON output as bpftool's json_writer writes it: -j prints compact JSON,
 * -p (--pretty) the same values with bpftool's indentation (four spaces per
 * level, a line per object member, arrays of scalars kept on one line).
 * Plain output of BTF-formatted map entries uses a pretty writer too, as
 * bpftool does. One writer at a time, to stdout. */
#ifndef BPFVM_TOOLS_JSON_H
#define BPFVM_TOOLS_JSON_H

#include <stdbool.h>
#include <stdint.h>

/* Starts a document; json_end() ends it with a newline. */
void json_begin(bool pretty);
void json_end(void);

void json_start_object(void);
void json_end_object(void);
void json_start_array(void);
void json_end_array(void);

/* An object member's name; its value follows. */
void json_name(const char *name);

void json_string(const char *text);
void json_uint(uint64_t value);
void json_int(int64_t value);
void json_bool(bool value);
void json_null(void);
/* A value written as given: a number in a format of one's own, a quoted
 * string already escaped. */
void json_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Bytes as bpftool's keys and values: ["0x01","0x02"]. */
void json_hex_bytes(const void *data, uint32_t len);

/* A whole document that is `null`: what bpftool prints with -j for help
 * and for commands that succeed silently (update, delete, freeze, load). */
void json_null_document(bool pretty);

void json_uint_field(const char *name, uint64_t value);
void json_string_field(const char *name, const char *text);
void json_bool_field(const char *name, bool value);

#endif
