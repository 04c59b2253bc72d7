#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "elf_edit.h"

struct elf_img elf_img_load(const char *path)
{
	struct elf_img img = { 0 };
	FILE *file = fopen(path, "rb");
	long size;

	if (!file || fseek(file, 0, SEEK_END) || (size = ftell(file)) <= 0) {
		fprintf(stderr, "cannot read %s\n", path);
		exit(1);
	}
	rewind(file);
	img.size = (size_t)size;
	img.buf = malloc(img.size);
	if (!img.buf || fread(img.buf, 1, img.size, file) != img.size) {
		fprintf(stderr, "cannot read %s\n", path);
		exit(1);
	}
	fclose(file);
	return img;
}

struct elf_img elf_img_copy(const struct elf_img *img)
{
	struct elf_img copy = { malloc(img->size), img->size };

	if (!copy.buf)
		exit(1);
	memcpy(copy.buf, img->buf, img->size);
	return copy;
}

void elf_img_free(struct elf_img *img)
{
	free(img->buf);
	img->buf = NULL;
}

Elf64_Ehdr *elf_img_ehdr(const struct elf_img *img)
{
	return (Elf64_Ehdr *)img->buf;
}

Elf64_Shdr *elf_img_shdr(const struct elf_img *img, size_t idx)
{
	return (Elf64_Shdr *)(img->buf + elf_img_ehdr(img)->e_shoff) + idx;
}

const char *elf_img_sec_name(const struct elf_img *img, size_t idx)
{
	const Elf64_Shdr *strtab = elf_img_shdr(img, elf_img_ehdr(img)->e_shstrndx);

	return (const char *)img->buf + strtab->sh_offset + elf_img_shdr(img, idx)->sh_name;
}

size_t elf_img_find_sec(const struct elf_img *img, const char *name)
{
	for (size_t i = 1; i < elf_img_ehdr(img)->e_shnum; i++) {
		if (strcmp(elf_img_sec_name(img, i), name) == 0)
			return i;
	}
	return 0;
}

Elf64_Sym *elf_img_find_sym(const struct elf_img *img, const char *name, size_t *idx_out)
{
	size_t symtab = elf_img_find_sec(img, ".symtab");
	const Elf64_Shdr *sh = elf_img_shdr(img, symtab);
	const Elf64_Shdr *str = elf_img_shdr(img, sh->sh_link);
	Elf64_Sym *syms = (Elf64_Sym *)(img->buf + sh->sh_offset);

	for (size_t i = 0; i < sh->sh_size / sizeof(Elf64_Sym); i++) {
		if (strcmp((const char *)img->buf + str->sh_offset + syms[i].st_name, name) == 0) {
			if (idx_out)
				*idx_out = i;
			return &syms[i];
		}
	}
	return NULL;
}

Elf64_Rel *elf_img_rel(const struct elf_img *img, const char *sec_name, size_t i)
{
	size_t idx = elf_img_find_sec(img, sec_name);
	const Elf64_Shdr *sh = idx ? elf_img_shdr(img, idx) : NULL;

	if (!sh || i >= sh->sh_size / sizeof(Elf64_Rel))
		return NULL;
	return (Elf64_Rel *)(img->buf + sh->sh_offset) + i;
}

uint8_t *elf_img_find_bytes(const struct elf_img *img, const char *sec_name,
			    const void *bytes, size_t len)
{
	size_t idx = elf_img_find_sec(img, sec_name);
	const Elf64_Shdr *sh = idx ? elf_img_shdr(img, idx) : NULL;

	for (size_t off = 0; sh && off + len <= sh->sh_size; off++) {
		if (memcmp(img->buf + sh->sh_offset + off, bytes, len) == 0)
			return img->buf + sh->sh_offset + off;
	}
	return NULL;
}
