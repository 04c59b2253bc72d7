/* Shared pieces of the bpfvm command-line tool. */
#ifndef BPFVM_TOOLS_CLI_H
#define BPFVM_TOOLS_CLI_H

#include <stddef.h>
#include <stdint.h>

/* Reads a whole file ("-" is stdin). Returns a malloc'ed buffer with a NUL
 * after the data, or NULL with a message on stderr. */
char *cli_read_file(const char *path, size_t *len_out);

/* Prints "bpfvm: <what>: <library message>" to stderr; returns 1. */
int cli_fail(const char *what);

/* `bpfvm asm ...` */
int cli_asm(int argc, char **argv);

#endif
