; mb2-reloc.asm - Multiboot2 header of mb2-reloc: position-independent
; 32-bit code that may be loaded anywhere in [16 MiB, 1 GiB] on a 2 MiB
; boundary, lowest address preferred.  Tags: address (the link-time
; layout, from which the loader keeps the offsets), entry address,
; relocatable.  The only absolute relocations in the whole image are the
; ones in this header (check.py verifies it).

%define MB2_MAGIC       0xE85250D6
%define MB2_ARCH_I386   0
%define RELOC_MIN       0x01000000
%define RELOC_MAX       0x40000000
%define RELOC_ALIGN     0x00200000
%define RELOC_PREF_LOW  1

extern mb_image_start
extern __data_end
extern __bss_end
extern mb_entry32

section .mbheader progbits alloc noexec nowrite align=8
global mb2_header
mb2_header:
        dd      MB2_MAGIC
        dd      MB2_ARCH_I386
        dd      .end - mb2_header
        dd      0x100000000 - (MB2_MAGIC + MB2_ARCH_I386 + (.end - mb2_header))
.address:
        dw      2, 0
        dd      24
        dd      mb2_header              ; header_addr
        dd      mb_image_start          ; load_addr
        dd      __data_end              ; load_end_addr
        dd      __bss_end               ; bss_end_addr
.entry:
        dw      3, 0
        dd      12
        dd      mb_entry32
        align   8, db 0
.relocatable:
        dw      10, 0
        dd      24
        dd      RELOC_MIN
        dd      RELOC_MAX
        dd      RELOC_ALIGN
        dd      RELOC_PREF_LOW
.end_tag:
        dw      0, 0
        dd      8
.end:

section .rodata progbits alloc noexec nowrite align=4
global mb_probe_name
mb_probe_name:
        db      "baton-probe-mb2-reloc", 0

section .note.GNU-stack noalloc noexec nowrite progbits
