"""The harness, the image tool and hello.efi, without baton.

hello.efi is installed as BOOTX64.EFI, or run from OVMF's built-in UEFI
shell, which is what the firmware falls back to when a disk has no boot
program. These tests pass whatever state baton is in, so when a baton test
fails, these say whether the harness, the images or the firmware are to
blame.
"""

import re
import shutil

import pytest

from conftest import HELLO_TXT_TEXT
from machine import (ENTER, ISA_DEBUG_EXIT, Drive, Machine, Nic,
                     strip_terminal)

BOOT_TXT = "sibling of BOOTX64 in EFI BOOT"


def test_strip_terminal():
    raw = ("\x1b[2J\x1b[01;01H\x1b[=3h\x1b[?25l\x1b[1m\x1b[33m\x1b[40mbaton"
           "\x1b[0m\r\n\x1b[02;01H> 1. One\x1b[K\x1b(B")
    assert strip_terminal(raw) == "\n\nbaton\n\n> 1. One"


def _option(cmd, name):
    """The values of every `name value` pair in a QEMU command line."""
    return [cmd[i + 1] for i, arg in enumerate(cmd[:-1]) if arg == name]


def test_command_line_defaults(tmp_path):
    cmd = Machine(tmp_path, [Drive("/x/a.img", bootindex=0)]).command()
    assert _option(cmd, "-nic") == ["none"]
    assert _option(cmd, "-netdev") == []
    assert _option(cmd, "-m") == ["512"]
    assert _option(cmd, "-device") == ["virtio-blk-pci,drive=d0,bootindex=0"]
    assert "-no-reboot" in cmd


def test_command_line_parameters(tmp_path):
    """Memory, user and tap networking, devices and extra arguments all
    reach the command line, and a NIC gets the bootindex it was given."""
    nics = [Nic(tftp="/srv/a,b", bootfile="boot.efi", bootindex=1),
            Nic("tap", ifname="tap7", model="e1000")]
    cmd = Machine(tmp_path, [Drive("/x/a.img", bootindex=0)], memory=6144,
                  nics=nics, devices=[ISA_DEBUG_EXIT],
                  extra_args=["-smp", "2"], no_reboot=False).command()
    assert _option(cmd, "-m") == ["6144"]
    assert "-nic" not in cmd
    assert _option(cmd, "-netdev") == [
        "user,id=n0,tftp=/srv/a,,b,bootfile=boot.efi",
        "tap,id=n1,ifname=tap7,script=no,downscript=no"]
    assert _option(cmd, "-device") == [
        "virtio-blk-pci,drive=d0,bootindex=0",
        "virtio-net-pci,netdev=n0,romfile=,bootindex=1",
        "e1000,netdev=n1,romfile=",
        "isa-debug-exit,iobase=0xf4,iosize=0x04"]
    assert cmd[-2:] == ["-smp", "2"]
    assert "-no-reboot" not in cmd


def test_nic_arguments_are_checked():
    with pytest.raises(ValueError):
        Nic("tap")
    with pytest.raises(ValueError):
        Nic("tap", ifname="tap0", tftp="/srv")
    with pytest.raises(ValueError):
        Nic("vde")


def test_pxe_over_user_network(tmp_path, hello_efi):
    """A NIC with a bootindex and no disk: OVMF gets an address and the boot
    file name from QEMU's DHCP server, downloads hello.efi over TFTP and
    runs it. It has no file system to read a sibling from."""
    tftp = tmp_path / "tftp"
    tftp.mkdir()
    shutil.copy(hello_efi, tftp / "hello.efi")
    nic = Nic(tftp=tftp, bootfile="hello.efi", bootindex=0)
    with Machine(tmp_path, [], nics=[nic]) as vm:
        vm.expect(r"Station IP address is 10\.0\.2\.15")
        vm.expect(r"NBP filename is hello\.efi")
        vm.expect(r"HELLO-EFI options='' path='' sibling='\(none\)'")


def test_not_seen_watches_the_quiet_period(make_image, boot):
    """not_seen() fails on output that arrives during its quiet period, not
    only on what has been read already: hello.efi prints its line several
    seconds after the firmware starts, so right after start() the line is
    not there yet, and a quiet period long enough must see it."""
    vm = boot(make_image(boot="hello"))
    vm.not_seen(r"HELLO-EFI", quiet=0)
    with pytest.raises(AssertionError, match="did not expect 'HELLO-EFI'"):
        vm.not_seen(r"HELLO-EFI", quiet=60)


@pytest.mark.parametrize("kind,as_", [
    ("img", "disk"),     # the USB image on a disk
    ("iso", "cdrom"),    # the ISO on a CD: El Torito
    ("iso", "usb"),      # the ISO written to a USB stick: GPT ESP
])
def test_hello_as_bootx64(make_image, boot, kind, as_):
    """The firmware finds BOOTX64.EFI on each kind of image; hello.efi sees
    its own path and reads a file next to it through its device handle."""
    image = make_image(boot="hello", kind=kind,
                       files={"/EFI/BOOT/hello.txt": BOOT_TXT + "\n"})
    vm = boot(image, as_=as_)
    vm.expect(r"HELLO-EFI options='[^'\n]*' path='\\EFI\\BOOT\\BOOTX64.EFI' "
              r"sibling='%s'" % BOOT_TXT)


def _skip_shell_countdown(vm):
    """Waits for the UEFI shell to offer startup.nsh, skips it, and returns
    the shell's mapping table."""
    m = vm.expect(r"Mapping table\n(.*?)Press ESC in", flags=re.S)
    vm.send(ENTER)
    vm.expect(r"Shell> ")
    return m.group(1)


def _fs_for_partuuid(mapping, guid):
    """The FSn: name whose device path holds the partition GUID."""
    m = re.search(r"(FS\d+):[^\n]*\n\s*\S*HD\(\d+,GPT,%s," % re.escape(guid),
                  mapping, re.I)
    assert m, "no FS mapping for partition %s in:\n%s" % (guid, mapping)
    return m.group(1)


def test_hello_from_uefi_shell(make_image, boot):
    """With no boot program on either disk OVMF starts its shell. Through it,
    hello.efi shows its load options, its path, its sibling file, and returns
    exit=N as its status; the second disk's partition GUID is the one
    baton-mkimage was asked for."""
    guid1 = "11111111-2222-3333-4444-555555555555"
    guid2 = "66666666-7777-8888-9999-AAAAAAAAAAAA"
    first = make_image(boot=None, partguid=guid1, label="FIRST")
    second = make_image(boot=None, partguid=guid2, label="SECOND",
                        files={"/EFI/tools/hello.txt": "on the second disk\n"})
    vm = boot(first, second)
    mapping = _skip_shell_countdown(vm)
    fs1 = _fs_for_partuuid(mapping, guid1)
    fs2 = _fs_for_partuuid(mapping, guid2)

    vm.send(r"%s:\EFI\tools\hello.efi greeting=hi exit=3" % fs1 + ENTER)
    vm.expect(r"HELLO-EFI options='%s:\\EFI\\tools\\hello.efi greeting=hi "
              r"exit=3' path='\\EFI\\tools\\hello.efi' sibling='%s'"
              % (fs1, HELLO_TXT_TEXT))
    vm.send("echo status %lasterror%" + ENTER)
    vm.expect(r"\nstatus 0x3\n")

    vm.send(r"%s:\EFI\tools\hello.efi" % fs2 + ENTER)
    vm.expect(r"HELLO-EFI options='[^'\n]*' path='\\EFI\\tools\\hello.efi' "
              r"sibling='on the second disk'")
    vm.send("echo status %lasterror%" + ENTER)
    vm.expect(r"\nstatus 0x0\n")

    vm.send("vol %s" % fs2 + ENTER)
    vm.expect(r"SECOND")
