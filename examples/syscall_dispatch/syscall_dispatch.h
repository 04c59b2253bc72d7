/* What syscall_dispatch.bpf.c and its host program share. */
#ifndef SYSCALL_DISPATCH_H
#define SYSCALL_DISPATCH_H

#define SYS_EXECVE 59 /* x86_64 syscall numbers */
#define SYS_OPENAT 257
#define SYS_FCHMODAT 268
#define MAX_SYSCALLS 1024 /* slots of syscall_programs and syscall_counts */

#endif
