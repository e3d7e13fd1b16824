"""The `linux` (kexec-style) and `linux-efi` protocols with a real Debian
kernel and a busybox initramfs built at test time, and the messages for bad
kernels.  The init script prints what the kernel got; the tests assert it."""

import re
import struct

import pytest


BOOT_TIMEOUT = 150      # OVMF + kernel + init under TCG
CMDLINE = "console=ttyS0 panic=-1 baton.test=kexec-check"


def linux_config(key, options=CMDLINE):
    return ("timeout 0\n"
            "entry k\n"
            "  title Debian\n"
            "  %s /vmlinuz %s\n"
            "  initrd /initrd-one.cpio\n"
            "  initrd /initrd-two.cpio\n" % (key, options))


def check_init(m, sums, memory_mib):
    """Asserts what the init script printed and that the machine powered off."""
    m.expect(r"INIT-MARKER start", timeout=BOOT_TIMEOUT)
    got = m.expect(r"INIT cmdline=([^\r\n]*)\r?\n").group(1)
    # The kernel's console messages may land in the middle of the line.
    got = re.split(r"\[\s*\d+\.\d+\] ", got)[0].strip()
    assert got == CMDLINE, "kernel command line %r, expected %r" % (got, CMDLINE)
    for name, digest in sorted(sums.items()):
        m.expect(r"INIT sha256 %s  /data/%s" % (digest, re.escape(name)))
    m.expect(r"INIT efi_runtime=yes")
    total_kib = int(m.expect(r"INIT MemTotal:\s+(\d+) kB").group(1))
    # The kernel keeps some memory for itself; it must see most of the RAM,
    # and above 4 GiB when there is RAM there.
    assert total_kib > memory_mib * 1024 * 0.80, (
        "MemTotal %d kB for %d MiB of RAM" % (total_kib, memory_mib))
    m.expect(r"INIT-MARKER done")
    m.not_seen(r"INIT dmesg:")
    assert m.wait_exit(timeout=60) == 0


@pytest.mark.parametrize("key,memory", [
    ("linux", 512), ("linux", 6144), ("linux-efi", 512), ("linux-efi", 6144),
])
def test_debian_kernel(make_image, boot, kernel, initrds, key, memory):
    first, second, sums = initrds
    image = make_image(config=linux_config(key), tools=False, files={
        "/vmlinuz": kernel, "/initrd-one.cpio": first,
        "/initrd-two.cpio": second})
    m = boot(image, memory=memory)
    m.expect(r"Booting 'Debian'", timeout=60)
    check_init(m, sums, memory)


def fake_bzimage(version=0x020F, init_size=0x200000, xloadflags=0x3,
                 payload_len=0x1000):
    """A synthetic bzImage header with a tiny payload."""
    setup_sects = 1
    img = bytearray(512 * (setup_sects + 1) + payload_len)
    img[0x1F1] = setup_sects
    struct.pack_into("<H", img, 0x1FE, 0xAA55)
    img[0x201] = 0x6A                        # header length
    img[0x202:0x206] = b"HdrS"
    struct.pack_into("<H", img, 0x206, version)
    img[0x211] = 0x01                        # LOADED_HIGH
    struct.pack_into("<I", img, 0x22C, 0x7FFFFFFF)
    struct.pack_into("<I", img, 0x230, 0x200000)
    img[0x234] = 1                           # relocatable
    img[0x235] = 21
    struct.pack_into("<H", img, 0x236, xloadflags)
    struct.pack_into("<I", img, 0x238, 2047)
    struct.pack_into("<I", img, 0x1F4, payload_len // 16)   # syssize
    struct.pack_into("<Q", img, 0x258, 0x1000000)
    struct.pack_into("<I", img, 0x260, init_size)
    return bytes(img)


def test_bad_kernels_return_to_menu(make_image, boot, kernel, initrds):
    """Each bad input gives its message naming the file, the menu goes on,
    and a good entry after them boots."""
    first, second, sums = initrds
    real = kernel.read_bytes()
    truncated = real[:len(real) // 3]
    setup_sects = real[0x1F1] or 4
    syssize, = struct.unpack_from("<I", real, 0x1F4)
    entries = [
        ("Not a kernel", "linux /notakernel.bin",
         "/notakernel.bin: not a bzImage (no boot flag 0xAA55 at 0x1FE)"),
        ("Truncated", "linux /truncated.bin",
         "/truncated.bin: truncated (syssize at 0x1F4 says 0x%x paragraphs "
         "of kernel after the setup, file has 0x%x)"
         % (syssize, (len(truncated) - (setup_sects + 1) * 512 + 15) // 16)),
        ("Too old", "linux /old.bin",
         "/old.bin: boot protocol 2.06 (version at 0x206) is too old (2.12 "
         "or later needed for the 64-bit entry)"),
        ("No initrd", "linux /vmlinuz\n  initrd /missing.cpio",
         "/missing.cpio: file not found"),
        ("Long line", "linux /vmlinuz " + "x" * 3000,
         "command line is 3000 bytes; this kernel takes at most 2047 "
         "(cmdline_size at 0x238)"),
        ("Too big", "linux /huge.bin",
         "/huge.bin: no room for the kernel's 0x7f000000 bytes (RAM at or "
         "above 0x1000000, aligned to 0x200000)"),
    ]
    good = ("Good kernel", "linux /vmlinuz %s\n  initrd /initrd-one.cpio\n"
            "  initrd /initrd-two.cpio" % CMDLINE, None)
    conf = "timeout -1\n" + "".join(
        "entry e%d\n  title %s\n  %s\n" % (n, title, body)
        for n, (title, body, _) in enumerate(entries + [good]))
    image = make_image(config=conf, files={
        "/vmlinuz": kernel,
        "/initrd-one.cpio": first,
        "/initrd-two.cpio": second,
        "/notakernel.bin": b"just some text, not a kernel\n" * 100,
        "/truncated.bin": truncated,
        "/old.bin": fake_bzimage(version=0x0206),
        "/huge.bin": fake_bzimage(init_size=0x7F000000),
    })
    m = boot(image, memory=512)
    m.expect(r"1\. Not a kernel", timeout=60)
    for n, (title, _, message) in enumerate(entries):
        m.send(str(n + 1))
        m.expect(re.escape("cannot boot '%s': %s" % (title, message)) + r" *\n",
                 timeout=60)
    # The menu still works after all that: the good entry boots.
    m.expect(r"7\. Good kernel")
    m.send("7")
    m.expect(r"Booting 'Good kernel'")
    check_init(m, sums, 512)
