"""The kexec-style handoff proven by the probe kernel (tests/probe/): it
checks the CPU, boot_params, e820, initrd, interrupt controllers and page
tables it was entered with and prints one verdict line per check.

OVMF's ExitBootServices already leaves the 8259s masked and the APICs in
virtual-wire mode, so a probe that only read them would prove nothing about
baton.  "handoff disturb-irqs" makes baton put them in a wrong state after
ExitBootServices; the quiescing must repair it (every check passes), and
with "no-quiesce" as well the probe must see the damage (the checks fail)."""

import hashlib
import os
import subprocess
from pathlib import Path

import pytest

from machine import ISA_DEBUG_EXIT, Drive, Machine

REPO = Path(__file__).resolve().parents[2]
PROBE = REPO / "build" / "probe" / "probe-linux.bzImage"
CHECKS = ["long_mode", "cs_selector", "data_selectors", "gdt_flat",
          "interrupts_off", "boot_params", "cmdline", "initrd", "e820",
          "efi_info", "acpi_rsdp", "pic_masks", "lapic", "ioapic",
          "identity_map"]
IRQ_CHECKS = {"pic_masks", "lapic", "ioapic"}


@pytest.fixture(scope="session")
def probe_kernel(baton_efi):
    proc = subprocess.run(["make", "build/probe/probe-linux.bzImage"], cwd=REPO,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True)
    assert proc.returncode == 0, proc.stdout[-4000:]
    return PROBE


def run_probe(make_image, tmp_path, kernel, handoff=None, memory=512):
    """Boots the probe through baton's `linux` entry; returns (verdicts,
    machine, exit status)."""
    initrd = os.urandom(300001)
    digest = hashlib.sha256(initrd).hexdigest()
    conf = ("timeout 0\nentry p\n  title Probe\n"
            "  linux /probe.bzImage console=ttyS0 probe.initrd_sha256=%s\n"
            "  initrd /probe.initrd\n" % digest)
    if handoff:
        conf += "  handoff %s\n" % handoff
    image = make_image(config=conf, tools=False, files={
        "/probe.bzImage": kernel, "/probe.initrd": initrd})
    work = tmp_path / "vm"
    work.mkdir()
    m = Machine(work, [Drive(image, "disk", bootindex=0)], memory=memory,
                devices=[ISA_DEBUG_EXIT])
    m.start()
    try:
        done = m.expect(r"PROBE DONE (\d+) checks (\d+) failed", timeout=90)
        status = m.wait_exit(timeout=30)
        verdicts = {}
        for line in m.text.splitlines():
            line = line.strip()
            if line.startswith("PROBE ") and ": " in line:
                name, rest = line[6:].split(": ", 1)
                if rest.startswith(("PASS", "FAIL")):
                    verdicts[name] = rest
        assert int(done.group(1)) == len(CHECKS), m.text[-3000:]
        return verdicts, m, status
    finally:
        m.kill()


def assert_all_pass(verdicts, text):
    assert sorted(verdicts) == sorted(CHECKS), (
        "checks reported: %s\n%s" % (sorted(verdicts), text[-3000:]))
    failed = {k: v for k, v in verdicts.items() if not v.startswith("PASS")}
    assert not failed, "failed checks: %s\n%s" % (failed, text[-3000:])


@pytest.mark.parametrize("memory", [512, 6144])
def test_probe_handoff(make_image, tmp_path, probe_kernel, memory):
    verdicts, m, status = run_probe(make_image, tmp_path, probe_kernel,
                                    memory=memory)
    assert_all_pass(verdicts, m.text)
    assert status == 1   # isa-debug-exit: (0 << 1) | 1


def test_probe_quiescing_repairs_disturbed_controllers(make_image, tmp_path,
                                                       probe_kernel):
    verdicts, m, status = run_probe(make_image, tmp_path, probe_kernel,
                                    handoff="disturb-irqs")
    assert_all_pass(verdicts, m.text)
    assert status == 1


def test_probe_sees_controllers_left_disturbed(make_image, tmp_path,
                                              probe_kernel):
    """The control experiment: the same disturbance without quiescing must
    be caught, or the tests above prove nothing."""
    verdicts, m, status = run_probe(make_image, tmp_path, probe_kernel,
                                    handoff="disturb-irqs no-quiesce")
    for name in IRQ_CHECKS:
        assert verdicts.get(name, "").startswith("FAIL"), (
            "%s: %s\n%s" % (name, verdicts.get(name), m.text[-3000:]))
    for name in set(CHECKS) - IRQ_CHECKS:
        assert verdicts[name].startswith("PASS"), (name, verdicts[name])
    assert status == 3   # isa-debug-exit: (1 << 1) | 1
