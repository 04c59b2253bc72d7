/* `bpfvm btf dump file OBJ [format {raw | c}]`: an object file's BTF as
 * bpftool prints it. raw: one line per type, "[ID] KIND 'NAME' field=value
 * ...", members, parameters, enumerators and section variables on the
 * lines below (with -j: {"types": [...]}, the same fields); c: the types as
 * a C header, through libbpf's btf_dump, between bpftool's guards. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "bpfvm/bpfvm.h"
#include "cli.h"
#include "object/btf_kind_name.h"

int cli_btf_help(void)
{
	if (cli_json) {
		json_null_document(cli_pretty);
		return 0;
	}
	fprintf(stderr, "Usage: bpfvm btf dump BTF_SRC [format FORMAT]\n"
			"       bpfvm btf help\n"
			"\n"
			"       BTF_SRC := { file FILE }\n"
			"       FORMAT  := { raw | c }\n"
			"       OPTIONS := { {-j|--json} [{-p|--pretty}] }\n"
			"\n"
			"'btf show', and BTF_SRC 'id', 'prog' and 'map', wait for bpfvm's\n"
			"namespace (not there yet).\n");
	return 0;
}

/* ---- raw: fields, written plain or as JSON ---------------------------- */

static void field_uint(const char *name, uint64_t value)
{
	if (cli_json)
		json_uint_field(name, value);
	else
		printf(" %s=%llu", name, (unsigned long long)value);
}

static void field_int(const char *name, int64_t value)
{
	if (cli_json) {
		json_name(name);
		json_int(value);
	} else {
		printf(" %s=%lld", name, (long long)value);
	}
}

static void field_string(const char *name, const char *value)
{
	if (cli_json)
		json_string_field(name, value);
	else
		printf(" %s=%s", name, value);
}

/* A nested entry (member, parameter, ...): a new line and its quoted name. */
static void item_begin(const char *name)
{
	if (cli_json) {
		json_start_object();
		if (name)
			json_string_field("name", name);
	} else if (name) {
		printf("\n\t'%s'", name);
	} else {
		printf("\n\t");
	}
}

static void item_end(void)
{
	if (cli_json)
		json_end_object();
}

static void items_begin(const char *name)
{
	if (cli_json) {
		json_name(name);
		json_start_array();
	}
}

static void items_end(void)
{
	if (cli_json)
		json_end_array();
}

static const char *name_of(const struct btf *btf, uint32_t name_off)
{
	const char *name = btf__name_by_offset(btf, name_off);

	return name && *name ? name : "(anon)";
}

/* ---- raw: one function per kind --------------------------------------- */

static void raw_int(const struct btf_type *type)
{
	uint8_t encoding = btf_int_encoding(type);

	field_uint("size", type->size);
	field_uint("bits_offset", btf_int_offset(type));
	field_uint("nr_bits", btf_int_bits(type));
	field_string("encoding", encoding & BTF_INT_SIGNED ? "SIGNED" :
				 encoding & BTF_INT_CHAR   ? "CHAR" :
				 encoding & BTF_INT_BOOL   ? "BOOL" :
							     "(none)");
}

static void raw_array(const struct btf_type *type)
{
	const struct btf_array *array = btf_array(type);

	field_uint("type_id", array->type);
	field_uint("index_type_id", array->index_type);
	field_uint("nr_elems", array->nelems);
}

static void raw_members(const struct btf *btf, const struct btf_type *type)
{
	field_uint("size", type->size);
	field_uint("vlen", btf_vlen(type));
	items_begin("members");
	for (uint16_t i = 0; i < btf_vlen(type); i++) {
		const struct btf_member *member = btf_members(type) + i;
		uint32_t bitfield = btf_member_bitfield_size(type, i);

		item_begin(name_of(btf, member->name_off));
		if (!cli_json)
			printf(" type_id=%u bits_offset=%u", member->type,
			       btf_member_bit_offset(type, i));
		else {
			field_uint("type_id", member->type);
			field_uint("bits_offset", btf_member_bit_offset(type, i));
		}
		if (bitfield)
			field_uint("bitfield_size", bitfield);
		item_end();
	}
	items_end();
}

static void raw_enum(const struct btf *btf, const struct btf_type *type)
{
	bool is_signed = btf_kflag(type);

	field_string("encoding", is_signed ? "SIGNED" : "UNSIGNED");
	field_uint("size", type->size);
	field_uint("vlen", btf_vlen(type));
	items_begin("values");
	for (uint16_t i = 0; i < btf_vlen(type); i++) {
		const char *name;
		uint64_t value;

		if (btf_is_enum(type)) {
			name = name_of(btf, btf_enum(type)[i].name_off);
			value = (uint32_t)btf_enum(type)[i].val;
			if (is_signed)
				value = (uint64_t)(int64_t)btf_enum(type)[i].val;
		} else {
			name = name_of(btf, btf_enum64(type)[i].name_off);
			value = btf_enum64_value(&btf_enum64(type)[i]);
		}
		item_begin(name);
		if (is_signed)
			field_int("val", (int64_t)value);
		else
			field_uint("val", value);
		item_end();
	}
	items_end();
}

static void raw_func_proto(const struct btf *btf, const struct btf_type *type)
{
	field_uint("ret_type_id", type->type);
	field_uint("vlen", btf_vlen(type));
	items_begin("params");
	for (uint16_t i = 0; i < btf_vlen(type); i++) {
		const struct btf_param *param = btf_params(type) + i;

		item_begin(name_of(btf, param->name_off));
		field_uint("type_id", param->type);
		item_end();
	}
	items_end();
}

static const char *linkage_name(uint32_t linkage)
{
	static const char *const names[] = { "static", "global", "extern" };

	return linkage < 3 ? names[linkage] : "(unknown)";
}

static void raw_var(const struct btf_type *type)
{
	if (cli_json) {
		field_uint("type_id", type->type);
		field_string("linkage", linkage_name(btf_var(type)->linkage));
	} else { /* bpftool's comma */
		printf(" type_id=%u, linkage=%s", type->type, linkage_name(btf_var(type)->linkage));
	}
}


static void raw_datasec(const struct btf *btf, const struct btf_type *type)
{
	field_uint("size", type->size);
	field_uint("vlen", btf_vlen(type));
	items_begin("vars");
	for (uint16_t i = 0; i < btf_vlen(type); i++) {
		const struct btf_var_secinfo *var = btf_var_secinfos(type) + i;

		item_begin(NULL);
		if (cli_json) {
			field_uint("type_id", var->type);
		} else {
			printf("type_id=%u", var->type);
		}
		field_uint("offset", var->offset);
		field_uint("size", var->size);
		if (!cli_json) { /* bpftool names the variable in plain output */
			const struct btf_type *var_type = btf__type_by_id(btf, var->type);

			if (var_type)
				printf(" (%s '%s')", btf_kind_name(var_type),
				       name_of(btf, var_type->name_off));
		}
		item_end();
	}
	items_end();
}

static void raw_fields(const struct btf *btf, const struct btf_type *type)
{
	switch (btf_kind(type)) {
	case BTF_KIND_INT:
		raw_int(type);
		break;
	case BTF_KIND_PTR:
	case BTF_KIND_CONST:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_RESTRICT:
	case BTF_KIND_TYPEDEF:
	case BTF_KIND_TYPE_TAG:
		field_uint("type_id", type->type);
		break;
	case BTF_KIND_ARRAY:
		raw_array(type);
		break;
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		raw_members(btf, type);
		break;
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
		raw_enum(btf, type);
		break;
	case BTF_KIND_FWD:
		field_string("fwd_kind", btf_kflag(type) ? "union" : "struct");
		break;
	case BTF_KIND_FUNC:
		field_uint("type_id", type->type);
		field_string("linkage", linkage_name(btf_vlen(type)));
		break;
	case BTF_KIND_FUNC_PROTO:
		raw_func_proto(btf, type);
		break;
	case BTF_KIND_VAR:
		raw_var(type);
		break;
	case BTF_KIND_DATASEC:
		raw_datasec(btf, type);
		break;
	case BTF_KIND_FLOAT:
		field_uint("size", type->size);
		break;
	case BTF_KIND_DECL_TAG:
		field_uint("type_id", type->type);
		field_int("component_idx", btf_decl_tag(type)->component_idx);
		break;
	default:
		break;
	}
}

static void dump_raw(const struct btf *btf)
{
	uint32_t count = btf__type_cnt(btf);

	if (cli_json) {
		json_begin(cli_pretty);
		json_start_object();
		json_name("types");
		json_start_array();
	}
	for (uint32_t id = 1; id < count; id++) {
		const struct btf_type *type = btf__type_by_id(btf, id);

		if (cli_json) {
			json_start_object();
			json_uint_field("id", id);
			json_string_field("kind", btf_kind_name(type));
			json_string_field("name", name_of(btf, type->name_off));
		} else {
			printf("[%u] %s '%s'", id, btf_kind_name(type), name_of(btf, type->name_off));
		}
		raw_fields(btf, type);
		if (cli_json)
			json_end_object();
		else
			printf("\n");
	}
	if (cli_json) {
		json_end_array();
		json_end_object();
		json_end();
	}
}

/* ---- c ------------------------------------------------------------------ */

static void print_c(void *ctx, const char *fmt, va_list args)
{
	(void)ctx;
	vprintf(fmt, args);
}

static int dump_c(const struct btf *btf)
{
	struct btf_dump *dumper = btf_dump__new(btf, print_c, NULL, NULL);
	int err = 0;

	if (libbpf_get_error(dumper))
		return cli_error("failed to create BTF dumper");
	printf("#ifndef __VMLINUX_H__\n#define __VMLINUX_H__\n\n"
	       "#ifndef BPF_NO_PRESERVE_ACCESS_INDEX\n"
	       "#pragma clang attribute push (__attribute__((preserve_access_index)), "
	       "apply_to = record)\n#endif\n\n");
	for (uint32_t id = 1; id < btf__type_cnt(btf) && !err; id++)
		err = btf_dump__dump_type(dumper, id);
	printf("#ifndef BPF_NO_PRESERVE_ACCESS_INDEX\n#pragma clang attribute pop\n#endif\n\n"
	       "#endif /* __VMLINUX_H__ */\n");
	btf_dump__free(dumper);
	return err ? cli_error("failed to dump BTF: %s", strerror(-err)) : 0;
}

/* ---- the command -------------------------------------------------------- */

static int btf_dump(int argc, char **argv)
{
	const char *path, *format = "raw";
	struct btf *btf;
	int err;

	if (argc < 2 || strcmp(argv[0], "file") != 0) {
		if (argc >= 1 && (strcmp(argv[0], "id") == 0 || strcmp(argv[0], "prog") == 0 ||
				  strcmp(argv[0], "map") == 0))
			return cli_error("'btf dump %s' needs bpfvm's namespace, which is not "
					 "there yet: 'btf dump file OBJ'", argv[0]);
		return cli_error("expected 'file FILE'");
	}
	path = argv[1];
	if (argc >= 3) {
		if (argc != 4 || strcmp(argv[2], "format") != 0)
			return cli_error("expected no more arguments, 'format', got: '%s'?",
					 argv[2]);
		format = argv[3];
		if (strcmp(format, "raw") != 0 && strcmp(format, "c") != 0)
			return cli_error("unrecognized format specifier: '%s', possible values: "
					 "raw, c", format);
	}
	btf = btf__parse(path, NULL);
	err = libbpf_get_error(btf);
	if (err)
		return cli_error("failed to load BTF from %s: %s", path, strerror(-err));
	if (strcmp(format, "c") == 0 && cli_json)
		err = cli_error("C format is not supported with JSON output");
	else if (strcmp(format, "c") == 0)
		err = dump_c(btf);
	else
		dump_raw(btf);
	btf__free(btf);
	return err;
}

int cli_btf(int argc, char **argv)
{
	if (argc < 1 || cli_is_prefix(argv[0], "help")) {
		cli_btf_help();
		return argc ? 0 : -1;
	}
	if (cli_is_prefix(argv[0], "dump"))
		return btf_dump(argc - 1, argv + 1);
	if (cli_is_prefix(argv[0], "show") || cli_is_prefix(argv[0], "list"))
		return cli_error("'btf %s' needs bpfvm's namespace, which is not there yet",
				 argv[0]);
	cli_error("unknown btf command '%s'", argv[0]);
	if (!cli_json)
		cli_btf_help();
	return -1;
}
