#!/bin/sh
# Make sure the Debian packages baton's build and tests need are installed.
# As root, installs the missing ones with apt-get; otherwise prints the one
# command that would, and fails.
set -eu

PACKAGES="gcc libc6-dev make binutils gnu-efi nasm clang libclang-rt-14-dev libcmocka-dev
qemu-system-x86 ovmf xorriso mtools dosfstools gdisk fdisk e2fsprogs
python3 python3-pytest systemd-boot-efi grub-common btrfs-progs
iproute2 dnsmasq-base nginx-light ipxe"

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
# No service may start from a package's install script (nginx would take
# port 80 of the machine): the network tests start their own servers in a
# namespace of their own.
made_policy=""
if [ ! -e /usr/sbin/policy-rc.d ]; then
	printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
	chmod +x /usr/sbin/policy-rc.d
	made_policy=yes
fi
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing
[ -z "$made_policy" ] || rm -f /usr/sbin/policy-rc.d
