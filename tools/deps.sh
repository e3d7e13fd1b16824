#!/bin/sh
# Make sure the Debian packages baton's build and tests need are installed.
# As root, installs the missing ones with apt-get; otherwise prints the one
# command that would, and fails.
set -eu

PACKAGES="gcc make binutils gnu-efi nasm clang libclang-rt-14-dev libcmocka-dev
qemu-system-x86 ovmf xorriso mtools dosfstools gdisk fdisk e2fsprogs
python3 python3-pytest systemd-boot-efi grub-common btrfs-progs"

missing=""
for p in $PACKAGES; do
	status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[ "$status" = "installed" ] || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "baton needs these Debian packages:$missing" >&2
	echo "install them with:  sudo apt-get install -y$missing" >&2
	exit 1
fi
echo "installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing
