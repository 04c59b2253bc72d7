/* SHA-256 (FIPS 180-4), for program tags: the kernel's bpf_prog_calc_tag
 * hashes a program with it since Linux 6.18 (SHA-1 before). One call over
 * a buffer; no streaming is needed. */
#ifndef BPFVM_CORE_SHA256_H
#define BPFVM_CORE_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_DIGEST_SIZE 32

void sha256(const void *data, size_t size, uint8_t digest[SHA256_DIGEST_SIZE]);

#endif
