/* `bpfvm prog show | list` (prog_show.c): one program, an object's, or
 * every program of the namespace, as bpftool's. */
#ifndef BPFVM_TOOLS_PROG_SHOW_H
#define BPFVM_TOOLS_PROG_SHOW_H

struct bpfvm_prog;
struct cli_object;
struct cli_target;

/* prog { show | list } [PROG | of OBJ] */
int cli_prog_show(int argc, char **argv);

/* cmd_prog.c: the runtime of a command on PROG (the target's object
 * loaded whole, or the namespace alone) and PROG in it; *prog is NULL
 * without a reference. Returns 0, or -1 after printing why. */
int cli_prog_target_open(const struct cli_target *target, struct cli_object *co,
			 struct bpfvm_prog **prog);

#endif
