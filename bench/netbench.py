#!/usr/bin/python3
"""Network boot-time benchmark: baton against GRUB and iPXE, over TFTP and
over HTTP, next to the floor (the firmware's own single transfer).

The servers are real ones, as a fleet runs them: dnsmasq (DHCP + TFTP) and
nginx in a network namespace the bench makes (tests/qemu/netrig.py), with
QEMU's card on its tap device.  Every boot is a PXE boot of the loader
from dnsmasq; each (loader, initrd size) has a MAC address of its own, which
dnsmasq maps to its boot file and config.  Every loader boots the same
Debian kernel with the same command line and the same two initrds as
bench/bench.py (initrd-b of 4 KiB or of 64 MiB), from the same servers:

  baton   baton.efi, its config named by DHCP option 209 (from TFTP); the
          files as /PATH on the TFTP server, or as http:// URLs on nginx
  GRUB    grub-mkstandalone (efinet, tftp, http) with the config inside;
          the files as (tftp,SERVER)/PATH or (http,SERVER)/PATH
  iPXE    Debian's ipxe.efi; its own DHCP (user class iPXE) names a script
          on TFTP with kernel/initrd/boot over tftp:// or http://
  floor   bench/netfloor.c: reads the 66 MB initrd-b once by TFTP (PXE Base
          Code) or HTTP (the HTTP service binding), and nothing else

What is timed, as in bench/bench.py, is the wall time from OVMF's
"BdsDxe: starting" line (the loader has been downloaded and is about to
run) to the initramfs's first line; for the floor, from its NETFLOOR-START
line to its NETFLOOR-DONE line.  Runs are interleaved.

Environment: BENCH_RUNS (default 3), BENCH_NET_LOADERS (subset of the keys
below), BENCH_DIR (default build/bench), BATON_EFI, BENCH_PREALLOC (see
bench/bench.py).  Needs root (network namespace, tap device), dnsmasq,
nginx, ipxe, grub-common; tools/deps.sh installs them.
"""

import json
import os
import re
import shutil
import signal
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench  # noqa: E402
from bench import (CMDLINE, EXTRA_QEMU_ARGS, PAD_BIG, SIZES, REPO,  # noqa: E402
                   boot_once, build_grub, build_initrds, die, fmt_s, table)
from machine import Nic  # noqa: E402
from netrig import ADDR, Rig  # noqa: E402
from payloads import payload  # noqa: E402

IPXE = "/usr/lib/ipxe/ipxe.efi"
FLOOR_FILE = "floor.bin"       # bench/netfloor.c reads this file
FLOOR_START = "NETFLOOR-START"
FLOOR_DONE = re.compile(r"NETFLOOR-DONE bytes (\d+)")

# (key, label, protocol); baton is the reference for each protocol.
LOADERS = [
    ("baton-tftp", "baton", "tftp"),
    ("grub-tftp", "GRUB", "tftp"),
    ("ipxe-tftp", "iPXE", "tftp"),
    ("floor-tftp", "floor", "tftp"),
    ("baton-http", "baton", "http"),
    ("grub-http", "GRUB", "http"),
    ("ipxe-http", "iPXE", "http"),
    ("floor-http", "floor", "http"),
]

BATON_CONF = """timeout 0
default bench
entry bench
  title bench
  linux {at}/vmlinuz {cmdline}
  initrd {at}/initrd-a.cpio
  initrd {at}/initrd-b-{size}.cpio
"""
GRUB_CFG = """set timeout=0
linux ({proto},{addr})/vmlinuz {cmdline}
initrd ({proto},{addr})/initrd-a.cpio ({proto},{addr})/initrd-b-{size}.cpio
boot
"""
GRUB_NET_MODULES = "normal linux efinet tftp http echo test"
# efinet in the core image, as grub-mknetdir's: only then does GRUB take its
# address from the firmware's PXE packets when it starts.
GRUB_NET_CORE = "efinet"
# iPXE's EFI kernel boot: the stub reads the initrds by LoadFile2 where
# iPXE offers it, else by the initrd= names from iPXE's own file system.
IPXE_SCRIPT = """#!ipxe
kernel {proto}://{addr}/vmlinuz {cmdline} initrd=initrd-a.cpio initrd=initrd-b-{size}.cpio
initrd {proto}://{addr}/initrd-a.cpio
initrd {proto}://{addr}/initrd-b-{size}.cpio
boot
"""

DNSMASQ_HEAD = """
dhcp-userclass=set:ipxe,iPXE
"""


def selected():
    want = os.environ.get("BENCH_NET_LOADERS", "")
    if not want:
        return LOADERS
    keys = [k.strip() for k in want.split(",") if k.strip()]
    known = [k for k, _, _ in LOADERS]
    for k in keys:
        if k not in known:
            die("BENCH_NET_LOADERS: unknown loader %r (known: %s)"
                % (k, ", ".join(known)))
    return [row for row in LOADERS if row[0] in keys]


def sizes_of(key):
    """The floor reads the 66 MB initrd-b only."""
    return [s for s in SIZES if not key.startswith("floor") or s[0] == "66mb"]


def mac(i):
    return "52:54:00:be:%02x:%02x" % (i // 256, i % 256)


def build_server(work, baton_efi, loaders):
    """The folder dnsmasq's TFTP and nginx both serve, and the dnsmasq lines
    that give each (loader, size) its boot file.  Returns (folder, lines,
    {(loader, size): MAC})."""
    srv = work / "srv"
    if srv.exists():
        shutil.rmtree(srv)
    srv.mkdir()
    initrds = build_initrds(work, payload("busybox"))
    shutil.copy(payload("linux"), srv / "vmlinuz")
    a = initrds["2mb"][0]
    shutil.copy(a, srv / "initrd-a.cpio")
    for size, _, _ in SIZES:
        shutil.copy(initrds[size][1], srv / ("initrd-b-%s.cpio" % size))
    os.link(srv / "initrd-b-66mb.cpio", srv / FLOOR_FILE)
    shutil.copy(baton_efi, srv / "baton.efi")
    shutil.copy(os.path.realpath(IPXE), srv / "ipxe.efi")
    floor = REPO / "build" / "netfloor.efi"
    if not floor.is_file():
        die("%s not found: run `make build/netfloor.efi` (or `make bench`)"
            % floor)
    shutil.copy(floor, srv / "netfloor-tftp.efi")
    shutil.copy(floor, srv / "netfloor-http.efi")

    lines = [DNSMASQ_HEAD]
    macs = {}
    n = 0
    for key, _, proto in loaders:
        for size, _, _ in sizes_of(key):
            n += 1
            m = macs[(key, size)] = mac(n)
            tag = "m%d" % n
            lines.append("dhcp-host=%s,set:%s" % (m, tag))
            name = "%s-%s" % (key, size)
            fill = dict(proto=proto, addr=ADDR, cmdline=CMDLINE, size=size)
            if key.startswith("baton"):
                (srv / (name + ".conf")).write_text(BATON_CONF.format(
                    at="http://" + ADDR if proto == "http" else "", **fill))
                lines += ["dhcp-boot=tag:%s,baton.efi" % tag,
                          "dhcp-option-force=tag:%s,209,%s.conf" % (tag, name)]
            elif key.startswith("grub"):
                cfg = work / ("grub-%s.cfg" % name)
                cfg.write_text(GRUB_CFG.format(**fill))
                build_grub(work, cfg, name + ".efi", GRUB_NET_MODULES,
                           GRUB_NET_CORE)
                shutil.move(work / (name + ".efi"), srv / (name + ".efi"))
                lines.append("dhcp-boot=tag:%s,%s.efi" % (tag, name))
            elif key.startswith("ipxe"):
                (srv / (name + ".ipxe")).write_text(IPXE_SCRIPT.format(**fill))
                lines += ["dhcp-boot=tag:%s,tag:!ipxe,ipxe.efi" % tag,
                          "dhcp-boot=tag:%s,tag:ipxe,%s.ipxe" % (tag, name)]
            else:
                lines.append("dhcp-boot=tag:%s,netfloor-%s.efi" % (tag, proto))
    return srv, "\n".join(lines) + "\n", macs


def main():
    if os.geteuid() != 0:
        die("the network bench needs root (a network namespace and a tap "
            "device)")
    for tool in ("dnsmasq", "nginx", "ip"):
        if shutil.which(tool) is None:
            die("%s not found: run tools/deps.sh" % tool)
    if not os.path.exists(IPXE):
        die("%s not found: apt-get install -y ipxe" % IPXE)
    try:
        runs = int(os.environ.get("BENCH_RUNS", "3"))
    except ValueError:
        die("BENCH_RUNS must be a number")
    baton_efi = Path(os.environ.get("BATON_EFI", REPO / "build" / "baton.efi"))
    if not baton_efi.is_file():
        die("%s not found: run `make bench`" % baton_efi)
    work = Path(os.environ.get("BENCH_DIR", REPO / "build" / "bench")).resolve()
    work = work / "net"
    if work.exists():
        shutil.rmtree(work)
    logs = work / "logs"
    logs.mkdir(parents=True)
    loaders = selected()

    print("bench: building the server tree in %s" % work, flush=True)
    srv, boot_lines, macs = build_server(work, baton_efi, loaders)
    rigdir = work / "rig"
    rigdir.mkdir()
    # A SIGTERM still stops the servers and removes the namespace.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("bench: terminated"))
    rig = Rig(rigdir, srv, srv, boot_lines.replace("{", "{{").replace("}", "}}"))
    pads = {size: pad for size, _, pad in SIZES}
    results = {k: [] for k in macs}
    total = runs * len(macs)
    n = 0
    try:
        with tempfile.TemporaryDirectory(prefix="vm-", dir=work) as vmdir:
            vmdir = Path(vmdir)
            for r in range(1, runs + 1):
                for key, label, proto in loaders:
                    for size, size_label, _ in sizes_of(key):
                        n += 1
                        log = logs / ("%s-%s-run%d.log" % (key, size, r))
                        nic = Nic(backend="tap", ifname="tap0", bootindex=0,
                                  mac=macs[(key, size)])
                        floor = key.startswith("floor")
                        b = boot_once(
                            nic.qemu_args(0), vmdir, log,
                            None if floor else pads[size], wrap=rig.wrap(),
                            start_mark=FLOOR_START if floor else bench.START_MARK,
                            first_mark="NETFLOOR-DONE" if floor
                            else bench.FIRST_LINE)
                        if floor and b.error is None:
                            m = FLOOR_DONE.search(log.read_text(errors="replace"))
                            want = (srv / FLOOR_FILE).stat().st_size
                            if not m or int(m.group(1)) != want:
                                b.error = ("the floor read %s bytes, expected %d"
                                           % (m and m.group(1), want))
                        results[(key, size)].append(b)
                        what = ("%.2f s" % b.seconds if b.seconds is not None
                                else "FAILED: %s (log: %s)" % (b.error, log))
                        print("bench: [%d/%d] run %d %-5s %-6s %-6s %s"
                              % (n, total, r, label, proto, size_label, what),
                              flush=True)
    finally:
        rig.stop()

    raw = {"%s/%s" % k: [{"seconds": b.seconds, "error": b.error,
                          "qemu_cpu_seconds": b.cpu_seconds,
                          "pad_bytes": b.pad} for b in v]
           for k, v in results.items()}
    (work / "results.json").write_text(json.dumps(
        {"runs": runs, "qemu_extra_args": EXTRA_QEMU_ARGS,
         "results": raw}, indent=1) + "\n")
    print()
    if EXTRA_QEMU_ARGS:
        print("QEMU ran with %s (BENCH_PREALLOC)" % " ".join(EXTRA_QEMU_ARGS))
    print(report(results, loaders, runs))
    print("\nSerial logs: %s; raw numbers: %s" % (logs, work / "results.json"))
    failed = sum(1 for v in results.values() for b in v if b.seconds is None)
    if failed:
        print("bench: %d boot(s) failed; see the logs above" % failed)
        return 1
    return 0


def median(boots):
    v = [b.seconds for b in boots if b.seconds is not None]
    return statistics.median(v) if v else None


def report(results, loaders, runs):
    """Per protocol and loader: medians at 2 MB and 66 MB with the ratio to
    baton's, and the 64 MiB difference as time and rate; the floor's single
    transfer of the 66 MB file as time and rate, and baton's 64 MiB against
    it."""
    rows = []
    floors = {}
    for proto in ("tftp", "http"):
        ref = {s: median(results.get(("baton-" + proto, s), []))
               for s, _, _ in SIZES}
        for key, label, p in loaders:
            if p != proto:
                continue
            if key.startswith("floor"):
                floors[proto] = results[(key, "66mb")]
                continue
            med = {s: median(results[(key, s)]) for s, _, _ in SIZES}
            ok = sum(1 for s, _, _ in SIZES for b in results[(key, s)]
                     if b.seconds is not None)
            d = (None if None in (med["2mb"], med["66mb"])
                 else med["66mb"] - med["2mb"])
            ratio = lambda s: ("-" if not ref[s] or med[s] is None  # noqa: E731
                               else "%.2f" % (med[s] / ref[s]))
            rows.append([label, proto, "%d/%d" % (ok, 2 * runs),
                         fmt_s(med["2mb"]), ratio("2mb"),
                         fmt_s(med["66mb"]), ratio("66mb"), fmt_s(d),
                         "%.1f" % (PAD_BIG / 2**20 / d) if d and d > 0 else "-"])
    out = ["Wall seconds from OVMF's 'BdsDxe: starting' (the loader is "
           "downloaded) to the",
           "initramfs's first line, medians; ratio = median / baton's over "
           "the same protocol;",
           "64 MiB = median at 66 MB - median at 2 MB, and its rate", "",
           table(rows, ["loader", "over", "ok", "2 MB", "ratio", "66 MB",
                        "ratio", "64 MiB s", "MiB/s"])]
    rows = []
    for proto, boots in floors.items():
        f = median(boots)
        size = PAD_BIG / 2**20
        key = "baton-" + proto
        b = None
        if (key, "2mb") in results:
            m2, m66 = median(results[(key, "2mb")]), median(results[(key, "66mb")])
            b = None if None in (m2, m66) else m66 - m2
        ok = sum(1 for x in boots if x.seconds is not None)
        rows.append([proto, "%d/%d" % (ok, runs), fmt_s(f),
                     "%.1f" % (size / f) if f else "-", fmt_s(b),
                     "%.2f" % (b / f) if f and b else "-"])
    if rows:
        out += ["", "The floor: the firmware's own single transfer of the "
                "66 MB initrd-b (median", "seconds, NETFLOOR-START to "
                "NETFLOOR-DONE) against baton's 64 MiB difference", "",
                table(rows, ["over", "ok", "floor s", "floor MiB/s",
                             "baton 64 MiB s", "baton / floor"])]
    return "\n".join(out)


if __name__ == "__main__":
    sys.exit(main())
