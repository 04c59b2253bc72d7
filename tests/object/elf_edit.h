/* Test-side ELF editing: load an object file into memory, find its sections,
 * symbols and relocations by name, and corrupt them on purpose. Only for
 * well-formed little-endian ELF64 objects (the ones clang built). */
#ifndef BPFVM_TESTS_OBJECT_ELF_EDIT_H
#define BPFVM_TESTS_OBJECT_ELF_EDIT_H

#include <elf.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct elf_img {
	uint8_t *buf;
	size_t size;
};

/* Reads a whole file; exits on failure. */
struct elf_img elf_img_load(const char *path);
struct elf_img elf_img_copy(const struct elf_img *img);
void elf_img_free(struct elf_img *img);

Elf64_Ehdr *elf_img_ehdr(const struct elf_img *img);
Elf64_Shdr *elf_img_shdr(const struct elf_img *img, size_t idx);
const char *elf_img_sec_name(const struct elf_img *img, size_t idx);
/* Index of the section called `name`, or 0. */
size_t elf_img_find_sec(const struct elf_img *img, const char *name);
/* The symbol called `name`, or NULL; *idx_out receives its index. */
Elf64_Sym *elf_img_find_sym(const struct elf_img *img, const char *name, size_t *idx_out);
/* Relocation `i` of relocation section `sec_name`, or NULL. */
Elf64_Rel *elf_img_rel(const struct elf_img *img, const char *sec_name, size_t i);
/* First occurrence of `bytes` in section `sec_name`, or NULL. */
uint8_t *elf_img_find_bytes(const struct elf_img *img, const char *sec_name,
			    const void *bytes, size_t len);

#endif
