#!/usr/bin/env bash
# Installs what bpfvm needs to build and test, when it is missing.
# As root it uses apt-get (Debian/Ubuntu); otherwise it names what to install.
set -euo pipefail

missing=()
for cmd in make cmake gcc clang; do
	command -v "$cmd" >/dev/null 2>&1 || missing+=("$cmd")
done
command -v pkg-config >/dev/null 2>&1 || missing+=(pkg-config)
[ -f /usr/include/linux/bpf.h ] || missing+=(linux-libc-dev)
# The loader reads ELF with libelf and BTF with libbpf; BPF C programs of the
# tests and examples include libbpf's bpf/bpf_helpers.h.
[ -f /usr/include/gelf.h ] || missing+=(libelf-dev)
[ -f /usr/include/bpf/bpf_helpers.h ] || missing+=(libbpf-dev)
# Kconfig externs may come from /proc/config.gz (src/object/kconfig_values.c).
[ -f /usr/include/zlib.h ] || missing+=(zlib1g-dev)
# The differential tests drive bpftool against the kernel from python3.
command -v python3 >/dev/null 2>&1 || missing+=(python3)
command -v bpftool >/dev/null 2>&1 || missing+=(bpftool)

# The sanitizer build links clang's ASan/UBSan runtime, which Debian ships
# apart from clang itself (libclang-rt-N-dev).
if command -v clang >/dev/null 2>&1; then
	runtime=$(clang -print-file-name=libclang_rt.asan-x86_64.a)
	if [ ! -f "$runtime" ]; then
		major=$(clang -dumpversion | cut -d. -f1)
		missing+=("libclang-rt-${major}-dev")
	fi
fi
[ ${#missing[@]} -eq 0 ] && exit 0

packages=()
for name in "${missing[@]}"; do
	case "$name" in
	gcc) packages+=(gcc libc6-dev) ;;
	*) packages+=("$name") ;;
	esac
done
if [ "$(id -u)" -ne 0 ]; then
	echo "bpfvm: missing: ${packages[*]}" >&2
	echo "bpfvm: run as root to install them, or: apt-get install ${packages[*]}" >&2
	exit 1
fi
echo "bpfvm: installing ${packages[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq "${packages[@]}" >/dev/null
# clang installed just now may still lack its runtime: check once more.
if [[ " ${packages[*]} " == *" clang "* ]]; then
	exec "$0"
fi
