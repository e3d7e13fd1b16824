#!/bin/sh
# Fetch the real payloads the tests and benchmarks boot, from Debian's
# archive, into a cache outside the clone (never into /boot), and print the
# path of each one asked for.  Fetched once; later runs reuse the cache.
#
#   tools/payloads.sh linux|efivarfs|busybox|xen|systemd-boot|grub-efi|refind-btrfs|memtest|kexec-tools ...
#
# memtest prints the directory holding memtest86+x64.bin (a bzImage) and
# memtest86+x64.efi.
#
# The cache is $BATON_CACHE, else /var/cache/baton when writable, else
# ~/.cache/baton.
set -eu

if [ -n "${BATON_CACHE:-}" ]; then
	cache=$BATON_CACHE
elif mkdir -p /var/cache/baton 2>/dev/null && [ -w /var/cache/baton ]; then
	cache=/var/cache/baton
else
	cache=${HOME}/.cache/baton
fi
mkdir -p "$cache/debs"

# The newest version of a package whose name matches a pattern.
newest() {
	apt-cache pkgnames "$1" 2>/dev/null | grep -E "^$1\$" | sort -V | tail -n 1
}

# Download package $1 into the cache (once); print the .deb's path.
fetch_deb() {
	deb=$(ls "$cache/debs/$1"_*.deb 2>/dev/null | head -n 1 || true)
	if [ -z "$deb" ]; then
		(cd "$cache/debs" && { apt-get download "$1" >/dev/null 2>&1 ||
			{ apt-get update -q >/dev/null && apt-get download "$1" >/dev/null; }; })
		deb=$(ls "$cache/debs/$1"_*.deb | head -n 1)
	fi
	echo "$deb"
}

# Unpack the members matching $3 of package $1 into $cache/$2 (once).
unpack() {
	if [ ! -e "$cache/$2/.done" ]; then
		deb=$(fetch_deb "$1")
		rm -rf "$cache/$2"
		mkdir -p "$cache/$2"
		dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$cache/$2" --wildcards "$3"
		touch "$cache/$2/.done"
	fi
}

# The Debian 6.1 kernel package the tests boot.
linux_pkg() {
	pkg=$(apt-cache depends linux-image-amd64 2>/dev/null |
		sed -n 's/.*Depends: \(linux-image-6\.1\.[^ ]*-amd64\)$/\1/p' | head -n 1)
	[ -n "$pkg" ] || pkg=$(newest 'linux-image-6\.1\.[0-9]+-[0-9]+-amd64')
	[ -n "$pkg" ] || { echo "payloads: no linux-image-6.1.*-amd64 in the archive" >&2; exit 1; }
	echo "$pkg"
}

for what in "$@"; do
	case $what in
	linux)
		unpack "$(linux_pkg)" linux './boot/vmlinuz-*'
		ls "$cache"/linux/boot/vmlinuz-* | head -n 1
		;;
	efivarfs)
		# The same kernel's efivarfs module (Debian builds it as a
		# module), for tests that read EFI variables in the guest.
		unpack "$(linux_pkg)" efivarfs './lib/modules/*/kernel/fs/efivarfs/efivarfs.ko'
		ls "$cache"/efivarfs/lib/modules/*/kernel/fs/efivarfs/efivarfs.ko | head -n 1
		;;
	busybox)
		unpack busybox-static busybox './bin/busybox'
		echo "$cache/busybox/bin/busybox"
		;;
	xen)
		unpack xen-hypervisor-4.17-amd64 xen './boot/xen-*'
		ls "$cache"/xen/boot/xen-4.17-amd64.gz
		;;
	systemd-boot)
		unpack systemd-boot-efi systemd-boot './usr/lib/systemd/boot/efi/*'
		echo "$cache/systemd-boot/usr/lib/systemd/boot/efi/systemd-bootx64.efi"
		;;
	grub-efi)
		unpack grub-efi-amd64-bin grub './usr/lib/grub/x86_64-efi/*'
		echo "$cache/grub/usr/lib/grub/x86_64-efi"
		;;
	refind-btrfs)
		# rEFInd's btrfs driver: an EFI file-system driver baton lacks,
		# for the drivers folder's test.
		unpack refind refind './usr/share/refind/refind/drivers_x64/*'
		echo "$cache/refind/usr/share/refind/refind/drivers_x64/btrfs_x64.efi"
		;;
	kexec-tools)
		# Debian's kexec (for the comparison with baton-kexec) and the
		# shared libraries it needs, libc's loader included, as one
		# tree: sbin/kexec, lib/x86_64-linux-gnu/*.so*, lib64/ld-*.
		d="$cache/kexec-tools"
		if [ ! -e "$d/.done" ]; then
			rm -rf "$d"
			mkdir -p "$d/x" "$d/sbin" "$d/lib/x86_64-linux-gnu" "$d/lib64"
			for p in kexec-tools libxenmisc4.17 libxencall1 \
				libxendevicemodel1 libxenevtchn1 libxenforeignmemory1 \
				libxengnttab1 libxentoollog1 libxentoolcore1 libc6; do
				dpkg-deb -x "$(fetch_deb "$p")" "$d/x"
			done
			cp "$d/x/sbin/kexec" "$d/sbin/"
			find "$d/x" \( -path '*/xenfsimage' -o -path '*/gconv' -o -path '*/lib64' \) -prune -o \
				\( -name '*.so*' \( -type f -o -type l \) -print \) |
				while read -r f; do
					cp -P "$f" "$d/lib/x86_64-linux-gnu/"
				done
			ln -sf ../lib/x86_64-linux-gnu/ld-linux-x86-64.so.2 "$d/lib64/"
			rm -rf "$d/x"
			touch "$d/.done"
		fi
		echo "$d"
		;;
	memtest)
		unpack memtest86+ memtest './boot/memtest86+x64.*'
		echo "$cache/memtest/boot"
		;;
	*)
		echo "payloads: unknown payload '$what'" >&2
		exit 2
		;;
	esac
done
