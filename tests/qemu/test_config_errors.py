"""A config with mistakes: every error is shown as <file>:<line>: <message>,
the broken entries stay in the menu but cannot boot, the good ones boot."""

import re

from conftest import conf, hello_re, item_re, menu_re

FILE = "/EFI/BOOT/baton.conf"

# Line numbers matter: they are in the expected messages.
BAD_CONFIG = conf("""
    # a config with mistakes
    timeout -1
    default good
    frobnicate yes

    entry good
        title Good one
        efi   /EFI/tools/hello.efi which=good

    entry last
        title Last good
        efi   /EFI/tools/hello.efi which=last

    entry nokernel
        title No boot line
        title

    entry good
        title Duplicate id
        efi   /EFI/tools/hello.efi which=dup
    """)


def line_re(text):
    """A regex for text exactly, ending a line (menu rows pad with spaces)."""
    return re.escape(text) + r" *\n"


def test_errors_are_reported_and_good_entries_boot(make_image, boot):
    vm = boot(make_image(config=BAD_CONFIG))
    vm.expect_all([line_re(FILE + ":" + msg) for msg in (
        "4: unknown key 'frobnicate'",
        "14: entry 'nokernel' has no efi, linux, linux-efi, multiboot, "
        "multiboot2, menu or action line",
        "16: 'title' needs a value (title TEXT)",
        "18: duplicate entry id 'good' (first at %s:6)" % FILE,
    )])
    vm.expect_all(menu_re("Good one", "Last good", "No boot line"))
    vm.send("3")
    # An entry's first error is the reason it cannot boot.
    vm.expect(line_re("cannot boot 'No boot line': %s:16: 'title' needs a "
                      "value (title TEXT)" % FILE))
    vm.not_seen(r"HELLO-EFI")
    vm.send("1")
    vm.expect(hello_re("which=good"))
    vm.expect(item_re(2, "Last good"))
    vm.send("2")
    vm.expect(hello_re("which=last"))
