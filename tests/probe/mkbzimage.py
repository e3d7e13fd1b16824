#!/usr/bin/python3
"""Wrap the probe's flat 64-bit image in a Linux bzImage, or check one.

  mkbzimage.py build --setup SETUP.bin --elf PROBE.elf --payload PROBE.bin -o OUT
  mkbzimage.py check OUT

build: SETUP.bin is the assembled setup sectors (setup.asm), all zero in
the header range except the jump at 0x200; PROBE.elf is the linked image
(read for its sizes and refused if it has any relocation); PROBE.bin is
`objcopy -O binary` of it.  The header fields are written here, from
HEADER below; the result is then checked as `check` does.

check: parses a bzImage and verifies every setup header field the probe
relies on, the layout (setup sectors, syssize, init_size) and kernel_info.

Field offsets: Linux Documentation/arch/x86/boot.rst.
"""

import argparse
import os
import struct
import sys

SECTOR = 512
HDR_START = 0x1F1
HDR_END = 0x26C          # protocol 2.15 header ends after kernel_info_offset
KERNEL_INFO_OFFSET = 0x100   # entry.asm puts kernel_info here
ENTRY64 = 0x200
VERSION_STRING = b"baton-probe-linux (tests/probe)\0"

XLF_KERNEL_64 = 1 << 0
XLF_CAN_BE_LOADED_ABOVE_4G = 1 << 1
XLF_EFI_KEXEC = 1 << 4   # kexec may hand it the EFI runtime map (SETUP_EFI)
LOADED_HIGH = 1 << 0

# (offset, struct format, name, fixed value or None when computed)
HEADER = [
    (0x1F1, "<B", "setup_sects", None),
    (0x1F2, "<H", "root_flags", 0),
    (0x1F4, "<I", "syssize", None),
    (0x1F8, "<H", "ram_size", 0),
    (0x1FA, "<H", "vid_mode", 0xFFFF),          # NORMAL_VGA
    (0x1FC, "<H", "root_dev", 0),
    (0x1FE, "<H", "boot_flag", 0xAA55),
    (0x202, "<I", "header", 0x53726448),        # "HdrS"
    (0x206, "<H", "version", 0x020F),
    (0x208, "<I", "realmode_swtch", 0),
    (0x20C, "<H", "start_sys_seg", 0x1000),
    (0x20E, "<H", "kernel_version", None),
    (0x210, "<B", "type_of_loader", 0),
    (0x211, "<B", "loadflags", LOADED_HIGH),
    (0x212, "<H", "setup_move_size", 0x8000),
    (0x214, "<I", "code32_start", 0x100000),
    (0x218, "<I", "ramdisk_image", 0),
    (0x21C, "<I", "ramdisk_size", 0),
    (0x220, "<I", "bootsect_kludge", 0),
    (0x224, "<H", "heap_end_ptr", 0),
    (0x226, "<B", "ext_loader_ver", 0),
    (0x227, "<B", "ext_loader_type", 0),
    (0x228, "<I", "cmd_line_ptr", 0),
    (0x22C, "<I", "initrd_addr_max", 0x7FFFFFFF),
    (0x230, "<I", "kernel_alignment", 0x200000),
    (0x234, "<B", "relocatable_kernel", 1),
    (0x235, "<B", "min_alignment", 21),
    (0x236, "<H", "xloadflags",
     XLF_KERNEL_64 | XLF_CAN_BE_LOADED_ABOVE_4G | XLF_EFI_KEXEC),
    (0x238, "<I", "cmdline_size", 2047),
    (0x23C, "<I", "hardware_subarch", 0),
    (0x240, "<Q", "hardware_subarch_data", 0),
    (0x248, "<I", "payload_offset", 0),
    (0x24C, "<I", "payload_length", 0),
    (0x250, "<Q", "setup_data", 0),
    (0x258, "<Q", "pref_address", 0x1000000),
    (0x260, "<I", "init_size", None),
    (0x264, "<I", "handover_offset", 0),
    (0x268, "<I", "kernel_info_offset", KERNEL_INFO_OFFSET),
]


class Bad(Exception):
    pass


def round_up(v, a):
    return (v + a - 1) // a * a


# --- ELF -----------------------------------------------------------------------

PT_LOAD, PT_DYNAMIC, PT_INTERP = 1, 2, 3
SHT_SYMTAB, SHT_RELA, SHT_DYNAMIC, SHT_REL, SHT_RELR = 2, 4, 6, 9, 19


def elf_layout(data):
    """Return (file_end, mem_end, symbols) of a linked probe ELF."""
    if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        raise Bad("not a little-endian ELF64 file")
    (e_type, e_machine, _, e_entry, e_phoff, e_shoff, _, _, e_phentsize,
     e_phnum, e_shentsize, e_shnum, _) = struct.unpack_from(
        "<HHIQQQIHHHHHH", data, 16)
    if e_machine != 62:
        raise Bad("not an x86-64 ELF file")
    if e_entry != ENTRY64:
        raise Bad("entry point is 0x%x, not 0x%x" % (e_entry, ENTRY64))

    file_end = mem_end = 0
    low = None
    for i in range(e_phnum):
        p_type, _, _, p_vaddr, _, p_filesz, p_memsz, _ = struct.unpack_from(
            "<IIQQQQQQ", data, e_phoff + i * e_phentsize)
        if p_type in (PT_DYNAMIC, PT_INTERP):
            raise Bad("the ELF has a dynamic section or an interpreter")
        if p_type != PT_LOAD or p_memsz == 0:
            continue
        low = p_vaddr if low is None else min(low, p_vaddr)
        if p_filesz:
            file_end = max(file_end, p_vaddr + p_filesz)
        mem_end = max(mem_end, p_vaddr + p_memsz)
    if low != 0:
        raise Bad("the image is not linked at 0")

    sections = [struct.unpack_from("<IIQQQQIIQQ", data,
                                   e_shoff + i * e_shentsize)
                for i in range(e_shnum)]
    symbols = {}
    for (_, sh_type, _, _, sh_offset, sh_size, sh_link, _, _,
         sh_entsize) in sections:
        if sh_type in (SHT_RELA, SHT_REL, SHT_RELR, SHT_DYNAMIC) and sh_size:
            raise Bad("the ELF carries relocations: the probe must be "
                      "position-independent")
        if sh_type == SHT_SYMTAB:
            str_off = sections[sh_link][4]
            for off in range(sh_offset, sh_offset + sh_size, sh_entsize):
                st_name, _, _, _, st_value, _ = struct.unpack_from(
                    "<IBBHQQ", data, off)
                end = data.index(b"\0", str_off + st_name)
                symbols[data[str_off + st_name:end].decode()] = st_value
    return file_end, mem_end, symbols


# --- build -----------------------------------------------------------------------

def build(setup_path, elf_path, payload_path, out_path):
    setup = bytearray(open(setup_path, "rb").read())
    payload = open(payload_path, "rb").read()
    file_end, mem_end, symbols = elf_layout(open(elf_path, "rb").read())

    if len(setup) % SECTOR or not 2 <= len(setup) // SECTOR <= 64:
        raise Bad("setup block is %d bytes: want 2..64 whole sectors"
                  % len(setup))
    jump_target = 0x202 + setup[0x201]
    if setup[0x200] != 0xEB or jump_target != HDR_END:
        raise Bad("setup block has no short jump to 0x%x at 0x200" % HDR_END)
    if any(setup[HDR_START:0x200]) or any(setup[0x202:HDR_END]):
        raise Bad("setup block has code or data in the header range")
    if len(payload) != file_end:
        raise Bad("payload is %d bytes, the ELF's file part %d"
                  % (len(payload), file_end))
    if payload[KERNEL_INFO_OFFSET:KERNEL_INFO_OFFSET + 4] != b"LToP":
        raise Bad("no kernel_info (LToP) at 0x%x" % KERNEL_INFO_OFFSET)
    init_size = round_up(mem_end, 4096)
    if round_up(symbols.get("__image_end", -1), 4096) != init_size:
        raise Bad("__image_end does not match the memory size of the ELF")

    ver_off = len(setup) - 64
    if any(setup[ver_off:ver_off + len(VERSION_STRING)]):
        raise Bad("no room for the version string at 0x%x" % ver_off)
    setup[ver_off:ver_off + len(VERSION_STRING)] = VERSION_STRING

    computed = {
        "setup_sects": len(setup) // SECTOR - 1,
        "syssize": (len(payload) + 15) // 16,
        "kernel_version": ver_off - 0x200,
        "init_size": init_size,
    }
    for off, fmt, name, value in HEADER:
        struct.pack_into(fmt, setup, off,
                         computed[name] if value is None else value)
    with open(out_path, "wb") as f:
        f.write(setup + payload)


# --- check -----------------------------------------------------------------------

def check(path):
    """Verify a probe bzImage; return a list of one-line findings."""
    data = open(path, "rb").read()
    if len(data) < 0x400:
        raise Bad("%d bytes: too short for a bzImage" % len(data))
    hdr = {name: struct.unpack_from(fmt, data, off)[0]
           for off, fmt, name, _ in HEADER}
    for off, fmt, name, value in HEADER:
        if value is not None and hdr[name] != value:
            raise Bad("%s at 0x%x is 0x%x, want 0x%x"
                      % (name, off, hdr[name], value))

    if data[0x200] != 0xEB or 0x202 + data[0x201] != HDR_END:
        raise Bad("the jump at 0x200 does not end the header at 0x%x"
                  % HDR_END)
    setup_sects = hdr["setup_sects"] or 4
    if setup_sects > 4:
        raise Bad("setup_sects %d is not small" % setup_sects)
    pm_off = (setup_sects + 1) * SECTOR
    payload = data[pm_off:]
    if not payload:
        raise Bad("no protected-mode image after the setup sectors")
    if hdr["syssize"] != (len(payload) + 15) // 16:
        raise Bad("syssize %d does not cover the %d-byte image"
                  % (hdr["syssize"], len(payload)))
    if hdr["init_size"] % 4096 or hdr["init_size"] < len(payload):
        raise Bad("init_size 0x%x is not a 4 KiB multiple covering the "
                  "image" % hdr["init_size"])
    if hdr["kernel_alignment"] != 1 << hdr["min_alignment"]:
        raise Bad("min_alignment disagrees with kernel_alignment")
    ki = hdr["kernel_info_offset"]
    if payload[ki:ki + 4] != b"LToP":
        raise Bad("no kernel_info at image offset 0x%x" % ki)
    ki_size, ki_total = struct.unpack_from("<II", payload, ki + 4)
    if ki_size < 16 or ki_total < ki_size:
        raise Bad("kernel_info sizes %d/%d are wrong" % (ki_size, ki_total))
    if len(payload) <= ENTRY64 or payload[ENTRY64] == 0:
        raise Bad("no code at the 64-bit entry (image offset 0x200)")
    kv = 0x200 + hdr["kernel_version"]
    if kv >= pm_off or b"\0" not in data[kv:pm_off]:
        raise Bad("kernel_version does not point at a string in the setup")
    version = data[kv:data.index(b"\0", kv)].decode("ascii")

    return ["%s: bzImage protocol %d.%02d, %s" % (
                path, hdr["version"] >> 8, hdr["version"] & 0xFF, version),
            "  setup_sects %d, image %d bytes at file offset 0x%x, "
            "init_size 0x%x" % (setup_sects, len(payload), pm_off,
                                hdr["init_size"]),
            "  pref_address 0x%x, alignment 0x%x, xloadflags 0x%x, "
            "entry64 +0x%x" % (hdr["pref_address"], hdr["kernel_alignment"],
                               hdr["xloadflags"], ENTRY64)]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("build")
    b.add_argument("--setup", required=True)
    b.add_argument("--elf", required=True)
    b.add_argument("--payload", required=True)
    b.add_argument("-o", "--output", required=True)
    c = sub.add_parser("check")
    c.add_argument("image")
    args = ap.parse_args()
    try:
        if args.cmd == "build":
            try:
                build(args.setup, args.elf, args.payload, args.output)
                check(args.output)
            except Bad:
                if os.path.exists(args.output):
                    os.remove(args.output)
                raise
        else:
            print("\n".join(check(args.image)))
    except (Bad, OSError) as e:
        name = getattr(args, "output", None) or getattr(args, "image", "")
        print("mkbzimage.py: %s: %s" % (name, e), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
