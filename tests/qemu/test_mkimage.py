"""iso/baton-mkimage on the host: what it writes, checked with the same
tools a user would use (sgdisk, mtools, xorriso). No QEMU here; the boot
tests in test_harness.py show that the firmware agrees."""

import os
import re
import subprocess

import pytest

from conftest import MKIMAGE

ENV = dict(os.environ, MTOOLS_SKIP_CHECK="1")


def run(*args, ok=True, env=None):
    proc = subprocess.run([str(a) for a in args], stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, env=env or ENV)
    if ok:
        assert proc.returncode == 0, "%s failed:\n%s" % (args, proc.stdout)
    return proc


def mkimage(*args, ok=True, env=None):
    return run(MKIMAGE, *args, ok=ok, env=env)


def mtype(image, path):
    return run("mtype", "-i", image, "::" + path).stdout


@pytest.fixture
def inputs(tmp_path):
    """A fake boot program, a config and a small tree."""
    efi = tmp_path / "boot.efi"
    efi.write_bytes(b"MZ fake boot program")
    conf = tmp_path / "baton.conf"
    conf.write_text("timeout 3\n")
    tree = tmp_path / "tree"
    (tree / "sub" / "deeper").mkdir(parents=True)
    (tree / "top.txt").write_text("top\n")
    (tree / "sub" / "deeper" / "Long File Name.txt").write_text("deep\n")
    return efi, conf, tree


def test_disk_image(tmp_path, inputs):
    efi, conf, tree = inputs
    out = tmp_path / "out" / "disk.img"
    guid = "0123abcd-89ab-cdef-0123-456789abcdef"
    mkimage("-e", efi, "-c", conf, "-f", "%s=/EFI/tools/" % conf,
            "-f", "%s=/x/renamed.efi" % efi, "-d", "%s=/data" % tree,
            "-L", "MYDISK", "-U", "abcd-1234", "-P", guid, "-o", out)

    part = run("sgdisk", "-i", "1", out).stdout
    assert "C12A7328-F81F-11D2-BA4B-00A0C93EC93B" in part   # ESP type
    assert "Partition unique GUID: %s" % guid.upper() in part
    assert re.search(r"First sector: 2048 ", part)
    assert run("sgdisk", "-v", out).stdout.find("No problems found") >= 0

    esp = "%s@@1M" % out
    info = run("minfo", "-i", esp, "::").stdout
    assert re.search(r"disk type=\"FAT12", info), info
    label = run("mlabel", "-i", esp, "-s", "::").stdout
    assert "MYDISK" in label
    assert "Volume Serial Number is ABCD-1234" in run(
        "mdir", "-i", esp, "::/").stdout
    assert mtype(esp, "/EFI/BOOT/BOOTX64.EFI") == "MZ fake boot program"
    assert mtype(esp, "/EFI/BOOT/baton.conf") == "timeout 3\n"
    assert mtype(esp, "/EFI/tools/baton.conf") == "timeout 3\n"
    assert mtype(esp, "/x/renamed.efi") == "MZ fake boot program"
    assert mtype(esp, "/data/top.txt") == "top\n"
    assert mtype(esp, "/data/sub/deeper/Long File Name.txt") == "deep\n"
    esp_copy = tmp_path / "esp.img"
    run("dd", "if=%s" % out, "of=%s" % esp_copy, "bs=1M", "skip=1",
        "count=%d" % (os.path.getsize(out) // 2**20 - 2), "status=none")
    run("fsck.fat", "-n", esp_copy)


@pytest.mark.parametrize("size,bits", [(8, 12), (64, 16), (300, 32)])
def test_fat_type_follows_size(tmp_path, inputs, size, bits):
    efi = inputs[0]
    out = tmp_path / "disk.img"
    mkimage("-e", efi, "-s", size, "-o", out)
    info = run("minfo", "-i", "%s@@1M" % out, "::").stdout
    assert re.search(r"disk type=\"FAT%d" % bits, info), info
    # a sparse image: the free space costs (almost) nothing on the host
    assert os.stat(out).st_blocks * 512 < size * 2**20 // 4


def test_size_fits_contents(tmp_path, inputs):
    efi = inputs[0]
    big = tmp_path / "big.bin"
    big.write_bytes(os.urandom(5 * 2**20))
    out = tmp_path / "disk.img"
    mkimage("-e", efi, "-f", "%s=/boot/big.bin" % big, "-o", out)
    run("mcopy", "-i", "%s@@1M" % out, "::/boot/big.bin", tmp_path / "back")
    assert (tmp_path / "back").read_bytes() == big.read_bytes()


def test_iso_image(tmp_path, inputs):
    efi, conf, tree = inputs
    out = tmp_path / "hybrid.iso"
    mkimage("-e", efi, "-c", conf, "-d", tree, "-L", "MYISO", "-U", "1234-5678",
            "-o", out)

    report = run("xorriso", "-indev", out, "-report_el_torito", "plain",
                 "-report_system_area", "plain").stdout
    assert re.search(r"El Torito boot img :\s+1\s+UEFI\s+y\s+none", report), report
    assert "Volume id    : 'MYISO'" in report
    # the ESP as a GPT partition, for USB sticks
    table = run("sgdisk", "-p", out).stdout
    m = re.search(r"^\s*2\s+(\d+)\s+(\d+)\s.*EF00", table, re.M)
    assert m, table
    esp = "%s@@%d" % (out, int(m.group(1)) * 512)
    assert mtype(esp, "/EFI/BOOT/BOOTX64.EFI") == "MZ fake boot program"
    assert mtype(esp, "/EFI/BOOT/baton.conf") == "timeout 3\n"
    assert mtype(esp, "/sub/deeper/Long File Name.txt") == "deep\n"
    assert "Volume Serial Number is 1234-5678" in run("mdir", "-i", esp,
                                                      "::/").stdout
    # the same files in the ISO 9660 tree
    listing = run("xorriso", "-indev", out, "-find", "/", "-type", "f").stdout
    assert "'/EFI/BOOT/BOOTX64.EFI'" in listing
    assert "'/sub/deeper/Long File Name.txt'" in listing


def test_data_volume(tmp_path, inputs):
    out = tmp_path / "data.img"
    mkimage("-n", "-f", "%s=/EFI/tools/x.efi" % inputs[0], "-L", "DATA", "-o", out)
    listing = run("mdir", "-i", "%s@@1M" % out, "-/", "-b", "::/").stdout
    assert "::/EFI/tools/x.efi" in listing
    assert "BOOTX64" not in listing


@pytest.mark.parametrize("args,message", [
    ([], r"no boot program: give -e FILE"),
    (["-e", "/nonexistent.efi"], r"-e /nonexistent.efi: no such file"),
    (["-e", "{efi}", "-n"], r"-e and -n exclude each other"),
    (["-e", "{efi}", "-c", "/nope.conf"], r"-c /nope.conf: no such file"),
    (["-e", "{efi}", "-f", "/nope"], r"-f /nope: no such file"),
    (["-e", "{efi}", "-d", "/nope"], r"-d /nope: no such folder"),
    (["-e", "{efi}", "-f", "{efi}=/EFI/BOOT/BOOTX64.EFI"], r"'/EFI/BOOT/BOOTX64.EFI' is added twice"),
    (["-e", "{efi}", "-f", "{efi}=/a/../b"], r"must not contain empty, \. or \.\. parts"),
    (["-e", "{efi}", "-f", "{efi}=/a:b.efi"], r"FAT names cannot contain"),
    (["-e", "{efi}", "-f", "{efi}=/EFI"], r"'/EFI' is a folder in the image"),
    (["-e", "{efi}", "-s", "1", "-f", "{tmp}/big"], r"-s 1: the files need about \d+ MiB"),
    (["-e", "{efi}", "-L", "MUCHTOOLONGLABEL"], r"a FAT label has 1 to 11 characters"),
    (["-e", "{efi}", "-U", "xyz"], r"expected a FAT serial like ABCD-1234"),
    (["-e", "{efi}", "-P", "nope"], r"expected a GUID like"),
    (["-e", "{efi}", "-P", "01234567-89ab-cdef-0123-456789abcdef", "-o", "{tmp}/x.iso"],
     r"not supported for \.iso"),
    (["-e", "{efi}", "-s", "0"], r"expected a size in MiB"),
    (["-e", "{efi}", "-z"], r"unknown option -z"),
    (["-o", "{tmp}/x.img", "-e"], r"option -e needs a value"),
    (["-e", "{efi}", "{efi}"], r"unexpected argument"),
])
def test_errors(tmp_path, inputs, args, message):
    """Bad arguments: a message naming the problem, a non-zero status, no
    output file and no temporary files left behind."""
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    with open(tmp_path / "big", "wb") as f:
        f.truncate(3 * 2**20)
    args = [a.format(efi=inputs[0], tmp=tmp_path) for a in args]
    out = tmp_path / "never.img"
    if "-o" not in args:
        args += ["-o", str(out)]
    proc = mkimage(*args, ok=False, env=dict(ENV, TMPDIR=str(tmpdir)))
    assert proc.returncode != 0
    assert re.search(message, proc.stdout), proc.stdout
    assert proc.stdout.startswith("baton-mkimage: "), proc.stdout
    assert not out.exists() and not (tmp_path / "x.iso").exists()
    assert list(tmpdir.iterdir()) == []


def test_help():
    proc = mkimage("-h")
    assert proc.stdout.startswith("usage: baton-mkimage -e BOOT.EFI")
    assert "-U XXXX-XXXX" in proc.stdout


def test_temporary_files_removed(tmp_path, inputs):
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    mkimage("-e", inputs[0], "-o", tmp_path / "a.iso",
            env=dict(ENV, TMPDIR=str(tmpdir)))
    mkimage("-e", inputs[0], "-o", tmp_path / "a.img",
            env=dict(ENV, TMPDIR=str(tmpdir)))
    assert list(tmpdir.iterdir()) == []


def test_names_ignore_case(tmp_path, inputs):
    """FAT ignores case: /efi/boot is the /EFI/BOOT folder, and two files
    whose names differ only in case are refused."""
    efi = inputs[0]
    out = tmp_path / "disk.img"
    mkimage("-e", efi, "-f", "%s=/efi/boot/other.efi" % efi, "-o", out)
    listing = run("mdir", "-i", "%s@@1M" % out, "-/", "-b", "::/").stdout
    assert "::/EFI/BOOT/other.efi" in listing
    assert "::/EFI/BOOT/BOOTX64.EFI" in listing
    proc = mkimage("-e", efi, "-f", "%s=/a.efi" % efi, "-f", "%s=/A.EFI" % efi,
                   "-o", out, ok=False)
    assert proc.returncode != 0
    assert "are the same name on FAT" in proc.stdout
