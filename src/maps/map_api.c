/* The public map API: the kernel's BPF_MAP_* commands (kernel/bpf/syscall.c,
 * map_create ... map_freeze, bpf_map_do_batch) over the families' ops.
 *
 * The checks here are the ones the kernel makes before it reaches the map
 * type, in its order:
 *   - flags the command does not know: -EINVAL;
 *   - access: a map created BPF_F_RDONLY (or frozen) refuses user writes, one
 *     created BPF_F_WRONLY refuses user reads: -EPERM (the kernel checks the
 *     file descriptor's mode; bpfvm's handles all share the map's);
 *   - BPF_F_LOCK on a value without a bpf_spin_lock: -EINVAL (map_value.h);
 *   - the key: a map with key_size 0 (QUEUE, STACK) takes a NULL key, any
 *     other key is -EINVAL; a map with keys refuses a NULL one with -EFAULT,
 *     as copy_from_user(NULL) does. A NULL value is -EFAULT likewise;
 *   - an operation the type lacks: -ENOTSUPP (524), the kernel's answer.
 * Everything else is the family's (map_ops).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/opts.h"
#include "core/runtime.h"
#include "maps/map.h"
#include "ns/ns_map.h"
#include "maps/map_value.h"

/* ---- Messages -------------------------------------------------------- */

static const char *map_errno_text(int err)
{
	switch (-err) {
	case ENOENT: return "no such element";
	case EEXIST: return "element exists";
	case E2BIG: return "out of range or full";
	case ENOSPC: return "map is full";
	case EINVAL: return "invalid argument for this map type";
	case EPERM: return "not permitted";
	case EFAULT: return "NULL pointer";
	case ENOMEM: return "out of memory";
	case EBADF: return "no such object";
	case MAP_ENOTSUPP: return "operation not supported by this map type";
	default: return "failed";
	}
}

/* Records "map 'NAME': OP: reason" unless a family already said more. The
 * message is cleared before each family call (map_op_begin). */
static int map_op_result(const struct bpfvm_map *map, const char *op, int err)
{
	if (err < 0 && !bpfvm_errmsg()[0])
		vm_error("map '%.16s': %s: %s (%d)", map->region->name, op, map_errno_text(err), err);
	return err;
}

static void map_op_begin(void)
{
	vm_error("%s", "");
}

static int map_fail(const struct bpfvm_map *map, const char *op, int err, const char *why)
{
	vm_error("map '%.16s': %s: %s (%d)", map->region->name, op, why, err);
	return err;
}

static int map_unsupported(const struct bpfvm_map *map, const char *op)
{
	return map_fail(map, op, -MAP_ENOTSUPP, map_errno_text(-MAP_ENOTSUPP));
}

/* ---- The kernel's common checks ------------------------------------ */

static bool map_frozen(const struct bpfvm_map *map)
{
	return __atomic_load_n(&map->region->frozen, __ATOMIC_ACQUIRE) != 0;
}

static bool map_user_can_read(const struct bpfvm_map *map)
{
	return !(map_flags(map) & BPF_F_WRONLY);
}

static bool map_user_can_write(const struct bpfvm_map *map)
{
	return !(map_flags(map) & BPF_F_RDONLY) && !map->user_rdonly && !map_frozen(map);
}

static int map_check_read(const struct bpfvm_map *map, const char *op)
{
	if (!map_user_can_read(map))
		return map_fail(map, op, -EPERM, "the map is write-only to user space");
	return 0;
}

static int map_check_write(const struct bpfvm_map *map, const char *op)
{
	if (!map_user_can_write(map))
		return map_fail(map, op, -EPERM,
				map_frozen(map)	    ? "the map is frozen"
				: map->user_rdonly ? "the map was opened read-only"
						    : "the map is read-only to user space");
	return 0;
}

static int map_check_lock_flag(const struct bpfvm_map *map, const char *op, uint64_t flags)
{
	if ((flags & BPF_F_LOCK) && !map_has_spin_lock(map))
		return map_fail(map, op, -EINVAL, "BPF_F_LOCK: the value has no bpf_spin_lock");
	return 0;
}

/* __bpf_copy_key: keyless maps take NULL, the others a key. */
static int map_check_key(const struct bpfvm_map *map, const char *op, const void *key)
{
	if (map_key_size(map) == 0 && key)
		return map_fail(map, op, -EINVAL, "this map type has no keys: pass a NULL key");
	if (map_key_size(map) != 0 && !key)
		return map_fail(map, op, -EFAULT, "NULL key");
	return 0;
}

static int map_check_value(const struct bpfvm_map *map, const char *op, const void *value)
{
	return value ? 0 : map_fail(map, op, -EFAULT, "NULL value");
}

static int map_check_handle(const struct bpfvm_map *map, const char *op)
{
	if (!map) {
		vm_error("bpfvm_map_%s: NULL map", op);
		return -EINVAL;
	}
	return 0;
}

/* ---- Creation, references, information ----------------------------- */

static void map_copy_name(char dst[16], const char *name)
{
	memset(dst, 0, 16);
	/* Truncated to BPF_OBJ_NAME_LEN - 1 characters, as libbpf does. */
	if (name)
		strncpy(dst, name, 15);
}

int bpfvm_map_create(struct bpfvm *vm, enum bpf_map_type type, const char *name,
		     uint32_t key_size, uint32_t value_size, uint32_t max_entries,
		     const struct bpfvm_map_create_opts *opts, struct bpfvm_map **map_out)
{
	struct map_attr attr = {
		.type = type,
		.key_size = key_size,
		.value_size = value_size,
		.max_entries = max_entries,
	};

	if (!vm || !map_out) {
		vm_error("bpfvm_map_create: NULL argument");
		return -EINVAL;
	}
	if (!opts_valid(opts, sizeof(*opts))) {
		vm_error("bpfvm_map_create: invalid opts (sz %zu, or unknown fields set)", opts->sz);
		return -EINVAL;
	}
	attr.map_flags = OPTS_GET(opts, map_flags, 0);
	attr.inner_map = OPTS_GET(opts, inner_map, NULL);
	attr.map_extra = OPTS_GET(opts, map_extra, 0);
	attr.nr_cpus = vm->nr_cpus;
	map_copy_name(attr.name, name);
	return map_create(vm, &attr, map_out);
}

static bool map_try_get_user_object(void *map)
{
	return map_try_get_user(map);
}

int bpfvm_map_get_by_id(struct bpfvm *vm, uint32_t id, struct bpfvm_map **map_out)
{
	struct bpfvm_map *map;

	if (!vm || !map_out) {
		vm_error("bpfvm_map_get_by_id: NULL argument");
		return -EINVAL;
	}
	map = id_table_get(&vm->map_ids, id, map_try_get_user_object);
	if (!map && vm->ns)
		return ns_map_open(vm, NULL, id, 0, map_out); /* another process's */
	if (!map) {
		vm_error("no map with id %u", id);
		return -ENOENT;
	}
	*map_out = map;
	return 0;
}

void bpfvm_map_close(struct bpfvm_map *map)
{
	map_put_user(map);
}

int bpfvm_map_get_info(const struct bpfvm_map *map, struct bpfvm_map_info *info)
{
	const struct map_region *region;

	if (!map || !info) {
		vm_error("bpfvm_map_get_info: NULL argument");
		return -EINVAL;
	}
	region = map->region;
	memset(info, 0, sizeof(*info));
	info->type = region->type;
	info->id = region->id;
	info->key_size = region->key_size;
	info->value_size = region->value_size;
	info->max_entries = region->max_entries;
	info->map_flags = region->map_flags;
	memcpy(info->name, region->name, sizeof(info->name));
	return 0;
}

const char *bpfvm_map_name(const struct bpfvm_map *map)
{
	if (!map)
		return "";
	return map->name ? map->name : map->region->name;
}

size_t bpfvm_map_value_size_user(const struct bpfvm_map *map)
{
	if (!map)
		return 0;
	if (map->ops->percpu)
		return (size_t)map_percpu_stride(map) * map_nr_cpus(map);
	return map_value_size(map);
}

/* ---- Single elements ------------------------------------------------ */

int bpfvm_map_lookup_flags(struct bpfvm_map *map, const void *key, void *value, uint64_t flags)
{
	int err = map_check_handle(map, "lookup");

	if (err)
		return err;
	if (flags & ~(uint64_t)BPF_F_LOCK)
		return map_fail(map, "lookup", -EINVAL, "unknown flags");
	err = map_check_read(map, "lookup");
	if (!err)
		err = map_check_lock_flag(map, "lookup", flags);
	if (!err)
		err = map_check_key(map, "lookup", key);
	if (!err)
		err = map_check_value(map, "lookup", value);
	if (err)
		return err;
	if (!map->ops->lookup)
		return map_unsupported(map, "lookup");
	map_op_begin();
	return map_op_result(map, "lookup", map->ops->lookup(map, key, value, flags));
}

int bpfvm_map_lookup(struct bpfvm_map *map, const void *key, void *value)
{
	return bpfvm_map_lookup_flags(map, key, value, 0);
}

/* bpf_map_update_value: what a single update and each element of an update
 * batch do once the command's checks passed. */
static int map_update_checked(struct bpfvm_map *map, const void *key, const void *value,
			      uint64_t flags)
{
	if (!map->ops->update)
		return map_unsupported(map, "update");
	map_op_begin();
	return map_op_result(map, "update", map->ops->update(map, key, value, flags));
}

int bpfvm_map_update(struct bpfvm_map *map, const void *key, const void *value, uint64_t flags)
{
	int err = map_check_handle(map, "update");

	if (err)
		return err;
	err = map_check_write(map, "update");
	if (!err)
		err = map_check_lock_flag(map, "update", flags);
	if (!err)
		err = map_check_key(map, "update", key);
	if (!err)
		err = map_check_value(map, "update", value);
	if (err)
		return err;
	return map_update_checked(map, key, value, flags);
}

static int map_delete_checked(struct bpfvm_map *map, const void *key)
{
	if (!map->ops->delete)
		return map_unsupported(map, "delete");
	map_op_begin();
	return map_op_result(map, "delete", map->ops->delete(map, key));
}

int bpfvm_map_delete(struct bpfvm_map *map, const void *key)
{
	int err = map_check_handle(map, "delete");

	if (err)
		return err;
	err = map_check_write(map, "delete");
	if (!err)
		err = map_check_key(map, "delete", key);
	if (err)
		return err;
	return map_delete_checked(map, key);
}

int bpfvm_map_get_next_key(struct bpfvm_map *map, const void *key, void *next_key)
{
	int err = map_check_handle(map, "get_next_key");

	if (err)
		return err;
	err = map_check_read(map, "get_next_key");
	/* A NULL key asks for the first one; a keyless map's non-NULL key is
	 * still refused. */
	if (!err && key)
		err = map_check_key(map, "get_next_key", key);
	if (!err && map_key_size(map) && !next_key)
		err = map_fail(map, "get_next_key", -EFAULT, "NULL next_key");
	if (err)
		return err;
	if (!map->ops->get_next_key)
		return map_unsupported(map, "get_next_key");
	map_op_begin();
	return map_op_result(map, "get_next_key", map->ops->get_next_key(map, key, next_key));
}

static int map_lookup_and_delete_checked(struct bpfvm_map *map, const void *key, void *value,
					 uint64_t flags)
{
	if (!map->ops->lookup_and_delete)
		return map_unsupported(map, "lookup_and_delete");
	map_op_begin();
	return map_op_result(map, "lookup_and_delete",
			     map->ops->lookup_and_delete(map, key, value, flags));
}

int bpfvm_map_lookup_and_delete_flags(struct bpfvm_map *map, const void *key, void *value,
				      uint64_t flags)
{
	const char *op = "lookup_and_delete";
	int err = map_check_handle(map, op);

	if (err)
		return err;
	if (flags & ~(uint64_t)BPF_F_LOCK)
		return map_fail(map, op, -EINVAL, "unknown flags");
	err = map_check_read(map, op);
	if (!err)
		err = map_check_write(map, op);
	if (!err)
		err = map_check_lock_flag(map, op, flags);
	if (!err)
		err = map_check_key(map, op, key);
	if (!err)
		err = map_check_value(map, op, value);
	if (err)
		return err;
	return map_lookup_and_delete_checked(map, key, value, flags);
}

int bpfvm_map_lookup_and_delete(struct bpfvm_map *map, const void *key, void *value)
{
	return bpfvm_map_lookup_and_delete_flags(map, key, value, 0);
}

int bpfvm_map_freeze(struct bpfvm_map *map)
{
	int err = map_check_handle(map, "freeze");
	uint32_t expected = 0;

	if (err)
		return err;
	/* A frozen map is no longer writable: freezing it again is -EPERM,
	 * as in the kernel (the -EBUSY check behind it is for races). */
	err = map_check_write(map, "freeze");
	if (err)
		return err;
	if (!__atomic_compare_exchange_n(&map->region->frozen, &expected, 1, false,
					 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		return map_fail(map, "freeze", -EBUSY, "already frozen");
	return 0;
}

/* ---- Batches (generic_map_*_batch) ---------------------------------- */

static int map_batch_begin(struct bpfvm_map *map, const char *op, enum map_batch_op kind,
			   bool reads, bool writes, uint32_t *count)
{
	int err = map_check_handle(map, op);

	if (err)
		return err;
	if (!count) {
		vm_error("map '%.16s': %s: NULL count", map->region->name, op);
		return -EINVAL;
	}
	if (reads && (err = map_check_read(map, op)))
		return err;
	if (writes && (err = map_check_write(map, op)))
		return err;
	if (!(map->ops->batch_ops & kind))
		return map_fail(map, op, -MAP_ENOTSUPP,
				"operation not supported by this map type (no batch)");
	return 0;
}

/* elem_flags: BPF_F_LOCK at most, and only for values with a spin lock (for
 * deletes too, observed on Linux 6.18). */
static int map_batch_check_elem_flags(struct bpfvm_map *map, const char *op,
				      const struct bpfvm_map_batch_opts *opts, uint64_t *elem_flags)
{
	if (!opts_valid(opts, sizeof(*opts))) {
		vm_error("map '%.16s': %s: invalid opts (sz %zu, or unknown fields set)",
			 map->region->name, op, opts->sz);
		return -EINVAL;
	}
	*elem_flags = OPTS_GET(opts, elem_flags, 0);
	if (*elem_flags & ~(uint64_t)BPF_F_LOCK)
		return map_fail(map, op, -EINVAL, "unknown elem_flags");
	return map_check_lock_flag(map, op, *elem_flags);
}

/* Walks keys from `in_batch` (NULL: the first) with get_next_key, copying
 * up to *count elements out, and deleting them when `delete`. Elements that
 * vanish between get_next_key and the lookup are skipped, as the kernel
 * does. out_batch receives the last key visited when any was copied. */
static int map_batch_walk(struct bpfvm_map *map, const char *op, bool delete, void *in_batch,
			  void *out_batch, void *keys, void *values, uint32_t *count,
			  uint64_t elem_flags)
{
	uint32_t key_size = map_key_size(map);
	size_t value_size = bpfvm_map_value_size_user(map);
	uint32_t max_count = *count, copied = 0;
	uint8_t *buf = malloc(2 * (size_t)key_size + value_size + 1);
	uint8_t *prev = buf, *key = buf + key_size, *value = buf + 2 * key_size;
	bool have_prev = in_batch != NULL;
	int err = 0;

	if (!buf)
		return map_fail(map, op, -ENOMEM, "out of memory");
	if (in_batch)
		memcpy(prev, in_batch, key_size);
	*count = 0;
	while (copied < max_count) {
		uint8_t *swap;

		err = map->ops->get_next_key(map, have_prev ? prev : NULL, key);
		if (err)
			break;
		err = delete ? map->ops->lookup_and_delete(map, key, value, elem_flags)
			     : map->ops->lookup(map, key, value, elem_flags);
		if (err && err != -ENOENT)
			break;
		if (!err) {
			memcpy((uint8_t *)keys + (size_t)copied * key_size, key, key_size);
			memcpy((uint8_t *)values + (size_t)copied * value_size, value, value_size);
			copied++;
		}
		swap = prev;
		prev = key;
		key = swap;
		have_prev = true;
	}
	*count = copied;
	if (copied && out_batch)
		memcpy(out_batch, prev, key_size);
	free(buf);
	return err;
}

static int map_batch_read(struct bpfvm_map *map, const char *op, enum map_batch_op kind,
			  void *in_batch, void *out_batch, void *keys, void *values,
			  uint32_t *count, const struct bpfvm_map_batch_opts *opts)
{
	bool delete = kind == MAP_BATCH_LOOKUP_AND_DELETE;
	uint64_t elem_flags;
	int err = map_batch_begin(map, op, kind, true, delete, count);

	if (!err)
		err = map_batch_check_elem_flags(map, op, opts, &elem_flags);
	if (err)
		return err;
	if (!*count)
		return 0;
	if (!keys || !values || !out_batch)
		return map_fail(map, op, -EFAULT, "NULL keys, values or out_batch");
	map_op_begin();
	return map_op_result(map, op,
			     map_batch_walk(map, op, delete, in_batch, out_batch, keys, values,
					    count, elem_flags));
}

int bpfvm_map_lookup_batch(struct bpfvm_map *map, void *in_batch, void *out_batch, void *keys,
			   void *values, uint32_t *count, const struct bpfvm_map_batch_opts *opts)
{
	return map_batch_read(map, "lookup_batch", MAP_BATCH_LOOKUP, in_batch, out_batch, keys,
			      values, count, opts);
}

int bpfvm_map_lookup_and_delete_batch(struct bpfvm_map *map, void *in_batch, void *out_batch,
				      void *keys, void *values, uint32_t *count,
				      const struct bpfvm_map_batch_opts *opts)
{
	return map_batch_read(map, "lookup_and_delete_batch", MAP_BATCH_LOOKUP_AND_DELETE,
			      in_batch, out_batch, keys, values, count, opts);
}

int bpfvm_map_update_batch(struct bpfvm_map *map, const void *keys, const void *values,
			   uint32_t *count, const struct bpfvm_map_batch_opts *opts)
{
	const char *op = "update_batch";
	size_t value_size;
	uint64_t elem_flags;
	uint32_t max_count, done;
	int err = map_batch_begin(map, op, MAP_BATCH_UPDATE, false, true, count);

	if (!err)
		err = map_batch_check_elem_flags(map, op, opts, &elem_flags);
	if (err)
		return err;
	max_count = *count;
	if (!max_count)
		return 0;
	if (!keys || !values)
		return map_fail(map, op, -EFAULT, "NULL keys or values");
	value_size = bpfvm_map_value_size_user(map);
	for (done = 0; done < max_count; done++) {
		err = map_update_checked(map, (const uint8_t *)keys + (size_t)done * map_key_size(map),
					 (const uint8_t *)values + (size_t)done * value_size,
					 elem_flags);
		if (err)
			break;
	}
	*count = done;
	return err;
}

int bpfvm_map_delete_batch(struct bpfvm_map *map, const void *keys, uint32_t *count,
			   const struct bpfvm_map_batch_opts *opts)
{
	const char *op = "delete_batch";
	uint64_t elem_flags;
	uint32_t max_count, done;
	int err = map_batch_begin(map, op, MAP_BATCH_DELETE, false, true, count);

	if (!err)
		err = map_batch_check_elem_flags(map, op, opts, &elem_flags);
	if (err)
		return err;
	max_count = *count;
	if (!max_count)
		return 0;
	if (!keys)
		return map_fail(map, op, -EFAULT, "NULL keys");
	for (done = 0; done < max_count; done++) {
		err = map_delete_checked(map, (const uint8_t *)keys + (size_t)done * map_key_size(map));
		if (err)
			break;
	}
	*count = done;
	return err;
}
