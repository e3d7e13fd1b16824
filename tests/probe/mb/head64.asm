; head64.asm - entry of the EFI amd64 Multiboot2 probe (mb2-efi64).
;
; Register contract at mb_entry64 (Multiboot2 section 3.5, "EFI amd64
; machine state with boot services enabled"), checked rather than trusted:
;   EAX     0x36D76289
;   RBX     the 64-bit physical address of the boot information
;   64-bit mode on the firmware's identity map, boot services running
; RSP is taken as undefined: the probe uses its own stacks (128 KiB, the
; size UEFI promises callers of boot services).
;
; The stub records the entry state in mb_entry_state (struct mb_entry in
; mb.h, in .data), copies the entry GDT, counts the nonzero bytes of .bss,
; zeroes .bss and calls mb_main64(&mb_entry_state).  The firmware keeps
; its IDT and its interrupts.
;
; mb_entry_i386 is the header's plain entry tag (3) and the ELF entry: a
; loader that ignores the EFI boot services and amd64 entry tags lands
; there, in 32-bit mode, and is told so.

bits 64
default rel

%include "putimm.inc"

%define ENT_MAGIC       0x00
%define ENT_MBI         0x08
%define ENT_SP          0x10
%define ENT_FLAGS       0x18
%define ENT_BASE        0x20
%define ENT_DIRTY       0x30
%define ENT_FIRST       0x38
%define ENT_CS          0x40
%define ENT_DS          0x42
%define ENT_ES          0x44
%define ENT_SS          0x46
%define ENT_FS          0x48
%define ENT_GS          0x4A
%define ENT_GDTR        0x4E
%define ENT_IDTR        0x5E
%define ENT_GDT_SAVED   0x68
%define ENT_GDT_COPY    0x70
%define GDT_COPY        512
%define ENT_SIZE        (0x70 + GDT_COPY)

%define STACK_SIZE      0x20000
%define BOOT_STACK_SIZE 0x4000          ; in .data: see boot_stack

extern mb_image_start
extern __bss_start
extern __bss_end
extern mb_main64

section .text.entry progbits alloc exec nowrite align=16

global mb_entry64
mb_entry64:
        ; 0x40 is a REX prefix here and INC EAX in 32-bit mode.
        mov     edi, eax                ; the magic (the same bytes in both)
        xor     eax, eax
        db      0x40
        nop
        test    eax, eax
        jnz     .not_long_mode

        mov     rbp, rsp
        lea     rsp, [boot_stack_top]
        pushfq
        pop     rcx
        cld
        push    rdi
        push    rbx
        push    rbp
        push    rcx
        lea     rdi, [mb_entry_state]
        mov     ecx, ENT_SIZE / 8
        xor     eax, eax
        rep stosq
        lea     rax, [mb_entry_state]
        pop     qword [rax + ENT_FLAGS]
        pop     qword [rax + ENT_SP]
        pop     qword [rax + ENT_MBI]
        pop     qword [rax + ENT_MAGIC]
        lea     rcx, [mb_image_start]
        mov     [rax + ENT_BASE], rcx
        mov     [rax + ENT_CS], cs
        mov     [rax + ENT_DS], ds
        mov     [rax + ENT_ES], es
        mov     [rax + ENT_SS], ss
        mov     [rax + ENT_FS], fs
        mov     [rax + ENT_GS], gs
        sgdt    [rax + ENT_GDTR]
        sidt    [rax + ENT_IDTR]

        movzx   ecx, word [rax + ENT_GDTR]
        inc     ecx
        cmp     ecx, GDT_COPY
        jbe     .copy
        mov     ecx, GDT_COPY
.copy:
        mov     [rax + ENT_GDT_SAVED], ecx
        mov     rsi, [rax + ENT_GDTR + 2]
        lea     rdi, [rax + ENT_GDT_COPY]
        rep movsb

        lea     rsi, [__bss_start]
        lea     rcx, [__bss_end]
        xor     edx, edx
        xor     edi, edi
.scan:
        cmp     rsi, rcx
        jae     .scanned
        cmp     byte [rsi], 0
        je      .clean
        test    rdx, rdx
        jnz     .counted
        mov     rdi, rsi
.counted:
        inc     rdx
.clean:
        inc     rsi
        jmp     .scan
.scanned:
        mov     [rax + ENT_DIRTY], rdx
        mov     [rax + ENT_FIRST], rdi

        mov     rdx, rax
        lea     rdi, [__bss_start]
        lea     rcx, [__bss_end]
        sub     rcx, rdi
        xor     eax, eax
        rep stosb

        lea     rsp, [mb_stack_top]
        mov     rdi, rdx
        call    mb_main64
.stop:
        cli
        hlt
        jmp     .stop

bits 32
.not_long_mode:
        FAULT_IMM "the EFI amd64 entry was entered in 32-bit mode"

global mb_entry_i386
mb_entry_i386:
        FAULT_IMM "entered through the i386 entry: the EFI boot services and amd64 entry tags were ignored"
bits 64

section .data progbits alloc noexec write align=16

global mb_entry_state
mb_entry_state:
        times   ENT_SIZE db 0

        ; The stack until .bss is clean.  Boot services are running and the
        ; firmware's timer interrupt arrives on whatever stack is current
        ; (every 10 ms under OVMF, and the .bss scan takes a few ms under
        ; TCG), so it must hold the firmware's handlers: with 64 bytes they
        ; ran over mb_entry_state below it, about one boot in five.
        align   16
boot_stack:
        times   BOOT_STACK_SIZE db 0
boot_stack_top:

section .bss nobits alloc noexec write align=16
mb_stack:
        resb    STACK_SIZE
mb_stack_top:

section .note.GNU-stack noalloc noexec nowrite progbits
