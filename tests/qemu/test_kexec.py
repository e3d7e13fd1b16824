"""baton-kexec (issue 11): the Debian kernel booted by baton runs baton-kexec
from its initramfs and goes, without the firmware, into another entry of a
baton.conf: the same kernel with another command line and initrd, and the
probe kernel, whose handoff checks say what state it was entered in.  The
guest's "ESP" is a folder of its initramfs (--esp), so no file system driver
is needed."""

import hashlib
import os
import subprocess
from pathlib import Path

import pytest

from machine import ISA_DEBUG_EXIT
from payloads import payload
from mkinitramfs import write_cpio  # noqa: E402  (payloads puts tools/ on the path)
from test_multiboot import probes  # noqa: F401  (a fixture)
from test_probe import CHECKS, probe_kernel  # noqa: F401  (a fixture)

REPO = Path(__file__).resolve().parents[2]
BOOT_TIMEOUT = 240

FIRST_INIT = """#!/bin/sh
bb=/bin/busybox
$bb mkdir -p /proc /sys /dev
$bb mount -t proc proc /proc
$bb mount -t sysfs sys /sys
$bb mount -t devtmpfs dev /dev
t=$($bb sed -n 's/.*kx\\.target=\\([a-z0-9]*\\).*/\\1/p' /proc/cmdline)
echo "KX1 up target=$t"
if [ -e /kexec-tools.sh ]; then
    echo "KX1 kexec-tools load"
    /bin/sh /kexec-tools.sh
    echo "KX1 kexec-tools failed rc=$?"
    $bb poweroff -f
fi
/baton-kexec list --esp /esp
echo "KX1 list-rc=$?"
/baton-kexec nosuch --esp /esp
echo "KX1 unknown-rc=$?"
/baton-kexec menu-entry --esp /esp
echo "KX1 menu-rc=$?"
/baton-kexec $t --esp /esp --append kx.appended=yes --dry-run
echo "KX1 dry-rc=$?"
echo "KX1 exec"
/baton-kexec $t --esp /esp --append kx.appended=yes --exec --force
echo "KX1 exec-failed rc=$?"
$bb poweroff -f
"""

SECOND_INIT = """#!/bin/sh
bb=/bin/busybox
$bb mkdir -p /proc /sys
$bb mount -t proc proc /proc
$bb mount -t sysfs sys /sys
$bb insmod /efivarfs.ko
$bb mount -t efivarfs efivarfs /sys/firmware/efi/efivars
n=$($bb ls /sys/firmware/efi/efivars | $bb grep -c '^LoaderInfo-4a67b082')
echo "KX2 efivars LoaderInfo=$n"
echo "KX2 fb0=$($bb cat /sys/class/graphics/fb0/name)"
echo "KX2 from second.cpio cmdline=$($bb cat /proc/cmdline)"
$bb poweroff -f
"""


@pytest.fixture(scope="session")
def baton_kexec():
    proc = subprocess.run(["make", "build/baton-kexec"], cwd=REPO,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True)
    assert proc.returncode == 0, proc.stdout[-4000:]
    return REPO / "build" / "baton-kexec"


def busybox_entries(init):
    return [
        ("bin", "dir", b"", 0o755),
        ("bin/busybox", "file", Path(payload("busybox")).read_bytes(), 0o755),
        ("bin/sh", "symlink", b"busybox", 0o777),
        ("init", "file", init.encode(), 0o755),
    ]


# Debian's kexec-tools doing the same jumps, for the comparison: the same
# files and arguments as the baton.conf entries in first_initrd.
KEXEC_TOOLS = {
    "probe": 'kexec -c -l /esp/probe.bzImage --initrd=/esp/probe.initrd '
             '--append="console=ttyS0 probe.initrd_sha256=%(digest)s"',
    "mb1": 'kexec -c -l /esp/mb1-elf.elf '
           '--command-line="%(mods)s probe.loader=kexec" '
           '--module="/esp/mod1.bin first=1" '
           '--module="/esp/mod2.txt second=2"',
}


def first_initrd(path, tools, kernel, probe, kexec_tools=None):
    mb = Path(probe).parent
    """The initramfs of the first boot: busybox, baton-kexec and an ESP
    folder with the entries to go to.  Returns the probe initrd's digest."""
    second = path.parent / "second.cpio"
    write_cpio(second, busybox_entries(SECOND_INIT) + [
        ("efivarfs.ko", "file", Path(payload("efivarfs")).read_bytes(),
         0o644)])
    probe_initrd = os.urandom(300001)
    digest = hashlib.sha256(probe_initrd).hexdigest()
    mod1 = os.urandom(70001)
    mod2 = b"second module\n" * 100
    mods = "probe.modules=2 probe.mod1_sha256=%s probe.mod2_sha256=%s" % (
        hashlib.sha256(mod1).hexdigest(), hashlib.sha256(mod2).hexdigest())
    conf = ("timeout 0\ndefault again\n"
            "entry again\n  title The same kernel again\n"
            "  linux /vmlinuz console=ttyS0 quiet panic=-1 kx.second=1\n"
            "  initrd /second.cpio\n"
            "entry probe\n  title Probe\n"
            "  linux /probe.bzImage console=ttyS0 probe.initrd_sha256=%s\n"
            "  initrd /probe.initrd\n"
            "entry mb1\n  multiboot /mb1-elf.elf %s\n"
            "  module /mod1.bin first=1\n  module /mod2.txt second=2\n"
            "entry mb2\n  multiboot2 /mb2-32.elf %s\n"
            "  module /mod1.bin first=1\n  module /mod2.txt second=2\n"
            "entry menu-entry\n  menu /EFI/BOOT/other.conf\n"
            % (digest, mods, mods))
    entries = busybox_entries(FIRST_INIT) + [
        ("baton-kexec", "file", Path(tools).read_bytes(), 0o755),
        ("esp", "dir", b"", 0o755),
        ("esp/EFI", "dir", b"", 0o755),
        ("esp/EFI/BOOT", "dir", b"", 0o755),
        ("esp/EFI/BOOT/baton.conf", "file", conf.encode(), 0o644),
        ("esp/vmlinuz", "file", Path(kernel).read_bytes(), 0o644),
        ("esp/second.cpio", "file", second.read_bytes(), 0o644),
        ("esp/probe.bzImage", "file", Path(probe).read_bytes(), 0o644),
        ("esp/probe.initrd", "file", probe_initrd, 0o644),
        ("esp/mb1-elf.elf", "file", (mb / "mb1-elf.elf").read_bytes(), 0o644),
        ("esp/mb2-32.elf", "file", (mb / "mb2-32.elf").read_bytes(), 0o644),
        ("esp/mod1.bin", "file", mod1, 0o644),
        ("esp/mod2.txt", "file", mod2, 0o644),
    ]
    if kexec_tools:
        target, tree = kexec_tools
        script = ("export PATH=/sbin:/bin\n" +
                  KEXEC_TOOLS[target] % {"digest": digest, "mods": mods} +
                  ' && echo "KX1 kexec-tools exec" && kexec -e\n')
        entries += [("kexec-tools.sh", "file", script.encode(), 0o755)]
        entries += tree_entries(Path(tree))
    write_cpio(path, entries)


def tree_entries(root):
    """A directory tree as write_cpio entries (files, links, folders)."""
    out = []
    for p in sorted(root.rglob("*")):
        rel = str(p.relative_to(root))
        if rel.startswith("."):
            continue
        if p.is_symlink():
            out.append((rel, "symlink", os.readlink(p).encode(), 0o777))
        elif p.is_dir():
            out.append((rel, "dir", b"", 0o755))
        else:
            out.append((rel, "file", p.read_bytes(), 0o755))
    return out


def boot_and_kexec(tmp_path, make_image, boot, kernel, tools, probe, target,
                   kexec_tools=None):
    initrd = tmp_path / "first.cpio"
    first_initrd(initrd, tools, kernel, probe,
                 kexec_tools and (target, kexec_tools))
    conf = ("timeout 0\nentry first\n"
            "  linux /boot/vmlinuz console=ttyS0 quiet panic=-1 "
            "kx.target=%s\n  initrd /boot/first.cpio\n" % target)
    image = make_image(config=conf, tools=False, files={
        "/boot/vmlinuz": Path(kernel), "/boot/first.cpio": initrd})
    m = boot(image, memory=1024, no_reboot=True, devices=[ISA_DEBUG_EXIT])
    m.expect(r"KX1 up target=%s" % target, timeout=BOOT_TIMEOUT)
    if kexec_tools:
        m.expect(r"KX1 kexec-tools exec", timeout=60)
        return m
    m.expect(r"\* again +linux +The same kernel again")
    m.expect(r"  probe +linux +Probe")
    m.expect(r"  menu-entry +menu +menu-entry")
    m.expect(r"KX1 list-rc=0")
    m.expect(r"no entry 'nosuch'")
    m.expect(r"KX1 unknown-rc=1")
    m.expect(r"'menu-entry' is a menu entry: baton-kexec boots linux")
    m.expect(r"KX1 menu-rc=1")
    m.expect(r"segments: (\d+)")
    m.expect(r"page tables: 0x[0-9a-f]+")
    m.expect(r"KX1 dry-rc=0")
    m.expect(r"KX1 exec")
    if target == "mb2":
        m.expect(r"the Multiboot 2 information has no ACPI tags")
    return m


def test_kexec_same_kernel_other_cmdline_and_initrd(tmp_path, make_image, boot,
                                                    kernel, baton_kexec,
                                                    probe_kernel):
    m = boot_and_kexec(tmp_path, make_image, boot, kernel, baton_kexec,
                       probe_kernel, "again")
    # The EFI runtime services still work in the next kernel: efivarfs
    # lists variables through GetNextVariableName, in the virtual map the
    # first kernel set up (SETUP_EFI and the runtime map).
    m.expect(r"KX2 efivars LoaderInfo=1\r?\n", timeout=BOOT_TIMEOUT)
    # The firmware's framebuffer is handed on: efifb finds it again.
    m.expect(r"KX2 fb0=EFI VGA\r?\n", timeout=30)
    got = m.expect(r"KX2 from second.cpio cmdline=([^\r\n]*)\r?\n",
                   timeout=BOOT_TIMEOUT).group(1)
    assert "kx.second=1" in got and "kx.appended=yes" in got, got
    assert "kx.target" not in got, got
    after = m.text[m.text.index("rebooting into it"):]
    # No firmware pass: neither OVMF's boot manager nor baton ran again.
    assert "BdsDxe" not in after and "baton 0.1" not in after, after[-3000:]
    assert m.wait_exit(timeout=60) == 0


def test_kexec_probe_handoff(tmp_path, make_image, boot, kernel, baton_kexec,
                             probe_kernel):
    verdicts = probe_after_kexec(tmp_path, make_image, boot, kernel,
                                 baton_kexec, probe_kernel, "probe", CHECKS)
    failed = {k: v for k, v in verdicts.items() if not v.startswith("PASS")}
    # All of them, efi_info too: the running kernel's system table and
    # runtime map.
    assert not failed, failed


# Multiboot 2 after Linux: no EFI system table (the firmware's boot
# services are gone), and no ACPI tags where /dev/mem does not give the
# RSDP's bytes (Debian's kernel refuses: STRICT_DEVMEM), which baton-kexec
# says.  Every other check passes.
@pytest.mark.parametrize("target,n_checks,expect_fail", [
    ("mb1", 14, set()), ("mb2", 18, {"efi_systab", "acpi"})])
def test_kexec_multiboot_probe(tmp_path, make_image, boot, kernel, baton_kexec,
                               probe_kernel, probes, target, n_checks,
                               expect_fail):
    verdicts = probe_after_kexec(tmp_path, make_image, boot, kernel,
                                 baton_kexec, probe_kernel, target,
                                 [None] * n_checks)
    failed = {k: v for k, v in verdicts.items() if not v.startswith("PASS")}
    assert set(failed) == expect_fail, failed


def probe_after_kexec(tmp_path, make_image, boot, kernel, tools, probe,
                      target, checks, kexec_tools=None):
    """The probe's verdicts {check: "PASS ..."} after baton-kexec (or, given
    its tree, Debian's kexec-tools) went into it from Linux."""
    m = boot_and_kexec(tmp_path, make_image, boot, kernel, tools, probe,
                       target, kexec_tools)
    done = m.expect(r"PROBE DONE (\d+) checks (\d+) failed", timeout=120)
    m.wait_exit(timeout=30)
    after = m.text[m.text.index("KX1 kexec-tools exec" if kexec_tools
                                else "rebooting into it"):]
    assert "BdsDxe" not in after, after[-3000:]
    verdicts = {}
    for line in after.splitlines():
        line = line.strip()
        if line.startswith("PROBE ") and ": " in line:
            name, rest = line[6:].split(": ", 1)
            if rest.startswith(("PASS", "FAIL")):
                verdicts[name] = rest
    assert int(done.group(1)) == len(checks), after[-3000:]
    assert len(verdicts) == len(checks), after[-3000:]
    print("\n".join("%s: %s" % kv for kv in sorted(verdicts.items())))
    return verdicts


# The same jumps with Debian's kexec-tools 2.0.25 (kexec -c -l, kexec -e),
# for the comparison in docs/kexec.md: which probe checks each passes.
# baton-kexec passes all of them (the tests above); these are kexec-tools'
# failures, as measured.  Linux probe: its boot_params has no boot_flag
# 0xAA55 at 0x1FE, so the probe takes it for no boot_params and the checks
# that read boot_params fail with it (Linux itself does not look at
# boot_flag).  Multiboot 1: the memory below mem_lower is not all RAM in
# its memory map.
@pytest.mark.parametrize("target,n_checks,expect_fail", [
    ("probe", len(CHECKS), {"boot_params", "acpi_rsdp", "cmdline", "e820",
                            "efi_info", "identity_map", "initrd"}),
    ("mb1", 14, {"mbi_fields"})])
def test_kexec_tools_comparison(tmp_path, make_image, boot, kernel,
                                baton_kexec, probe_kernel, probes, target,
                                n_checks, expect_fail):
    verdicts = probe_after_kexec(tmp_path, make_image, boot, kernel,
                                 baton_kexec, probe_kernel, target,
                                 [None] * n_checks,
                                 kexec_tools=payload("kexec-tools"))
    failed = {k: v for k, v in verdicts.items() if not v.startswith("PASS")}
    assert set(failed) == expect_fail, failed
