; mbshim.asm - Multiboot 1 header of mbshim, the test-only Multiboot2
; loader (shim.c).  Flags: page-aligned modules, memory information.

%define MB1_MAGIC       0x1BADB002
%define MB1_FLAGS       0x00000003

section .mbheader progbits alloc noexec nowrite align=8
global mb1_header
mb1_header:
        dd      MB1_MAGIC
        dd      MB1_FLAGS
        dd      0x100000000 - (MB1_MAGIC + MB1_FLAGS)

section .rodata progbits alloc noexec nowrite align=4
global mb_probe_name
mb_probe_name:
        db      "mbshim", 0

section .note.GNU-stack noalloc noexec nowrite progbits
