"""Drive a QEMU + OVMF virtual machine over its serial port.

A Machine starts qemu-system-x86_64 (TCG, q35, OVMF with a fresh copy of the
variable store per boot, no display, and no network unless it is given Nic
objects) with the serial port on a pipe. A thread reads everything the machine writes, keeps it as raw bytes and
as text with the terminal control sequences removed, and tests wait for that
text with expect(); send() types keys. Nothing here needs root.

The text a test sees: ANSI escape sequences (SGR colours, ESC [ ? 25 h, OVMF's
ESC [ = 3 h, ...) are dropped, carriage returns are dropped, and the
sequences that move the cursor to a row or clear the screen (CSI ... H / f /
J) become a line break, so a menu that OVMF or baton draws by positioning the
cursor still reads as one item per line.
"""

import codecs
import os
import re
import shutil
import subprocess
import threading
import time

OVMF_CODE = "/usr/share/OVMF/OVMF_CODE_4M.fd"
OVMF_VARS = "/usr/share/OVMF/OVMF_VARS_4M.fd"
QEMU = "qemu-system-x86_64"

# TCG is slow and the CI machine may be busy: OVMF alone needs ~3 s to reach
# BOOTX64.EFI, so every wait gets a generous default.
DEFAULT_TIMEOUT = 60

# How long not_seen() watches for output that must not appear, by default.
DEFAULT_QUIET = 3

# The QEMU device that lets a guest exit QEMU with a status: writing v to
# port 0xf4 makes QEMU exit with status (v << 1) | 1.
ISA_DEBUG_EXIT = "isa-debug-exit,iobase=0xf4,iosize=0x04"

# Named keys as a serial terminal (VT100) sends them.
UP = "\x1b[A"
DOWN = "\x1b[B"
RIGHT = "\x1b[C"
LEFT = "\x1b[D"
ENTER = "\r"
ESC = "\x1b"
BACKSPACE = "\x7f"

# Complete escape sequences: CSI (ESC [ params final), and two-character
# escapes such as ESC c or ESC ( B.
_CSI = re.compile(r"\x1b\[([0-9;?=<>]*)([@-~])")
_ESC2 = re.compile(r"\x1b[()][0-9A-Za-z]|\x1b[@-Z\\^_`a-z=>78]")
# An escape sequence cut off at the end of what has arrived so far.
_PARTIAL = re.compile(r"\x1b(\[[0-9;?=<>]*|[()])?\Z")


def strip_terminal(text):
    """Removes terminal control sequences from complete text (see module doc)."""

    def csi(m):
        return "\n" if m.group(2) in "HfJ" else ""

    text = _CSI.sub(csi, text)
    text = _ESC2.sub("", text)
    return text.replace("\r", "")


def log_tail(text, chars=4000):
    """The end of a serial log, tidied for assertion messages: trailing
    spaces dropped (menus pad their rows) and runs of blank lines shortened."""
    text = re.sub(r"[ \t]+\n", "\n", text)
    text = re.sub(r"\n{3,}", "\n\n", text)
    if len(text) <= chars:
        return text
    return "[... %d characters before]\n%s" % (len(text) - chars, text[-chars:])


class Drive:
    """A disk image to attach.

    kind: "disk" (virtio-blk), "cdrom" (IDE/SATA CD drive on q35's AHCI),
    or "usb" (a USB mass-storage stick on an XHCI controller).
    bootindex: the firmware boot order position, or None for no preference.
    readonly: attach without write access (always true for a cdrom).
    """

    def __init__(self, path, kind="disk", bootindex=None, readonly=False):
        if kind not in ("disk", "cdrom", "usb"):
            raise ValueError("unknown drive kind %r" % kind)
        self.path = str(path)
        self.kind = kind
        self.bootindex = bootindex
        self.readonly = readonly or kind == "cdrom"

    def qemu_args(self, n):
        """QEMU arguments for this drive as the n-th drive of the machine."""
        media = ",media=cdrom" if self.kind == "cdrom" else ""
        ro = ",readonly=on" if self.readonly else ""
        args = ["-drive", "if=none,id=d%d,format=raw,file=%s%s%s"
                % (n, self.path, media, ro)]
        boot = "" if self.bootindex is None else ",bootindex=%d" % self.bootindex
        if self.kind == "disk":
            args += ["-device", "virtio-blk-pci,drive=d%d%s" % (n, boot)]
        elif self.kind == "cdrom":
            args += ["-device", "ide-cd,drive=d%d%s" % (n, boot)]
        else:
            args += ["-device", "usb-storage,bus=xhci.0,drive=d%d%s" % (n, boot)]
        return args


def qemu_value(value):
    """A value for a QEMU "key=value,..." option: commas doubled, as QEMU
    reads a doubled comma as a literal one."""
    return str(value).replace(",", ",,")


class Nic:
    """A network card.

    backend: "user" (QEMU's user-mode network, no root needed: DHCP, and a
             TFTP server when tftp is given) or "tap" (the existing host tap
             device ifname, set up by someone with the rights to).
    tftp: the folder QEMU's TFTP server serves (user only).
    bootfile: the file name DHCP offers as the boot file (user only).
    ifname: the tap device's name (tap only).
    model: the QEMU network device.
    bootindex: the firmware boot order position, or None. Once any device
               has a bootindex, OVMF connects only the devices that have
               one, so a NIC next to a boot disk needs one to be seen.
    romfile: the NIC's option ROM; "" (the default) uses none, so OVMF's own
             driver runs the card, not an iPXE ROM.
    mac: the card's MAC address, or None for QEMU's 52:54:00:12:34:56.
    """

    def __init__(self, backend="user", tftp=None, bootfile=None, ifname=None,
                 model="virtio-net-pci", bootindex=None, romfile="", mac=None):
        if backend == "user":
            if ifname is not None:
                raise ValueError("ifname is for a tap backend")
        elif backend == "tap":
            if ifname is None:
                raise ValueError("a tap backend needs ifname")
            if tftp is not None or bootfile is not None:
                raise ValueError("tftp and bootfile are for a user backend")
        else:
            raise ValueError("unknown network backend %r" % backend)
        self.backend = backend
        self.tftp = None if tftp is None else str(tftp)
        self.bootfile = bootfile
        self.ifname = ifname
        self.model = model
        self.bootindex = bootindex
        self.romfile = romfile
        self.mac = mac

    def qemu_args(self, n):
        """QEMU arguments for this card as the n-th card of the machine."""
        if self.backend == "user":
            netdev = "user,id=n%d" % n
            if self.tftp is not None:
                netdev += ",tftp=%s" % qemu_value(self.tftp)
            if self.bootfile is not None:
                netdev += ",bootfile=%s" % qemu_value(self.bootfile)
        else:
            netdev = "tap,id=n%d,ifname=%s,script=no,downscript=no" % (
                n, qemu_value(self.ifname))
        device = "%s,netdev=n%d" % (self.model, n)
        if self.romfile is not None:
            device += ",romfile=%s" % qemu_value(self.romfile)
        if self.bootindex is not None:
            device += ",bootindex=%d" % self.bootindex
        if self.mac is not None:
            device += ",mac=%s" % self.mac
        return ["-netdev", netdev, "-device", device]


class Machine:
    """One QEMU virtual machine booting OVMF, driven over the serial port.

    workdir: a folder for this machine's variable store copy and logs
             (serial.log, qemu-stderr.log); it must exist.
    drives: Drive objects, attached in order.
    no_reboot: make QEMU exit when the guest resets instead of rebooting.
    memory: RAM in MiB.
    nics: Nic objects, attached in order; none means "-nic none".
    devices: more QEMU devices, each the value of one -device option
             (e.g. ISA_DEBUG_EXIT).
    extra_args: any other QEMU arguments, appended as they are.
    wrap: a command QEMU runs under (e.g. ip netns exec NAME).
    vars_store: a variable store file kept from one boot to the next (made
                from OVMF's template when missing), or None for a fresh
                copy in workdir at every start.

    Use as a context manager, or call kill() when done.
    """

    def __init__(self, workdir, drives, no_reboot=True, memory=512, nics=(),
                 devices=(), extra_args=(), wrap=(), vars_store=None):
        self.workdir = str(workdir)
        self.vars_store = None if vars_store is None else str(vars_store)
        self.drives = list(drives)
        self.no_reboot = no_reboot
        self.memory = memory
        self.nics = list(nics)
        self.devices = list(devices)
        self.extra_args = list(extra_args)
        self.wrap = list(wrap)
        self.proc = None
        self._raw = bytearray()
        self._text = ""          # stripped text of everything so far
        self._pending = ""       # decoded text that may end in a cut escape
        self._pos = 0            # expect() searches from here on
        self._cond = threading.Condition()
        self._eof = False
        self._reader = None
        self._decoder = codecs.getincrementaldecoder("utf-8")("replace")
        self._log = None
        self.started_at = None

    # --- life cycle ----------------------------------------------------------

    def command(self):
        """The QEMU command line (the variable store path included)."""
        vars_copy = self.vars_store or os.path.join(self.workdir,
                                                    "OVMF_VARS.fd")
        cmd = self.wrap + [QEMU, "-accel", "tcg", "-machine", "q35", "-m", str(self.memory),
               "-drive", "if=pflash,format=raw,unit=0,readonly=on,file=%s"
               % OVMF_CODE,
               "-drive", "if=pflash,format=raw,unit=1,file=%s" % vars_copy,
               "-display", "none", "-serial", "stdio", "-monitor", "none"]
        if any(d.kind == "usb" for d in self.drives):
            cmd += ["-device", "qemu-xhci,id=xhci"]
        for n, drive in enumerate(self.drives):
            cmd += drive.qemu_args(n)
        if not self.nics:
            cmd += ["-nic", "none"]
        for n, nic in enumerate(self.nics):
            cmd += nic.qemu_args(n)
        for device in self.devices:
            cmd += ["-device", device]
        if self.no_reboot:
            cmd.append("-no-reboot")
        return cmd + self.extra_args

    def start(self):
        """Copies a fresh variable store and starts QEMU."""
        for path in (OVMF_CODE, OVMF_VARS):
            if not os.path.exists(path):
                raise AssertionError("%s is missing (install the ovmf package)"
                                     % path)
        if self.vars_store is None:
            shutil.copyfile(OVMF_VARS, os.path.join(self.workdir,
                                                    "OVMF_VARS.fd"))
        elif not os.path.exists(self.vars_store):
            shutil.copyfile(OVMF_VARS, self.vars_store)
        self._log = open(os.path.join(self.workdir, "serial.log"), "wb")
        stderr = open(os.path.join(self.workdir, "qemu-stderr.log"), "wb")
        try:
            self.proc = subprocess.Popen(self.command(), stdin=subprocess.PIPE,
                                         stdout=subprocess.PIPE, stderr=stderr)
        finally:
            stderr.close()
        self.started_at = time.monotonic()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        return self

    def kill(self):
        """Stops QEMU (if still running) and closes the logs."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc is not None and self.proc.stdin:
            try:
                self.proc.stdin.close()
            except OSError:
                pass
        if self._reader is not None:
            self._reader.join(timeout=5)
        if self._log is not None:
            self._log.close()
            self._log = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.kill()

    # --- output --------------------------------------------------------------

    def _read(self):
        out = self.proc.stdout
        while True:
            data = out.read1(65536)
            if self._log is not None and data:
                self._log.write(data)
                self._log.flush()
            with self._cond:
                if not data:
                    self._append(self._decoder.decode(b"", final=True), True)
                    self._eof = True
                    self._cond.notify_all()
                    return
                self._raw += data
                self._append(self._decoder.decode(data), False)
                self._cond.notify_all()

    def _append(self, text, final):
        """Adds decoded text, holding back an escape sequence cut in two."""
        text = self._pending + text
        cut = None if final else _PARTIAL.search(text)
        if cut:
            self._pending = text[cut.start():]
            text = text[:cut.start()]
        else:
            self._pending = ""
        self._text += strip_terminal(text)

    @property
    def text(self):
        """Everything the machine has written so far, stripped."""
        with self._cond:
            return self._text

    @property
    def raw(self):
        """Everything the machine has written so far, as bytes."""
        with self._cond:
            return bytes(self._raw)

    def elapsed(self):
        """Seconds since QEMU was started."""
        return time.monotonic() - self.started_at

    def _fail(self, what):
        status = self.proc.poll()
        state = ("QEMU is still running" if status is None
                 else "QEMU exited with status %s" % status)
        stderr = ""
        try:
            with open(os.path.join(self.workdir, "qemu-stderr.log"),
                      errors="replace") as f:
                stderr = f.read().strip()
        except OSError:
            pass
        msg = "%s after %.1f s (%s)\n" % (what, self.elapsed(), state)
        if stderr:
            msg += "--- QEMU stderr ---\n%s\n" % stderr[-2000:]
        msg += "--- serial output (stripped; all of it in %s) ---\n%s" % (
            os.path.join(self.workdir, "serial.log"), log_tail(self.text))
        raise AssertionError(msg)

    def expect(self, pattern, timeout=DEFAULT_TIMEOUT, flags=0):
        """Waits until pattern (a regex) matches the text after the previous
        match, and returns the match; later calls search after its end.

        Fails with the serial log tail when the timeout passes or QEMU exits
        first.
        """
        rx = re.compile(pattern, flags) if isinstance(pattern, str) else pattern
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                m = rx.search(self._text, self._pos)
                if m:
                    self._pos = m.end()
                    return m
                if self._eof:
                    break
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._cond.wait(left)
        self._fail("expected %r" % rx.pattern)

    def expect_all(self, patterns, timeout=DEFAULT_TIMEOUT):
        """Waits until every pattern matches after the previous match (in any
        order) and moves past the furthest of them; returns the matches."""
        rxs = [re.compile(p) for p in patterns]
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                ms = [rx.search(self._text, self._pos) for rx in rxs]
                if all(ms):
                    self._pos = max(m.end() for m in ms)
                    return ms
                if self._eof:
                    break
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._cond.wait(left)
        missing = [rx.pattern for rx, m in zip(rxs, ms) if not m]
        self._fail("expected all of %r (missing %r)" % (patterns, missing))

    def not_seen(self, pattern, quiet=DEFAULT_QUIET, flags=0):
        """Fails if pattern (a regex) occurs anywhere in the output so far or
        in what the machine writes during the next quiet seconds: the
        absence is watched over a window, not only checked in what has
        happened to arrive. The default, DEFAULT_QUIET, is long enough for
        output already under way to show up; a test that proves something
        did not happen by itself (a countdown that must not fire) passes a
        quiet period longer than the time it would take. quiet=0 checks
        only the output so far. Stops early when QEMU exits, as no more
        output can come.
        """
        rx = re.compile(pattern, flags) if isinstance(pattern, str) else pattern
        deadline = time.monotonic() + quiet
        with self._cond:
            while True:
                m = rx.search(self._text)
                if m or self._eof:
                    break
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._cond.wait(left)
        if m:
            self._fail("did not expect %r, but saw %r" % (rx.pattern,
                                                         m.group(0)))

    def mark(self):
        """Moves the expect() position to the end of the output so far, so
        later expectations only see what comes after this point."""
        with self._cond:
            self._pos = len(self._text)

    # --- input ---------------------------------------------------------------

    def send(self, *keys):
        """Types keys: each argument is a string (a named key such as DOWN, or
        text), sent in order."""
        for key in keys:
            if self.proc.poll() is not None:
                self._fail("cannot send %r: QEMU has exited" % key)
            try:
                self.proc.stdin.write(key.encode())
                self.proc.stdin.flush()
            except (BrokenPipeError, OSError) as e:
                self._fail("cannot send %r: %s" % (key, e))

    # --- exit ----------------------------------------------------------------

    def wait_exit(self, timeout=DEFAULT_TIMEOUT):
        """Waits for QEMU to exit on its own (power off, or a reset with
        -no-reboot) and returns its exit status."""
        try:
            status = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self._fail("expected QEMU to exit")
        self._reader.join(timeout=5)
        return status
