#!/usr/bin/python3
"""Boot-time benchmark: baton (linux, linux-efi) against GRUB and systemd-boot,
and baton reading the same files from ext4, ISO 9660 and an ISO file.

Every loader boots the same Debian kernel with the same command line and the
same two initrds, from the same kind of disk (a GPT disk with a FAT32 ESP on
virtio-blk), in the same QEMU + OVMF machine.  What is timed is the wall time
from OVMF's "BdsDxe: starting" line (the loader has been loaded and is about
to be started) to the initramfs's first line ("BENCH-INIT-FIRST-LINE", the
first thing /init does).  Both are stamped with time.monotonic() when the
chunk of serial output that completes them is read from QEMU's pipe.

Runs are interleaved (for each run, for each loader, for each initrd size) so
that a slow spell on the host hits every loader alike.  See bench/README.md.

Environment:
  BENCH_RUNS     runs per (loader, initrd size), default 5
  BENCH_LOADERS  comma-separated subset of the loader keys below (default all)
  BENCH_DIR      work folder for images, logs and results.json
                 (default build/bench)
  BATON_EFI_BASE a second baton binary, benchmarked in the same run as
                 "base linux" and "base linux-efi" (to compare two builds)
  BATON_EFI      the baton binary (default build/baton.efi; `make bench`
                 builds it first)
  BENCH_PREALLOC 1: run QEMU with -mem-prealloc, taking the host's first
                 touch of each guest page out of the figures

Needs: qemu-system-x86_64, ovmf, dosfstools, mtools, gdisk, grub-common
(grub-mkstandalone), e2fsprogs (mkfs.ext4, debugfs), xorriso; the Debian
payloads come from tools/payloads.sh.
"""

import codecs
import json
import os
import random
import re
import select
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "qemu"))

from machine import OVMF_CODE, OVMF_VARS, QEMU, Drive, strip_terminal  # noqa: E402
from payloads import gpt_partition, payload  # noqa: E402
from mkinitramfs import write_cpio  # noqa: E402  (payloads put tools/ on the path)

MKIMAGE = REPO / "iso" / "baton-mkimage"
CMDLINE = "console=ttyS0 quiet panic=-1"
MEMORY_MIB = 1024
# A FAT file system above 256 MiB is FAT32 (baton-mkimage picks the type by
# size); every image gets the same size so every loader reads the same FAT.
ESP_MIB = 300
PAD_BIG = 64 * 1024 * 1024
PAD_SMALL = 4096

START_MARK = "BdsDxe: starting"
LOADING_MARK = "BdsDxe: loading"
FIRST_LINE = "BENCH-INIT-FIRST-LINE"
# After the measured line (so it costs the measurement nothing), /init says
# how big the padding file it received is: a loader that dropped the second
# initrd would otherwise look fast.
PAD_LINE = re.compile(r"BENCH-PAD (\d+)\n")
# The kernel's last words carry its own clock, which starts near zero once the
# kernel is running (after the loader and the kernel's decompressor): the
# arrival time of this line minus its stamp estimates when that clock was 0.
POWER_DOWN = re.compile(r"\[\s*(\d+\.\d+)\] reboot: Power down")

# BENCH_PREALLOC=1: QEMU backs all guest RAM before the guest starts
# (-mem-prealloc), so nobody pays for the host's first touch of a page.
EXTRA_QEMU_ARGS = (["-mem-prealloc"]
                   if os.environ.get("BENCH_PREALLOC", "") not in ("", "0")
                   else [])

BOOT_TIMEOUT = 600      # seconds for one boot under TCG on a busy machine
EXIT_TIMEOUT = 120      # after the first line, until `poweroff -f` ends QEMU

# The initramfs: the marker is the very first thing /init does.
INIT = """#!/bin/sh
echo BENCH-INIT-FIRST-LINE
echo "BENCH-PAD $(/bin/busybox stat -c %s /pad/pad.bin)"
/bin/busybox poweroff -f
"""

# (key, label) in table order; baton linux is the reference for the ratios.
# It reads each file from FAT with one firmware Read straight into place:
# the floor the disk sources below are compared with.
LOADERS = [
    ("baton-linux", "baton linux"),
    ("baton-linux-efi", "baton linux-efi"),
    ("grub", "GRUB"),
    ("systemd-boot", "systemd-boot"),
    # The same files elsewhere (issue 9), all booted by baton `linux`:
    ("baton-ext4", "baton ext4"),           # an ext4 partition (mkfs -d)
    ("baton-ext4-frag", "baton ext4 frag"),  # the big initrd in 1 MiB pieces
    ("baton-iso9660", "baton ISO 9660"),    # the tree of a hybrid ISO
    ("baton-isofile", "baton ISO file"),    # an ISO file on the FAT ESP
    ("grub-ext4", "GRUB ext4"),             # GRUB on the same ext4
]
REFERENCE = "baton-linux"
# BATON_EFI_BASE: a second baton binary (say, the last release, or main
# before a change) benchmarked in the same run, interleaved with the first.
BASE_EFI = os.environ.get("BATON_EFI_BASE")
if BASE_EFI:
    LOADERS += [("base-linux", "base linux"),
                ("base-linux-efi", "base linux-efi")]
# (key, label, padding bytes in initrd-b)
SIZES = [("2mb", "2 MB", PAD_SMALL), ("66mb", "66 MB", PAD_BIG)]

GRUB_CFG = """set timeout=0
search --no-floppy --file --set=root /vmlinuz
linux /vmlinuz {cmdline}
initrd /initrd-a.cpio /initrd-b.cpio
boot
"""
# Modules in GRUB's memdisk (grub-mkstandalone puts every module there by
# default; the bench keeps only what grub.cfg needs, as a distribution's
# signed image would) and the ones linked into the core image.
GRUB_INSTALL_MODULES = "normal linux search search_fs_file part_gpt fat echo test"
GRUB_CORE_MODULES = "part_gpt fat"

SDBOOT_LOADER_CONF = """timeout 0
default bench.conf
editor no
"""
SDBOOT_ENTRY = """title bench
linux /vmlinuz
initrd /initrd-a.cpio
initrd /initrd-b.cpio
options {cmdline}
"""

BATON_CONF = """timeout 0
default bench
entry bench
  title bench
  {key} {at}/vmlinuz {cmdline}
  initrd {at}/initrd-a.cpio
  initrd {at}/initrd-b.cpio
"""
# Where the disk sources keep the files, as baton paths name them.
EXT4_LABEL = "BENCHEXT"
SOURCE_AT = {"baton-ext4": "label=%s:" % EXT4_LABEL,
             "baton-ext4-frag": "label=%s:" % EXT4_LABEL,
             "baton-iso9660": "", "baton-isofile": "iso(/isos/bench.iso):"}
GRUB_EXT4_CFG = """set timeout=0
search --no-floppy --label --set=root %s
linux /vmlinuz {cmdline}
initrd /initrd-a.cpio /initrd-b.cpio
boot
""" % EXT4_LABEL
GRUB_EXT4_MODULES = "normal linux search search_label part_gpt fat ext2 echo test"
# The fragmented image: fillers of FRAG_PIECE bytes, every other one deleted
# before the big initrd is written into the holes (see build_fragmented).
FRAG_PIECE = 1024 * 1024
FRAG_FILLERS = 80


def die(msg):
    sys.exit("bench: " + msg)


def run(cmd, **kw):
    """Runs a command; stops the bench with its output if it fails."""
    proc = subprocess.run([str(c) for c in cmd], stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, **kw)
    if proc.returncode != 0:
        die("command failed (status %d): %s\n%s"
            % (proc.returncode, " ".join(str(c) for c in cmd), proc.stdout))
    return proc.stdout


# --- inputs --------------------------------------------------------------------

def build_initrds(work, busybox):
    """initrd-a.cpio (busybox and /init, about 2 MB) and two versions of
    initrd-b.cpio, each holding /pad/pad.bin: 4 KiB, or 64 MiB of
    incompressible (pseudo-random, seeded) bytes.  Returns
    {size key: (initrd-a path, initrd-b path)}."""
    a = work / "initrd-a.cpio"
    write_cpio(a, [
        ("bin", "dir", b"", 0o755),
        ("bin/busybox", "file", Path(busybox).read_bytes(), 0o755),
        ("bin/sh", "symlink", b"busybox", 0o777),
        ("init", "file", INIT.encode(), 0o755),
    ])
    rng = random.Random(20240601)
    out = {}
    for key, _, pad in SIZES:
        b = work / ("initrd-b-%s.cpio" % key)
        write_cpio(b, [
            ("pad", "dir", b"", 0o755),
            ("pad/pad.bin", "file", rng.randbytes(pad), 0o644),
        ])
        out[key] = (a, b)
    return out


def build_grub(work, cfg_path, name="grubx64.efi",
               modules=GRUB_INSTALL_MODULES, core=GRUB_CORE_MODULES):
    """A standalone GRUB EFI image (grub-mkstandalone, Debian's modules) with
    the bench's grub.cfg embedded and the modules core in its core image."""
    mkstandalone = shutil.which("grub-mkstandalone")
    if mkstandalone is None:
        die("grub-mkstandalone not found: apt-get install -y "
            "--no-install-recommends grub-common")
    moddir = payload("grub-efi")
    out = work / name
    run([mkstandalone, "-O", "x86_64-efi", "-d", moddir,
         "--install-modules=" + modules,
         "--modules=" + core,
         "--locales=", "--fonts=", "--themes=",
         "-o", out, "boot/grub/grub.cfg=%s" % cfg_path])
    return out


def file_tree(work, kernel, a, b, size, with_b=True):
    """A folder with /vmlinuz, /initrd-a.cpio and (with_b) /initrd-b.cpio,
    symbolic links to the inputs (baton-mkimage follows them)."""
    tree = work / ("tree-%s%s" % (size, "" if with_b else "-nob"))
    if tree.exists():
        shutil.rmtree(tree)
    tree.mkdir()
    for src, name in [(kernel, "vmlinuz"), (a, "initrd-a.cpio")] + (
            [(b, "initrd-b.cpio")] if with_b else []):
        (tree / name).symlink_to(Path(src).resolve())
    return tree


def build_fragmented(work, img, efi, conf, kernel, a, b, size):
    """A disk whose ext4 partition has initrd-b.cpio scattered: made with
    FRAG_FILLERS files of 1 MiB, every other one deleted with debugfs, then
    initrd-b written by debugfs, whose allocator fills the holes first.
    Checks that the file really has many extents."""
    tree = file_tree(work, kernel, a, b, size, with_b=False)
    (tree / "fill").mkdir()
    filler = b"\xa5" * FRAG_PIECE
    for i in range(FRAG_FILLERS):
        (tree / "fill" / ("f%03d" % i)).write_bytes(filler)
    mib = (2 * FRAG_FILLERS * FRAG_PIECE + 2 * os.path.getsize(b)) // 2**20 + 64
    run([MKIMAGE, "-e", efi, "-c", conf, "-s", ESP_MIB, "-L", "BENCH",
         "-x", tree, "-X", EXT4_LABEL, "-z", mib, "-o", img])
    cmds = work / "frag.debugfs"
    cmds.write_text("".join("rm /fill/f%03d\n" % i
                            for i in range(0, FRAG_FILLERS, 2)) +
                    "write %s /initrd-b.cpio\n" % b)
    dev = "%s?offset=%d" % (img, gpt_partition(img, 2)[0])
    run(["debugfs", "-w", "-f", cmds, dev])
    extents = run(["debugfs", "-R", "ex /initrd-b.cpio", dev])
    n = sum(1 for line in extents.splitlines()
            if re.match(r"\s*\d+/\s*\d+\s+\d+/", line))
    want = 1 if size == "2mb" else 16
    if n < want:
        die("%s: initrd-b.cpio has %d extents, expected at least %d "
            "(the fragmenting did not work):\n%s" % (img, n, want, extents))
    return n


def build_images(work, baton_efi):
    """One GPT + FAT32 disk image per (loader, initrd size).  Every image holds
    /vmlinuz, /initrd-a.cpio and /initrd-b.cpio; the loader is
    /EFI/BOOT/BOOTX64.EFI, with its own config.  Returns
    {(loader, size): image path} and the expected padding sizes."""
    kernel = payload("linux")
    initrds = build_initrds(work, payload("busybox"))
    cfg = work / "cfg"
    cfg.mkdir(exist_ok=True)

    boot = {}      # loader -> (BOOTX64.EFI source, extra baton-mkimage args)
    for key in ("linux", "linux-efi"):
        conf = cfg / ("baton-%s.conf" % key)
        conf.write_text(BATON_CONF.format(key=key, at="", cmdline=CMDLINE))
        boot["baton-" + key] = (baton_efi, ["-c", conf])
        if BASE_EFI:
            boot["base-" + key] = (Path(BASE_EFI), ["-c", conf])
    grub_cfg = cfg / "grub.cfg"
    grub_cfg.write_text(GRUB_CFG.format(cmdline=CMDLINE))
    boot["grub"] = (build_grub(work, grub_cfg), [])
    loader_conf = cfg / "loader.conf"
    loader_conf.write_text(SDBOOT_LOADER_CONF)
    entry = cfg / "bench.conf"
    entry.write_text(SDBOOT_ENTRY.format(cmdline=CMDLINE))
    boot["systemd-boot"] = (payload("systemd-boot"), [
        "-f", "%s=/loader/loader.conf" % loader_conf,
        "-f", "%s=/loader/entries/bench.conf" % entry])

    for key, at in SOURCE_AT.items():
        conf = cfg / ("%s.conf" % key)
        conf.write_text(BATON_CONF.format(key="linux", at=at, cmdline=CMDLINE))
        boot[key] = (baton_efi, conf)
    grub_ext4_cfg = cfg / "grub-ext4.cfg"
    grub_ext4_cfg.write_text(GRUB_EXT4_CFG.format(cmdline=CMDLINE))

    images = {}
    selected = [k for k, _ in selected_loaders()]
    if "grub-ext4" in selected:
        boot["grub-ext4"] = (build_grub(work, grub_ext4_cfg, "grub-ext4.efi",
                                        GRUB_EXT4_MODULES), None)
    for loader in selected:
        efi, extra = boot[loader]
        for size, _, _ in SIZES:
            a, b = initrds[size]
            img = work / ("%s-%s.img" % (loader, size))
            if loader in ("baton-ext4", "grub-ext4"):
                tree = file_tree(work, kernel, a, b, size)
                conf = ["-c", extra] if extra else []
                run([MKIMAGE, "-e", efi, *conf, "-s", ESP_MIB, "-L", "BENCH",
                     "-x", tree, "-X", EXT4_LABEL, "-o", img])
            elif loader == "baton-ext4-frag":
                build_fragmented(work, img, efi, extra, kernel, a, b, size)
            elif loader == "baton-iso9660":
                # baton in the El Torito image; its config and the files in
                # the ISO 9660 tree; booted as a disk (a hybrid image).
                img = img.with_suffix(".iso")
                tree = file_tree(work, kernel, a, b, size)
                run([MKIMAGE, "-e", efi, "-T", tree,
                     "-t", "%s=/boot/baton.conf" % extra, "-o", img])
            elif loader == "baton-isofile":
                tree = file_tree(work, kernel, a, b, size)
                iso = work / "bench.iso"
                run(["xorriso", "-as", "mkisofs", "-f", "-R", "-J",
                     "-iso-level", "3", "-V", "BENCHISO", "-o", iso, tree])
                run([MKIMAGE, "-e", efi, "-c", extra, "-s", ESP_MIB,
                     "-L", "BENCH", "-S", iso, "-o", img])
                iso.unlink()
            else:
                run([MKIMAGE, "-e", efi, *extra, "-s", ESP_MIB, "-L", "BENCH",
                     "-f", "%s=/vmlinuz" % kernel,
                     "-f", "%s=/initrd-a.cpio" % a,
                     "-f", "%s=/initrd-b.cpio" % b,
                     "-o", img])
            if loader != "baton-iso9660":
                check_fat32(img)
            images[(loader, size)] = img
    return images


def check_fat32(img):
    """Stops unless the ESP (at 1 MiB in the image) is FAT32: the boot
    sector's file system type string at 0x52 says so."""
    with open(img, "rb") as f:
        f.seek(1024 * 1024 + 0x52)
        kind = f.read(8)
    if kind != b"FAT32   ":
        die("%s: the ESP is not FAT32 (type %r)" % (img, kind))


def selected_loaders():
    want = os.environ.get("BENCH_LOADERS", "")
    if not want:
        return LOADERS
    keys = [k.strip() for k in want.split(",") if k.strip()]
    known = dict(LOADERS)
    for k in keys:
        if k not in known:
            die("BENCH_LOADERS: unknown loader %r (known: %s)"
                % (k, ", ".join(known)))
    return [(k, label) for k, label in LOADERS if k in keys]


# --- one boot --------------------------------------------------------------------

class Boot:
    """The outcome of one boot: timestamps (monotonic seconds) of QEMU's
    start and of each marker, the padding size /init saw, QEMU's status."""

    def __init__(self):
        self.t_qemu = None
        self.t_loading = None
        self.t_start = None
        self.t_first = None
        self.pad = None
        self.t_power_down = None
        self.kernel_clock = None
        self.cpu_start = None    # QEMU's CPU seconds at the two markers
        self.cpu_first = None
        self.status = None
        self.error = None

    @property
    def seconds(self):
        if self.error or self.t_start is None or self.t_first is None:
            return None
        return self.t_first - self.t_start

    @property
    def cpu_seconds(self):
        """CPU time QEMU (all its threads) used between the same two lines."""
        if self.seconds is None or None in (self.cpu_start, self.cpu_first):
            return None
        return self.cpu_first - self.cpu_start

    @property
    def to_kernel_clock(self):
        """Estimated seconds from 'BdsDxe: starting' to the kernel's clock
        zero: the loader, the kernel's decompressor and its earliest setup."""
        if self.seconds is None or self.t_power_down is None:
            return None
        return self.t_power_down - self.kernel_clock - self.t_start


def qemu_cpu_seconds(pid):
    """User + system CPU seconds used so far by process pid (all threads),
    from /proc/PID/stat (fields 14 and 15, in clock ticks); None if gone."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            stat = f.read()
    except OSError:
        return None
    # The command name (field 2) is in parentheses and may contain spaces.
    fields = stat[stat.rindex(")") + 2:].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def boot_once(devices, workdir, log_path, expect_pad, wrap=(),
              start_mark=START_MARK, first_mark=FIRST_LINE):
    """Boots a machine with devices (QEMU arguments: its disk, or its
    network card) once and times it from start_mark to first_mark; with
    expect_pad, checks the padding size /init saw.  wrap: a command QEMU
    runs under (ip netns exec NS).  QEMU's serial port is a pipe that this
    function reads itself (no thread), so each chunk is stamped the moment
    it is read; a marker's time is that of the chunk that completes it."""
    shutil.copyfile(OVMF_VARS, workdir / "OVMF_VARS.fd")
    cmd = list(wrap) + [QEMU, "-accel", "tcg", "-machine", "q35", "-m", str(MEMORY_MIB),
           "-drive", "if=pflash,format=raw,unit=0,readonly=on,file=%s" % OVMF_CODE,
           "-drive", "if=pflash,format=raw,unit=1,file=%s"
           % (workdir / "OVMF_VARS.fd"),
           "-display", "none",
           "-serial", "stdio", "-monitor", "none", "-no-reboot"]
    cmd += devices + EXTRA_QEMU_ARGS

    result = Boot()
    raw = bytearray()
    decoder = codecs.getincrementaldecoder("utf-8")("replace")
    decoded = ""
    with open(workdir / "qemu-stderr.log", "wb") as err:
        result.t_qemu = time.monotonic()
        proc = subprocess.Popen(cmd, stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=err)
    fd = proc.stdout.fileno()
    deadline = result.t_qemu + BOOT_TIMEOUT
    try:
        while True:
            now = time.monotonic()
            if result.t_first is not None:
                deadline = min(deadline, result.t_first + EXIT_TIMEOUT)
            if now >= deadline:
                result.error = ("timed out after %.0f s" % (now - result.t_qemu))
                break
            ready, _, _ = select.select([fd], [], [], deadline - now)
            if not ready:
                continue
            data = os.read(fd, 65536)
            t = time.monotonic()
            if not data:
                break
            raw += data
            decoded += decoder.decode(data)
            # The whole text is stripped again each time, so an escape
            # sequence cut between two chunks is never half-removed; with
            # "quiet" the output is a few kilobytes.
            text = strip_terminal(decoded)
            if result.t_loading is None and LOADING_MARK in text:
                result.t_loading = t
            if result.t_start is None and start_mark in text:
                result.t_start = t
                result.cpu_start = qemu_cpu_seconds(proc.pid)
            if result.t_first is None and first_mark in text:
                result.t_first = t
                result.cpu_first = qemu_cpu_seconds(proc.pid)
            m = PAD_LINE.search(text)
            if m and result.pad is None:
                result.pad = int(m.group(1))
            m = POWER_DOWN.search(text)
            if m and result.t_power_down is None:
                result.t_power_down = t
                result.kernel_clock = float(m.group(1))
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
        result.status = proc.wait()
        proc.stdin.close()
        proc.stdout.close()
        log_path.write_bytes(bytes(raw))

    if result.error is None:
        if result.t_start is None:
            result.error = "no %r line" % start_mark
        elif result.t_first is None:
            result.error = "no %r line" % first_mark
        elif expect_pad is not None and result.pad != expect_pad:
            result.error = ("/init saw a %s-byte padding file, expected %d "
                            "(an initrd was lost)" % (result.pad, expect_pad))
        elif result.status != 0:
            result.error = "QEMU exited with status %d" % result.status
    return result


# --- report ------------------------------------------------------------------------

def fmt_s(x):
    return "-" if x is None else "%.2f" % x


def table(rows, header):
    widths = [max(len(str(r[i])) for r in [header] + rows)
              for i in range(len(header))]
    line = lambda r: "  ".join(  # noqa: E731
        str(c).ljust(w) if i == 0 or i == 1 else str(c).rjust(w)
        for i, (c, w) in enumerate(zip(r, widths))).rstrip()
    out = [line(header), "  ".join("-" * w for w in widths)]
    out += [line(r) for r in rows]
    return "\n".join(out)


def stats_table(results, loaders, runs, metric):
    """Rows per (loader, size): ok/runs, median, min, max of metric(boot)
    over the boots where it is known, and the ratio of the median to baton
    linux's at the same size.  Returns (rows, {(loader, size): median})."""
    med = {}
    spread = {}
    for loader, _ in loaders:
        for size, _, _ in SIZES:
            values = [metric(b) for b in results[(loader, size)]]
            values = [v for v in values if v is not None]
            med[(loader, size)] = statistics.median(values) if values else None
            spread[(loader, size)] = (len(values), min(values, default=None),
                                      max(values, default=None))
    rows = []
    for loader, label in loaders:
        for size, size_label, _ in SIZES:
            ok, lo, hi = spread[(loader, size)]
            ref, mine = med.get((REFERENCE, size)), med[(loader, size)]
            ratio = "-" if not ref or mine is None else "%.2f" % (mine / ref)
            rows.append([label, size_label, "%d/%d" % (ok, runs), fmt_s(mine),
                         fmt_s(lo), fmt_s(hi), ratio])
    return rows, med


def report(results, loaders, runs):
    """The results as text: wall time and QEMU CPU time per (loader, size)
    with the ratio to baton linux; the cost of the extra 64 MiB; where the
    time goes; how long OVMF took to load each loader."""
    header = ["loader", "initrd", "ok", "median", "min", "max", "ratio"]
    wall_rows, wall = stats_table(results, loaders, runs, lambda b: b.seconds)
    cpu_rows, cpu = stats_table(results, loaders, runs,
                                lambda b: b.cpu_seconds)
    out = ["Wall seconds from OVMF's '%s' to the initramfs's first line"
           % START_MARK,
           "(median, min, max over the runs; ratio = median / baton linux's "
           "median at the same initrd size)", "",
           table(wall_rows, header), "",
           "QEMU CPU seconds (all its threads) between the same two lines: "
           "less",
           "sensitive to other work on the host than wall time", "",
           table(cpu_rows, header)]

    def extra(med, loader):
        small, big = med[(loader, "2mb")], med[(loader, "66mb")]
        return None if small is None or big is None else big - small

    def best(loader, size):
        times = [b.seconds for b in results[(loader, size)]
                 if b.seconds is not None]
        return min(times) if times else None

    def paired(loader):
        """Median over runs of (66 MB - 2 MB) within the same run: the two
        boots are back to back, so a slow spell often covers both."""
        diffs = [big.seconds - small.seconds
                 for small, big in zip(results[(loader, "2mb")],
                                       results[(loader, "66mb")])
                 if small.seconds is not None and big.seconds is not None]
        return statistics.median(diffs) if diffs else None

    rows = []
    for loader, label in loaders:
        w, c, p = extra(wall, loader), extra(cpu, loader), paired(loader)
        small, big = best(loader, "2mb"), best(loader, "66mb")
        b = None if small is None or big is None else big - small
        rows.append([label, "-" if w is None else "%+.2f" % w,
                     "%.0f" % (PAD_BIG / 2**20 / w) if w and w > 0 else "-",
                     "-" if c is None else "%+.2f" % c,
                     "-" if p is None else "%+.2f" % p,
                     "-" if b is None else "%+.2f" % b])
    out += ["", "Extra cost of the 64 MiB: median at 66 MB - median at 2 MB "
            "(wall, CPU);",
            "paired: median over runs of the difference within one run; "
            "best: fastest",
            "boot at 66 MB - fastest at 2 MB (the last two are less "
            "disturbed by the host)", "",
            table(rows, ["loader", "wall s", "wall MiB/s", "CPU s",
                         "paired s", "best s"])]

    rows = []
    for loader, label in loaders:
        for size, size_label, _ in SIZES:
            boots = [b for b in results[(loader, size)]
                     if b.to_kernel_clock is not None]
            pre = [b.to_kernel_clock for b in boots]
            post = [b.seconds - b.to_kernel_clock for b in boots]
            rows.append([label, size_label,
                         fmt_s(statistics.median(pre) if pre else None),
                         fmt_s(statistics.median(post) if post else None)])
    out += ["", "Where the time goes (medians, seconds; the split is an "
            "estimate from the",
            "kernel's printk clock, see bench/README.md)", "",
            table(rows, ["loader", "initrd", "to kernel clock 0",
                         "kernel clock 0 to first line"])]

    rows = []
    for loader, label in loaders:
        spans = [b.t_start - b.t_loading for size, _, _ in SIZES
                 for b in results[(loader, size)]
                 if b.t_loading is not None and b.t_start is not None]
        rows.append([label, "-" if not spans
                     else "%.1f" % (1000 * statistics.median(spans))])
    out += ["", "Not in the figures above: OVMF loading the loader's own image",
            "('%s' to '%s', median over all boots)" % (LOADING_MARK, START_MARK),
            "", table(rows, ["loader", "median ms"])]
    return "\n".join(out)


def main():
    try:
        runs = int(os.environ.get("BENCH_RUNS", "5"))
    except ValueError:
        die("BENCH_RUNS must be a number")
    if runs < 1:
        die("BENCH_RUNS must be at least 1")
    baton_efi = Path(os.environ.get("BATON_EFI", REPO / "build" / "baton.efi"))
    if not baton_efi.is_file():
        die("%s not found: run `make build/baton.efi` (or `make bench`)"
            % baton_efi)
    for path in (OVMF_CODE, OVMF_VARS):
        if not os.path.exists(path):
            die("%s is missing (install the ovmf package)" % path)
    if shutil.which(QEMU) is None:
        die("%s not found (install qemu-system-x86)" % QEMU)

    work = Path(os.environ.get("BENCH_DIR", REPO / "build" / "bench")).resolve()
    work.mkdir(parents=True, exist_ok=True)
    logs = work / "logs"
    logs.mkdir(exist_ok=True)
    loaders = selected_loaders()

    print("bench: building images in %s" % work, flush=True)
    images = build_images(work, baton_efi)
    pads = {size: pad for size, _, pad in SIZES}

    results = {(l, s): [] for l, _ in loaders for s, _, _ in SIZES}
    total = runs * len(loaders) * len(SIZES)
    n = 0
    with tempfile.TemporaryDirectory(prefix="vm-", dir=work) as vmdir:
        vmdir = Path(vmdir)
        for r in range(1, runs + 1):
            for loader, label in loaders:
                for size, size_label, _ in SIZES:
                    n += 1
                    log = logs / ("%s-%s-run%d.log" % (loader, size, r))
                    disk = Drive(images[(loader, size)], "disk",
                                 bootindex=0, readonly=True)
                    b = boot_once(["-nic", "none"] + disk.qemu_args(0),
                                  vmdir, log, pads[size])
                    results[(loader, size)].append(b)
                    what = ("%.2f s" % b.seconds if b.seconds is not None
                            else "FAILED: %s (log: %s)" % (b.error, log))
                    print("bench: [%d/%d] run %d %-16s %-6s %s"
                          % (n, total, r, label, size_label, what), flush=True)

    raw = {"%s/%s" % k: [{"seconds": b.seconds, "error": b.error,
                          "qemu_to_start": (None if b.t_start is None
                                            else b.t_start - b.t_qemu),
                          "loading_to_start": (None if None in (b.t_loading, b.t_start)
                                               else b.t_start - b.t_loading),
                          "start_to_kernel_clock_0": b.to_kernel_clock,
                          "qemu_cpu_seconds": b.cpu_seconds,
                          "pad_bytes": b.pad, "qemu_status": b.status}
                         for b in v] for k, v in results.items()}
    (work / "results.json").write_text(json.dumps(
        {"runs": runs, "cmdline": CMDLINE, "qemu_extra_args": EXTRA_QEMU_ARGS,
         "results": raw}, indent=1) + "\n")

    print()
    if EXTRA_QEMU_ARGS:
        print("QEMU ran with %s (BENCH_PREALLOC)" % " ".join(EXTRA_QEMU_ARGS))
    print(report(results, loaders, runs))
    print()
    print("Serial logs: %s; raw numbers: %s" % (logs, work / "results.json"))
    failed = sum(1 for v in results.values() for b in v if b.seconds is None)
    if failed:
        print("bench: %d boot(s) failed; see the logs above" % failed)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
