#!/usr/bin/python3
"""Where a boot's time goes: a sampling profiler for one QEMU + OVMF boot.

    bench/profile.py IMAGE [--period SECONDS] [--memory MIB] [--window S]

Boots IMAGE (a disk image, as `make bench` builds them under build/bench)
once, asking QEMU's monitor for the guest's registers every PERIOD seconds
(default 0.01).  Each sample's RIP is labelled:

  baton:FUNCTION  inside baton's code (found by matching the guest's code
                  bytes against build/baton.so, so any load address works)
  kernel          Linux proper (RIP in the kernel's high mapping)
  low:N MiB       anything else, by the MiB it runs in: OVMF, another
                  loader, the kernel's decompressor, baton's trampoline

and the run is printed as a timeline of phases, from OVMF's "BdsDxe:
starting" line to the end of the window (default 12 s), with the serial
markers (baton's "Booting", the bench initramfs's first line) in place.
Sampling slows the guest (each sample stops the CPU), so read the phases
relative to each other, not as absolute times; `make bench` measures those.
"""

import argparse
import bisect
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "qemu"))

from machine import OVMF_CODE, OVMF_VARS, QEMU, Drive, strip_terminal  # noqa: E402

MARKS = ["BdsDxe: starting", "Booting '", "BENCH-INIT-FIRST-LINE"]
KERNEL_BASE = 0xffffffff80000000
MATCH_BYTES = 48


class BatonSymbols:
    """baton.so's text and function symbols, to name a guest RIP."""

    def __init__(self, so):
        self.ok = so.exists()
        if not self.ok:
            return
        out = subprocess.run(["objcopy", "-O", "binary", "--only-section=.text",
                              str(so), "/dev/stdout"], capture_output=True)
        self.text = out.stdout
        heads = subprocess.run(["objdump", "-h", str(so)], capture_output=True,
                               text=True).stdout
        m = re.search(r"\.text\s+[0-9a-f]+\s+([0-9a-f]+)", heads)
        self.text_vma = int(m.group(1), 16)
        syms = []
        nm = subprocess.run(["nm", "-n", str(so)], capture_output=True, text=True)
        for line in nm.stdout.splitlines():
            f = line.split()
            if len(f) == 3 and f[1] in "tT":
                syms.append((int(f[0], 16), f[2]))
        self.addrs = [a for a, _ in syms]
        self.names = [n for _, n in syms]

    def offset_of(self, code):
        """The .text VMA of these guest bytes, if they occur once in baton."""
        if not self.ok or len(code) < MATCH_BYTES:
            return None
        at = self.text.find(code)
        if at < 0 or self.text.find(code, at + 1) >= 0:
            return None
        return self.text_vma + at

    def name(self, vma):
        i = bisect.bisect_right(self.addrs, vma) - 1
        return self.names[i] if i >= 0 else "?"


class Monitor:
    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX)
        self.sock.connect(path)
        self.command("")

    def command(self, text):
        self.sock.sendall(text.encode() + b"\n")
        buf = b""
        while not buf.endswith(b"(qemu) "):
            data = self.sock.recv(65536)
            if not data:
                raise EOFError
            buf += data
        return strip_terminal(buf.decode(errors="replace"))

    def code_at(self, rip):
        out = self.command("x /%dxb 0x%x" % (MATCH_BYTES, rip))
        return bytes(int(b, 16) for b in re.findall(r"0x([0-9a-f]{2})\b", out))


def sample(image, period, memory, window, symbols):
    work = Path(tempfile.mkdtemp(prefix="baton-profile."))
    shutil.copyfile(OVMF_VARS, work / "vars.fd")
    mon_path = str(work / "monitor.sock")
    serial = work / "serial.log"
    cmd = [QEMU, "-accel", "tcg", "-machine", "q35", "-m", str(memory),
           "-drive", "if=pflash,format=raw,unit=0,readonly=on,file=%s" % OVMF_CODE,
           "-drive", "if=pflash,format=raw,unit=1,file=%s" % (work / "vars.fd"),
           "-nic", "none", "-display", "none", "-serial", "file:%s" % serial,
           "-monitor", "unix:%s,server,nowait" % mon_path, "-no-reboot"]
    cmd += Drive(image, "disk", bootindex=0, readonly=True).qemu_args(0)
    t0 = time.monotonic()
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    samples, marks, named = [], {}, {}
    try:
        while not os.path.exists(mon_path):
            if proc.poll() is not None or time.monotonic() - t0 > 30:
                sys.exit("profile: QEMU did not start (%s)" % " ".join(cmd))
            time.sleep(0.05)
        mon = Monitor(mon_path)
        while proc.poll() is None:
            t = time.monotonic() - t0
            regs = mon.command("info registers")
            m = re.search(r"RIP=([0-9a-f]+)", regs)
            if m:
                rip = int(m.group(1), 16)
                if rip < KERNEL_BASE and rip not in named:
                    vma = symbols.offset_of(mon.code_at(rip))
                    named[rip] = None if vma is None else symbols.name(vma)
                samples.append((t, rip))
            text = strip_terminal(serial.read_text(errors="replace"))
            for mark in MARKS:
                if mark not in marks and mark in text:
                    marks[mark] = t
            start = marks.get(MARKS[0])
            if start is not None and t - start > window:
                break
            time.sleep(period)
    except (EOFError, OSError):
        pass
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        shutil.rmtree(work, ignore_errors=True)
    return samples, marks, named


def label(rip, named):
    if rip >= KERNEL_BASE:
        return "kernel"
    if named.get(rip):
        return "baton:" + named[rip]
    return "low:%d MiB" % (rip >> 20)


def report(samples, marks, named):
    start = marks.get(MARKS[0])
    if start is None:
        sys.exit("profile: no %r line on the serial port" % MARKS[0])
    print("marks (seconds after %r):" % MARKS[0])
    for mark, t in sorted(marks.items(), key=lambda kv: kv[1]):
        print("  %7.3f  %s" % (t - start, mark))
    print("\nphases (runs of samples with one label; sampling slows the guest):")
    runs = []
    for t, rip in samples:
        if t < start:
            continue
        lab = label(rip, named)
        if runs and runs[-1][2] == lab:
            runs[-1][1] = t
            runs[-1][3] += 1
        else:
            runs.append([t, t, lab, 1])
    # A kernel phase is one line however many samples it has.
    merged = []
    for r in runs:
        if merged and merged[-1][2] == r[2] == "kernel":
            merged[-1][1], merged[-1][3] = r[1], merged[-1][3] + r[3]
        elif merged and r[3] == 1 and merged[-1][2] == "kernel":
            merged[-1][1], merged[-1][3] = r[1], merged[-1][3] + 1
        else:
            merged.append(r)
    for first, last, lab, n in merged:
        print("  %7.3f-%7.3f %5d  %s" % (first - start, last - start, n, lab))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("image")
    ap.add_argument("--period", type=float, default=0.01)
    ap.add_argument("--memory", type=int, default=1024)
    ap.add_argument("--window", type=float, default=12.0)
    ap.add_argument("--baton", default=str(REPO / "build" / "baton.so"))
    args = ap.parse_args()
    if not os.path.exists(args.image):
        sys.exit("profile: %s: no such image" % args.image)
    symbols = BatonSymbols(Path(args.baton))
    report(*sample(args.image, args.period, args.memory, args.window, symbols))


if __name__ == "__main__":
    main()
