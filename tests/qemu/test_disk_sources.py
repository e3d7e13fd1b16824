"""Kernels where they live (issue 9), end to end: the Debian kernel and the
busybox initramfs read by baton's own ext4 and ISO 9660 drivers, out of ISO
files through their loopback.cfg, from BLS entries on an ext4 XBOOTLDR
partition and from a UKI with no baton.conf at all; an ISO made by
grub-mkrescue whose own GRUB finds its files on the virtual CD baton makes
of the ISO file; and bad images that give a message and the menu back.

Every kernel boot checks, in the guest, the SHA-256 of the files of both
initrds and the command line the kernel got."""

import re
import shutil
import subprocess

import pytest

from conftest import hello_re
from machine import ESC
from payloads import build_iso, build_uki, gpt_partition, payload

BOOT_TIMEOUT = 150      # OVMF + kernel + init under TCG
# quiet: fewer kernel messages to land in the middle of /init's lines
CMDLINE = "console=ttyS0 quiet panic=-1 baton.test=kexec-check"
EXT4_UUID = "3f1c2a5e-8b7d-4e0f-9a61-2c4b6d8e0f13"


def check_init(m, sums, cmdline=CMDLINE):
    """The kernel ran /init from both initrds with this command line."""
    m.expect(r"INIT-MARKER start", timeout=BOOT_TIMEOUT)
    got = m.expect(r"INIT cmdline=([^\r\n]*)\r?\n").group(1)
    # The kernel's console messages may land in the middle of the line.
    got = re.split(r"\[\s*\d+\.\d+\] ", got)[0].strip()
    assert got == cmdline, "kernel command line %r, expected %r" % (got, cmdline)
    for name, digest in sorted(sums.items()):
        m.expect(r"INIT sha256 %s  /data/%s" % (digest, re.escape(name)))
    m.expect(r"INIT-MARKER done")
    assert m.wait_exit(timeout=60) == 0


def kernel_tree(tmp_path, kernel, initrds, sub="boot"):
    """A folder with the kernel and both initrds under /<sub>/."""
    first, second, _ = initrds
    tree = tmp_path / ("tree-" + sub.replace("/", "-"))
    (tree / sub).mkdir(parents=True)
    shutil.copy(kernel, tree / sub / "vmlinuz")
    shutil.copy(first, tree / sub / "initrd-one.cpio")
    shutil.copy(second, tree / sub / "initrd-two.cpio")
    return tree


def test_ext4_partition_by_label_and_uuid(tmp_path, make_image, boot, kernel,
                                          initrds):
    """The kernel from an ext4 partition named by label=, the initrds from
    the same partition named by uuid=."""
    tree = kernel_tree(tmp_path, kernel, initrds)
    conf = ("timeout 0\nentry k\n  title Debian from ext4\n"
            "  linux label=BOOTEXT:/boot/vmlinuz %s\n"
            "  initrd uuid=%s:/boot/initrd-one.cpio\n"
            "  initrd uuid=%s:/boot/initrd-two.cpio\n"
            % (CMDLINE, EXT4_UUID.upper(), EXT4_UUID))
    image = make_image(config=conf, tools=False,
                       extra=["-x", tree, "-X", "BOOTEXT", "-u", EXT4_UUID])
    m = boot(image, memory=512)
    m.expect(r"Booting 'Debian from ext4'", timeout=60)
    check_init(m, initrds[2])


@pytest.mark.parametrize("as_", ["cdrom", "disk"])
def test_iso_tree(tmp_path, make_image, boot, kernel, initrds, as_):
    """baton in the El Torito EFI image of an ISO finds its config and the
    kernels in the ISO 9660 tree, on a CD and on a stick (hybrid image)."""
    conf = tmp_path / "tree.conf"
    conf.write_text("timeout 0\nentry k\n  title Debian from the ISO tree\n"
                    "  linux /boot/vmlinuz %s\n"
                    "  initrd /boot/initrd-one.cpio\n"
                    "  initrd /boot/initrd-two.cpio\n" % CMDLINE)
    tree = kernel_tree(tmp_path, kernel, initrds)
    image = make_image(kind="iso", tools=False,
                       extra=["-T", tree, "-t", "%s=/boot/baton.conf" % conf])
    m = boot(image, as_=as_, memory=512)
    m.expect(r"config \S+:/boot/baton.conf", timeout=60)
    m.expect(r"Booting 'Debian from the ISO tree'", timeout=60)
    check_init(m, initrds[2])


LOOPBACK_CFG = """\
# modelled on a Debian live image's loopback.cfg
insmod all_video
set gfxpayload=keep
menuentry "Debian live (loopback)" {
    linux /live/vmlinuz boot=live components %s findiso=${iso_path}
    initrd /live/initrd-one.cpio /live/initrd-two.cpio
}
""" % CMDLINE


def live_iso(tmp_path, kernel, initrds, name="live.iso"):
    tree = kernel_tree(tmp_path, kernel, initrds, sub="live")
    (tree / "boot" / "grub").mkdir(parents=True)
    (tree / "boot" / "grub" / "loopback.cfg").write_text(LOOPBACK_CFG)
    return build_iso(tmp_path / name, tree, volid="DEBLIVE")


def open_iso_menu(m, title):
    """From the top menu: the folder of ISO files, the ISO, its entry."""
    m.expect(r"1\. ISO files", timeout=60)
    m.send("1")
    m.expect(r"1\. live\.iso", timeout=30)
    m.send("1")
    m.expect(r"1\. %s" % re.escape(title), timeout=30)
    m.send("1")


@pytest.mark.parametrize("stick", ["fat", "ext4"])
def test_iso_file_loopback(tmp_path, make_image, boot, kernel, initrds, stick):
    """An ISO file in /isos on a FAT or an ext4 stick: its loopback.cfg gives
    the entry, and the kernel learns where the ISO is (findiso=)."""
    iso = live_iso(tmp_path, kernel, initrds)
    where = "/isos" if stick == "fat" else "label=STICK:/isos"
    conf = ("timeout -1\nentry isos\n  title ISO files\n  isos %s\n" % where)
    extra = ["-S", iso]
    if stick == "ext4":
        extra += ["-X", "STICK"]
    image = make_image(config=conf, tools=False, extra=extra)
    m = boot(image, memory=512)
    open_iso_menu(m, "Debian live (loopback)")
    check_init(m, initrds[2], "boot=live components %s findiso=/isos/live.iso"
               % CMDLINE)


BLS_ENTRY = """\
# a Fedora-style entry on the XBOOTLDR partition
title Debian (BLS on ext4)
version 6.1.0
linux /boot/vmlinuz
initrd /boot/initrd-one.cpio
initrd /boot/initrd-two.cpio
options %s
""" % CMDLINE


@pytest.fixture
def bls_disk(tmp_path, make_image, kernel, initrds):
    """No baton.conf: a UKI with a boot counter on the ESP, a BLS entry on
    an ext4 XBOOTLDR partition."""
    first, second, _ = initrds
    stub = payload("systemd-boot").parent / "linuxx64.efi.stub"
    uki = build_uki(tmp_path / "uki.efi", stub, kernel, [first, second],
                    CMDLINE, 'PRETTY_NAME="Debian UKI"\nVERSION_ID="12"\n')
    tree = kernel_tree(tmp_path, kernel, initrds)
    (tree / "loader" / "entries").mkdir(parents=True)
    (tree / "loader" / "entries" / "debian-6.1.0.conf").write_text(BLS_ENTRY)
    (tree / "EFI" / "Linux").mkdir(parents=True)
    build_uki(tree / "EFI" / "Linux" / "other.efi", stub, kernel,
              [first, second], CMDLINE,
              'PRETTY_NAME="UKI on ext4"\nVERSION_ID="13"\n')
    return make_image(tools=False, files={"/EFI/Linux/debian+3.efi": uki},
                      extra=["-x", tree, "-X", "XBOOT", "-y", "xbootldr"])


def esp_files(image, folder):
    return subprocess.run(["mdir", "-b", "-i", "%s@@1M" % image, "::" + folder],
                          stdout=subprocess.PIPE, text=True,
                          env={"MTOOLS_SKIP_CHECK": "1", "PATH": "/usr/bin:/bin"}
                          ).stdout


def test_bls_entry_on_ext4_xbootldr(bls_disk, boot, initrds):
    m = boot(bls_disk, memory=512)
    m.expect(r"no baton.conf found", timeout=60)
    n = m.expect(r"(\d+)\. Debian \(BLS on ext4\)").group(1)
    m.send(n)
    check_init(m, initrds[2])


def test_uki_with_boot_counting(bls_disk, boot, initrds):
    """The UKI is listed from .osrel and boots with its .cmdline; its boot
    counter goes from +3 to +2-1 on the ESP before it starts."""
    m = boot(bls_disk, memory=512)
    n = m.expect(r"(\d+)\. Debian UKI", timeout=60).group(1)
    m.send(n)
    check_init(m, initrds[2])
    listing = esp_files(bls_disk, "/EFI/Linux")
    assert "debian+2-1.efi" in listing, listing


def test_uki_on_ext4_xbootldr(bls_disk, boot, initrds):
    """A UKI on the ext4 XBOOTLDR partition, which the firmware cannot
    read: baton reads it and starts it from memory."""
    m = boot(bls_disk, memory=512)
    n = m.expect(r"(\d+)\. UKI on ext4", timeout=60).group(1)
    m.send(n)
    check_init(m, initrds[2])


def test_grub_mkrescue_iso_file(tmp_path, make_image, boot):
    """An ISO made by grub-mkrescue, booted from an ISO file: its own GRUB
    starts from the El Torito image of the virtual CD and finds its
    grub.cfg in the CD's ISO 9660 tree."""
    if not shutil.which("grub-mkrescue"):
        pytest.fail("grub-mkrescue not found (package grub-common)")
    tree = tmp_path / "rescue"
    (tree / "boot" / "grub").mkdir(parents=True)
    (tree / "boot" / "grub" / "grub.cfg").write_text(
        'echo "GRUB-FOUND-ITS-CD"\nls\nsleep 2\nhalt\n')
    iso = tmp_path / "rescue.iso"
    subprocess.run(["grub-mkrescue", "-d", str(payload("grub-efi")),
                    "-o", str(iso), str(tree)], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    conf = ("timeout 0\nentry g\n  title Rescue ISO's own GRUB\n"
            "  efi iso(/isos/rescue.iso):/EFI/BOOT/BOOTX64.EFI\n")
    image = make_image(config=conf, tools=False, extra=["-S", iso])
    m = boot(image, memory=512)
    m.expect(r"Booting 'Rescue ISO's own GRUB'", timeout=60)
    m.expect(r"GRUB-FOUND-ITS-CD", timeout=90)


BAD_LOOPBACK_CFG = """\
if [ -e /live/vmlinuz ]; then
  set kernel=/live/vmlinuz
fi
menuentry "uses a variable the if-block set" {
    linux $kernel boot=live
}
menuentry "chainloads" {
    chainloader /EFI/BOOT/BOOTX64.EFI
}
"""


def test_bad_disk_images(tmp_path, make_image, boot):
    """Broken file systems, ISO files and entries: each gives a message
    naming the volume, the path and what was wrong, the menu comes back
    and the last entry still boots."""
    tree = tmp_path / "badext"
    tree.mkdir()
    (tree / "big.bin").write_bytes(bytes(range(256)) * 256)
    # An ISO file cut short: its directories are there, its file data not.
    live = tmp_path / "live"
    (live / "live").mkdir(parents=True)
    (live / "live" / "vmlinuz").write_bytes(bytes(range(256)) * 4096)
    short = build_iso(tmp_path / "short.iso", live, volid="SHORT")
    with open(short, "r+b") as f:
        f.truncate(300 * 1024)
    (live / "boot" / "grub").mkdir(parents=True)
    (live / "boot" / "grub" / "loopback.cfg").write_text(BAD_LOOPBACK_CFG)
    script = build_iso(tmp_path / "script.iso", live, volid="SCRIPT")
    entries = [
        ("Extent past the end", "linux label=BADEXT:/big.bin",
         r"BADEXT:/big\.bin: volume \d: ext4: block \d+ of /big\.bin is past "
         r"the end of the device \(\d+ blocks\)"),
        ("Symlink loop", "linux label=BADEXT:/loop-a",
         r"BADEXT:/loop-a: volume \d: ext4: /loop-a: too many levels of "
         r"symbolic links"),
        ("Truncated ISO file", "linux iso(label=BADEXT:/isos/short.iso):/live/vmlinuz",
         r"short\.iso\): iso9660: /live/vmlinuz: file section at block \d+ "
         r"is past the end of the volume \(150 blocks\)"),
    ]
    conf = "timeout -1\nbls yes\n" + "".join(
        "entry e%d\n  title %s\n  %s\n" % (n, t, body)
        for n, (t, body, _) in enumerate(entries))
    conf += ("entry script\n  title Unsupported script\n"
             "  iso label=BADEXT:/isos/script.iso\n"
             "entry hello\n  title Still works\n  efi /EFI/tools/hello.efi\n")
    image = make_image(config=conf, extra=["-x", tree, "-X", "BADEXT",
                                           "-S", short, "-S", script],
                       files={"/loader/entries/broken.conf":
                              "title Broken BLS entry\nfrobnicate yes\n"
                              "options quiet\n"})
    # Point big.bin's first extent far past the end of the partition, and
    # add two symbolic links to each other (baton-mkimage follows links).
    cmds = tmp_path / "debugfs.cmds"
    cmds.write_text("sif /big.bin block[5] 0x7ffffff0\n"
                    "symlink /loop-a /loop-b\nsymlink /loop-b /loop-a\n")
    off, _ = gpt_partition(image, 2)
    subprocess.run(["debugfs", "-w", "-f", str(cmds),
                    "%s?offset=%d" % (image, off)], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    m = boot(image, memory=256)
    # The BLS entry is listed, broken, with both of its problems said.
    m.expect(r"broken\.conf:2: [^\n]*'frobnicate'", timeout=60)
    m.expect(r"broken\.conf: no 'linux', 'efi' or 'uki' line")
    m.expect(r"1\. Extent past the end")
    for n, (title, _, message) in enumerate(entries):
        m.send(str(n + 1))
        m.expect(r"cannot boot '%s': [^\n]*%s" % (re.escape(title), message),
                 timeout=60)
    m.send(str(len(entries) + 1))
    m.expect(r"script\.iso\):/boot/grub/loopback\.cfg:1: 'if' is not "
             r"understood", timeout=30)
    # $kernel is empty: the if-block that would set it was not run.
    m.expect(r"loopback\.cfg:5: 'boot=live' is not an absolute path")
    m.expect(r"loopback\.cfg:8: 'chainloader' is not understood")
    m.expect(r"no boot entries")
    m.send(ESC)
    m.expect(r"5\. Still works", timeout=30)
    m.send("5")
    m.expect(hello_re(""), timeout=30)
    m.expect(r"6\. Broken BLS entry", timeout=30)


def test_driver_from_drivers_folder(tmp_path, make_image, boot, kernel,
                                    initrds):
    """A file-system driver baton lacks (rEFInd's btrfs driver) in the
    drivers folder next to baton: it is started, and the btrfs partition
    on the boot disk, which baton saw before the driver bound to it,
    becomes a volume found by label= like any other."""
    if not shutil.which("mkfs.btrfs"):
        pytest.fail("mkfs.btrfs not found (package btrfs-progs)")
    driver = payload("refind-btrfs")
    tree = kernel_tree(tmp_path, kernel, initrds)
    conf = ("timeout 0\nentry k\n  title Debian from btrfs\n"
            "  linux label=BTRFSBOOT:/boot/vmlinuz %s\n"
            "  initrd label=BTRFSBOOT:/boot/initrd-one.cpio\n"
            "  initrd label=BTRFSBOOT:/boot/initrd-two.cpio\n" % CMDLINE)
    # An ext4 partition of the right size, overwritten with btrfs.
    image = make_image(config=conf, tools=False,
                       files={"/EFI/BOOT/drivers/btrfs_x64.efi": driver},
                       extra=["-X", "PLACE", "-z", "160"])
    off, size = gpt_partition(image, 2)
    fs = tmp_path / "btrfs.img"
    with open(fs, "wb") as f:
        f.truncate(size)
    subprocess.run(["mkfs.btrfs", "-q", "-f", "-L", "BTRFSBOOT", "--rootdir",
                    str(tree), str(fs)], check=True)
    with open(image, "r+b") as f:
        f.seek(off)
        f.write(fs.read_bytes())
    m = boot(image, memory=512)
    m.expect(r"started driver \S*btrfs_x64\.efi", timeout=60)
    m.expect(r"Booting 'Debian from btrfs'", timeout=60)
    check_init(m, initrds[2])
