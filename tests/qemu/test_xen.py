"""A real Multiboot 2 kernel: Debian's Xen 4.17 hypervisor (gzip-compressed,
entered at its EFI amd64 entry with boot services running, as GRUB boots it
on UEFI), with the Debian kernel and a busybox initramfs as dom0 modules.
Xen's banner and dom0's init marker must both appear on the serial line, and
dom0 powering off must power the machine off."""

import time

import pytest

from machine import Drive, Machine
from payloads import build_initrds, payload

XEN_ARGS = "console=com1 com1=115200,8n1 dom0_mem=512M loglvl=warning"
DOM0_ARGS = "console=hvc0 panic=-1 baton.test=dom0"


@pytest.fixture(scope="session")
def xen_payloads(tmp_path_factory):
    d = tmp_path_factory.mktemp("xen")
    first, second, sums = build_initrds(d, payload("busybox"))
    both = d / "dom0-initrd.cpio"
    # cpio archives concatenate: Xen passes one initrd module to dom0.
    both.write_bytes(first.read_bytes() + second.read_bytes())
    return payload("xen"), payload("linux"), both, sums


def test_xen_dom0(make_image, tmp_path, xen_payloads):
    xen, kernel, initrd, sums = xen_payloads
    conf = ("timeout 0\n"
            "entry xen\n"
            "  title Xen 4.17\n"
            "  multiboot2 /xen.gz %s\n"
            "  module /vmlinuz %s\n"
            "  module /dom0.cpio\n" % (XEN_ARGS, DOM0_ARGS))
    image = make_image(config=conf, tools=False, files={
        "/xen.gz": xen, "/vmlinuz": kernel, "/dom0.cpio": initrd})
    work = tmp_path / "vm"
    work.mkdir()
    m = Machine(work, [Drive(image, "disk", bootindex=0)], memory=2048)
    m.start()
    try:
        m.expect(r"Booting 'Xen 4\.17'", timeout=60)
        t0 = time.monotonic()
        m.expect(r"Xen version 4\.17", timeout=120)
        t_xen = time.monotonic() - t0
        m.expect(r"INIT-MARKER start", timeout=300)
        t_dom0 = time.monotonic() - t0
        got = m.expect(r"INIT cmdline=([^\r\n]*)\r?\n").group(1).strip()
        assert got == DOM0_ARGS, "dom0 command line %r, expected %r" % (got, DOM0_ARGS)
        for name, digest in sorted(sums.items()):
            m.expect(r"INIT sha256 %s  /data/%s" % (digest, name))
        m.expect(r"INIT-MARKER done")
        assert m.wait_exit(timeout=120) == 0
        print("Xen banner after %.1f s, dom0 init after %.1f s" % (t_xen, t_dom0))
    finally:
        m.kill()
