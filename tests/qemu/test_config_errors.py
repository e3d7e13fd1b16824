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


def test_errors_are_reported_and_good_entries_boot(make_image, boot):
    vm = boot(make_image(config=BAD_CONFIG))
    where = re.escape(FILE)
    vm.expect_all([
        re.escape("%s:4: unknown key 'frobnicate'" % FILE),
        r"%s:1[45]: \S" % where,      # entry with no boot line
        r"%s:16: \S" % where,         # title without a value
        r"%s:1[89]: \S" % where,      # duplicate id
    ])
    vm.expect_all(menu_re("Good one", "Last good", "No boot line"))
    vm.send("3")
    vm.expect(r"cannot boot")
    vm.not_seen(r"HELLO-EFI")
    vm.send("1")
    vm.expect(hello_re("which=good"))
    vm.expect(item_re(2, "Last good"))
    vm.send("2")
    vm.expect(hello_re("which=last"))
