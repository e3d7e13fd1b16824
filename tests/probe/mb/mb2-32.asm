; mb2-32.asm - Multiboot2 header of mb2-32: an ELF32 image entered in
; 32-bit protected mode after ExitBootServices.  Tags: an information
; request (required, not optional) for cmdline 1, loader name 2, modules 3,
; basic meminfo 4, mmap 6, EFI 64-bit system table 12, ACPI new RSDP 15,
; EFI memory map 17; the entry address; module alignment.

%define MB2_MAGIC       0xE85250D6
%define MB2_ARCH_I386   0

extern mb_entry32

section .mbheader progbits alloc noexec nowrite align=8
global mb2_header
mb2_header:
        dd      MB2_MAGIC
        dd      MB2_ARCH_I386
        dd      .end - mb2_header
        dd      0x100000000 - (MB2_MAGIC + MB2_ARCH_I386 + (.end - mb2_header))
.request:
        dw      1, 0                    ; information request, required
        dd      .request_end - .request
        dd      1, 2, 3, 4, 6, 12, 15, 17
.request_end:
        align   8, db 0
.entry:
        dw      3, 0                    ; entry address
        dd      12
        dd      mb_entry32
        align   8, db 0
.module_align:
        dw      6, 0                    ; modules page-aligned
        dd      8
.end_tag:
        dw      0, 0
        dd      8
.end:

section .rodata progbits alloc noexec nowrite align=4
global mb_probe_name
mb_probe_name:
        db      "baton-probe-mb2-32", 0

section .note.GNU-stack noalloc noexec nowrite progbits
