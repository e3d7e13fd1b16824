"""Network boot (issue 10), end to end on QEMU's user network: baton
PXE-booted by OVMF from QEMU's TFTP server, its config found by the MAC
address, the Debian kernel and both busybox initrds over TFTP and over HTTP
(a server on the host's 127.0.0.1, which the guest reaches as 10.0.2.2),
remote menus that chain to other servers, and every HTTP fault the fault
server injects, each with its message and the menu back.

Every kernel boot checks, in the guest, the SHA-256 of the files of both
initrds and the command line the kernel got."""

import hashlib
import os
import re
import shutil
import time

import pytest

from machine import ESC, Machine, Nic
from netserve import FaultServer
from test_disk_sources import CMDLINE, check_init

# QEMU's first card; the config search's MAC name for it.
MAC_NAME = "baton.conf-01-52-54-00-12-34-56"


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


@pytest.fixture
def tftp_root(tmp_path, baton_efi, kernel, initrds):
    """A TFTP folder with baton.efi, the kernel and both initrds under
    /boot, and a baton.conf that must not be used when a better name is
    there."""
    root = tmp_path / "tftp"
    (root / "boot").mkdir(parents=True)
    shutil.copy(baton_efi, root / "baton.efi")
    shutil.copy(kernel, root / "boot" / "vmlinuz")
    shutil.copy(initrds[0], root / "boot" / "initrd-one.cpio")
    shutil.copy(initrds[1], root / "boot" / "initrd-two.cpio")
    (root / "baton.conf").write_text(
        "timeout -1\nentry wrong\n  title Wrong config (plain baton.conf)\n"
        "  action reboot\n")
    return root


@pytest.fixture
def pxe(tmp_path):
    """pxe(tftp_root, memory=512) -> a started machine PXE-booting
    baton.efi from tftp_root through QEMU's user network."""
    machines = []

    def start(root, memory=512):
        work = tmp_path / ("vm%d" % len(machines))
        work.mkdir()
        nic = Nic(tftp=root, bootfile="baton.efi", bootindex=0)
        m = Machine(work, [], memory=memory, nics=[nic])
        machines.append(m)
        return m.start()

    yield start
    for m in machines:
        m.kill()


@pytest.fixture
def server(tmp_path, kernel, initrds):
    """The fault-injecting HTTP server over a folder with the kernel and
    both initrds."""
    root = tmp_path / "http"
    root.mkdir()
    shutil.copy(kernel, root / "vmlinuz")
    shutil.copy(initrds[0], root / "initrd-one.cpio")
    shutil.copy(initrds[1], root / "initrd-two.cpio")
    s = FaultServer(root)
    yield s
    s.stop()


def linux_entry(title, kernel, one, two, initrds, cmdline=CMDLINE):
    """An entry booting kernel with both initrds, pinned."""
    return ("entry %s\n  title %s\n  linux %s %s\n"
            "  initrd %s#sha256=%s\n  initrd %s#sha256=%s\n" % (
                title.split()[0].lower(), title, kernel, cmdline,
                one, sha256(initrds[0]), two, sha256(initrds[1])))


def test_pxe_tftp(tftp_root, pxe, initrds):
    """PXE boot: the config named after the card's MAC address is found
    before baton.conf, and its kernel and initrds come over TFTP (the
    server's own /boot, written as /boot and as tftp:/boot)."""
    (tftp_root / MAC_NAME).write_text(
        "timeout 0\n" + linux_entry(
            "Debian over TFTP", "/boot/vmlinuz", "tftp:/boot/initrd-one.cpio",
            "boot/initrd-two.cpio", initrds))
    m = pxe(tftp_root)
    m.expect(r"config tftp:/%s" % MAC_NAME, timeout=90)
    m.expect(r"Booting 'Debian over TFTP'", timeout=30)
    check_init(m, initrds[2])


def test_http_and_chained_menus(tftp_root, pxe, server, initrds):
    """The TFTP config opens a menu over HTTP, which opens a second menu
    on another server (another port) behind two redirects; that menu's
    paths resolve against its own URL, on its own server, and its kernel
    and initrds come through three redirects, a chunked body and a plain
    one."""
    base = "http://10.0.2.2:%d" % server.port
    other = FaultServer(tftp_root.parent / "http")
    (tftp_root / MAC_NAME).write_text(
        "timeout -1\nentry remote\n  title Remote menu\n"
        "  menu %s/files/menu1.conf\n" % base)
    root = tftp_root.parent / "http"
    (root / "menu1.conf").write_text(
        "timeout -1\nentry next\n  title Second remote menu\n"
        "  menu http://10.0.2.2:%d/redirect/2/sub/menu2.conf\n" % other.port)
    (root / "sub").mkdir()
    for name in ("vmlinuz", "initrd-one.cpio", "initrd-two.cpio"):
        shutil.copy(root / name, root / "sub" / name)
    (root / "sub" / "menu2.conf").write_text(
        "timeout 0\n" + linux_entry(
            "Debian over HTTP", "/redirect/3/sub/vmlinuz",
            "/chunked/sub/initrd-one.cpio", "/files/sub/initrd-two.cpio",
            initrds))
    try:
        chained_boot(pxe(tftp_root), initrds)
    finally:
        other.stop()
    assert [p for p, _ in server.log] == ["/files/menu1.conf"] * 2
    asked = [p for p, _ in other.log]
    assert "/files/sub/menu2.conf" in asked
    assert "/chunked/sub/initrd-one.cpio" in asked


def chained_boot(m, initrds):
    m.expect(r"1\. Remote menu", timeout=90)
    m.send("1")
    m.expect(r"1\. Second remote menu", timeout=30)
    m.send(ESC)
    m.expect(r"1\. Remote menu", timeout=30)
    m.send("1")
    m.expect(r"1\. Second remote menu", timeout=30)
    m.send("1")
    m.expect(r"1\. Debian over HTTP", timeout=30)
    m.send("1")
    m.expect(r"Booting 'Debian over HTTP'", timeout=30)
    check_init(m, initrds[2])


FAULTS = [
    ("Not found", "/status/404", r"HTTP 404 Not Found"),
    ("Forbidden", "/status/403", r"HTTP 403 Forbidden"),
    ("Server error", "/status/500", r"HTTP 500 Internal Server Error"),
    ("Redirect loop", "/loop", r"more than 5 redirects \(the last to /loop\)"),
    ("Closed mid-file", "/close-mid/vmlinuz",
     r"the server closed the connection at byte \d+"),
    ("Short body", "/short/vmlinuz",
     r"the server closed the connection at byte \d+"),
    # The firmware's HTTP driver parses the chunks too: a bad one that
    # came with the head makes it give up (EFI_ABORTED); one after that
    # makes it stop delivering without a word, which baton sees as a stall.
    ("Bad chunk", "/badchunk/vmlinuz",
     r"(chunk|no data from the server for 15 s)"),
    ("No length", "/noclen/vmlinuz", r"the server sent neither "
     r"Content-Length nor a chunked body, and the firmware's HTTP client "
     r"cannot read such a body to its end"),
]
# In a submenu (the menu takes digits 1-9).
MORE_FAULTS = [
    # Nothing listens on port 1 of the host.
    ("Refused", "http://10.0.2.2:1/x",
     r"(connection refused|connection reset)"),
    # (Debian 12's OVMF reports QEMU's error code 1 as 0.)
    ("TFTP not found", "tftp:/nope", r"TFTP error [01]: File not found"),
    ("Stalled head", "/stall-head",
     r"(no data from the server for 15 s|no answer from the server)"),
    ("Stalled body", "/stall-body/vmlinuz",
     r"no data from the server for 15 s"),
]


def fault_url(base, path):
    return path if path.startswith(("http://", "tftp:")) else base + path


def fault_entries(base, faults):
    return "".join("entry f%d\n  title %s\n  linux %s\n" % (
        n, title, fault_url(base, path))
        for n, (title, path, _) in enumerate(faults))


def expect_faults(m, faults, base):
    """Boot each fault's entry in turn: its message, and the menu back."""
    for n, (title, path, message) in enumerate(faults):
        m.send(str(n + 1))
        m.expect(r"cannot boot '%s': %s: [^\n]*%s" % (
            title, re.escape(fault_url(base, path)), message), timeout=60)


def test_http_faults(tftp_root, pxe, server):
    """Each fault gives a message naming the URL and what happened, and the
    menu comes back; Esc cancels a stalled transfer; a menu after all that
    still opens."""
    base = "http://10.0.2.2:%d" % server.port
    (tftp_root / MAC_NAME).write_text(
        "timeout -1\n" + fault_entries(base, FAULTS) +
        "entry more\n  title More faults\n  menu %s/files/more.conf\n" % base)
    (tftp_root.parent / "http" / "more.conf").write_text(
        "timeout -1\n" + fault_entries(base, MORE_FAULTS) +
        "entry big\n  title Too big\n  linux /files/vmlinuz\n"
        "  initrd /huge\n"
        "entry esc\n  title Stalled, Esc\n  linux /stall-body/vmlinuz\n"
        "entry ok\n  title Works\n  menu ok.conf\n")
    (tftp_root.parent / "http" / "ok.conf").write_text(
        "timeout -1\nentry x\n  title Reached the last menu\n"
        "  action reboot\n")
    m = pxe(tftp_root)
    m.expect(r"1\. Not found", timeout=90)
    expect_faults(m, FAULTS, base)
    m.send(str(len(FAULTS) + 1))
    m.expect(r"1\. Refused", timeout=30)
    expect_faults(m, MORE_FAULTS, base)
    # An initrd of 64 GiB: refused before any of it is read.
    m.send(str(len(MORE_FAULTS) + 1))
    m.expect(r"cannot boot 'Too big': [^\n]*64 GiB|cannot boot 'Too big': "
             r"[^\n]*(memory|room|larger)", timeout=60)
    m.send(str(len(MORE_FAULTS) + 2))
    m.expect(r"Booting 'Stalled, Esc'", timeout=30)
    time.sleep(2)
    m.send(ESC)
    m.expect(r"cannot boot 'Stalled, Esc': [^\n]*cancelled \(Esc\)",
             timeout=10)
    m.send(str(len(MORE_FAULTS) + 3))
    m.expect(r"1\. Reached the last menu", timeout=30)


IPXE = "/usr/lib/ipxe/ipxe.efi"      # Debian's ipxe package


@pytest.mark.parametrize("over", ["http", "tftp"])
def test_ipxe_chain(tftp_root, pxe, server, over):
    """efi http://.../ipxe.efi and efi tftp:/ipxe.efi: iPXE is read over the
    network and started with the card's device (and a URI node for HTTP,
    as HTTP boot would start it); it finds the card baton came through and
    gets its own address by DHCP."""
    shutil.copy(os.path.realpath(IPXE), tftp_root.parent / "http" / "ipxe.efi")
    shutil.copy(os.path.realpath(IPXE), tftp_root / "ipxe.efi")
    where = ("http://10.0.2.2:%d/files/ipxe.efi" % server.port
             if over == "http" else "tftp:/ipxe.efi")
    (tftp_root / MAC_NAME).write_text(
        "timeout 0\nentry ipxe\n  title iPXE over %s\n  efi %s\n" % (
            over, where))
    m = pxe(tftp_root)
    m.expect(r"Booting 'iPXE over %s'" % over, timeout=90)
    m.expect(r"iPXE \d", timeout=60)
    m.expect(r"net0: 52:54:00:12:34:56", timeout=60)
    m.expect(r"Configuring \(net0 52:54:00:12:34:56\)[^\n]*ok", timeout=60)


def test_from_disk_then_http(make_image, boot, server, initrds):
    """baton started from a disk brings the network up only when an entry
    needs it: DHCP through the firmware, then the kernel and initrds over
    HTTP."""
    base = "http://10.0.2.2:%d/files" % server.port
    conf = "timeout 0\n" + linux_entry(
        "Debian from a disk entry", base + "/vmlinuz",
        base + "/initrd-one.cpio", base + "/initrd-two.cpio", initrds)
    image = make_image(config=conf, tools=False)
    m = boot(image, nics=[Nic(bootindex=1)])
    m.expect(r"Booting 'Debian from a disk entry'", timeout=60)
    m.expect(r"baton: asking for an address by DHCP", timeout=30)
    check_init(m, initrds[2])
