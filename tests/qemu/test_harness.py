"""The harness, the image tool and hello.efi, without baton.

hello.efi is installed as BOOTX64.EFI, or run from OVMF's built-in UEFI
shell, which is what the firmware falls back to when a disk has no boot
program. These tests pass whatever state baton is in, so when a baton test
fails, these say whether the harness, the images or the firmware are to
blame.
"""

import re

import pytest

from conftest import HELLO_TXT_TEXT
from machine import ENTER, strip_terminal

BOOT_TXT = "sibling of BOOTX64 in EFI BOOT"


def test_strip_terminal():
    raw = ("\x1b[2J\x1b[01;01H\x1b[=3h\x1b[?25l\x1b[1m\x1b[33m\x1b[40mbaton"
           "\x1b[0m\r\n\x1b[02;01H> 1. One\x1b[K\x1b(B")
    assert strip_terminal(raw) == "\n\nbaton\n\n> 1. One"


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
