"""Multiboot 1 and 2 proven by the probe kernels of tests/probe/mb/: each
checks its entry state and boot information and prints one verdict line per
check; every line must pass.  Also the bad-input messages."""

import hashlib
import os
import re
import subprocess
from pathlib import Path

import pytest

from machine import ISA_DEBUG_EXIT, Drive, Machine

REPO = Path(__file__).resolve().parents[2]
PROBES = REPO / "build" / "probe"
IRQ_CHECKS = {"pic_masks", "lapic", "ioapic"}

# probe file, config key, number of checks it reports
CASES = {
    "mb1-elf": ("mb1-elf.elf", "multiboot", 14),
    "mb1-aout": ("mb1-aout.bin", "multiboot", 14),
    "mb2-32": ("mb2-32.elf", "multiboot2", 18),
    "mb2-reloc": ("mb2-reloc.elf", "multiboot2", 19),
    "mb2-efi64": ("mb2-efi64.elf", "multiboot2", 14),
}


@pytest.fixture(scope="session")
def probes(baton_efi):
    proc = subprocess.run(["make", "probe-mb"], cwd=REPO, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True)
    assert proc.returncode == 0, proc.stdout[-4000:]
    return PROBES


def start(tmp_path, image, memory=512, debug_exit=True):
    work = tmp_path / ("vm%d" % len(list(tmp_path.glob("vm*"))))
    work.mkdir()
    devices = [ISA_DEBUG_EXIT] if debug_exit else []
    return Machine(work, [Drive(image, "disk", bootindex=0)], memory=memory,
                   devices=devices).start()


def verdicts_of(text):
    out = {}
    for line in text.splitlines():
        m = re.match(r"\s*PROBE (\w+): (PASS|FAIL)", line)
        if m:
            out[m.group(1)] = line.strip()
    return out


def run_probe(make_image, tmp_path, probes, case, handoff=None, memory=512):
    fname, key, n_checks = CASES[case]
    mod1 = os.urandom(70001)
    mod2 = b"second module\n" * 100
    args = "probe.modules=2 probe.mod1_sha256=%s probe.mod2_sha256=%s" % (
        hashlib.sha256(mod1).hexdigest(), hashlib.sha256(mod2).hexdigest())
    conf = ("timeout 0\nentry p\n  title Probe\n"
            "  %s /%s %s\n"
            "  module /mod1.bin first=1\n"
            "  module /mod2.txt second=2\n" % (key, fname, args))
    if handoff:
        conf += "  handoff %s\n" % handoff
    image = make_image(config=conf, tools=False, files={
        "/" + fname: probes / fname, "/mod1.bin": mod1, "/mod2.txt": mod2})
    m = start(tmp_path, image, memory)
    try:
        done = m.expect(r"PROBE DONE (\d+) checks (\d+) failed", timeout=90)
        status = m.wait_exit(timeout=30)
        v = verdicts_of(m.text)
        assert int(done.group(1)) == n_checks and len(v) == n_checks, m.text[-3000:]
        return v, m.text, status
    finally:
        m.kill()


@pytest.mark.parametrize("case", sorted(CASES))
def test_probe(make_image, tmp_path, probes, case):
    v, text, status = run_probe(make_image, tmp_path, probes, case)
    failed = {k: s for k, s in v.items() if "PASS" not in s}
    assert not failed, "failed: %s\n%s" % (failed, text[-3000:])
    assert "PROBE INFO module 1" in text and "string=/mod1.bin first=1" in text
    assert status == 1


def test_probe_mb2_above_4g(make_image, tmp_path, probes):
    v, text, status = run_probe(make_image, tmp_path, probes, "mb2-32", memory=6144)
    assert all("PASS" in s for s in v.values()), text[-3000:]
    assert status == 1


def test_quiescing_repairs_and_is_needed(make_image, tmp_path, probes):
    """Disturbed after ExitBootServices, the controllers are repaired by the
    quiescing; without it the probe must see the damage."""
    v, text, status = run_probe(make_image, tmp_path, probes, "mb1-elf",
                                handoff="disturb-irqs")
    assert all("PASS" in s for s in v.values()), text[-3000:]
    v, text, status = run_probe(make_image, tmp_path, probes, "mb1-elf",
                                handoff="disturb-irqs no-quiesce")
    for name in IRQ_CHECKS:
        assert "FAIL" in v[name], (name, v[name])
    assert status == 3


def test_bad_multiboot_images(make_image, tmp_path, probes):
    elf = (probes / "mb1-elf.elf").read_bytes()
    mb2 = (probes / "mb2-32.elf").read_bytes()
    off = elf.find(b"\x02\xb0\xad\x1b")
    assert off >= 0
    bad_sum = bytearray(elf)
    bad_sum[off + 8] ^= 0xFF
    bad_flag = bytearray(elf)
    flags = int.from_bytes(elf[off + 4:off + 8], "little") | (1 << 3)
    bad_flag[off + 4:off + 8] = flags.to_bytes(4, "little")
    bad_flag[off + 8:off + 12] = ((-(0x1BADB002 + flags)) & 0xFFFFFFFF).to_bytes(4, "little")
    late = b"\0" * 8192 + elf[off:off + 12]
    # An ELF whose segment lies where there is no RAM (the top of 4 GiB).
    e = bytearray(mb2)
    phoff = int.from_bytes(e[0x1C:0x20], "little")
    e[phoff + 12:phoff + 16] = (0xFFF00000).to_bytes(4, "little")   # p_paddr
    # Two program headers whose memory overlaps.
    o = bytearray(mb2)
    second = phoff + 32
    o[second + 12:second + 16] = o[phoff + 12:phoff + 16]      # same p_paddr
    # A Multiboot 2 header with an unknown tag (type 99) that is not optional.
    mb2_off = mb2.find(b"\xd6\x50\x52\xe8")
    u = bytearray(mb2)
    tag = mb2_off + 16            # the first tag: overwrite its type
    u[tag:tag + 2] = (99).to_bytes(2, "little")
    u[tag + 2:tag + 4] = (0).to_bytes(2, "little")
    entries = [
        ("No header", "multiboot /plain.bin", r"/plain\.bin: no Multiboot header in the first 8 KiB"),
        ("Bad sum", "multiboot /badsum.elf", r"/badsum\.elf: .*checksum"),
        ("Too late", "multiboot /late.bin", r"/late\.bin: no Multiboot header"),
        ("Bad flag", "multiboot /badflag.elf", r"/badflag\.elf: .*flag bit 3"),
        ("No RAM", "multiboot2 /noram.elf",
         r"segment 'kernel'.*(not RAM|RAM)"),
        ("Overlap", "multiboot2 /overlap.elf", r"/overlap\.elf: two loadable segments overlap"),
        ("Unknown tag", "multiboot2 /unknown.elf", r"/unknown\.elf: .*tag 99"),
        ("No module", "multiboot /mb1-elf.elf\n  module /missing.bin",
         r"/missing\.bin: file not found"),
        ("No MB2", "multiboot2 /mb1-elf.elf", r"/mb1-elf\.elf: .*Multiboot2 header"),
    ]
    conf = "timeout -1\n" + "".join(
        "entry e%d\n  title %s\n  %s\n" % (n, t, body)
        for n, (t, body, _) in enumerate(entries))
    image = make_image(config=conf, files={
        "/plain.bin": b"no header here\n" * 1000, "/badsum.elf": bytes(bad_sum),
        "/late.bin": late, "/badflag.elf": bytes(bad_flag),
        "/noram.elf": bytes(e), "/mb1-elf.elf": elf,
        "/overlap.elf": bytes(o), "/unknown.elf": bytes(u)})
    m = start(tmp_path, image, debug_exit=False)
    try:
        m.expect(r"1\. No header", timeout=60)
        for n, (title, _, message) in enumerate(entries):
            m.send(str(n + 1))
            m.expect(r"cannot boot '%s': [^\n]*%s" % (re.escape(title), message),
                     timeout=60)
    finally:
        m.kill()
