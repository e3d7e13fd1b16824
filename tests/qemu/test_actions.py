"""Entries with `action`: power off, reboot and firmware setup really
happen (QEMU exits, or OVMF comes back up in its setup screen)."""

import pytest

from conftest import conf, menu_re

ACTIONS = conf("""
    timeout -1

    entry off
        title Power off
        action poweroff

    entry reboot
        title Reboot
        action reboot

    entry setup
        title Firmware setup
        action firmware-setup
    """)


@pytest.mark.parametrize("key", ["1", "2"], ids=["poweroff", "reboot"])
def test_poweroff_and_reboot_end_qemu(make_image, boot, key):
    """Power off ends QEMU; so does a reset, because of -no-reboot."""
    vm = boot(make_image(config=ACTIONS), no_reboot=True)
    vm.expect_all(menu_re("Power off", "Reboot", "Firmware setup"))
    vm.send(key)
    assert vm.wait_exit() == 0


def test_firmware_setup(make_image, boot):
    """The machine resets into OVMF's setup screen (its front page)."""
    vm = boot(make_image(config=ACTIONS), no_reboot=False)
    vm.expect_all(menu_re("Power off", "Reboot", "Firmware setup"))
    vm.send("3")
    vm.expect(r"Boot Maintenance Manager")
