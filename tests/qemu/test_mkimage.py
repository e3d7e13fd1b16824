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
    (["-e", "{efi}", "-q"], r"unknown option -q"),
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
    for option in ("-t SRC[=DEST]", "-T DIR[=DEST]", "-S ISOFILE", "-V VOLID",
                   "-D YYYYMMDDhhmmsscc", "-x DIR", "-X LABEL", "-u UUID",
                   "-G GUID", "-y TYPE", "-O FEATURES", "-z MIB"):
        assert option in proc.stdout, option


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


# --- the data area: the ISO 9660 tree only, an ext4 partition, /isos/ --------

LINUX_TYPE = "0FC63DAF-8483-4772-8E79-3D69D8477DE4"
XBOOTLDR_TYPE = "BC13C2FF-59E6-4262-A352-B275FD6F7172"


def partition(image, n):
    """(first sector, sectors, sgdisk -i text) of GPT partition n."""
    info = run("sgdisk", "-i", str(n), image).stdout
    first = re.search(r"First sector: (\d+) ", info)
    size = re.search(r"Partition size: (\d+) sectors", info)
    assert first and size, info
    return int(first.group(1)), int(size.group(1)), info


def ext4_at(image, n):
    """The ext4 file system of partition n, as e2fsprogs names it."""
    first = partition(image, n)[0]
    return "%s?offset=%d" % (image, first * 512)


def debugfs_cat(fs, path):
    proc = subprocess.run(["debugfs", "-R", 'cat "%s"' % path, str(fs)],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def debugfs_names(fs, path):
    out = run("debugfs", "-R", "ls -p %s" % path, fs).stdout
    # ls -p: /inode/mode/uid/gid/name/size/
    return {line.split("/")[5] for line in out.splitlines()
            if line.startswith("/")} - {".", ".."}


def fat_names(image):
    """Every path on the FAT image (mdir -/ -b; folders end in /)."""
    return set(run("mdir", "-i", image, "-/", "-b", "::/").stdout.splitlines())


def iso_files(image):
    out = run("xorriso", "-indev", image, "-find", "/", "-type", "f").stdout
    return set(re.findall(r"^'(.*)'$", out, re.M))


def iso_extract(image, path, dest):
    run("xorriso", "-osirrox", "on", "-indev", image, "-extract", path, dest)
    return dest.read_bytes()


def esp_of_iso(image):
    table = run("sgdisk", "-p", image).stdout
    m = re.search(r"^\s*2\s+(\d+)\s+(\d+)\s.*EF00", table, re.M)
    assert m, table
    return "%s@@%d" % (image, int(m.group(1)) * 512)


def make_iso9660(path, text="an ISO inside"):
    """A small real ISO 9660 image at path."""
    src = path.parent / (path.name + ".src")
    src.mkdir()
    (src / "readme.txt").write_text(text)
    run("xorriso", "-as", "mkisofs", "-o", path, "-V", "INNER", src)
    return path


@pytest.fixture
def payload(tmp_path):
    """A 'kernel' and an 'initrd' (random, so copies are told apart) and a
    tree for the data area."""
    kernel = tmp_path / "vmlinuz"
    kernel.write_bytes(os.urandom(300 * 1024))
    initrd = tmp_path / "initrd.img"
    initrd.write_bytes(os.urandom(2 * 2**20 + 123))
    tree = tmp_path / "datatree"
    (tree / "loader" / "entries").mkdir(parents=True)
    (tree / "loader" / "entries" / "a.conf").write_text("title A\n")
    (tree / "empty").mkdir()
    return kernel, initrd, tree


def test_iso_tree_only_files(tmp_path, inputs, payload):
    """-t and -T go into the ISO 9660 tree only; -V and -D set the volume
    id and the modification date (the ISO's UUID)."""
    efi, conf, tree = inputs
    kernel, initrd, dtree = payload
    out = tmp_path / "live.iso"
    mkimage("-e", efi, "-c", conf, "-f", "%s=/EFI/tools/x.efi" % efi,
            "-t", "%s=/boot/" % kernel, "-t", "%s=/boot/initrd" % initrd,
            "-T", "%s=/extra" % dtree, "-V", "LIVE_2026",
            "-D", "2026120312345600", "-o", out)

    files = iso_files(out)
    for path in ("/EFI/BOOT/BOOTX64.EFI", "/EFI/BOOT/baton.conf",
                 "/EFI/tools/x.efi", "/boot/vmlinuz", "/boot/initrd",
                 "/extra/loader/entries/a.conf"):
        assert path in files, (path, files)
    assert iso_extract(out, "/boot/vmlinuz", tmp_path / "k") == kernel.read_bytes()
    assert iso_extract(out, "/boot/initrd", tmp_path / "i") == initrd.read_bytes()
    dirs = run("xorriso", "-indev", out, "-find", "/extra", "-type", "d").stdout
    assert "'/extra/empty'" in dirs

    esp = esp_of_iso(out)
    on_fat = fat_names(esp)
    assert "::/EFI/BOOT/BOOTX64.EFI" in on_fat
    assert "::/EFI/tools/x.efi" in on_fat
    assert on_fat == {"::/EFI/", "::/EFI/BOOT/", "::/EFI/BOOT/BOOTX64.EFI",
                      "::/EFI/BOOT/baton.conf", "::/EFI/tools/",
                      "::/EFI/tools/x.efi"}, on_fat
    assert run("mtype", "-i", esp, "::/boot/vmlinuz", ok=False).returncode != 0
    # the FAT is fitted to what -e, -c and -f gave, not to the kernel
    assert partition(out, 2)[1] * 512 <= 2 * 2**20

    pvd = run("xorriso", "-indev", out, "-pvd_info").stdout
    assert re.search(r"^Volume Id\s*: LIVE_2026$", pvd, re.M), pvd
    assert re.search(r"^Modif\. Time\s*: 2026120312345600$", pvd, re.M), pvd
    # Rock Ridge (the tree keeps mixed case) and Joliet (a supplementary
    # volume descriptor with a UCS-2 escape sequence)
    data = out.read_bytes()[16 * 2048:32 * 2048]
    joliet = [i for i in range(0, len(data), 2048)
              if data[i:i + 6] == b"\x02CD001"
              and data[i + 88:i + 91] in (b"%/@", b"%/C", b"%/E")]
    assert joliet, "no Joliet volume descriptor"
    assert "/EFI/BOOT/baton.conf" in files   # lower case kept: Rock Ridge


def test_iso_default_volume_id(tmp_path, inputs):
    out = tmp_path / "a.iso"
    mkimage("-e", inputs[0], "-L", "my disk-1", "-o", out)
    pvd = run("xorriso", "-indev", out, "-pvd_info").stdout
    assert re.search(r"^Volume Id\s*: MY_DISK_1$", pvd, re.M), pvd


def test_disk_with_ext4(tmp_path, inputs, payload):
    """-x makes partition 2 an ext4 file system with the tree, the -t/-T
    files, the label, UUID, partition GUID and features asked for."""
    efi, conf, _ = inputs
    kernel, initrd, dtree = payload
    out = tmp_path / "disk.img"
    uuid = "11111111-2222-4333-8444-555555555555"
    guid = "0123abcd-89ab-cdef-0123-456789abcdef"
    mkimage("-e", efi, "-c", conf, "-x", dtree, "-t", "%s=/boot/" % kernel,
            "-t", "%s=/boot/initrd" % initrd, "-T", "%s=/more" % dtree,
            "-X", "BATONDATA", "-u", uuid, "-G", guid,
            "-O", "^metadata_csum_seed", "-P", guid.replace("0123abcd", "fedcba98"),
            "-o", out)

    first, sectors, info = partition(out, 2)
    assert "Partition GUID code: %s" % LINUX_TYPE in info, info
    assert "Partition unique GUID: %s" % guid.upper() in info, info
    esp_first, esp_sectors, _ = partition(out, 1)
    assert esp_first == 2048 and first == esp_first + esp_sectors
    assert first % 2048 == 0
    assert "No problems found" in run("sgdisk", "-v", out).stdout

    fs = tmp_path / "ext4.img"
    run("dd", "if=%s" % out, "of=%s" % fs, "bs=512", "skip=%d" % first,
        "count=%d" % sectors, "conv=sparse", "status=none")
    run("e2fsck", "-fn", fs)
    head = run("dumpe2fs", "-h", fs).stdout
    assert re.search(r"^Filesystem volume name:\s+BATONDATA$", head, re.M), head
    assert re.search(r"^Filesystem UUID:\s+%s$" % uuid, head, re.M), head
    features = re.search(r"^Filesystem features:\s+(.*)$", head, re.M).group(1)
    assert "metadata_csum_seed" not in features.split(), features
    assert "extent" in features.split(), features
    assert debugfs_cat(fs, "/boot/vmlinuz") == kernel.read_bytes()
    assert debugfs_cat(fs, "/boot/initrd") == initrd.read_bytes()
    assert debugfs_cat(fs, "/loader/entries/a.conf") == b"title A\n"
    assert debugfs_cat(fs, "/more/loader/entries/a.conf") == b"title A\n"
    assert "empty" in debugfs_names(fs, "/")

    # the FAT has only baton and its config
    assert fat_names("%s@@1M" % out) == {"::/EFI/", "::/EFI/BOOT/",
                                         "::/EFI/BOOT/BOOTX64.EFI",
                                         "::/EFI/BOOT/baton.conf"}


def test_xbootldr_with_label_only(tmp_path, inputs, payload):
    """-X alone makes the ext4 partition for -t files; -y xbootldr sets the
    Boot Loader Specification type."""
    kernel = payload[0]
    out = tmp_path / "disk.img"
    mkimage("-e", inputs[0], "-X", "XBOOTLDR", "-y", "xbootldr",
            "-t", "%s=/vmlinuz" % kernel, "-o", out)
    info = partition(out, 2)[2]
    assert "Partition GUID code: %s" % XBOOTLDR_TYPE in info, info
    table = run("sgdisk", "-p", out).stdout
    assert re.search(r"^\s*2\s.*EA00", table, re.M), table
    fs = ext4_at(out, 2)
    assert debugfs_cat(fs, "/vmlinuz") == kernel.read_bytes()
    assert "XBOOTLDR" in run("dumpe2fs", "-h", fs).stdout


def test_ext4_size(tmp_path, inputs):
    """The fitted size holds a big file and many small ones; -z sets it."""
    big = tmp_path / "big.bin"
    big.write_bytes(os.urandom(40 * 2**20))
    many = tmp_path / "many"
    many.mkdir()
    for n in range(300):
        (many / ("file%03d" % n)).write_text("%d\n" % n)
    out = tmp_path / "disk.img"
    mkimage("-e", inputs[0], "-x", many, "-t", big, "-o", out)
    fs = ext4_at(out, 2)
    assert debugfs_cat(fs, "/big.bin") == big.read_bytes()
    assert len(debugfs_names(fs, "/")) == 300 + 2   # lost+found, big.bin
    assert debugfs_cat(fs, "/file299") == b"299\n"
    sectors = partition(out, 2)[1]
    assert sectors * 512 < 80 * 2**20, sectors

    mkimage("-e", inputs[0], "-X", "D", "-z", "100", "-o", out)
    assert partition(out, 2)[1] == 100 * 2048
    proc = mkimage("-e", inputs[0], "-X", "D", "-t", big, "-z", "20", "-o",
                   tmp_path / "small.img", ok=False)
    assert proc.returncode != 0
    assert re.search(r"-z 20: the files need about \d+ MiB", proc.stdout), proc.stdout


def test_data_disk_ext4_only(tmp_path, payload):
    """-n with -x and nothing for the FAT: one ext4 partition at 1 MiB."""
    out = tmp_path / "data.img"
    guid = "0123abcd-89ab-cdef-0123-456789abcdef"
    mkimage("-n", "-x", payload[2], "-X", "DATA", "-G", guid, "-o", out)
    table = run("sgdisk", "-p", out).stdout
    assert re.search(r"^\s*1\s+2048\s.*8300", table, re.M), table
    assert not re.search(r"^\s*2\s", table, re.M), table
    assert "Partition unique GUID: %s" % guid.upper() in partition(out, 1)[2]
    assert debugfs_cat(ext4_at(out, 1), "/loader/entries/a.conf") == b"title A\n"

    # something for the FAT: an ESP without a boot program, then ext4
    mkimage("-n", "-f", "%s=/notes.txt" % (payload[2] / "loader/entries/a.conf"),
            "-x", payload[2], "-o", out)
    assert partition(out, 1)[2].find("C12A7328-F81F-11D2-BA4B-00A0C93EC93B") >= 0
    assert "Partition GUID code: %s" % LINUX_TYPE in partition(out, 2)[2]
    assert fat_names("%s@@1M" % out) == {"::/notes.txt"}, fat_names("%s@@1M" % out)


def test_isos_folder(tmp_path, inputs):
    """-S puts ISO files in /isos/: on the FAT of a plain disk image, in the
    ext4 partition when there is one, in the tree of an .iso."""
    efi = inputs[0]
    one = make_iso9660(tmp_path / "one.iso", "one")
    two = make_iso9660(tmp_path / "Two Live.iso", "two")

    fat_disk = tmp_path / "fat.img"
    mkimage("-e", efi, "-S", one, "-S", two, "-o", fat_disk)
    esp = "%s@@1M" % fat_disk
    run("mcopy", "-i", esp, "::/isos/one.iso", tmp_path / "back1.iso")
    assert (tmp_path / "back1.iso").read_bytes() == one.read_bytes()
    run("mcopy", "-i", esp, "::/isos/Two Live.iso", tmp_path / "back.iso")
    assert (tmp_path / "back.iso").read_bytes() == two.read_bytes()

    ext_disk = tmp_path / "ext.img"
    mkimage("-e", efi, "-X", "ISOS", "-S", one, "-S", two, "-o", ext_disk)
    fs = ext4_at(ext_disk, 2)
    assert debugfs_cat(fs, "/isos/one.iso") == one.read_bytes()
    assert debugfs_cat(fs, "/isos/Two Live.iso") == two.read_bytes()
    assert not [n for n in fat_names("%s@@1M" % ext_disk) if "isos" in n]

    iso = tmp_path / "multi.iso"
    mkimage("-e", efi, "-S", one, "-o", iso)
    assert iso_extract(iso, "/isos/one.iso", tmp_path / "o") == one.read_bytes()
    assert not [n for n in fat_names(esp_of_iso(iso)) if "isos" in n]


def test_isos_big_on_fat(tmp_path, inputs):
    """A big ISO makes the fitted FAT a FAT32 that holds it; one of 4 GiB
    does not fit in a FAT file and goes to ext4 (all sparse files)."""
    efi = inputs[0]
    small = make_iso9660(tmp_path / "small.iso")
    big = tmp_path / "big.iso"
    with open(big, "wb") as f:
        f.write(small.read_bytes())
        f.truncate(300 * 2**20)
    out = tmp_path / "fat.img"
    mkimage("-e", efi, "-S", big, "-o", out)
    esp = "%s@@1M" % out
    info = run("minfo", "-i", esp, "::").stdout
    assert re.search(r"disk type=\"FAT32", info), info
    listing = run("mdir", "-i", esp, "::/isos").stdout
    assert re.search(r"big\s+iso\s+314\s?572\s?800", listing), listing

    huge = tmp_path / "huge.iso"
    with open(huge, "wb") as f:
        f.write(small.read_bytes())
        f.truncate(4 * 2**30)
    proc = mkimage("-e", efi, "-S", huge, "-o", tmp_path / "no.img", ok=False)
    assert proc.returncode != 0
    assert re.search(r"'/isos/huge.iso': 4294967296 bytes do not fit in a FAT file",
                     proc.stdout), proc.stdout
    assert not (tmp_path / "no.img").exists()
    out = tmp_path / "ext.img"
    mkimage("-n", "-X", "BIG", "-S", huge, "-o", out)
    stat = run("debugfs", "-R", "stat /isos/huge.iso", ext4_at(out, 1)).stdout
    assert re.search(r"Size: 4294967296\b", stat), stat
    assert os.stat(out).st_blocks * 512 < 200 * 2**20


def symlink_trees(tmp_path):
    """A folder beside tmp_path (outside the trees the cases give as
    {tmp}) holding loop/ (two links to each other) and dangling/ (a link
    to nothing)."""
    links = tmp_path.parent / (tmp_path.name + "-links")
    (links / "loop").mkdir(parents=True, exist_ok=True)
    (links / "dangling").mkdir(exist_ok=True)
    for link, target in [("loop/a", "b"), ("loop/b", "a"), ("dangling/c", "nowhere")]:
        if not (links / link).is_symlink():
            (links / link).symlink_to(target)
    return links


@pytest.mark.parametrize("args,message", [
    (["-e", "{efi}", "-t", "{efi}"], r"-t needs an ext4 partition on a disk image: give -x DIR or -X LABEL"),
    (["-e", "{efi}", "-T", "{tmp}"], r"-T needs an ext4 partition"),
    (["-e", "{efi}", "-u", "11111111-2222-3333-4444-555555555555"], r"-u needs an ext4 partition"),
    (["-e", "{efi}", "-y", "xbootldr"], r"-y needs an ext4 partition"),
    (["-e", "{efi}", "-t", "/nope", "-o", "{tmp}/x.iso"], r"-t /nope: no such file"),
    (["-e", "{efi}", "-T", "/nope", "-X", "D"], r"-T /nope: no such folder"),
    (["-e", "{efi}", "-f", "{efi}=/a.efi", "-t", "{efi}=/a.efi", "-o", "{tmp}/x.iso"],
     r"'/a.efi' is added twice"),
    (["-e", "{efi}", "-t", "{efi}=/a/./b", "-X", "D"], r"must not contain empty, \. or \.\. parts"),
    (["-e", "{efi}", "-S", "/nope.iso"], r"-S /nope.iso: no such file"),
    (["-e", "{efi}", "-S", "{efi}"], r"-S .*boot.efi: not an ISO 9660 image \(no CD001 at byte 32769\)"),
    (["-e", "{efi}", "-V", "lower", "-o", "{tmp}/x.iso"], r"-V 'lower': an ISO 9660 volume id has 1 to 32 of A-Z, 0-9 and _"),
    (["-e", "{efi}", "-V", "A" * 33, "-o", "{tmp}/x.iso"], r"an ISO 9660 volume id has 1 to 32"),
    (["-e", "{efi}", "-V", "ABC"], r"-V is for the ISO 9660 volume of an \.iso; not supported for disk images"),
    (["-e", "{efi}", "-D", "2026133112345600", "-o", "{tmp}/x.iso"], r"-D '2026133112345600': expected a date like 2026120312345600"),
    (["-e", "{efi}", "-D", "20261203", "-o", "{tmp}/x.iso"], r"expected a date like"),
    (["-e", "{efi}", "-D", "2026120312345600"], r"-D is for the ISO 9660 volume"),
    (["-e", "{efi}", "-x", "/nope"], r"-x /nope: no such folder"),
    (["-e", "{efi}", "-x", "{links}/loop"], r"-x .*/loop: find: .*/loop/[ab].*Too many levels of symbolic links"),
    (["-e", "{efi}", "-x", "{links}/dangling"], r"-x .*/dangling: '.*/dangling/c' is neither a file nor a folder"),
    (["-e", "{efi}", "-x", "{tmp}", "-o", "{tmp}/x.iso"], r"-x is for the ext4 partition of a disk image; not supported for \.iso"),
    (["-e", "{efi}", "-X", "D", "-o", "{tmp}/x.iso"], r"-X is for the ext4 partition"),
    (["-e", "{efi}", "-X", "SEVENTEEN_LETTERS"], r"-X 'SEVENTEEN_LETTERS': an ext4 label has 1 to 16"),
    (["-e", "{efi}", "-X", "a/b"], r"an ext4 label has"),
    (["-e", "{efi}", "-X", "D", "-u", "nope"], r"-u 'nope': expected a UUID like"),
    (["-e", "{efi}", "-X", "D", "-G", "nope"], r"-G 'nope': expected a GUID like"),
    (["-e", "{efi}", "-X", "D", "-P", "01234567-89ab-cdef-0123-456789abcdef",
      "-G", "01234567-89AB-cdef-0123-456789abcdef"], r"the same GUID as -P"),
    (["-e", "{efi}", "-X", "D", "-y", "swap"], r"-y 'swap': expected a partition type, linux or xbootldr"),
    (["-e", "{efi}", "-X", "D", "-O", "a b"], r"-O 'a b': expected mkfs.ext4 features like"),
    (["-e", "{efi}", "-X", "D", "-O", "^no_such_feature"], r"command failed: mkfs\.ext4"),
    (["-e", "{efi}", "-X", "D", "-z", "0"], r"-z '0': expected a size in MiB"),
    (["-n", "-X", "D", "-L", "FAT"], r"-L sets the FAT partition, but this -n disk has only the ext4 one"),
    (["-n", "-X", "D", "-s", "8"], r"-s sets the FAT partition"),
    (["-e", "{efi}", "-S", "{tmp}/huge.iso"], r"4294967296 bytes do not fit in a FAT file"),
    (["-e", "{efi}", "-f", "{tmp}/huge.iso"], r"4294967296 bytes do not fit in a FAT file"),
])
def test_data_errors(tmp_path, inputs, args, message):
    """Bad arguments for the data area: a message, a non-zero status, no
    output and no temporary files."""
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    huge = tmp_path / "huge.iso"
    make_iso9660(tmp_path / "small.iso")
    with open(huge, "wb") as f:
        f.write((tmp_path / "small.iso").read_bytes())
        f.truncate(4 * 2**30)
    links = symlink_trees(tmp_path)
    args = [a.format(efi=inputs[0], tmp=tmp_path, links=links) for a in args]
    out = tmp_path / "never.img"
    if "-o" not in args:
        args += ["-o", str(out)]
    proc = mkimage(*args, ok=False, env=dict(ENV, TMPDIR=str(tmpdir)))
    assert proc.returncode != 0
    assert re.search(message, proc.stdout), proc.stdout
    assert proc.stdout.startswith("baton-mkimage: "), proc.stdout
    assert not out.exists() and not (tmp_path / "x.iso").exists()
    assert list(tmpdir.iterdir()) == []
