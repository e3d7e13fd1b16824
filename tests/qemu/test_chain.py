"""Chain-loading EFI programs: what the program gets (load options, device
path, its volume), what baton says when it returns or cannot be loaded,
refused files (missing, wrong SHA-256), a second baton started with
config=, and programs on other disks named by label, FAT serial and GPT
partition GUID."""

import hashlib
import re

from conftest import HEADING, HELLO_TXT_TEXT, conf, hello_re, item_re, menu_re


def test_chain_load_gets_options_path_and_volume(make_image, boot):
    """hello.efi reports the options exactly as configured, its own path
    (so the device path baton built is right) and the file next to it (read
    through its device handle); its exit status comes back to the menu, and
    the menu still boots."""
    config = conf("""
        timeout -1

        entry three
            title Hello with status
            efi   /EFI/tools/hello.efi greeting=hi list=a,b:c  x=y exit=3

        entry plain
            title Hello plain
            efi   /EFI/tools/hello.efi
        """)
    vm = boot(make_image(config=config))
    vm.expect_all(menu_re("Hello with status", "Hello plain"))
    vm.send("1")
    vm.expect(hello_re("greeting=hi list=a,b:c  x=y exit=3",
                       path=r"\EFI\tools\hello.efi", sibling=HELLO_TXT_TEXT))
    vm.expect(r"'Hello with status' returned status 0x3\b")
    vm.expect(item_re(2, "Hello plain"))
    vm.send("2")
    vm.expect(hello_re(""))


def test_missing_file_is_refused(make_image, boot):
    config = conf("""
        timeout -1

        entry missing
            title Not there
            efi   /EFI/nope.efi

        entry hello
            title Hello
            efi   /EFI/tools/hello.efi after=missing
        """)
    vm = boot(make_image(config=config))
    vm.expect_all(menu_re("Not there", "Hello"))
    vm.send("1")
    vm.expect(re.escape("cannot boot 'Not there': /EFI/nope.efi: file not found"))
    vm.expect(item_re(2, "Hello"))
    vm.send("2")
    vm.expect(hello_re("after=missing"))


def test_sha256_pin(make_image, boot, hello_efi):
    """A wrong #sha256= refuses the entry and names both hashes; the right
    one boots, and the pin is not part of the path or the options."""
    good = hashlib.sha256(hello_efi.read_bytes()).hexdigest()
    bad = hashlib.sha256(b"something else").hexdigest()
    config = conf("""
        timeout -1

        entry bad
            title Wrong pin
            efi   /EFI/tools/hello.efi#sha256=%s pin=bad

        entry good
            title Right pin
            efi   /EFI/tools/hello.efi#sha256=%s pin=good
        """ % (bad, good.upper()))
    vm = boot(make_image(config=config))
    vm.expect_all(menu_re("Wrong pin", "Right pin"))
    vm.send("1")
    vm.expect(r"(?i)cannot boot 'Wrong pin': /EFI/tools/hello\.efi: SHA-256 "
              r"mismatch \(expected %s, got %s\)" % (bad, good))
    vm.not_seen(r"pin=bad")
    vm.expect(item_re(2, "Right pin"))
    vm.send("2")
    vm.expect(hello_re("pin=good"))


def test_config_load_option(make_image, boot):
    """baton started by baton with config=/other.conf shows that menu."""
    config = conf("""
        timeout -1

        entry again
            title Another baton
            efi   /EFI/BOOT/BOOTX64.EFI config=/other.conf
        """)
    other = conf("""
        timeout -1

        entry other
            title From other.conf
            efi   /EFI/tools/hello.efi from=other
        """)
    vm = boot(make_image(config=config, files={"/other.conf": other}))
    vm.expect(HEADING)
    vm.expect(item_re(1, "Another baton"))
    vm.send("1")
    vm.expect(HEADING)
    vm.expect(item_re(1, "From other.conf"))
    vm.send("1")
    vm.expect(hello_re("from=other"))


def test_sources_on_another_disk(make_image, boot):
    """label=, uuid= (the FAT serial) and partuuid= (the GPT partition
    GUID) find the second disk; hello.efi runs from it and reads the file
    next to it there."""
    partuuid = "c0ffee00-1234-4abc-8def-0123456789ab"
    there = "hello.txt on the data disk"
    data = make_image(boot=None, label="DATA2", serial="ABCD-1234",
                      partguid=partuuid, files={"/EFI/tools/hello.txt": there})
    config = conf("""
        timeout -1

        entry by-label
            title By label
            efi   label=DATA2:/EFI/tools/hello.efi via=label

        entry by-uuid
            title By FAT serial
            efi   uuid=ABCD-1234:/EFI/tools/hello.efi via=uuid

        entry by-partuuid
            title By partition GUID
            efi   partuuid=%s:/EFI/tools/hello.efi via=partuuid
        """ % partuuid)
    # a hello.efi started from the boot disk would read 'wrong disk'
    vm = boot(make_image(config=config, files={"/EFI/tools/hello.txt": "wrong disk"}),
              data)
    titles = ("By label", "By FAT serial", "By partition GUID")
    vm.expect_all(menu_re(*titles))
    for n, via in enumerate(("label", "uuid", "partuuid"), 1):
        vm.send(str(n))
        vm.expect(hello_re("via=" + via, sibling=there))
        vm.expect(item_re(3, titles[2]))


def test_disk_outside_the_boot_order(make_image, tmp_path, hello_efi):
    """A second disk with no boot index is not connected by OVMF: baton must
    connect it itself when a path names a volume it has not found."""
    from machine import Drive, Machine

    there = "hello.txt on the unconnected disk"
    data = make_image(boot=None, label="LATE", files={"/EFI/tools/hello.txt": there})
    config = conf("""
        timeout -1

        entry late
            title On a disk outside the boot order
            efi   label=LATE:/EFI/tools/hello.efi via=late
        """)
    image = make_image(config=config, files={"/EFI/tools/hello.txt": "wrong disk"})
    work = tmp_path / "vm"
    work.mkdir()
    m = Machine(work, [Drive(image, "disk", bootindex=0), Drive(data, "disk")])
    m.start()
    try:
        m.expect(item_re(1, "On a disk outside the boot order"), timeout=60)
        m.send("1")
        m.expect(hello_re("via=late", sibling=there))
    finally:
        m.kill()
