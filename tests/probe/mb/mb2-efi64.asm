; mb2-efi64.asm - Multiboot2 header of mb2-efi64: an ELF64 image entered
; at its EFI amd64 entry with boot services still running.  Tags: EFI boot
; services (7), EFI amd64 entry (9), and a plain entry address (3) that
; leads to a stub reporting that tags 7 and 9 were ignored (as does the
; ELF entry point).

%define MB2_MAGIC       0xE85250D6
%define MB2_ARCH_I386   0

extern mb_entry64
extern mb_entry_i386

section .mbheader progbits alloc noexec nowrite align=8
global mb2_header
mb2_header:
        dd      MB2_MAGIC
        dd      MB2_ARCH_I386
        dd      .end - mb2_header
        dd      0x100000000 - (MB2_MAGIC + MB2_ARCH_I386 + (.end - mb2_header))
.boot_services:
        dw      7, 0
        dd      8
.efi_amd64_entry:
        dw      9, 0
        dd      12
        dd      mb_entry64
        align   8, db 0
.entry:
        dw      3, 0
        dd      12
        dd      mb_entry_i386
        align   8, db 0
.end_tag:
        dw      0, 0
        dd      8
.end:

section .rodata progbits alloc noexec nowrite align=4
global mb_probe_name
mb_probe_name:
        db      "baton-probe-mb2-efi64", 0

section .note.GNU-stack noalloc noexec nowrite progbits
