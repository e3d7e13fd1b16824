; Entry stub of the Linux probe kernel (64-bit boot protocol).
;
; The first 0x200 bytes of the protected-mode image are a header area; the
; 64-bit entry point is at image + 0x200, as boot.rst requires for
; XLF_KERNEL_64.  Register contract at probe_entry64:
;   RSI     physical address of boot_params
;   CS      0x10, 64-bit code; DS/ES/SS 0x18 (checked, not relied on)
;   IF      0; paging on; [image, image + init_size) identity-mapped
; Nothing else is assumed: RSP may point anywhere and DF may be set.
;
; The stub records the entry state before it changes anything, zeroes .bss
; (which holds the stack and the probe's own page tables), and calls
; probe_main(&probe_entry_state), which never returns.  The record layout is
; struct probe_entry in probe.h; the offsets below must match it (probe.h
; pins them with static assertions).
;
; Everything is RIP-relative: the image runs wherever it is loaded.

bits 64
default rel

%define ENT_RSI         0x00
%define ENT_RSP         0x08
%define ENT_RFLAGS      0x10
%define ENT_IMAGE       0x18
%define ENT_CR0         0x20
%define ENT_CR3         0x28
%define ENT_CR4         0x30
%define ENT_EFER        0x38
%define ENT_CS          0x40
%define ENT_DS          0x42
%define ENT_ES          0x44
%define ENT_SS          0x46
%define ENT_FS          0x48
%define ENT_GS          0x4A
%define ENT_GDTR        0x4E            ; 2-byte limit, then 8-byte base
%define ENT_IDTR        0x5E
%define ENT_SIZE        0x68

%define MSR_EFER        0xC0000080
%define STACK_SIZE      0x4000

extern probe_main
extern probe_fault
extern __bss_start
extern __bss_end

section .text.head progbits alloc exec nowrite align=16

global probe_image_start
probe_image_start:
; Offset 0 is where a 32-bit protocol loader would jump (code32_start).
; The probe speaks only the 64-bit protocol, so this says so on COM1 and
; exits QEMU with failure.  The bytes decode the same in 32-bit and 64-bit
; mode (no REX prefixes, call/pop for the address), so a loader that jumps
; to the image start in long mode is caught here too.
bits 32
        cli
        call    .here
.here:
        pop     esi
        add     esi, msg_entry0 - .here
.next:
        lodsb
        test    al, al
        jz      .done
        mov     ah, al
        mov     dx, 0x3FD               ; COM1 LSR
.wait:
        in      al, dx
        test    al, 0x20
        jz      .wait
        mov     al, ah
        mov     dx, 0x3F8
        out     dx, al
        jmp     .next
.done:
        mov     eax, 1
        out     0xF4, eax               ; isa-debug-exit: failure
.stop32:
        hlt
        jmp     .stop32
msg_entry0:
        db      13, 10, "PROBE FAULT entered at image offset 0 (the 32-bit entry),"
        db      " not at +0x200", 13, 10, 0
bits 64

; kernel_info (boot protocol 2.15), found through kernel_info_offset.
        times 0x100 - ($ - probe_image_start) db 0
kernel_info:
        db      "LToP"
        dd      16                      ; size of the fixed part
        dd      16                      ; size including variable data
        dd      0x80000009              ; setup_type_max: SETUP_RNG_SEED|INDIRECT

        times 0x200 - ($ - probe_image_start) db 0

global probe_entry64
probe_entry64:
        mov     r15, rsi
        mov     r14, rsp
        lea     rsp, [probe_stack_top]
        pushfq
        pop     r13
        cld

        ; .bss is part of init_size but a loader need not zero it.  The stack
        ; lives in .bss; nothing is on it yet.
        lea     rdi, [__bss_start]
        lea     rcx, [__bss_end]
        sub     rcx, rdi
        xor     eax, eax
        rep stosb

        lea     rbx, [probe_entry_state]
        mov     [rbx + ENT_RSI], r15
        mov     [rbx + ENT_RSP], r14
        mov     [rbx + ENT_RFLAGS], r13
        lea     rax, [probe_image_start]
        mov     [rbx + ENT_IMAGE], rax
        mov     rax, cr0
        mov     [rbx + ENT_CR0], rax
        mov     rax, cr3
        mov     [rbx + ENT_CR3], rax
        mov     rax, cr4
        mov     [rbx + ENT_CR4], rax
        mov     ecx, MSR_EFER
        rdmsr
        shl     rdx, 32
        or      rax, rdx
        mov     [rbx + ENT_EFER], rax
        mov     ax, cs
        mov     [rbx + ENT_CS], ax
        mov     ax, ds
        mov     [rbx + ENT_DS], ax
        mov     ax, es
        mov     [rbx + ENT_ES], ax
        mov     ax, ss
        mov     [rbx + ENT_SS], ax
        mov     ax, fs
        mov     [rbx + ENT_FS], ax
        mov     ax, gs
        mov     [rbx + ENT_GS], ax
        sgdt    [rbx + ENT_GDTR]
        sidt    [rbx + ENT_IDTR]

        mov     rdi, rbx
        call    probe_main
.stop64:
        cli
        hlt
        jmp     .stop64

; Exception stubs for vectors 0-31, each 16 bytes long so that the C side
; finds stub n at probe_isr_stubs + 16 * n.  Each pushes an error code (0
; where the CPU pushes none) and the vector, giving probe_fault the frame
;   [rsp] vector, error, rip, cs, rflags, rsp, ss
; An NMI is counted and ignored, as Linux's early code does; everything
; else is fatal and reported by probe_fault.
%macro ISR 1
        align   16
%if !((%1 == 8) || (%1 >= 10 && %1 <= 14) || (%1 == 17) || (%1 == 21) || (%1 == 29) || (%1 == 30))
        push    0               ; the CPU pushes no error code for this one
%endif
        push    %1
        jmp     isr_common
%endmacro

        align   16
global probe_isr_stubs
probe_isr_stubs:
%assign v 0
%rep 32
        ISR     v
%assign v v + 1
%endrep

isr_common:
        cmp     qword [rsp], 2
        je      .nmi
        mov     rdi, rsp
        and     rsp, -16
        call    probe_fault
.dead:
        cli
        hlt
        jmp     .dead
.nmi:
        lock inc qword [probe_nmi_count]
        add     rsp, 16
        iretq

section .bss nobits alloc noexec write align=16

global probe_entry_state
probe_entry_state:
        resb    ENT_SIZE

global probe_nmi_count
        alignb  8
probe_nmi_count:
        resq    1

        alignb  16
probe_stack:
        resb    STACK_SIZE
probe_stack_top:

section .note.GNU-stack noalloc noexec nowrite progbits
