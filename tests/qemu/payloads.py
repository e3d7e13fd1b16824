"""Real payloads for the end-to-end tests: a Debian kernel, and a busybox
initramfs built at test time.

The Debian packages are fetched once into a cache outside the clone by
tools/payloads.sh (an empty cache is filled on first use)."""

import hashlib
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tools"))

from mkinitramfs import write_cpio  # noqa: E402

# The init script: everything the tests assert is printed on one line each,
# between two markers, and then the machine powers off.
INIT = """#!/bin/sh
bb=/bin/busybox
$bb mkdir -p /proc /sys /dev
$bb mount -t proc proc /proc
$bb mount -t sysfs sys /sys
echo "INIT-MARKER start"
echo "INIT cmdline=$($bb cat /proc/cmdline)"
for f in /data/*; do echo "INIT sha256 $($bb sha256sum $f)"; done
if [ -e /sys/firmware/efi/runtime ]; then echo "INIT efi_runtime=yes"; else echo "INIT efi_runtime=no"; fi
echo "INIT $($bb grep MemTotal /proc/meminfo)"
$bb dmesg | $bb grep -E "MP-BIOS bug|APIC error|Firmware Bug" | $bb sed 's/^/INIT dmesg: /'
echo "INIT-MARKER done"
$bb poweroff -f
"""


def payload(name):
    """The path of a cached payload (tools/payloads.sh NAME)."""
    proc = subprocess.run([str(REPO / "tools" / "payloads.sh"), name],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True)
    if proc.returncode != 0:
        raise AssertionError("tools/payloads.sh %s failed:\n%s"
                             % (name, proc.stderr))
    return Path(proc.stdout.strip().splitlines()[-1])


def build_initrds(dirpath, busybox, extra=b""):
    """Two initrds whose concatenation is the initramfs: the first has
    busybox, /init and /data/one.bin, the second /data/two.bin.  Returns
    (first, second, {file name: sha256 hex})."""
    one = hashlib.sha256(b"first initrd " + bytes(range(256)) * 64).digest() * 1000
    two = bytes((i * 7 + 3) & 0xFF for i in range(123457)) + extra
    first = Path(dirpath) / "initrd-one.cpio"
    second = Path(dirpath) / "initrd-two.cpio"
    write_cpio(first, [
        ("bin", "dir", b"", 0o755),
        ("bin/busybox", "file", Path(busybox).read_bytes(), 0o755),
        ("bin/sh", "symlink", b"busybox", 0o777),
        ("init", "file", INIT.encode(), 0o755),
        ("data", "dir", b"", 0o755),
        ("data/one.bin", "file", one, 0o644),
    ])
    write_cpio(second, [
        ("data", "dir", b"", 0o755),
        ("data/two.bin", "file", two, 0o644),
    ])
    sums = {"one.bin": hashlib.sha256(one).hexdigest(),
            "two.bin": hashlib.sha256(two).hexdigest()}
    return first, second, sums


def build_uki(out, stub, kernel, initrds, cmdline, osrel):
    """A unified kernel image: systemd's EFI stub with .osrel, .cmdline,
    .linux and .initrd sections added by objcopy, each at its own address
    after the stub's last section (page-aligned, in the canonical order)."""
    out = Path(out)
    work = out.parent
    initrd = work / (out.name + ".initrd")
    initrd.write_bytes(b"".join(Path(i).read_bytes() for i in initrds))
    (work / (out.name + ".osrel")).write_text(osrel)
    (work / (out.name + ".cmdline")).write_text(cmdline)
    heads = subprocess.run(["objdump", "-h", str(stub)], stdout=subprocess.PIPE,
                           text=True, check=True).stdout
    end = 0
    for line in heads.splitlines():
        f = line.split()
        if len(f) >= 4 and f[0].isdigit():
            end = max(end, int(f[3], 16) + int(f[2], 16))
    args = ["objcopy"]
    vma = (end + 0xFFFF) & ~0xFFFF
    for name, path in ((".osrel", work / (out.name + ".osrel")),
                       (".cmdline", work / (out.name + ".cmdline")),
                       (".linux", Path(kernel)), (".initrd", initrd)):
        args += ["--add-section", "%s=%s" % (name, path),
                 "--change-section-vma", "%s=0x%x" % (name, vma)]
        vma = (vma + Path(path).stat().st_size + 0xFFFF) & ~0xFFFF
    subprocess.run(args + [str(stub), str(out)], check=True)
    return out


def gpt_partition(image, index):
    """(byte offset, byte size) of GPT partition index (1-based) in a disk
    image, from its entry in the primary table at LBA 2."""
    with open(image, "rb") as f:
        f.seek(1024 + 128 * (index - 1) + 32)
        first, last = (int.from_bytes(f.read(8), "little") for _ in range(2))
    return first * 512, (last - first + 1) * 512


def build_iso(out, tree, volid="BATONTEST", extra=()):
    """An ISO 9660 image (Rock Ridge + Joliet) of the folder tree."""
    proc = subprocess.run(["xorriso", "-as", "mkisofs", "-R", "-J",
                           "-iso-level", "3", "-V", volid, *extra,
                           "-o", str(out), str(tree)],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True)
    assert proc.returncode == 0, "xorriso failed:\n" + proc.stdout
    return Path(out)
