; head32.asm - entry of the 32-bit Multiboot probes (mb1-elf, mb1-aout,
; mb2-32; assembled with -DRELOC for mb2-reloc).
;
; Register contract at mb_entry32 (Multiboot 1 section 3.2, Multiboot2
; section 3.3), which the probe checks rather than trusts:
;   EAX     the boot magic
;   EBX     physical address of the boot information
;   32-bit protected mode, paging off, flat segments, IF = 0
; ESP is undefined, so no stack is assumed.
;
; The code is position-independent: it finds itself with call/pop and
; reaches its data through the GOT base (GOTOFF).  The first call needs a
; stack before the probe knows where it runs:
;   - fixed probes: the boot stack at its link address;
;   - RELOC: the boot stack at the base named by MBI tag 21 (the load base
;     the spec gives a relocated image), else the loader's ESP.  If tag 21
;     lies, call/pop still yields the true address (only one dword went to
;     the wrong place) and the load_base check says so.
;
; Then, in order: record the entry state in mb_entry_state (struct
; mb_entry in mb.h, in .data so that recording it does not touch .bss),
; copy the first 512 bytes of the entry GDT, count the nonzero bytes of
; .bss (the loader must have zeroed it), zero .bss, switch to the stack
; in .bss and call mb_main(&mb_entry_state), which never returns.

bits 32

%include "putimm.inc"

%define ENT_MAGIC       0x00
%define ENT_MBI         0x08
%define ENT_SP          0x10
%define ENT_FLAGS       0x18
%define ENT_BASE        0x20
%define ENT_HINT        0x28
%define ENT_DIRTY       0x30
%define ENT_FIRST       0x38
%define ENT_CS          0x40
%define ENT_DS          0x42
%define ENT_ES          0x44
%define ENT_SS          0x46
%define ENT_FS          0x48
%define ENT_GS          0x4A
%define ENT_GDTR        0x4E            ; 2-byte limit, then the base
%define ENT_IDTR        0x5E
%define ENT_GDT_SAVED   0x68
%define ENT_GDT_COPY    0x70
%define GDT_COPY        512
%define ENT_SIZE        (0x70 + GDT_COPY)

%define TAG_LOAD_BASE   21
%define STACK_SIZE      0x4000

extern _GLOBAL_OFFSET_TABLE_
extern mb_image_start
extern __bss_start
extern __bss_end
extern mb_main
extern mb_fault32

section .text.entry progbits alloc exec nowrite align=16

global mb_entry32
mb_entry32:
        ; Which mode?  0x40 is INC EAX in 32-bit mode and a REX prefix
        ; (of the NOP) in 64-bit mode.  The MOV is the same in both.
        mov     edi, eax                ; the magic
        xor     eax, eax
        db      0x40
        nop
        test    eax, eax
        jz      .long_mode

        mov     ebp, esp                ; the loader's ESP
        mov     edx, ebx                ; the boot information
        xor     esi, esi                ; tag 21, if found
%ifdef RELOC
        ; Walk the MBI at EDX for tag 21, registers only: EAX the tag,
        ; ECX the end, EBX scratch.
        test    edx, 7
        jnz     .hint_done
        test    edx, edx
        jz      .hint_done
        mov     ecx, [edx]              ; total_size
        cmp     ecx, 16
        jb      .hint_done
        cmp     ecx, 0x100000
        ja      .hint_done
        add     ecx, edx
        lea     eax, [edx + 8]
.tag:
        lea     ebx, [eax + 8]
        cmp     ebx, ecx
        ja      .hint_done
        movzx   ebx, word [eax]
        test    ebx, ebx
        jz      .hint_done              ; the end tag
        cmp     ebx, TAG_LOAD_BASE
        jne     .next_tag
        cmp     dword [eax + 4], 12
        jb      .hint_done
        mov     esi, [eax + 8]
        jmp     .hint_done
.next_tag:
        mov     ebx, [eax + 4]
        cmp     ebx, 8
        jb      .hint_done
        add     ebx, 7
        and     ebx, -8
        add     eax, ebx
        jc      .hint_done
        jmp     .tag
.hint_done:
        test    esi, esi
        jz      .no_hint
        mov     eax, boot_stack_top wrt ..gotoff
        sub     eax, mb_image_start wrt ..gotoff
        lea     esp, [esi + eax]        ; our boot stack, if tag 21 is right
        jmp     .have_stack
.no_hint:
        test    ebp, ebp
        jnz     .have_stack             ; borrow one dword of the loader's
        FAULT_IMM "no tag 21 and ESP 0: nothing to find the image with"
.have_stack:
%else
        mov     esp, boot_stack_top     ; this image runs where it is linked
%endif
        call    .got
.got:
        pop     ebx
        add     ebx, _GLOBAL_OFFSET_TABLE_ + $$ - .got wrt ..gotpc
        lea     esp, [ebx + boot_stack_top wrt ..gotoff]

        pushfd
        pop     ecx
        cld
        push    edi                     ; magic
        push    edx                     ; MBI
        push    ebp                     ; ESP
        push    ecx                     ; EFLAGS
        push    esi                     ; tag 21
        lea     edi, [ebx + mb_entry_state wrt ..gotoff]
        mov     ecx, ENT_SIZE / 4
        xor     eax, eax
        rep stosd
        lea     eax, [ebx + mb_entry_state wrt ..gotoff]
        pop     dword [eax + ENT_HINT]
        pop     dword [eax + ENT_FLAGS]
        pop     dword [eax + ENT_SP]
        pop     dword [eax + ENT_MBI]
        pop     dword [eax + ENT_MAGIC]
        lea     ecx, [ebx + mb_image_start wrt ..gotoff]
        mov     [eax + ENT_BASE], ecx
        mov     [eax + ENT_CS], cs
        mov     [eax + ENT_DS], ds
        mov     [eax + ENT_ES], es
        mov     [eax + ENT_SS], ss
        mov     [eax + ENT_FS], fs
        mov     [eax + ENT_GS], gs
        sgdt    [eax + ENT_GDTR]
        sidt    [eax + ENT_IDTR]

        ; The GDT as it is now: the spec lets it vanish later.
        movzx   ecx, word [eax + ENT_GDTR]
        inc     ecx
        cmp     ecx, GDT_COPY
        jbe     .copy
        mov     ecx, GDT_COPY
.copy:
        mov     [eax + ENT_GDT_SAVED], ecx
        mov     esi, [eax + ENT_GDTR + 2]
        lea     edi, [eax + ENT_GDT_COPY]
        rep movsb

        ; Count the nonzero bytes of .bss before anything is written there.
        lea     esi, [ebx + __bss_start wrt ..gotoff]
        lea     ecx, [ebx + __bss_end wrt ..gotoff]
        xor     edx, edx
        xor     edi, edi
.scan:
        cmp     esi, ecx
        jae     .scanned
        cmp     byte [esi], 0
        je      .clean
        test    edx, edx
        jnz     .counted
        mov     edi, esi
.counted:
        inc     edx
.clean:
        inc     esi
        jmp     .scan
.scanned:
        mov     [eax + ENT_DIRTY], edx
        mov     [eax + ENT_FIRST], edi

        mov     edx, eax
        lea     edi, [ebx + __bss_start wrt ..gotoff]
        lea     ecx, [ebx + __bss_end wrt ..gotoff]
        sub     ecx, edi
        xor     eax, eax
        rep stosb

        lea     esp, [ebx + mb_stack_top wrt ..gotoff]
        push    edx
        call    mb_main
.stop:
        cli
        hlt
        jmp     .stop

.long_mode:
        FAULT_IMM "entered in 64-bit mode, not 32-bit protected mode"

; Exception stubs for vectors 0-31, 16 bytes each (cpu32.c finds stub n at
; mb_isr_stubs + 16 * n).  Each leaves [vector, error, eip, cs, eflags].
; An NMI is counted and ignored; anything else is reported by mb_fault32.
%macro ISR 1
        align   16
%if !((%1 == 8) || (%1 >= 10 && %1 <= 14) || (%1 == 17) || (%1 == 21) || (%1 == 29) || (%1 == 30))
        push    0                       ; the CPU pushes no error code
%endif
        push    %1
        jmp     isr_common
%endmacro

        align   16
global mb_isr_stubs
mb_isr_stubs:
%assign v 0
%rep 32
        ISR     v
%assign v v + 1
%endrep

isr_common:
        cmp     dword [esp], 2
        je      .nmi
        mov     eax, esp
        and     esp, -16
        push    eax
        call    mb_fault32
.dead:
        cli
        hlt
        jmp     .dead
.nmi:
        push    ebx
        call    .here
.here:
        pop     ebx
        add     ebx, _GLOBAL_OFFSET_TABLE_ + $$ - .here wrt ..gotpc
        lock inc dword [ebx + mb_nmi_count wrt ..gotoff]
        pop     ebx
        add     esp, 8
        iretd

section .data progbits alloc noexec write align=16

; The record and the boot stack live in .data, not .bss: the loader copies
; them from the file, and using them leaves .bss untouched for the scan.
global mb_entry_state
mb_entry_state:
        times   ENT_SIZE db 0

global mb_nmi_count
        align   4
mb_nmi_count:
        dd      0

        align   16
boot_stack:
        times   64 db 0
boot_stack_top:

section .bss nobits alloc noexec write align=16
mb_stack:
        resb    STACK_SIZE
mb_stack_top:

section .note.GNU-stack noalloc noexec nowrite progbits
