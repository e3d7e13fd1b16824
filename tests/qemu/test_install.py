"""tools/baton-install on the host (no QEMU, builds nothing): installs into a
directory (with --allow-non-fat, the tmp directory not being FAT) and into a
FAT image made by mkfs.fat (through mtools); checks the files, the starter
config, idempotence, the edit check, --force, BLS, the refusals, --dry-run
and --efibootmgr.  Where the machine cannot show a case (a /boot on another
file system, a nearly full ESP, the firmware's boot entries), a fake
findmnt, df or efibootmgr early on PATH plays it."""

import hashlib
import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
TOOL = REPO / "tools" / "baton-install"
EFI_BYTES = b"MZ" + bytes(range(256)) * 40       # not baton, but starts like a PE
VERSIONS = ["6.1.0-9-amd64", "6.1.0-13-amd64", "5.10.0-2-amd64"]   # 6.1.0-13 is newest
NEED_MTOOLS = pytest.mark.skipif(
    not (shutil.which("mcopy") and shutil.which("mkfs.fat")),
    reason="needs mtools and dosfstools (tools/deps.sh installs them)")


def run(*args, env=None, check=True):
    e = dict(os.environ, MTOOLS_SKIP_CHECK="1")
    e.pop("BATON_INSTALL_ALLOW_NON_FAT", None)
    e.update(env or {})
    proc = subprocess.run([str(TOOL), *map(str, args)], stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, env=e, timeout=60)
    if check:
        assert proc.returncode == 0, proc.stdout
    return proc


def snapshot(root):
    """Every file under root: (bytes, mtime_ns)."""
    return {p.relative_to(root): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in sorted(Path(root).rglob("*")) if p.is_file()}


@pytest.fixture
def efi(tmp_path):
    p = tmp_path / "baton.efi"
    p.write_bytes(EFI_BYTES)
    return p


def fake_boot(d, initrd="initrd.img-%s"):
    d.mkdir(parents=True, exist_ok=True)
    for v in VERSIONS:
        (d / ("vmlinuz-" + v)).write_bytes(b"kernel " + v.encode())
        if initrd:
            (d / (initrd % v)).write_bytes(b"initrd " + v.encode())
    (d / "config-6.1.0-13-amd64").write_text("not a kernel")
    return d


@pytest.fixture
def esp(tmp_path):
    d = tmp_path / "esp"
    d.mkdir()
    fake_boot(d / "boot")
    return d


def install(esp, efi, *more, **kw):
    return run("--esp", esp, "--boot", esp / "boot", "--efi", efi,
               "--cmdline", "root=/dev/vda2 quiet", "--allow-non-fat", *more, **kw)


def body_ok(text):
    """The header's checksum is that of the rest."""
    first, rest = text.split("\n", 1)
    assert first.startswith("# written by baton-install, sha256 "), first
    want = first.split("sha256 ")[1].split(";")[0]
    return hashlib.sha256(rest.encode()).hexdigest() == want


def test_install_dir(esp, efi):
    out = install(esp, efi).stdout
    assert "not FAT: installing anyway" in out
    assert (esp / "EFI/baton/baton.efi").read_bytes() == EFI_BYTES
    conf = (esp / "EFI/baton/baton.conf").read_text()
    assert body_ok(conf)
    entries = [ln.split()[1] for ln in conf.splitlines() if ln.startswith("entry ")]
    assert entries == ["linux-6.1.0-13-amd64", "linux-6.1.0-9-amd64", "linux-5.10.0-2-amd64"]
    for v in VERSIONS:
        assert ("    linux  /boot/vmlinuz-%s root=/dev/vda2 quiet\n"
                "    initrd /boot/initrd.img-%s\n" % (v, v)) in conf
    assert "config-" not in conf
    assert not (esp / "EFI/BOOT").exists()          # no --removable


def test_removable_and_foreign_fallback(esp, efi):
    install(esp, efi, "--removable")
    assert (esp / "EFI/BOOT/BOOTX64.EFI").read_bytes() == EFI_BYTES
    inc = (esp / "EFI/BOOT/baton.conf").read_text()
    assert body_ok(inc) and inc.endswith("\ninclude /EFI/baton/baton.conf\n")
    # an upgrade replaces both copies of baton
    efi.write_bytes(EFI_BYTES + b"v2")
    install(esp, efi, "--removable")
    assert (esp / "EFI/BOOT/BOOTX64.EFI").read_bytes() == EFI_BYTES + b"v2"
    # another boot loader's fallback is not replaced without --force
    (esp / "EFI/BOOT/BOOTX64.EFI").write_bytes(b"MZ grub")
    efi.write_bytes(EFI_BYTES + b"v3")
    p = install(esp, efi, "--removable", check=False)
    assert p.returncode != 0 and "BOOTX64.EFI is there and is not the baton" in p.stdout
    assert (esp / "EFI/baton/baton.efi").read_bytes() == EFI_BYTES + b"v2"   # nothing done
    install(esp, efi, "--removable", "--force")
    assert (esp / "EFI/BOOT/BOOTX64.EFI").read_bytes() == EFI_BYTES + b"v3"


def test_second_run_changes_nothing(esp, efi):
    install(esp, efi, "--removable")
    before = snapshot(esp)
    out = install(esp, efi, "--removable").stdout
    assert "up to date" in out and "wrote" not in out
    assert snapshot(esp) == before
    # a new baton.efi is copied, the config left
    efi.write_bytes(EFI_BYTES + b"new")
    out = install(esp, efi, "--removable").stdout
    assert "wrote /EFI/baton/baton.efi" in out and "baton.conf" not in out
    assert (esp / "EFI/baton/baton.conf").read_bytes() == before[Path("EFI/baton/baton.conf")][0]


def test_edit_kept_then_forced(esp, efi):
    install(esp, efi)
    conf = esp / "EFI/baton/baton.conf"
    edited = conf.read_text().replace("timeout 5", "timeout 1")
    conf.write_text(edited)
    efi.write_bytes(EFI_BYTES + b"new")
    p = install(esp, efi)
    assert "was edited since baton-install wrote it: left as it is" in p.stdout
    assert conf.read_text() == edited
    assert (esp / "EFI/baton/baton.efi").read_bytes() == EFI_BYTES + b"new"
    assert "up to date" in install(esp, efi).stdout        # and stays so
    assert "replacing it (--force)" in install(esp, efi, "--force").stdout
    assert "timeout 5" in conf.read_text() and body_ok(conf.read_text())
    # a config without the header is the user's own
    conf.write_text("entry mine\n  efi /x.efi\n")
    assert "was not written by baton-install" in install(esp, efi).stdout
    assert conf.read_text() == "entry mine\n  efi /x.efi\n"


def test_unedited_config_follows_new_kernels(esp, efi):
    install(esp, efi)
    (esp / "boot/vmlinuz-6.2.0-1-amd64").write_bytes(b"k")
    out = install(esp, efi).stdout
    assert "wrote /EFI/baton/baton.conf" in out
    conf = (esp / "EFI/baton/baton.conf").read_text()
    assert conf.index("entry linux-6.2.0-1-amd64") < conf.index("entry linux-6.1.0-13")
    assert "initrd /boot/initrd.img-6.2.0-1" not in conf      # it has none


def test_initramfs_names(tmp_path, efi):
    esp = tmp_path / "esp"
    fake_boot(esp / "boot", initrd="initramfs-%s.img")
    install(esp, efi)
    conf = (esp / "EFI/baton/baton.conf").read_text()
    assert "    initrd /boot/initramfs-6.1.0-9-amd64.img\n" in conf


def test_bls_entries(esp, efi):
    (esp / "loader/entries").mkdir(parents=True)
    (esp / "loader/entries/debian.conf").write_text("title D\nlinux /vmlinuz\n")
    install(esp, efi)
    conf = (esp / "EFI/baton/baton.conf").read_text()
    assert conf.split("\n", 1)[1] == "timeout 5\nbls yes\n"


def fake_tool(bindir, name, script):
    bindir.mkdir(exist_ok=True)
    p = bindir / name
    p.write_text("#!/bin/sh\n" + script)
    p.chmod(p.stat().st_mode | stat.S_IEXEC)
    return {"PATH": "%s:%s" % (bindir, os.environ["PATH"])}


FINDMNT = """for a; do case $a in TARGET) echo %(mnt)s;; SOURCE) echo /dev/vda3;;
FSTYPE) echo %(fs)s;; UUID) echo 0b1e5d0c-aaaa-4bbb-8ccc-123456789abc;; FSROOT) echo /;; esac; done
"""


def test_boot_on_other_file_system(tmp_path, esp, efi):
    boot = fake_boot(tmp_path / "sys/boot")
    env = fake_tool(tmp_path / "bin", "findmnt", FINDMNT % {"mnt": tmp_path / "sys", "fs": "ext4"})
    run("--esp", esp, "--boot", boot, "--efi", efi, "--cmdline", "ro",
        "--allow-non-fat", env=env)
    conf = (esp / "EFI/baton/baton.conf").read_text()
    u = "uuid=0b1e5d0c-aaaa-4bbb-8ccc-123456789abc:/boot"
    assert "    linux  %s/vmlinuz-6.1.0-13-amd64 ro\n" % u in conf
    assert "    initrd %s/initrd.img-6.1.0-13-amd64\n" % u in conf
    # one baton does not read
    env = fake_tool(tmp_path / "bin", "findmnt", FINDMNT % {"mnt": tmp_path / "sys", "fs": "xfs"})
    p = run("--esp", esp, "--boot", boot, "--efi", efi, "--cmdline", "ro",
            "--allow-non-fat", "--force", env=env, check=False)
    assert p.returncode != 0
    assert "a xfs file system: baton reads FAT, ext2/3/4 and ISO 9660" in p.stdout
    assert u in (esp / "EFI/baton/baton.conf").read_text()     # left as it was


def test_refusals(tmp_path, esp, efi):
    p = install(tmp_path / "missing", efi, check=False)
    assert p.returncode != 0 and "missing: no such directory" in p.stdout
    (tmp_path / "file").write_text("x")
    p = install(tmp_path / "file", efi, check=False)
    assert p.returncode != 0 and "file: not a directory" in p.stdout
    p = run("--esp", esp, "--boot", esp / "boot", "--efi", efi, "--cmdline", "x", check=False)
    assert p.returncode != 0
    assert "%s: not an EFI system partition: its file system is" % esp in p.stdout
    assert "not FAT" in p.stdout
    assert not (esp / "EFI").exists()
    # the environment variable does what --allow-non-fat does
    run("--esp", esp, "--boot", esp / "boot", "--efi", efi, "--cmdline", "x",
        env={"BATON_INSTALL_ALLOW_NON_FAT": "1"})
    (tmp_path / "notefi").write_text("hello")
    p = install(esp, tmp_path / "notefi", check=False)
    assert p.returncode != 0 and "not an EFI program" in p.stdout


def test_too_small_dir(tmp_path, esp, efi):
    # A nearly full ESP, as df reports it (a real small file system would
    # need a mount, i.e. root and a loop device).
    env = fake_tool(tmp_path / "bin", "df", 'echo "Filesystem 1-blocks Used Available Capacity Mounted"\n'
                    'echo "/dev/vda1 1000000 990000 10000 99% /efi"\n')
    p = install(esp, efi, env=env, check=False)
    assert p.returncode != 0
    assert "%s: not enough room: baton needs" % esp in p.stdout and "10000 are free" in p.stdout
    assert not (esp / "EFI").exists()


def test_dry_run_writes_nothing(esp, efi):
    before = snapshot(esp)
    out = install(esp, efi, "--removable", "--dry-run").stdout
    assert "would write /EFI/baton/baton.efi (%d bytes)" % len(EFI_BYTES) in out
    assert "    | entry linux-6.1.0-13-amd64" in out
    assert "would write /EFI/BOOT/BOOTX64.EFI" in out
    assert snapshot(esp) == before


EFIBOOTMGR = """if [ "$1" = -v ]; then echo "BootOrder: 0001"; cat %(list)s; exit 0; fi
printf '%%s\\n' "$*" >> %(log)s
"""


def test_efibootmgr(tmp_path, esp, efi):
    listing, log = tmp_path / "listing", tmp_path / "log"
    listing.write_text("Boot0001* debian\tHD(1,GPT,x,0x800,0x100000)/File(\\EFI\\debian\\shimx64.efi)\n")
    env = fake_tool(tmp_path / "bin", "efibootmgr", EFIBOOTMGR % {"list": listing, "log": log})
    out = install(esp, efi, "--efibootmgr", "--disk", "/dev/vda", "--part", "1",
                  "--dry-run", env=env).stdout
    assert ("would run: efibootmgr --create --disk /dev/vda --part 1 --label baton "
            "--loader '\\EFI\\baton\\baton.efi'") in out
    assert not log.exists() and not (esp / "EFI").exists()
    install(esp, efi, "--efibootmgr", "--disk", "/dev/vda", "--part", "1", env=env)
    assert log.read_text() == ("--create --disk /dev/vda --part 1 --label baton "
                               "--loader \\EFI\\baton\\baton.efi\n")
    # the entry is there now: nothing more
    listing.write_text("Boot0002* baton\tHD(1,GPT,x,0x800,0x100000)/File(\\EFI\\BATON\\BATON.EFI)\n")
    out = install(esp, efi, "--efibootmgr", "--disk", "/dev/vda", "--part", "1", env=env).stdout
    assert "already has a boot entry" in out and "up to date" in out
    assert len(log.read_text().splitlines()) == 1


def mkfat(path, kib=8192):
    subprocess.run(["mkfs.fat", "-C", str(path), str(kib)], check=True,
                   stdout=subprocess.DEVNULL)


def mtools(*args):
    return subprocess.run(list(map(str, args)), check=True, stdout=subprocess.PIPE,
                          env=dict(os.environ, MTOOLS_SKIP_CHECK="1")).stdout


@NEED_MTOOLS
def test_image(tmp_path, efi):
    img = tmp_path / "esp.img"
    mkfat(img)
    boot = fake_boot(tmp_path / "boot")
    mtools("mmd", "-i", img, "::/boot")
    mtools("mcopy", "-i", img, *sorted(boot.iterdir()), "::/boot/")
    out = run("--image", img, "--efi", efi, "--cmdline", "console=ttyS0", "--removable").stdout
    assert "wrote /EFI/baton/baton.efi" in out
    assert mtools("mtype", "-i", img, "::/EFI/baton/baton.efi") == EFI_BYTES
    assert mtools("mtype", "-i", img, "::/EFI/BOOT/BOOTX64.EFI") == EFI_BYTES
    conf = mtools("mtype", "-i", img, "::/EFI/baton/baton.conf").decode()
    assert body_ok(conf)
    assert conf.index("linux-6.1.0-13") < conf.index("linux-6.1.0-9") < conf.index("linux-5.10")
    assert "    linux  /boot/vmlinuz-6.1.0-9-amd64 console=ttyS0\n" \
           "    initrd /boot/initrd.img-6.1.0-9-amd64\n" in conf
    before = img.read_bytes()
    out = run("--image", img, "--efi", efi, "--cmdline", "console=ttyS0", "--removable").stdout
    assert "up to date" in out and img.read_bytes() == before
    # dry run into an image: nothing written
    efi.write_bytes(EFI_BYTES + b"v2")
    out = run("--image", img, "--efi", efi, "--cmdline", "console=ttyS0", "--dry-run").stdout
    assert "would write /EFI/baton/baton.efi" in out and img.read_bytes() == before


@NEED_MTOOLS
def test_image_at_offset_bls(tmp_path, efi):
    part = tmp_path / "part.img"
    mkfat(part)
    mtools("mmd", "-i", part, "::/loader", "::/loader/entries")
    (tmp_path / "a.conf").write_text("title A\nlinux /vmlinuz\n")
    mtools("mcopy", "-i", part, tmp_path / "a.conf", "::/loader/entries/a.conf")
    disk = tmp_path / "disk.img"
    disk.write_bytes(b"\0" * 1048576 + part.read_bytes())
    run("--image", "%s@1M" % disk, "--efi", efi)
    conf = mtools("mtype", "-i", "%s@@1048576" % disk, "::/EFI/baton/baton.conf").decode()
    assert conf.split("\n", 1)[1] == "timeout 5\nbls yes\n"


@NEED_MTOOLS
def test_image_refusals(tmp_path, efi):
    raw = tmp_path / "raw.img"
    raw.write_bytes(b"\0" * 1048576)
    p = run("--image", raw, "--efi", efi, check=False)
    assert p.returncode != 0 and "%s: not a FAT file system, not an ESP" % raw in p.stdout
    p = run("--image", tmp_path / "none.img", "--efi", efi, check=False)
    assert p.returncode != 0 and "none.img: no such image file" in p.stdout
    small = tmp_path / "small.img"
    mkfat(small, 64)                    # 47 KB free, for a 100 KB baton.efi
    efi.write_bytes(b"MZ" + b"\xa5" * 100000)
    p = run("--image", small, "--efi", efi, "--cmdline", "x", check=False)
    assert p.returncode != 0 and "%s: not enough room: baton needs" % small in p.stdout
    assert b"BATON" not in mtools("mdir", "-i", small, "::/")
