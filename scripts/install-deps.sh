#!/usr/bin/env bash
# Installs what bpfvm needs to build and test, when it is missing.
# As root it uses apt-get (Debian/Ubuntu); otherwise it names what to install.
set -euo pipefail

packages=(make cmake gcc clang libc6-dev linux-libc-dev)
commands=(make cmake gcc clang)
headers=(/usr/include/linux/bpf.h)

missing=()
for i in "${!commands[@]}"; do
	command -v "${commands[$i]}" >/dev/null 2>&1 || missing+=("${commands[$i]}")
done
for header in "${headers[@]}"; do
	[ -f "$header" ] || missing+=(linux-libc-dev)
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "bpfvm: missing: ${missing[*]}" >&2
	echo "bpfvm: run as root to install them, or: apt-get install ${packages[*]}" >&2
	exit 1
fi
echo "bpfvm: installing ${packages[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq "${packages[@]}" >/dev/null
