"""baton's menu in QEMU: reaching it from each kind of image, the timeout
and default, keys, submenus, and the menu baton makes without a config."""

import pytest

from conftest import HEADING, conf, hello_re, item_re, menu_re
from machine import DOWN, ENTER, ESC

TWO_ENTRIES = conf("""
    timeout -1

    entry first
        title First entry
        efi   /EFI/tools/hello.efi n=1

    entry second
        title Second entry
        efi   /EFI/tools/hello.efi n=2
    """)


@pytest.mark.parametrize("kind,as_", [
    ("iso", "cdrom"),   # make iso, burnt to a CD
    ("img", "disk"),    # make usb, written to a disk
    ("iso", "usb"),     # the hybrid ISO written to a USB stick
])
def test_menu_is_reached(make_image, boot, kind, as_):
    vm = boot(make_image(config=TWO_ENTRIES, kind=kind), as_=as_)
    vm.expect(HEADING)
    vm.expect_all(menu_re("First entry", "Second entry"))
    # timeout -1: nothing boots by itself, not even after the default
    # timeout (5 s) would have run out.
    vm.not_seen(r"Booting|HELLO-EFI", quiet=8)


def test_default_boots_after_timeout(make_image, boot):
    config = conf("""
        timeout 1
        default hello

        entry other
            title Not the default
            efi   /EFI/tools/hello.efi which=other

        entry hello
            title The default
            efi   /EFI/tools/hello.efi which=default
        """)
    vm = boot(make_image(config=config))
    vm.expect(HEADING)
    vm.expect(hello_re("which=default"))
    vm.not_seen(r"which=other")


def test_keys_move_and_select(make_image, boot):
    """DOWN + ENTER boots the second entry; after it returns, the digit 3
    boots the third."""
    config = conf("""
        timeout -1

        entry one
            title One
            efi   /EFI/tools/hello.efi n=1

        entry two
            title Two
            efi   /EFI/tools/hello.efi n=2

        entry three
            title Three
            efi   /EFI/tools/hello.efi n=3
        """)
    vm = boot(make_image(config=config))
    vm.expect(HEADING)
    vm.expect_all(menu_re("One", "Two", "Three"))
    vm.send(DOWN)
    vm.send(ENTER)
    vm.expect(hello_re("n=2"))
    vm.expect(item_re(3, "Three"))      # the menu is back
    vm.send("3")
    vm.expect(hello_re("n=3"))
    vm.not_seen(r"n=1'")


def test_submenu_and_back(make_image, boot):
    """menu /sub.conf opens the submenu; ESC goes back to the parent, whose
    entries are shown again; an entry of the submenu boots."""
    parent = conf("""
        timeout -1

        entry first
            title Parent first
            efi   /EFI/tools/hello.efi from=parent

        entry more
            title More choices
            menu  /sub.conf
        """)
    sub = conf("""
        entry s1
            title Sub one
            efi   /EFI/tools/hello.efi from=sub n=1

        entry s2
            title Sub two
            efi   /EFI/tools/hello.efi from=sub n=2
        """)
    vm = boot(make_image(config=parent, files={"/sub.conf": sub}))
    vm.expect_all(menu_re("Parent first", "More choices"))
    vm.send("2")
    vm.expect_all(menu_re("Sub one", "Sub two"))
    vm.send(ESC)
    vm.expect_all(menu_re("Parent first", "More choices"))
    vm.send("2")
    vm.expect_all(menu_re("Sub one", "Sub two"))
    vm.send("2")
    vm.expect(hello_re("from=sub n=2"))


def test_menu_without_config(make_image, boot):
    """No baton.conf: baton lists the EFI programs it found
    and the firmware actions; the found program boots from the list."""
    vm = boot(make_image(config=None))
    vm.expect(HEADING)
    hello, _, _ = vm.expect_all([r"(?i)(\d+)\. [^\n]*hello\.efi",
                                 r"(?i)\d+\. [^\n]*Reboot",
                                 r"(?i)\d+\. [^\n]*Firmware setup"])
    vm.send(hello.group(1))
    vm.expect(r"HELLO-EFI options='[^'\n]*' path='\\EFI\\tools\\hello\.efi'")
