"""Fixtures for the QEMU end-to-end tests.

    hello_efi, baton_efi   build/hello.efi and build/baton.efi, built with make
                           once per session (a failed build fails the tests)
    make_image             builds a per-test ESP image with iso/baton-mkimage
    boot                   starts a Machine on images; stopped after the test

Run with:  /usr/bin/python3 -m pytest -v tests/qemu
Never run two QEMU suites at once on a small machine: TCG is CPU-bound and
the timeouts, though generous, are not infinite.
"""

import re
import struct
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from machine import Drive, Machine  # noqa: E402
from payloads import build_initrds, payload  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
BUILD = REPO / "build"
MKIMAGE = REPO / "iso" / "baton-mkimage"

# Where the tests put the chain-load target and its sibling file.
HELLO_PATH = "/EFI/tools/hello.efi"
HELLO_TXT = "/EFI/tools/hello.txt"
HELLO_TXT_TEXT = "sibling of hello on the boot volume"


def check_pe(path):
    """Fails unless path is an x86-64 EFI application the firmware can load:
    a PE32+ with base relocations (OVMF refuses images whose relocations
    were stripped, which is what happens when the .reloc section is lost)."""
    data = Path(path).read_bytes()
    where = "%s: " % path
    assert data[:2] == b"MZ", where + "not a PE file (no MZ)"
    pe = struct.unpack_from("<I", data, 0x3C)[0]
    assert data[pe:pe + 4] == b"PE\0\0", where + "not a PE file (no PE signature)"
    machine, = struct.unpack_from("<H", data, pe + 4)
    characteristics, = struct.unpack_from("<H", data, pe + 22)
    magic, = struct.unpack_from("<H", data, pe + 24)
    subsystem, = struct.unpack_from("<H", data, pe + 24 + 68)
    assert machine == 0x8664, where + "machine 0x%x, expected 0x8664" % machine
    assert magic == 0x20B, where + "optional header magic 0x%x, expected PE32+" % magic
    assert subsystem == 10, where + "subsystem %d, expected 10 (EFI application)" % subsystem
    assert not characteristics & 0x0001, (
        where + "relocations stripped (no .reloc section): OVMF will not load "
        "it; the link must keep crt0's .reloc section")


def _make(target):
    proc = subprocess.run(["make", target], cwd=REPO, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True)
    if proc.returncode != 0:
        pytest.fail("make %s failed (status %d):\n%s"
                    % (target, proc.returncode, proc.stdout[-6000:]),
                    pytrace=False)
    path = REPO / target
    check_pe(path)
    return path


@pytest.fixture(scope="session")
def hello_efi():
    """build/hello.efi, the test program that reports how it was started."""
    return _make("build/hello.efi")


@pytest.fixture(scope="session")
def baton_efi():
    """build/baton.efi."""
    return _make("build/baton.efi")


class ImageMaker:
    """Builds images for one test in its tmp_path."""

    def __init__(self, tmp_path, hello_efi, request):
        self.dir = tmp_path
        self.hello_efi = hello_efi
        self.request = request
        self.count = 0

    def __call__(self, boot="baton", config=None, files=None, tools=True,
                 kind="img", label=None, serial=None, partguid=None,
                 name=None, extra=()):
        """Builds an image and returns its path.

        boot: "baton" (build/baton.efi), "hello" (build/hello.efi), a path, or
              None for a data volume without /EFI/BOOT/BOOTX64.EFI.
        config: text of /EFI/BOOT/baton.conf, or None for no config.
        files: {image path: content}, content being str, bytes or a Path.
        tools: also install hello.efi at /EFI/tools/hello.efi and hello.txt
               (containing HELLO_TXT_TEXT) next to it.
        kind: "img" (GPT disk) or "iso" (hybrid ISO).
        label, serial, partguid: baton-mkimage -L, -U and -P.
        extra: more baton-mkimage arguments (e.g. ["-x", DIR] for an ext4
               partition; see baton-mkimage -h).
        """
        self.count += 1
        name = name or "image%d" % self.count
        work = self.dir / name
        work.mkdir()
        args = [str(MKIMAGE)]
        if boot == "baton":
            args += ["-e", str(self.request.getfixturevalue("baton_efi"))]
        elif boot == "hello":
            args += ["-e", str(self.hello_efi)]
        elif boot is None:
            args += ["-n"]
        else:
            args += ["-e", str(boot)]
        if config is not None:
            conf = work / "baton.conf"
            conf.write_text(config)
            args += ["-c", str(conf)]
        all_files = {}
        if tools:
            all_files[HELLO_PATH] = Path(self.hello_efi)
            all_files[HELLO_TXT] = HELLO_TXT_TEXT + "\n"
        all_files.update(files or {})
        for n, (dest, content) in enumerate(all_files.items()):
            if isinstance(content, Path):
                src = content
            else:
                src = work / ("file%d" % n)
                if isinstance(content, bytes):
                    src.write_bytes(content)
                else:
                    src.write_text(content)
            args += ["-f", "%s=%s" % (src, dest)]
        if label:
            args += ["-L", label]
        if serial:
            args += ["-U", serial]
        if partguid:
            args += ["-P", partguid]
        args += [str(a) for a in extra]
        out = work / ("%s.%s" % (name, kind))
        args += ["-o", str(out)]
        proc = subprocess.run(args, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True)
        assert proc.returncode == 0, "baton-mkimage failed:\n%s\n%s" % (
            " ".join(args), proc.stdout)
        return out


@pytest.fixture(scope="session")
def kernel():
    """Debian's kernel (tools/payloads.sh's cache)."""
    return payload("linux")


@pytest.fixture(scope="session")
def initrds(tmp_path_factory):
    """build_initrds() of Debian's busybox: (first, second, sums)."""
    return build_initrds(tmp_path_factory.mktemp("initrd"), payload("busybox"))


@pytest.fixture
def make_image(tmp_path, hello_efi, request):
    """make_image(boot=..., config=..., files=..., ...) -> image path."""
    return ImageMaker(tmp_path, hello_efi, request)


@pytest.fixture
def boot(tmp_path):
    """boot(image, *more, as_=None, **options) -> a started Machine.

    The first image is the boot drive (bootindex 0): a CD for .iso, a
    virtio disk otherwise, unless as_ says "disk", "cdrom" or "usb". More
    images are attached as virtio disks with the next boot indexes: OVMF
    connects only the devices in its boot order, and a disk it does not
    connect has no file system for anyone to find. options go to Machine
    (no_reboot, memory, nics, devices, extra_args). Every machine is stopped
    when the test ends.
    """
    machines = []

    def start(image, *more, as_=None, **options):
        kind = as_ or ("cdrom" if str(image).endswith(".iso") else "disk")
        drives = [Drive(image, kind, bootindex=0)]
        drives += [Drive(m, "disk", bootindex=n + 1)
                   for n, m in enumerate(more)]
        work = tmp_path / ("vm%d" % len(machines))
        work.mkdir()
        m = Machine(work, drives, **options)
        machines.append(m)
        return m.start()

    yield start
    for m in machines:
        m.kill()


# --- what baton and hello.efi print ------------------------------------------

# baton's heading: the first line of its menu ("baton <version>").
HEADING = r"(?m)^[ >]*baton\b"


def hello_re(options, path=r"\EFI\tools\hello.efi", sibling=HELLO_TXT_TEXT):
    """A regex for hello.efi's report line with exactly these values."""
    return r"HELLO-EFI options='%s' path='%s' sibling='%s'" % (
        re.escape(options), re.escape(path), re.escape(sibling))


def item_re(n, title):
    """A regex for menu item n (counted from 1) showing title."""
    return r"%d\. %s" % (n, re.escape(title))


def menu_re(*titles):
    """Regexes for a menu showing these titles as items 1, 2, ..."""
    return [item_re(n, t) for n, t in enumerate(titles, 1)]


def conf(text):
    """A config file's text from an indented triple-quoted string."""
    return textwrap.dedent(text).lstrip("\n")
