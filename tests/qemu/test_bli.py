"""The Boot Loader Interface seen from the booted system (issue 11): the
Debian kernel booted by baton reads baton's variables through efivarfs,
and a variable it writes (LoaderEntryOneShot, as `bootctl set-oneshot` and
`systemctl reboot --boot-loader-entry=` write it) chooses the next boot.
One OVMF variable store is kept across the boots, as on a real machine."""

import re
import struct
from pathlib import Path

from payloads import payload
from mkinitramfs import write_cpio  # noqa: E402  (payloads puts tools/ on the path)

GUID = "4a67b082-0a4c-41cf-b6c7-440b29bb8c4f"
PARTGUID = "8b0a7d3e-5c1f-4a2b-9e6d-0f1e2d3c4b5a"
SHOWN = ["LoaderInfo", "LoaderFirmwareInfo", "LoaderFirmwareType",
         "LoaderFeatures", "LoaderEntries", "LoaderEntrySelected",
         "LoaderDevicePartUUID", "LoaderImageIdentifier",
         "LoaderTimeInitUSec", "LoaderTimeExecUSec", "LoaderTimeMenuUSec",
         "LoaderEntryOneShot", "LoaderEntryLastBooted"]
BOOT_TIMEOUT = 240


def octal(data):
    """data as printf(1) octal escapes."""
    return "".join("\\%03o" % b for b in data)


def oneshot_bytes(entry_id):
    """An efivarfs file as bootctl writes it: NV|BS|RT, then UTF-16 + NUL."""
    return struct.pack("<I", 7) + (entry_id + "\0").encode("utf-16-le")


INIT = """#!/bin/sh
bb=/bin/busybox
$bb mkdir -p /proc /sys /dev
$bb mount -t proc proc /proc
$bb mount -t sysfs sys /sys
$bb insmod /efivarfs.ko
d=/sys/firmware/efi/efivars
$bb mount -t efivarfs efivarfs $d || echo "BLI no efivarfs"
echo "BLI cmdline=$($bb cat /proc/cmdline)"
for v in {names}; do
  f=$d/$v-{guid}
  if [ -e $f ]; then
    echo "BLI $v $($bb od -An -tx1 -v $f | $bb tr -d ' \\n')"
  else
    echo "BLI $v absent"
  fi
done
case "$($bb cat /proc/cmdline)" in
*bli.step=1*) $bb printf '{oneshot}' > $d/LoaderEntryOneShot-{guid} &&
	echo "BLI wrote LoaderEntryOneShot" ;;
esac
echo BLI-DONE
$bb poweroff -f
"""


def build_initrd(path):
    write_cpio(path, [
        ("bin", "dir", b"", 0o755),
        ("bin/busybox", "file", Path(payload("busybox")).read_bytes(), 0o755),
        ("bin/sh", "symlink", b"busybox", 0o777),
        ("efivarfs.ko", "file", Path(payload("efivarfs")).read_bytes(), 0o644),
        ("init", "file", INIT.format(
            names=" ".join(SHOWN), guid=GUID,
            oneshot=octal(oneshot_bytes("second"))).encode(), 0o755),
    ])


CONF = """timeout 0
default first
entry first
  linux /boot/vmlinuz console=ttyS0 quiet panic=-1 bli.step=1
  initrd /boot/bli.cpio
entry second
  linux /boot/vmlinuz console=ttyS0 quiet panic=-1 bli.step=2
  initrd /boot/bli.cpio
entry menu-test
  title A submenu
  menu /EFI/BOOT/baton.conf
"""


def read_vars(m):
    """The variables the guest printed (after its command line):
    {name: (attributes, payload)}."""
    out = {}
    for name in SHOWN:
        got = m.expect(r"BLI %s (absent|[0-9a-f]+)\r?\n" % name).group(1)
        if got != "absent":
            raw = bytes.fromhex(got)
            out[name] = (struct.unpack("<I", raw[:4])[0], raw[4:])
    return out


def text(value):
    """A UTF-16 string variable's payload as text (without its NUL)."""
    assert len(value) % 2 == 0 and value.endswith(b"\0\0"), value
    return value[:-2].decode("utf-16-le")


def test_variables_and_oneshot(tmp_path, make_image, boot, kernel):
    initrd = tmp_path / "bli.cpio"
    build_initrd(initrd)
    image = make_image(config=CONF, tools=False, partguid=PARTGUID,
                       files={"/boot/vmlinuz": Path(kernel),
                              "/boot/bli.cpio": initrd})
    store = tmp_path / "OVMF_VARS.fd"

    # First boot: the default; what baton says of itself; the guest asks
    # for 'second' once.
    m = boot(image, vars_store=store)
    m.expect(r"Booting 'first'", timeout=120)
    m.expect(r"BLI cmdline=[^\r\n]*bli\.step=1", timeout=BOOT_TIMEOUT)
    v = read_vars(m)
    m.expect(r"BLI wrote LoaderEntryOneShot")
    m.expect(r"BLI-DONE")
    assert m.wait_exit(timeout=60) == 0
    for name in ("LoaderInfo", "LoaderFirmwareInfo", "LoaderFirmwareType",
                 "LoaderFeatures", "LoaderEntries", "LoaderEntrySelected",
                 "LoaderDevicePartUUID", "LoaderImageIdentifier",
                 "LoaderTimeInitUSec", "LoaderTimeExecUSec"):
        assert name in v, "%s missing; the guest saw %s" % (name, sorted(v))
        assert v[name][0] == 6, "%s has attributes %#x, expected volatile " \
            "(BS|RT)" % (name, v[name][0])
    assert text(v["LoaderInfo"][1]) == "baton 0.1"
    assert text(v["LoaderFirmwareInfo"][1]).startswith("EDK II ")
    assert re.fullmatch(r"UEFI 2\.\d\d", text(v["LoaderFirmwareType"][1]))
    features = v["LoaderFeatures"][1]
    assert len(features) == 8
    bits = struct.unpack("<Q", features)[0]
    assert bits & 0xf == 0xf, "LoaderFeatures %#x lacks bits 0-3" % bits
    ids = v["LoaderEntries"][1].decode("utf-16-le").split("\0")
    assert ids == ["first", "second", "menu-test", ""], ids
    assert text(v["LoaderEntrySelected"][1]) == "first"
    assert text(v["LoaderDevicePartUUID"][1]) == PARTGUID
    assert text(v["LoaderImageIdentifier"][1]) == "\\EFI\\BOOT\\BOOTX64.EFI"
    init = int(text(v["LoaderTimeInitUSec"][1]))
    exec_ = int(text(v["LoaderTimeExecUSec"][1]))
    assert 0 < init < exec_, (init, exec_)
    # timeout 0: no menu was shown.
    assert "LoaderTimeMenuUSec" not in v
    assert "LoaderEntryOneShot" not in v

    # Second boot: the one-shot entry, and the variable is gone.
    m = boot(image, vars_store=store)
    m.expect(r"Booting 'second'", timeout=120)
    m.expect(r"BLI cmdline=[^\r\n]*bli\.step=2", timeout=BOOT_TIMEOUT)
    v = read_vars(m)
    m.expect(r"BLI-DONE")
    assert m.wait_exit(timeout=60) == 0
    assert "LoaderEntryOneShot" not in v
    assert text(v["LoaderEntrySelected"][1]) == "second"
    # A one-shot boot saves nothing.
    assert "LoaderEntryLastBooted" not in v

    # Third boot: the default again.
    m = boot(image, vars_store=store)
    m.expect(r"Booting 'first'", timeout=120)
    m.expect(r"BLI cmdline=[^\r\n]*bli\.step=1", timeout=BOOT_TIMEOUT)
    assert m.wait_exit(timeout=120) == 0
