; mb1-aout.asm - Multiboot 1 header of mb1-aout: a flat binary described
; by the a.out kludge (flag 16).  The header is the first thing in the
; file, so the file offset of load_addr is 0; load_end_addr 0 means "to
; the end of the file", and the loader zeroes up to bss_end_addr.

%define MB1_MAGIC       0x1BADB002
%define MB1_FLAGS       0x00010003      ; kludge, meminfo, page-aligned modules

extern mb_image_start
extern __bss_end
extern mb_entry32

section .mbheader progbits alloc noexec nowrite align=8
global mb1_header
mb1_header:
        dd      MB1_MAGIC
        dd      MB1_FLAGS
        dd      0x100000000 - (MB1_MAGIC + MB1_FLAGS)
        dd      mb1_header              ; header_addr
        dd      mb_image_start          ; load_addr
        dd      0                       ; load_end_addr: the whole file
        dd      __bss_end               ; bss_end_addr
        dd      mb_entry32              ; entry_addr

section .rodata progbits alloc noexec nowrite align=4
global mb_probe_name
mb_probe_name:
        db      "baton-probe-mb1-aout", 0

section .note.GNU-stack noalloc noexec nowrite progbits
