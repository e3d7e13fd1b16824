#!/usr/bin/python3
"""zpack IMAGE OUT: the zboot payload of a PE image (firmware/efi/zboot):
its length as 4 little-endian bytes, then the image as raw DEFLATE."""

import struct
import sys
import zlib


def main():
    image, out = sys.argv[1:3]
    data = open(image, "rb").read()
    z = zlib.compressobj(9, zlib.DEFLATED, -15, 9)
    packed = struct.pack("<I", len(data)) + z.compress(data) + z.flush()
    with open(out, "wb") as f:
        f.write(packed)


if __name__ == "__main__":
    main()
