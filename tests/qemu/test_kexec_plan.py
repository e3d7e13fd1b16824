"""baton-kexec's planning on the host (no QEMU): `--dry-run` against a
recorded /sys tree (an OVMF guest's /sys/firmware/memmap, 1 GiB) prints the
segments and entry state it would hand to kexec_load; they are checked
against the recorded map.  Also `list` and the refusals, each with its
message and exit status 1."""

import re
import shutil
import struct
import subprocess
from pathlib import Path

import pytest

from test_kexec import baton_kexec  # noqa: F401  (a fixture)
from test_multiboot import probes  # noqa: F401  (a fixture)
from test_probe import probe_kernel  # noqa: F401  (a fixture)

# What an OVMF guest with 1 GiB showed (start, end inclusive, type).
OVMF_1G = [
    (0x0, 0x9ffff, "System RAM"),
    (0x100000, 0x7fffff, "System RAM"),
    (0x800000, 0x807fff, "ACPI Non-volatile Storage"),
    (0x808000, 0x80ffff, "System RAM"),
    (0x810000, 0x8fffff, "ACPI Non-volatile Storage"),
    (0x900000, 0x3f6ebfff, "System RAM"),
    (0x3f6ec000, 0x3f77dfff, "Reserved"),
    (0x3f77e000, 0x3f7fdfff, "ACPI Tables"),
    (0x3f7fe000, 0x3fffffff, "ACPI Non-volatile Storage"),
    (0xe0000000, 0xefffffff, "Reserved"),
    (0xffc00000, 0xffffffff, "Reserved"),
]
# A machine with 30 MiB: no room for the Debian kernel's 64 MiB init_size.
SMALL = [(0x0, 0x9ffff, "System RAM"), (0x100000, 0x1efffff, "System RAM")]

CONF = """timeout 3
default deb
bls yes
entry deb
  title Debian
  linux /vmlinuz console=ttyS0
  initrd /initrd.img
entry bad
  linux /bad.bin console=ttyS0
entry mb1
  multiboot /mb1-elf.elf probe.modules=1
  module /mod.bin first=1
entry many
  multiboot /mb1-elf.elf
%s
entry shell
  efi /EFI/tools/shell.efi
entry sub
  menu /EFI/BOOT/other.conf
""" % "".join("  module /mod.bin n=%d\n" % i for i in range(14))

BLS = """title Debian from BLS
linux /vmlinuz
initrd /initrd.img
options root=/dev/vda2
"""


# The runtime regions an OVMF guest's Linux showed in
# /sys/firmware/efi/runtime-map (type, phys, virt, pages, attribute).
RUNTIME_MAP = [
    (5, 0x3f6ec000, 0xfffffffeffd00000, 0x5c, 0x800000000000000f),
    (6, 0x3f748000, 0xfffffffeffc00000, 0x36, 0x800000000000000f),
    (11, 0xffc00000, 0xfffffffeff800000, 0x400, 0x8000000000000001),
]


def sys_tree(root, regions, efi=False):
    """A recorded /sys: the firmware memory map, and with efi the files
    baton-kexec reads for the EFI runtime (boot_params, efi/*,
    runtime-map)."""
    for i, (start, end, kind) in enumerate(regions):
        d = root / "firmware" / "memmap" / str(i)
        d.mkdir(parents=True)
        (d / "start").write_text("0x%x\n" % start)
        (d / "end").write_text("0x%x\n" % end)
        (d / "type").write_text(kind + "\n")
    if efi:
        bp = bytearray(4096)
        bp[0x1c0:0x1c8] = b"EL64" + (0x3f9ee018).to_bytes(4, "little")
        # screen_info: an EFI framebuffer, 1280x800x32 at 0xc0000000.
        bp[0x0f] = 0x70
        bp[0x12:0x1a] = struct.pack("<HHHH", 1280, 800, 32, 0)
        bp[0x18:0x20] = struct.pack("<II", 0xc0000000, 1280 * 800 * 4)
        bp[0x24:0x2e] = struct.pack("<H8B", 5120, 8, 16, 8, 8, 8, 0, 8, 24)
        (root / "kernel" / "boot_params").mkdir(parents=True)
        (root / "kernel" / "boot_params" / "data").write_bytes(bytes(bp))
        e = root / "firmware" / "efi"
        e.mkdir(parents=True)
        for name, v in (("fw_vendor", 0x3f9eef98), ("runtime", 0x3f9eeb98),
                        ("config_table", 0x3f9ed018)):
            (e / name).write_text("0x%x\n" % v)
        (e / "systab").write_text("ACPI20=0x3f77e014\nACPI=0x3f77e000\n"
                                  "SMBIOS=0x3f5d9000\n")
        for i, fields in enumerate(RUNTIME_MAP):
            d = e / "runtime-map" / str(i)
            d.mkdir(parents=True)
            for name, v in zip(("type", "phys_addr", "virt_addr",
                                "num_pages", "attribute"), fields):
                (d / name).write_text("0x%x\n" % v)
    return root


@pytest.fixture
def esp(tmp_path, kernel, probes):
    d = tmp_path / "esp"
    (d / "EFI" / "BOOT").mkdir(parents=True)
    (d / "loader" / "entries").mkdir(parents=True)
    (d / "EFI" / "BOOT" / "baton.conf").write_text(CONF)
    (d / "loader" / "entries" / "debian-bls.conf").write_text(BLS)
    (d / "vmlinuz").write_bytes(Path(kernel).read_bytes())
    (d / "initrd.img").write_bytes(b"\x07" * 3000001)
    (d / "bad.bin").write_bytes(b"not a kernel\n" * 100)
    (d / "mb1-elf.elf").write_bytes((probes / "mb1-elf.elf").read_bytes())
    (d / "mod.bin").write_bytes(b"m" * 5000)
    return d


def run(tool, *args):
    p = subprocess.run([str(tool)] + list(args), stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True, timeout=60)
    return p.returncode, p.stdout, p.stderr


def segments(out):
    """{name: (mem, end, bufsz, memsz)} from the dry run's table."""
    segs = {}
    for m in re.finditer(r"^  (\S.*?) +mem 0x([0-9a-f]+)-0x([0-9a-f]+)  "
                         r"bufsz 0x([0-9a-f]+)  memsz 0x([0-9a-f]+)$", out,
                         re.M):
        segs[m.group(1)] = tuple(int(m.group(i), 16) for i in range(2, 6))
    return segs


def in_ram(start, end, regions):
    return any(s <= start and end <= e + 1 and kind == "System RAM"
               for s, e, kind in regions)


def test_list(baton_kexec, esp, tmp_path):
    rc, out, err = run(baton_kexec, "list", "--esp", str(esp), "--sys",
                       str(sys_tree(tmp_path / "sys", OVMF_1G)))
    assert rc == 0, err
    lines = out.splitlines()
    assert lines[0].split() == ["*", "deb", "linux", "Debian"]
    ids = [l[2:].split()[0] for l in lines]
    assert ids == ["deb", "bad", "mb1", "many", "shell", "sub", "debian-bls.conf"]
    assert re.search(r"debian-bls\.conf +linux +Debian from BLS", out)


def test_linux_plan(baton_kexec, esp, tmp_path):
    rc, out, err = run(baton_kexec, "deb", "--esp", str(esp), "--sys",
                       str(sys_tree(tmp_path / "sys", OVMF_1G, efi=True)),
                       "--append", "extra=1", "--dry-run")
    assert rc == 0, err
    assert ("EFI runtime: system table 0x3f9ee018, 3 regions mapped as the "
            "running kernel mapped them") in out
    assert "framebuffer: 1280x800 at 0xc0000000, 1280 pixels a line" in out
    segs = segments(out)
    assert set(segs) == {"kernel", "initrd", "command line", "boot_params",
                         "e820 table", "memory map", "page tables", "entry",
                         "EFI runtime map"}
    # SETUP_EFI (16-byte header, 96 bytes) and 40 bytes per region.
    assert segs["EFI runtime map"][2] == 16 + 96 + 40 * len(RUNTIME_MAP)
    spans = sorted((s[0], s[1]) for s in segs.values())
    for (a0, a1), (b0, b1) in zip(spans, spans[1:]):
        assert a1 <= b0, "overlap: %#x-%#x and %#x-%#x" % (a0, a1, b0, b1)
    for name, (mem, end, bufsz, memsz) in segs.items():
        assert mem % 4096 == 0 and memsz % 4096 == 0 and bufsz <= memsz, name
        assert in_ram(mem, end, OVMF_1G), "%s at %#x-%#x is not RAM" % (
            name, mem, end)
        assert mem >= 0x100000, name
    assert segs["initrd"][2] == 3000001
    assert segs["command line"][2] == len("console=ttyS0 extra=1") + 1
    entry = int(re.search(r"^entry: 0x([0-9a-f]+) in 64-bit long mode$", out,
                          re.M).group(1), 16)
    assert entry == segs["kernel"][0] + 0x200
    regs = dict(re.findall(r"(r[a-z]{2}) 0x([0-9a-f]+)", out))
    assert int(regs["rsi"], 16) == segs["boot_params"][0]
    purg = int(re.search(r"^purgatory: 0x([0-9a-f]+)", out, re.M).group(1), 16)
    assert purg == segs["entry"][0]
    assert int(regs["rsp"], 16) == segs["entry"][1]
    cr3 = int(re.search(r"^page tables: 0x([0-9a-f]+)", out, re.M).group(1), 16)
    assert cr3 == segs["page tables"][0]


@pytest.mark.parametrize("drop,why", [
    (None, r"/sys/kernel/boot_params/data cannot be read"),
    ("firmware/efi/runtime-map",
     r"/sys/firmware/efi/runtime-map is missing or empty "
     r"\(CONFIG_EFI_RUNTIME_MAP\)"),
    ("firmware/efi/runtime-map/1/virt_addr",
     r"a /sys/firmware/efi/runtime-map entry is incomplete"),
])
def test_linux_plan_without_efi(baton_kexec, esp, tmp_path, drop, why):
    """Without the running kernel's EFI state the plan has no runtime map,
    and baton-kexec says why."""
    sys = sys_tree(tmp_path / "sys", OVMF_1G, efi=drop is not None)
    if drop:
        target = sys / drop
        shutil.rmtree(target) if target.is_dir() else target.unlink()
    rc, out, err = run(baton_kexec, "deb", "--esp", str(esp), "--sys",
                       str(sys), "--dry-run")
    assert rc == 0, err
    assert re.search(r"baton-kexec: %s: the next kernel runs without EFI "
                     r"runtime services" % why, err), err
    assert "EFI runtime map" not in segments(out)
    if drop is None:
        assert "framebuffer: none (the running kernel was given no EFI " \
            "framebuffer)" in out


def test_multiboot_plan(baton_kexec, esp, tmp_path):
    rc, out, err = run(baton_kexec, "mb1", "--esp", str(esp), "--sys",
                       str(sys_tree(tmp_path / "sys", OVMF_1G)), "--dry-run")
    assert rc == 0, err
    segs = segments(out)
    assert "module" in segs and "boot information" in segs
    assert re.search(r"^entry: 0x[0-9a-f]+ in 32-bit protected mode, paging "
                     r"off$", out, re.M)
    regs = dict(re.findall(r"(r[a-z]{2}) 0x([0-9a-f]+)", out))
    assert int(regs["rax"], 16) == 0x2BADB002
    assert int(regs["rbx"], 16) == segs["boot information"][0]
    assert all(s[1] <= 1 << 32 for s in segs.values())


@pytest.mark.parametrize("entry,regions,message", [
    ("nosuch", OVMF_1G, r"no entry 'nosuch' \(baton-kexec list shows them\)"),
    ("bad", OVMF_1G, r"cannot load 'bad': /bad\.bin: "),
    ("deb", SMALL, r"cannot load 'Debian': .*vmlinuz"),
    ("many", OVMF_1G, r"cannot load 'many': the image needs 20 segments; "
                      r"kexec_load takes at most 16"),
    ("sub", OVMF_1G, r"'sub' is a menu entry: baton-kexec boots linux, "
                     r"multiboot and multiboot2 entries"),
])
def test_refusals(baton_kexec, esp, tmp_path, entry, regions, message):
    rc, out, err = run(baton_kexec, entry, "--esp", str(esp), "--sys",
                       str(sys_tree(tmp_path / "sys", regions)), "--dry-run")
    assert rc == 1, (out, err)
    assert re.search(r"^baton-kexec: " + message, err, re.M), err
    assert "segments:" not in out


def test_efi_entry_dry_run(baton_kexec, esp, tmp_path):
    rc, out, err = run(baton_kexec, "shell", "--esp", str(esp), "--sys",
                       str(sys_tree(tmp_path / "sys", OVMF_1G)), "--dry-run")
    assert rc == 0, err
    assert "would set LoaderEntryOneShot and reboot" in out


def test_no_config_no_memmap(baton_kexec, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    rc, out, err = run(baton_kexec, "list", "--esp", str(empty), "--sys",
                       str(sys_tree(tmp_path / "sys", OVMF_1G)))
    assert rc == 1 and "no baton.conf on the ESP" in err, err
    rc, out, err = run(baton_kexec, "list", "--esp", str(empty), "--sys",
                       str(tmp_path / "nosys"))
    assert rc == 1 and "firmware/memmap: no memory map" in err, err
    rc, out, err = run(baton_kexec, "list", "--esp", str(empty), "--config",
                       "/etc/hostname")
    assert rc == 1 and "is not on the ESP" in err, err


def test_efi_entry_sets_oneshot(baton_kexec, esp, tmp_path):
    """An EFI entry after Linux: LoaderEntryOneShot, as bootctl writes it
    (NV|BS|RT, UTF-16 with its NUL), so baton boots it next; without
    efivarfs, a message saying so."""
    sys = sys_tree(tmp_path / "sys", OVMF_1G)
    rc, out, err = run(baton_kexec, "shell", "--esp", str(esp), "--sys",
                       str(sys))
    assert rc == 1 and "efivarfs is not mounted" in err, err
    vars_ = sys / "firmware" / "efi" / "efivars"
    vars_.mkdir(parents=True)
    rc, out, err = run(baton_kexec, "SHELL", "--esp", str(esp), "--sys",
                       str(sys))
    assert rc == 0, err
    assert "LoaderEntryOneShot is now 'shell'" in out
    f = vars_ / "LoaderEntryOneShot-4a67b082-0a4c-41cf-b6c7-440b29bb8c4f"
    assert f.read_bytes() == b"\x07\0\0\0" + "shell\0".encode("utf-16-le")


GUID = "4a67b082-0a4c-41cf-b6c7-440b29bb8c4f"


@pytest.mark.parametrize("variables,picked,by", [
    ({}, "deb", None),
    ({"LoaderEntryDefault": "MB*"}, "mb1", "LoaderEntryDefault"),
    ({"LoaderEntryDefault": "mb1", "LoaderEntryOneShot": "debian-bls.conf"},
     "debian-bls.conf", "LoaderEntryOneShot"),
    ({"LoaderEntryDefault": "@saved", "LoaderEntryLastBooted": "mb1"},
     "mb1", "LoaderEntryDefault"),
    ({"LoaderEntryOneShot": "nothing-like-it"}, "deb", None),
])
def test_default_follows_efi_variables(baton_kexec, esp, tmp_path, variables,
                                       picked, by):
    """@default is what baton's menu would preselect: the one-shot, then
    LoaderEntryDefault (@saved: LoaderEntryLastBooted), then the config's
    default; ids and globs without case.  A dry run uses nothing up."""
    sys = sys_tree(tmp_path / "sys", OVMF_1G)
    vars_ = sys / "firmware" / "efi" / "efivars"
    vars_.mkdir(parents=True)
    for name, value in variables.items():
        (vars_ / ("%s-%s" % (name, GUID))).write_bytes(
            b"\x07\0\0\0" + (value + "\0").encode("utf-16-le"))
    before = sorted(p.name for p in vars_.iterdir())
    rc, out, err = run(baton_kexec, "list", "--esp", str(esp), "--sys",
                       str(sys))
    assert rc == 0, err
    starred = [l[2:].split()[0] for l in out.splitlines() if l[:2] == "* "]
    assert starred == [picked], out
    if by:
        assert "(* chosen by %s)" % by in out
    if "nothing-like-it" in variables.values():
        assert "LoaderEntryOneShot 'nothing-like-it' matches no entry" in err
    rc, out, err = run(baton_kexec, "@default", "--esp", str(esp), "--sys",
                       str(sys), "--dry-run")
    assert rc == 0, err
    assert re.search(r"^@default is '[^']+', chosen by %s$" % re.escape(
        by or "the config's default"), out, re.M), out
    assert sorted(p.name for p in vars_.iterdir()) == before
