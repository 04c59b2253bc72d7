/* Values as bpftool's btf_dumper writes them: integers in decimal, bools,
 * enums by enumerator name, char arrays holding a string as a string,
 * structs as objects, arrays as arrays, a global data section as
 * {".data": [{"var": value}, ...]}. */
#include <ctype.h>
#include <errno.h>
#include <string.h>
#include <bpf/btf.h>
#include <linux/bpf.h>

#include "bpfvm/bpfvm.h"
#include "btf_dumper.h"
#include "cli.h"
#include "json.h"

static const struct btf_type *skip_qualifiers(const struct btf *btf, uint32_t *type_id)
{
	const struct btf_type *type = btf__type_by_id(btf, *type_id);

	while (type && (btf_is_typedef(type) || btf_is_const(type) || btf_is_volatile(type) ||
			btf_is_restrict(type) || btf_is_type_tag(type))) {
		*type_id = type->type;
		type = btf__type_by_id(btf, *type_id);
	}
	return type;
}

static uint64_t read_unsigned(const uint8_t *data, uint32_t size)
{
	uint64_t value = 0;

	memcpy(&value, data, size > 8 ? 8 : size); /* little-endian host */
	return value;
}

static int64_t sign_extend(uint64_t value, uint32_t bits)
{
	if (bits >= 64)
		return (int64_t)value;
	return (int64_t)(value << (64 - bits)) >> (64 - bits);
}

static void dump_int(const struct btf_type *type, const uint8_t *data, uint32_t bit_offset)
{
	uint32_t encoding = btf_int_encoding(type), bits = btf_int_bits(type);
	uint64_t value;

	if (type->size > 8) { /* __int128: bpftool prints it in hex */
		json_printf("\"0x%llx%016llx\"", (unsigned long long)read_unsigned(data + 8, 8),
			    (unsigned long long)read_unsigned(data, 8));
		return;
	}
	bit_offset += btf_int_offset(type);
	value = read_unsigned(data, type->size) >> bit_offset;
	if (bits < 64)
		value &= (1ull << bits) - 1;
	if (encoding & BTF_INT_BOOL)
		json_bool(value != 0);
	else if (encoding & BTF_INT_SIGNED)
		json_int(sign_extend(value, bits));
	else
		json_uint(value);
}

static void dump_enum(const struct btf *btf, const struct btf_type *type, const uint8_t *data)
{
	uint64_t value = read_unsigned(data, type->size);

	for (uint16_t i = 0; i < btf_vlen(type); i++) {
		uint64_t member = btf_is_enum(type) ? (uint32_t)btf_enum(type)[i].val
						    : btf_enum64_value(&btf_enum64(type)[i]);
		uint32_t name_off = btf_is_enum(type) ? btf_enum(type)[i].name_off
						      : btf_enum64(type)[i].name_off;

		if (member == value) {
			json_string(btf__name_by_offset(btf, name_off));
			return;
		}
	}
	json_uint(value);
}

/* As bpftool: an array of `char` (a typedef of it does not count) that
 * holds printable characters up to a NUL is a string, "" included. */
static bool is_string(const struct btf *btf, const struct btf_array *array, const uint8_t *data)
{
	const struct btf_type *elem = btf__type_by_id(btf, array->type);
	const char *name;

	while (elem && (btf_is_const(elem) || btf_is_volatile(elem) || btf_is_restrict(elem)))
		elem = btf__type_by_id(btf, elem->type);
	if (!elem || !btf_is_int(elem) || elem->size != 1)
		return false;
	name = btf__name_by_offset(btf, elem->name_off);
	if (!(btf_int_encoding(elem) & BTF_INT_CHAR) && (!name || strcmp(name, "char") != 0))
		return false;
	for (uint32_t i = 0; i < array->nelems; i++) {
		if (data[i] == '\0')
			return true;
		if (data[i] < 0x20 || data[i] >= 0x7f)
			return false;
	}
	return false;
}

static void dump_array(const struct btf *btf, const struct btf_type *type, const uint8_t *data)
{
	const struct btf_array *array = btf_array(type);
	__s64 elem_size = btf__resolve_size(btf, array->type);

	if (is_string(btf, array, data)) {
		json_string((const char *)data);
		return;
	}
	json_start_array();
	for (uint32_t i = 0; elem_size >= 0 && i < array->nelems; i++)
		cli_btf_dump(btf, array->type, data + (size_t)i * (size_t)elem_size);
	json_end_array();
}

static void dump_member(const struct btf *btf, const struct btf_type *type, uint16_t idx,
			const uint8_t *data)
{
	const struct btf_member *member = btf_members(type) + idx;
	uint32_t bit_offset = btf_member_bit_offset(type, idx);
	uint32_t bit_size = btf_member_bitfield_size(type, idx);
	uint32_t member_id = member->type;
	const struct btf_type *member_type = skip_qualifiers(btf, &member_id);

	json_name(btf__name_by_offset(btf, member->name_off));
	if (bit_size && member_type && btf_is_int(member_type)) {
		uint64_t value = read_unsigned(data + bit_offset / 64 * 8, 8) >> (bit_offset % 64);

		json_printf("0x%llx", (unsigned long long)(value & ((1ull << bit_size) - 1)));
		return;
	}
	cli_btf_dump(btf, member->type, data + bit_offset / 8);
}

static void dump_struct(const struct btf *btf, const struct btf_type *type, const uint8_t *data)
{
	json_start_object();
	for (uint16_t i = 0; i < btf_vlen(type); i++)
		dump_member(btf, type, i, data);
	json_end_object();
}

static void dump_datasec(const struct btf *btf, const struct btf_type *type, const uint8_t *data)
{
	const struct btf_var_secinfo *var = btf_var_secinfos(type);

	json_start_object();
	json_name(btf__name_by_offset(btf, type->name_off));
	json_start_array();
	for (uint16_t i = 0; i < btf_vlen(type); i++, var++) {
		const struct btf_type *var_type = btf__type_by_id(btf, var->type);

		json_start_object();
		json_name(btf__name_by_offset(btf, var_type->name_off));
		cli_btf_dump(btf, var_type->type, data + var->offset);
		json_end_object();
	}
	json_end_array();
	json_end_object();
}

void cli_btf_dump(const struct btf *btf, uint32_t type_id, const void *data)
{
	const struct btf_type *type = skip_qualifiers(btf, &type_id);

	if (!type) {
		json_null();
		return;
	}
	switch (btf_kind(type)) {
	case BTF_KIND_INT:
		dump_int(type, data, 0);
		break;
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
		dump_enum(btf, type, data);
		break;
	case BTF_KIND_ARRAY:
		dump_array(btf, type, data);
		break;
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		dump_struct(btf, type, data);
		break;
	case BTF_KIND_DATASEC:
		dump_datasec(btf, type, data);
		break;
	case BTF_KIND_PTR:
		json_printf("%llu", (unsigned long long)read_unsigned(data, 8));
		break;
	default:
		json_null();
	}
}

/* ---- a map's types ------------------------------------------------------ */

/* libbpf creates these map types without BTF key and value types. */
static bool map_type_drops_btf(uint32_t type)
{
	switch (type) {
	case BPF_MAP_TYPE_PERF_EVENT_ARRAY:
	case BPF_MAP_TYPE_CGROUP_ARRAY:
	case BPF_MAP_TYPE_STACK_TRACE:
	case BPF_MAP_TYPE_ARRAY_OF_MAPS:
	case BPF_MAP_TYPE_HASH_OF_MAPS:
	case BPF_MAP_TYPE_DEVMAP:
	case BPF_MAP_TYPE_DEVMAP_HASH:
	case BPF_MAP_TYPE_CPUMAP:
	case BPF_MAP_TYPE_XSKMAP:
	case BPF_MAP_TYPE_SOCKMAP:
	case BPF_MAP_TYPE_SOCKHASH:
	case BPF_MAP_TYPE_QUEUE:
	case BPF_MAP_TYPE_STACK:
		return true;
	default:
		return false;
	}
}

/* The type a BTF map definition's member `name` points to (__type(key, T)). */
static uint32_t map_def_member(const struct btf *btf, uint32_t def_id, const char *name)
{
	const struct btf_type *def = btf__type_by_id(btf, def_id);

	for (uint16_t i = 0; def && btf_is_struct(def) && i < btf_vlen(def); i++) {
		const struct btf_member *member = btf_members(def) + i;
		const struct btf_type *ptr = btf__type_by_id(btf, member->type);

		if (strcmp(btf__name_by_offset(btf, member->name_off), name) == 0 && ptr &&
		    btf_is_ptr(ptr))
			return ptr->type;
	}
	return 0;
}

/* A variable of the .maps DATASEC: the map definition's struct. */
static uint32_t find_map_def(const struct btf *btf, const char *map_name)
{
	int sec_id = btf__find_by_name_kind(btf, ".maps", BTF_KIND_DATASEC);
	const struct btf_type *sec = sec_id > 0 ? btf__type_by_id(btf, (uint32_t)sec_id) : NULL;

	for (uint16_t i = 0; sec && i < btf_vlen(sec); i++) {
		const struct btf_type *var = btf__type_by_id(btf, btf_var_secinfos(sec)[i].type);

		if (var && strcmp(btf__name_by_offset(btf, var->name_off), map_name) == 0)
			return var->type;
	}
	return 0;
}

int cli_map_btf_find(struct cli_object *co, const struct bpfvm_map *map, struct cli_map_btf *out)
{
	const char *name = bpfvm_map_name(map), *section = strchr(name, '.');
	struct bpfvm_map_info info;
	const struct btf *btf = cli_object_btf(co);
	int sec_id;

	memset(out, 0, sizeof(*out));
	if (!btf || bpfvm_map_get_info(map, &info) || map_type_drops_btf(info.type))
		return -ENOENT;
	out->btf = btf;
	if (section && (sec_id = btf__find_by_name_kind(btf, section, BTF_KIND_DATASEC)) > 0) {
		out->value_type = (uint32_t)sec_id;
	} else {
		uint32_t def = find_map_def(btf, name);

		out->key_type = def ? map_def_member(btf, def, "key") : 0;
		out->value_type = def ? map_def_member(btf, def, "value") : 0;
	}
	return out->key_type || out->value_type ? 0 : -ENOENT;
}
