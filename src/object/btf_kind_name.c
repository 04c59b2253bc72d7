/* BTF kinds by name (btf_kind_name.h). */
#include "object/btf_kind_name.h"

const char *btf_kind_name(const struct btf_type *type)
{
	static const char *const names[] = {
		[BTF_KIND_UNKN] = "UNKNOWN",	 [BTF_KIND_INT] = "INT",
		[BTF_KIND_PTR] = "PTR",		 [BTF_KIND_ARRAY] = "ARRAY",
		[BTF_KIND_STRUCT] = "STRUCT",	 [BTF_KIND_UNION] = "UNION",
		[BTF_KIND_ENUM] = "ENUM",	 [BTF_KIND_FWD] = "FWD",
		[BTF_KIND_TYPEDEF] = "TYPEDEF",	 [BTF_KIND_VOLATILE] = "VOLATILE",
		[BTF_KIND_CONST] = "CONST",	 [BTF_KIND_RESTRICT] = "RESTRICT",
		[BTF_KIND_FUNC] = "FUNC",	 [BTF_KIND_FUNC_PROTO] = "FUNC_PROTO",
		[BTF_KIND_VAR] = "VAR",		 [BTF_KIND_DATASEC] = "DATASEC",
		[BTF_KIND_FLOAT] = "FLOAT",	 [BTF_KIND_DECL_TAG] = "DECL_TAG",
		[BTF_KIND_TYPE_TAG] = "TYPE_TAG", [BTF_KIND_ENUM64] = "ENUM64",
	};
	unsigned int kind = type ? btf_kind(type) : BTF_KIND_UNKN;

	return kind < sizeof(names) / sizeof(names[0]) && names[kind] ? names[kind] : "UNKNOWN";
}
