/* Reading caller option structs whose first field is `size_t sz`, as libbpf
 * does (OPTS_VALID / OPTS_HAS / OPTS_GET): a field past `sz` belongs to a
 * newer library than the caller was built for and reads as its default. */
#ifndef BPFVM_CORE_OPTS_H
#define BPFVM_CORE_OPTS_H

#include <stdbool.h>
#include <stddef.h>

#define OPTS_END_OF(type, field) (offsetof(type, field) + sizeof(((type *)0)->field))

/* Whether `opts` is non-NULL and long enough to hold `field`. */
#define OPTS_HAS(opts, field) \
	((opts) && (opts)->sz >= OPTS_END_OF(__typeof__(*(opts)), field))

/* `opts->field` when the caller's struct holds it, else `fallback`. */
#define OPTS_GET(opts, field, fallback) (OPTS_HAS(opts, field) ? (opts)->field : (fallback))

/* An options struct is valid when NULL, or when its sz covers at least the
 * sz field and every byte past the fields this library knows is zero (a newer
 * caller asking for something this library cannot do). */
bool opts_valid(const void *opts, size_t known_size);

#endif
