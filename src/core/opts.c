#include <stdint.h>

#include "core/opts.h"

bool opts_valid(const void *opts, size_t known_size)
{
	const uint8_t *bytes = opts;
	size_t sz;

	if (!opts)
		return true;
	sz = *(const size_t *)opts;
	if (sz < sizeof(size_t))
		return false;
	for (size_t i = known_size; i < sz; i++)
		if (bytes[i])
			return false;
	return true;
}
