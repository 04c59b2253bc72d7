/* Not a program: the target BTF of core_fields.bpf.c's relocations (passed as
 * btf_custom_path). Its types differ from the program's: fields reordered
 * behind a new one, a bitfield moved, a field and an enumerator missing,
 * enumerator values changed, struct core_absent absent, a field widened. The variables keep
 * the types in .BTF. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct core_pair {
	long long pad;
	int b;
	int a;
	unsigned int spare : 4, lo : 3, hi : 5;
	unsigned long long grow;
};

enum core_color { CORE_RED = 10, CORE_BLUE = 20 };

struct core_pair core_pair_var;
enum core_color core_color_var;

char LICENSE[] SEC("license") = "GPL";
