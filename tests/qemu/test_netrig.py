"""Network boot against real servers as a fleet runs them (issue 10): the
test makes a network namespace of its own with a tap device, starts
dnsmasq (DHCP and TFTP, options 209 and 210 forced, a match for UEFI HTTP
boot's HTTPClient class) and nginx in it, and boots QEMU's card on the tap.
Nothing leaves the namespace, and the test removes it when done.

Needs root (network namespaces and tap devices); .ci/run has it."""

import os
import shutil

import pytest

from machine import ESC, Machine, Nic
from netrig import ADDR, Rig
from test_disk_sources import check_init
from test_net import linux_entry

pytestmark = pytest.mark.skipif(
    os.geteuid() != 0 or not shutil.which("dnsmasq") or
    not shutil.which("nginx"),
    reason="needs root, dnsmasq and nginx (tools/deps.sh installs them)")

PXE_BOOT = """
dhcp-boot=tag:efi64,baton.efi
dhcp-option-force=tag:efi64,209,menus/default.cfg
dhcp-option-force=tag:efi64,210,http://{addr}/baton/
"""

HTTP_BOOT = """
dhcp-option-force=tag:efi64-http,60,HTTPClient
dhcp-boot=tag:efi64-http,http://{addr}/baton/baton.efi
"""

# OVMF tries PXE over IPv4 and IPv6 before HTTP boot, and PXE over IPv6
# waits for DHCPv6 answers for minutes on some hosts (CI once timed out
# there). The firmware's own switches turn both PXE options off, so the
# first boot option is HTTP boot over IPv4.
NO_PXE = ["-fw_cfg", "name=opt/org.tianocore/IPv4PXESupport,string=n",
          "-fw_cfg", "name=opt/org.tianocore/IPv6PXESupport,string=n"]


@pytest.fixture
def trees(tmp_path, baton_efi, kernel, initrds):
    """The TFTP root (baton.efi) and the nginx root: /baton/ with baton.efi
    and its menus, the kernel and initrds at the top."""
    tftp, http = tmp_path / "tftp", tmp_path / "http"
    (http / "baton" / "menus").mkdir(parents=True)
    tftp.mkdir()
    shutil.copy(baton_efi, tftp / "baton.efi")
    shutil.copy(baton_efi, http / "baton" / "baton.efi")
    shutil.copy(kernel, http / "vmlinuz")
    shutil.copy(initrds[0], http / "initrd-one.cpio")
    shutil.copy(initrds[1], http / "initrd-two.cpio")
    return tftp, http


def boot_rig(tmp_path, trees, boot, extra_args=()):
    tftp, http = trees
    rig = Rig(tmp_path, tftp, http, boot)
    work = tmp_path / "vm"
    work.mkdir()
    nic = Nic(backend="tap", ifname="tap0", bootindex=0)
    m = Machine(work, [], memory=512, nics=[nic], wrap=rig.wrap(),
                extra_args=extra_args)
    return rig, m.start()


def test_pxe_dnsmasq_nginx(tmp_path, trees, initrds):
    """PXE from dnsmasq: options 209 and 210 (forced, as the firmware does
    not ask for them) put the config on nginx; the kernel and initrds
    come from nginx as /PATH on the config's server."""
    tftp, http = trees
    (http / "baton" / "menus" / "default.cfg").write_text(
        "timeout 0\n" + linux_entry(
            "Debian from nginx", "/vmlinuz", "/initrd-one.cpio",
            "../../initrd-two.cpio", initrds))
    rig, m = boot_rig(tmp_path, trees, PXE_BOOT)
    try:
        m.expect(r"config http://%s/baton/menus/default\.cfg" % ADDR,
                 timeout=120)
        m.expect(r"Booting 'Debian from nginx'", timeout=30)
        check_init(m, initrds[2])
    finally:
        m.kill()
        rig.stop()
    log = (tmp_path / "nginx-access.log").read_text()
    assert "GET /initrd-two.cpio HTTP/1.1\" 200" in log


def test_http_boot_dnsmasq_nginx(tmp_path, trees, initrds):
    """UEFI HTTP boot: dnsmasq answers the HTTPClient class with a URL on
    nginx; baton learns its URL and address from its device path and finds
    its config by MAC next to itself."""
    tftp, http = trees
    (http / "baton" / "baton.conf-01-52-54-00-12-34-56").write_text(
        "timeout 0\n" + linux_entry(
            "Debian by HTTP boot", "/vmlinuz", "/initrd-one.cpio",
            "/initrd-two.cpio", initrds))
    rig, m = boot_rig(tmp_path, trees, HTTP_BOOT, NO_PXE)
    try:
        m.expect(r"config http://%s/baton/baton\.conf-01-52-54-00-12-34-56"
                 % ADDR, timeout=120)
        m.expect(r"Booting 'Debian by HTTP boot'", timeout=30)
        check_init(m, initrds[2])
    finally:
        m.kill()
        rig.stop()


def test_tftp_progress_and_esc(tmp_path, trees):
    """A 64 MiB initrd over dnsmasq's TFTP shows its progress line (bytes,
    size, rate); Esc cancels it and the menu comes back."""
    tftp, http = trees
    with open(tftp / "big.bin", "wb") as f:
        f.write(os.urandom(64 << 20))
    (http / "baton" / "menus" / "default.cfg").write_text(
        "timeout 0\nentry big\n  title Big over TFTP\n  linux /vmlinuz\n"
        "  initrd tftp:/big.bin\n")
    rig, m = boot_rig(tmp_path, trees, PXE_BOOT)
    try:
        m.expect(r"Booting 'Big over TFTP'", timeout=120)
        m.expect(r"tftp://%s/big\.bin: [\d.]+ MiB of 64\.0 MiB, \d+ KiB/s"
                 % ADDR, timeout=60)
        m.send(ESC)
        m.expect(r"cannot boot 'Big over TFTP': tftp:/big\.bin: [^\n]*"
                 r"cancelled \(Esc\)", timeout=30)
    finally:
        m.kill()
        rig.stop()
