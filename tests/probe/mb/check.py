#!/usr/bin/python3
"""Check a built Multiboot probe kernel: is it a real Multiboot image?

    check.py KIND IMAGE --load ADDR [--elf ELF]

KIND is mb1-elf, mb1-aout, mb2-32, mb2-reloc or mb2-efi64.  The checks
follow the Multiboot Specification 0.6.96 (section 3.1) and the Multiboot2
Specification 2.0 (section 3.1):

* the header: magic, checksum, alignment, inside the first 8 KiB (MB1) or
  32 KiB (MB2); the exact flags or tags each probe is meant to carry;
* the load layout: the ELF program headers (page-aligned, below 8 MiB for
  the probes OVMF must hold below its firmware volumes), the a.out-kludge
  or address-tag fields, and that both descriptions give the same bytes;
* every entry point lands on the probe's entry code;
* mb2-reloc: the only absolute relocations are in the Multiboot2 header
  (the image is linked with --emit-relocs).

After the image passes, the same checks run on copies with a broken
checksum, a broken magic and a broken length; each must be refused, or
this script itself is wrong.  Exit status 0 when all is well.
"""

import argparse
import struct
import sys

MB1_MAGIC = 0x1BADB002
MB2_MAGIC = 0xE85250D6
MB1_SEARCH = 8192
MB2_SEARCH = 32768
LOW_LIMIT = 0x800000    # OVMF: RAM from 1 MiB to 8 MiB is free after EBS
PAGE = 0x1000

# The entry code's first bytes (head32.asm, head64.asm): mov edi, eax;
# xor eax, eax; db 0x40; nop -- the mode test.
ENTRY_PROLOGUE = bytes([0x89, 0xC7, 0x31, 0xC0, 0x40, 0x90])

PT_LOAD, PT_DYNAMIC, PT_INTERP = 1, 2, 3
PF_X = 1
SHT_REL, SHT_RELA = 9, 4
R_386_32, R_386_PC32, R_386_PLT32, R_386_GOTOFF, R_386_GOTPC = 1, 2, 4, 9, 10
PIC_RELOCS = {R_386_PC32, R_386_PLT32, R_386_GOTOFF, R_386_GOTPC}


class Bad(Exception):
    """The image breaks a rule."""


def need(cond, msg):
    if not cond:
        raise Bad(msg)


def u32(b, off):
    return struct.unpack_from("<I", b, off)[0]


class Elf:
    """The parts of an ELF executable a Multiboot loader looks at."""

    def __init__(self, data):
        need(data[:4] == b"\x7fELF", "not an ELF file")
        self.data = data
        self.bits = {1: 32, 2: 64}.get(data[4])
        need(self.bits, "unknown ELF class %d" % data[4])
        need(data[5] == 1, "not little-endian")
        if self.bits == 32:
            (self.type, self.machine, _, self.entry, phoff, shoff, _, _,
             phentsize, phnum, shentsize, shnum, _) = struct.unpack_from(
                 "<HHIIIIIHHHHHH", data, 16)
        else:
            (self.type, self.machine, _, self.entry, phoff, shoff, _, _,
             phentsize, phnum, shentsize, shnum, _) = struct.unpack_from(
                 "<HHIQQQIHHHHHH", data, 16)
        self.phdrs = []
        for i in range(phnum):
            o = phoff + i * phentsize
            if self.bits == 32:
                (ptype, off, vaddr, paddr, filesz, memsz, flags,
                 _) = struct.unpack_from("<IIIIIIII", data, o)
            else:
                (ptype, flags, off, vaddr, paddr, filesz, memsz,
                 _) = struct.unpack_from("<IIQQQQQQ", data, o)
            self.phdrs.append(dict(type=ptype, offset=off, vaddr=vaddr,
                                   paddr=paddr, filesz=filesz, memsz=memsz,
                                   flags=flags))
        self.sections = []
        for i in range(shnum if shoff else 0):
            o = shoff + i * shentsize
            if self.bits == 32:
                (name, stype, _, addr, off, size, link, info, _,
                 entsize) = struct.unpack_from("<IIIIIIIIII", data, o)
            else:
                (name, stype, _, addr, off, size, link, info, _,
                 entsize) = struct.unpack_from("<IIQQQQIIQQ", data, o)
            self.sections.append(dict(type=stype, addr=addr, offset=off,
                                      size=size, info=info, entsize=entsize))

    def loads(self):
        return [p for p in self.phdrs if p["type"] == PT_LOAD and p["memsz"]]

    def image(self):
        """(base, bytes of the file part, end of memsz) as loaded by paddr."""
        loads = self.loads()
        base = min(p["paddr"] for p in loads)
        file_end = max(p["paddr"] + p["filesz"] for p in loads)
        mem = bytearray(file_end - base)
        for p in loads:
            chunk = self.data[p["offset"]:p["offset"] + p["filesz"]]
            need(len(chunk) == p["filesz"], "a PT_LOAD runs past the file")
            mem[p["paddr"] - base:p["paddr"] - base + p["filesz"]] = chunk
        return base, bytes(mem), max(p["paddr"] + p["memsz"] for p in loads)

    def file_offset(self, paddr):
        for p in self.loads():
            if p["paddr"] <= paddr < p["paddr"] + p["filesz"]:
                return p["offset"] + paddr - p["paddr"]
        raise Bad("0x%x is not in the file part of any PT_LOAD" % paddr)

    def executable(self, addr):
        return any(p["flags"] & PF_X and p["paddr"] <= addr < p["paddr"] + p["filesz"]
                   for p in self.loads())


def check_elf_layout(elf, bits, load, low):
    need(elf.bits == bits, "ELF%d, want ELF%d" % (elf.bits, bits))
    need(elf.machine == (3 if bits == 32 else 62), "wrong e_machine %d" % elf.machine)
    need(elf.type == 2, "not ET_EXEC")
    need(not any(p["type"] in (PT_DYNAMIC, PT_INTERP) for p in elf.phdrs),
         "has PT_DYNAMIC or PT_INTERP")
    loads = elf.loads()
    need(loads, "no PT_LOAD")
    for p in loads:
        need(p["paddr"] == p["vaddr"], "PT_LOAD paddr != vaddr")
        need(p["paddr"] % PAGE == 0, "PT_LOAD at 0x%x is not page-aligned" % p["paddr"])
        need(p["offset"] % PAGE == p["vaddr"] % PAGE, "PT_LOAD offset not congruent")
        need(p["filesz"] <= p["memsz"], "PT_LOAD filesz > memsz")
    base, _, end = elf.image()
    need(base == load, "loads at 0x%x, want 0x%x" % (base, load))
    if low:
        need(end <= LOW_LIMIT, "image ends at 0x%x, past 8 MiB" % end)
    need(any(p["memsz"] > p["filesz"] for p in loads), "no .bss (memsz > filesz)")
    return base, end


def entry_ok(mem, base, addr, what):
    off = addr - base
    need(0 <= off < len(mem), "%s 0x%x is outside the image" % (what, addr))
    need(mem[off:off + len(ENTRY_PROLOGUE)] == ENTRY_PROLOGUE,
         "%s 0x%x is not the probe's entry code" % (what, addr))


# --- Multiboot 1 ----------------------------------------------------------

def mb1_header(data):
    for off in range(0, min(len(data), MB1_SEARCH) - 11, 4):
        if u32(data, off) == MB1_MAGIC:
            magic, flags, csum = struct.unpack_from("<III", data, off)
            need((magic + flags + csum) & 0xFFFFFFFF == 0,
                 "Multiboot header at 0x%x: bad checksum" % off)
            return off, flags
    raise Bad("no Multiboot header in the first 8 KiB")


def check_mb1_elf(data, load, _elf_path):
    elf = Elf(data)
    off, flags = mb1_header(data)
    need(flags == 0x3, "flags 0x%x, want 0x3 (page-aligned modules, meminfo)" % flags)
    base, end = check_elf_layout(elf, 32, load, True)
    hdr = [p for p in elf.loads() if p["offset"] <= off < p["offset"] + p["filesz"]]
    need(hdr, "the header is not inside a PT_LOAD")
    _, mem, _ = elf.image()
    entry_ok(mem, base, elf.entry, "e_entry")
    return "header at 0x%x flags 0x%x, image 0x%x-0x%x" % (off, flags, base, end)


def check_mb1_aout(data, load, elf_path):
    off, flags = mb1_header(data)
    need(off + 32 <= len(data), "the header runs past the file")
    need(flags == 0x10003, "flags 0x%x, want 0x10003 (kludge, meminfo, page-aligned)" % flags)
    header_addr, load_addr, load_end, bss_end, entry = struct.unpack_from("<5I", data, off + 12)
    need(load_addr == load, "load_addr 0x%x, want 0x%x" % (load_addr, load))
    need(load_addr <= header_addr, "header_addr below load_addr")
    foff = off - (header_addr - load_addr)
    need(foff == 0, "load_addr is at file offset %d, want 0" % foff)
    need(load_end == 0, "load_end_addr 0x%x, want 0 (the whole file)" % load_end)
    size = len(data) - foff
    need(bss_end >= load_addr + size, "bss_end_addr below the end of the file")
    need(bss_end <= LOW_LIMIT, "bss_end_addr 0x%x past 8 MiB" % bss_end)
    need(load_addr % PAGE == 0, "load_addr not page-aligned")
    entry_ok(data[foff:], load_addr, entry, "entry_addr")
    if elf_path:
        with open(elf_path, "rb") as f:
            elf = Elf(f.read())
        base, mem, mem_end = elf.image()
        need(base == load_addr and mem == data[foff:],
             "the flat file differs from the ELF it was made from")
        need(mem_end == bss_end, "bss_end_addr 0x%x, the ELF ends at 0x%x" % (bss_end, mem_end))
    return "header at 0x%x flags 0x%x, load 0x%x-0x%x bss to 0x%x entry 0x%x" % (
        off, flags, load_addr, load_addr + size, bss_end, entry)


# --- Multiboot 2 ----------------------------------------------------------

def mb2_header(data):
    """(offset, [(type, flags, body)]) of the first valid header."""
    for off in range(0, min(len(data), MB2_SEARCH) - 15, 8):
        if u32(data, off) != MB2_MAGIC:
            continue
        magic, arch, length, csum = struct.unpack_from("<4I", data, off)
        need((magic + arch + length + csum) & 0xFFFFFFFF == 0,
             "Multiboot2 header at 0x%x: bad checksum" % off)
        need(arch == 0, "architecture %d, want 0 (i386)" % arch)
        need(length >= 24 and off + length <= len(data), "bad header_length %d" % length)
        tags, at = [], off + 16
        while True:
            need(at + 8 <= off + length, "tags run past header_length")
            need((at - off) % 8 == 0, "a tag is not 8-byte aligned")
            ttype, tflags, tsize = struct.unpack_from("<HHI", data, at)
            need(tsize >= 8 and at + tsize <= off + length, "tag %d: bad size %d" % (ttype, tsize))
            if ttype == 0:
                need(tsize == 8, "end tag size %d" % tsize)
                need(at + 8 == off + length, "header_length does not end at the end tag")
                return off, tags
            tags.append((ttype, tflags, data[at + 8:at + tsize]))
            at += (tsize + 7) & ~7
    raise Bad("no Multiboot2 header in the first 32 KiB")


def tag_map(tags, want):
    types = [t for t, _, _ in tags]
    need(sorted(types) == sorted(want), "header tags %s, want %s" % (types, want))
    return {t: (f, body) for t, f, body in tags}


def check_mb2_32(data, load, _elf_path):
    elf = Elf(data)
    off, tags = mb2_header(data)
    t = tag_map(tags, [1, 3, 6])
    flags, body = t[1]
    need(flags == 0, "the information request is optional, want required")
    req = list(struct.unpack_from("<%dI" % (len(body) // 4), body))
    need(req == [1, 2, 3, 4, 6, 12, 15, 17], "requests %s" % req)
    need(len(t[6][1]) == 0, "module alignment tag has a body")
    base, end = check_elf_layout(elf, 32, load, True)
    _, mem, _ = elf.image()
    entry = u32(t[3][1], 0)
    need(entry == elf.entry, "entry tag 0x%x != e_entry 0x%x" % (entry, elf.entry))
    entry_ok(mem, base, entry, "entry tag")
    return "header at 0x%x tags 1 3 6, requests %s, image 0x%x-0x%x entry 0x%x" % (
        off, req, base, end, entry)


def check_relocs(elf, hdr_lo, hdr_hi):
    """Only PC-/GOT-relative relocations outside the header."""
    count = 0
    for s in elf.sections:
        need(s["type"] != SHT_RELA, "RELA section in an i386 image")
        if s["type"] != SHT_REL:
            continue
        for i in range(s["size"] // 8):
            r_offset, r_info = struct.unpack_from("<II", elf.data, s["offset"] + 8 * i)
            rtype = r_info & 0xFF
            count += 1
            if rtype in PIC_RELOCS:
                continue
            need(rtype == R_386_32 and hdr_lo <= r_offset < hdr_hi,
                 "relocation type %d at 0x%x: an absolute address outside the header"
                 % (rtype, r_offset))
    need(count, "no relocations kept (link with --emit-relocs)")
    return count


def check_mb2_reloc(data, load, _elf_path):
    elf = Elf(data)
    off, tags = mb2_header(data)
    t = tag_map(tags, [2, 3, 10])
    header_addr, load_addr, load_end, bss_end = struct.unpack_from("<4I", t[2][1])
    rmin, rmax, ralign, rpref = struct.unpack_from("<4I", t[10][1])
    need((rmin, rmax, ralign, rpref) == (0x1000000, 0x40000000, 0x200000, 1),
         "relocatable tag %x %x %x %d" % (rmin, rmax, ralign, rpref))
    base, end = check_elf_layout(elf, 32, load, False)
    need(load == rmin, "linked at 0x%x, not at min_addr" % load)
    need(end - base <= rmax - rmin, "image larger than [min, max]")
    need(header_addr - load_addr == elf.file_offset(header_addr) - elf.file_offset(load_addr),
         "the address tag and the ELF disagree on where the header is")
    need(header_addr >= load_addr and load_end > load_addr and bss_end >= load_end,
         "address tag fields out of order")
    # The address tag's view of the file must be the ELF's view.
    foff = off - (header_addr - load_addr)
    raw = data[foff:foff + load_end - load_addr]
    ebase, mem, mem_end = elf.image()
    need(ebase == load_addr and raw == mem,
         "the address tag describes other bytes than the program headers")
    need(bss_end == mem_end, "bss_end_addr 0x%x, the ELF ends at 0x%x" % (bss_end, mem_end))
    entry = u32(t[3][1], 0)
    entry_ok(mem, base, entry, "entry tag")
    hdr_len = u32(data, off + 8)
    n = check_relocs(elf, header_addr, header_addr + hdr_len)
    return ("header at 0x%x tags 2 3 10, load 0x%x-0x%x bss to 0x%x, entry 0x%x, "
            "%d relocations, absolute ones only in the header" % (
                off, load_addr, load_end, bss_end, entry, n))


def check_mb2_efi64(data, load, _elf_path):
    elf = Elf(data)
    off, tags = mb2_header(data)
    t = tag_map(tags, [7, 9, 3])
    need(len(t[7][1]) == 0, "EFI boot services tag has a body")
    base, end = check_elf_layout(elf, 64, load, True)
    _, mem, _ = elf.image()
    e64 = u32(t[9][1], 0)
    e32 = u32(t[3][1], 0)
    need(elf.executable(e64), "EFI amd64 entry 0x%x is not in executable code" % e64)
    entry_ok(mem, base, e64, "EFI amd64 entry")
    need(e32 == elf.entry and e32 != e64, "the i386 entry must be e_entry and not the amd64 one")
    need(elf.executable(e32), "i386 entry 0x%x is not in executable code" % e32)
    return "header at 0x%x tags 7 9 3, image 0x%x-0x%x amd64 entry 0x%x i386 stub 0x%x" % (
        off, base, end, e64, e32)


CHECKS = {
    "mb1-elf": (check_mb1_elf, MB1_MAGIC),
    "mb1-aout": (check_mb1_aout, MB1_MAGIC),
    "mb2-32": (check_mb2_32, MB2_MAGIC),
    "mb2-reloc": (check_mb2_reloc, MB2_MAGIC),
    "mb2-efi64": (check_mb2_efi64, MB2_MAGIC),
}


def mutants(data, magic):
    """Copies with one header field broken: each must be refused."""
    limit = MB1_SEARCH if magic == MB1_MAGIC else MB2_SEARCH
    step = 4 if magic == MB1_MAGIC else 8
    off = next(o for o in range(0, limit, step) if u32(data, o) == magic)
    csum = off + 8 if magic == MB1_MAGIC else off + 12
    for name, at, delta in (("checksum+1", csum, 1), ("magic+1", off, 1),
                            ("flags/arch+1", off + 4, 1)):
        b = bytearray(data)
        struct.pack_into("<I", b, at, (u32(b, at) + delta) & 0xFFFFFFFF)
        yield name, bytes(b)
    if magic == MB2_MAGIC:      # header_length and checksum moved together
        b = bytearray(data)
        struct.pack_into("<I", b, off + 8, u32(b, off + 8) + 8)
        struct.pack_into("<I", b, off + 12, (u32(b, off + 12) - 8) & 0xFFFFFFFF)
        yield "header_length+8", bytes(b)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("kind", choices=sorted(CHECKS))
    ap.add_argument("image")
    ap.add_argument("--load", required=True, type=lambda s: int(s, 0))
    ap.add_argument("--elf", help="mb1-aout: the ELF the flat file was made from")
    args = ap.parse_args()
    check, magic = CHECKS[args.kind]
    with open(args.image, "rb") as f:
        data = f.read()
    try:
        summary = check(data, args.load, args.elf)
    except (Bad, struct.error) as e:
        print("check.py: %s: %s" % (args.image, e), file=sys.stderr)
        return 1
    for name, bad in mutants(data, magic):
        try:
            check(bad, args.load, args.elf)
        except (Bad, struct.error):
            continue
        print("check.py: %s: a copy with %s was accepted: the checker is broken"
              % (args.image, name), file=sys.stderr)
        return 1
    print("check.py: %s: ok: %s" % (args.image, summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
