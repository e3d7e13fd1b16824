"""Debian's memtest86+ (6.10 in Debian 12) booted through baton, once as a
bzImage with the `linux` protocol (memtest86+x64.bin, whose file is 8 bytes
shorter than syssize * 16) and once as an EFI program (memtest86+x64.efi).
Each must reach its first test: memtest draws its screen on COM1 when its
command line says console=ttyS0, and the test stops as soon as the screen
names a running test.

The package is fetched by tools/payloads.sh; only when that fails (no
archive to fetch it from) are these tests skipped."""

import subprocess

import pytest

from conftest import conf
from payloads import REPO

# memtest86+: console= sends its screen to COM1; nopause starts the tests
# without waiting for a key.
OPTIONS = "console=ttyS0,115200 nopause"
BOOT_TIMEOUT = 120      # OVMF + memtest's start-up under TCG
# The screen's title, drawn once memtest has set itself up, then test 0
# shown as running ("#0  [Address test, walking ones, no cache]", on a
# line of its own once the cursor moves are stripped).
SCREEN = r"Memtest86\+ v6\.\d+"
FIRST_TEST = r"#0 +\[Address test, walking ones, no cache\]"


@pytest.fixture(scope="module")
def memtest():
    """The folder holding memtest86+x64.bin and memtest86+x64.efi."""
    proc = subprocess.run([str(REPO / "tools" / "payloads.sh"), "memtest"],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True)
    if proc.returncode != 0:
        pytest.skip("memtest86+ could not be fetched (tools/payloads.sh "
                    "memtest):\n%s" % proc.stderr.strip())
    return REPO / proc.stdout.strip().splitlines()[-1]


@pytest.mark.parametrize("key,name", [
    ("linux", "memtest86+x64.bin"),
    ("efi", "memtest86+x64.efi"),
])
def test_memtest_reaches_first_test(make_image, boot, memtest, key, name):
    """baton starts memtest86+ and memtest runs: its screen and its first
    test show up on the serial console."""
    config = conf("""
        timeout 0

        entry memtest
            title Memtest86+
            %s /memtest/%s %s
        """ % (key, name, OPTIONS))
    image = make_image(config=config, tools=False,
                       files={"/memtest/" + name: memtest / name})
    vm = boot(image)
    # baton's refusal, if any, ends the wait at once instead of at the timeout.
    seen = vm.expect(r"cannot boot [^\n]*|" + SCREEN, timeout=BOOT_TIMEOUT)
    assert not seen.group(0).startswith("cannot boot"), seen.group(0)
    vm.expect(FIRST_TEST, timeout=BOOT_TIMEOUT)
