#include <stdlib.h>
#include <string.h>

#include "btf_edit.h"

/* Bytes that follow struct btf_type for each kind (the kernel's
 * btf_type_size). */
static uint32_t btf_img_extra(const struct btf_type *t)
{
	uint32_t vlen = BTF_INFO_VLEN(t->info);

	switch (BTF_INFO_KIND(t->info)) {
	case BTF_KIND_INT:
	case BTF_KIND_VAR:
	case BTF_KIND_DECL_TAG:
		return 4;
	case BTF_KIND_ARRAY:
		return sizeof(struct btf_array);
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		return vlen * sizeof(struct btf_member);
	case BTF_KIND_ENUM:
		return vlen * sizeof(struct btf_enum);
	case BTF_KIND_FUNC_PROTO:
		return vlen * sizeof(struct btf_param);
	case BTF_KIND_DATASEC:
		return vlen * sizeof(struct btf_var_secinfo);
	case BTF_KIND_ENUM64:
		return vlen * sizeof(struct btf_enum64);
	default:
		return 0;
	}
}

bool btf_img_open(const struct elf_img *img, struct btf_img *btf)
{
	size_t idx = elf_img_find_sec(img, ".BTF");
	uint8_t *base;
	uint32_t off = 0;

	memset(btf, 0, sizeof(*btf));
	if (!idx)
		return false;
	base = img->buf + elf_img_shdr(img, idx)->sh_offset;
	btf->hdr = (struct btf_header *)base;
	btf->types = base + btf->hdr->hdr_len + btf->hdr->type_off;
	btf->strs = (const char *)base + btf->hdr->hdr_len + btf->hdr->str_off;
	btf->cnt = 1;
	while (off < btf->hdr->type_len) {
		const struct btf_type *t = (const struct btf_type *)(btf->types + off);
		uint32_t *offs = realloc(btf->offs, (btf->cnt + 1) * sizeof(*offs));

		if (!offs)
			exit(1);
		btf->offs = offs;
		btf->offs[btf->cnt++] = off;
		off += sizeof(*t) + btf_img_extra(t);
	}
	return true;
}

void btf_img_close(struct btf_img *btf)
{
	free(btf->offs);
	btf->offs = NULL;
}

struct btf_type *btf_img_type(const struct btf_img *btf, uint32_t id)
{
	if (id == 0 || id >= btf->cnt)
		return NULL;
	return (struct btf_type *)(btf->types + btf->offs[id]);
}

const char *btf_img_name(const struct btf_img *btf, const struct btf_type *t)
{
	return btf->strs + t->name_off;
}

uint32_t btf_img_find(const struct btf_img *btf, uint32_t kind, const char *name,
		      uint32_t after)
{
	for (uint32_t id = after + 1; id < btf->cnt; id++) {
		const struct btf_type *t = btf_img_type(btf, id);

		if (BTF_INFO_KIND(t->info) != kind)
			continue;
		if (!name || strcmp(btf_img_name(btf, t), name) == 0)
			return id;
	}
	return 0;
}
