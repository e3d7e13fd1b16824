#!/usr/bin/python3
"""Write a newc cpio archive (an initramfs) from a list of entries, rootless.

usage: mkinitramfs.py OUT.cpio [PATH=SRC | PATH=@symlink:TARGET | PATH/ ]...

  PATH=SRC             a file at PATH with SRC's contents (mode kept: 0755 if
                       SRC is executable, else 0644)
  PATH=@symlink:TARGET a symbolic link
  PATH/                a directory

Also usable as a module: write_cpio(out, entries) with entries as
(path, kind, data, mode) tuples, kind in "file", "dir", "symlink".
"""
import os
import sys


def _header(ino, mode, size, name, nlink=1):
    fields = [ino, mode, 0, 0, nlink, 0, size, 0, 0, 0, 0, len(name) + 1, 0]
    return b"070701" + b"".join(b"%08X" % f for f in fields)


def _pad(n):
    return b"\0" * ((4 - n % 4) % 4)


def write_cpio(out, entries):
    """entries: iterable of (path, kind, data, mode)."""
    with open(out, "wb") as f:
        ino = 1
        for path, kind, data, mode in entries:
            name = path.lstrip("/").encode()
            if kind == "dir":
                mode |= 0o040000
                data = b""
            elif kind == "symlink":
                mode = 0o120777
            else:
                mode |= 0o100000
            hdr = _header(ino, mode, len(data), name, 2 if kind == "dir" else 1)
            f.write(hdr + name + b"\0")
            f.write(_pad(len(hdr) + len(name) + 1))
            f.write(data)
            f.write(_pad(len(data)))
            ino += 1
        trailer = b"TRAILER!!!"
        hdr = _header(0, 0, 0, trailer)
        f.write(hdr + trailer + b"\0")
        f.write(_pad(len(hdr) + len(trailer) + 1))


def main(argv):
    if len(argv) < 2:
        sys.exit(__doc__)
    entries = []
    for arg in argv[2:]:
        if arg.endswith("/") and "=" not in arg:
            entries.append((arg.rstrip("/"), "dir", b"", 0o755))
            continue
        path, src = arg.split("=", 1)
        if src.startswith("@symlink:"):
            entries.append((path, "symlink", src[len("@symlink:"):].encode(), 0o777))
        else:
            with open(src, "rb") as s:
                data = s.read()
            mode = 0o755 if os.access(src, os.X_OK) else 0o644
            entries.append((path, "file", data, mode))
    write_cpio(argv[1], entries)


if __name__ == "__main__":
    main(sys.argv)
