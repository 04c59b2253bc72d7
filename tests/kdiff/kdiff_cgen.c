/* Programs as C (kdiff.h): placeholder until the generator lands. */
#include "kdiff.h"

void kdiff_cgen_one(struct kdiff_env *env, uint64_t seed, const char *work_dir,
		    const char *clang, const char *include_dir, struct kdiff_cgen_stats *stats,
		    bool verbose)
{
	(void)env, (void)seed, (void)work_dir, (void)clang, (void)include_dir, (void)verbose;
	stats->tried++;
}
