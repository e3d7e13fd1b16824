; setup.asm - the setup sectors of the probe bzImage.
;
; mkbzimage.py writes the setup header (0x1F1-0x26B) into this block; the
; assembler leaves that range zero except the jump at 0x200, whose target
; marks the end of the header (boot.rst: header length = 0x202 + byte[0x201]
; - 0x1F1).
;
; baton never runs this code: it reads the header and enters the 64-bit
; image directly.  The real-mode stub after the header exists only so that
; a BIOS loader (QEMU -kernel, i.e. SeaBIOS's linuxboot ROM) can boot the
; probe for a quick test without UEFI.  It is a minimal loader:
;   - builds boot_params in its own segment (header copy, BIOS E820 map,
;     the RSDP found in the BIOS area),
;   - masks both 8259s,
;   - enters long mode with an identity map of 0-4 GiB and the boot GDT
;     (0x10 code, 0x18 data),
;   - copies the protected-mode image from code32_start (where a BIOS
;     loader puts it, 1 MiB) to pref_address, and jumps to it + 0x200
;     with RSI = boot_params.
; Entry (boot.rst, real-mode protocol): CS = segment + 0x20, IP = 0 (the
; jump at 0x200), DS = ES = SS = segment.  Memory used, from the segment
; base: 0x1000 boot_params, 0x2000 PML4, 0x3000 PDPT, 0x4000-0x7FFF four
; page directories, stack below 0x9000.

bits 16
org 0

SETUP_SECTS     equ 2
HDR_START       equ 0x1F1
HDR_END         equ 0x26C           ; end of the protocol 2.15 header

ZP              equ 0x1000          ; boot_params
PML4            equ 0x2000
PDPT            equ 0x3000
PD              equ 0x4000
STACK_TOP       equ 0x9000

BP_ACPI_RSDP    equ 0x070
BP_E820_ENTRIES equ 0x1E8
BP_SYSSIZE      equ 0x1F4
BP_CODE32_START equ 0x214
BP_PREF_ADDRESS equ 0x258
BP_E820_TABLE   equ 0x2D0
SMAP            equ 0x534D4150

        times 0x200 - ($ - $$) db 0
        jmp short start             ; 0x200: EB 6A
        times HDR_END - ($ - $$) db 0

start:
        cli
        push    ds                  ; make CS = DS so offsets match org 0
        push    word .flat
        retf
.flat:
        mov     ax, ds
        mov     es, ax
        mov     ss, ax
        mov     sp, STACK_TOP
        cld

        mov     di, ZP              ; boot_params and the page tables
        mov     cx, (PD + 0x4000 - ZP) / 2
        xor     ax, ax
        rep stosw
        mov     si, HDR_START
        mov     di, ZP + HDR_START
        mov     cx, HDR_END - HDR_START
        rep movsb

        xor     ebx, ebx            ; BIOS E820, zero-length entries dropped
        xor     bp, bp
        mov     di, ZP + BP_E820_TABLE
.e820:
        mov     eax, 0xE820
        mov     edx, SMAP
        mov     ecx, 20
        int     0x15
        jc      .e820_done
        cmp     eax, SMAP
        jne     .e820_done
        mov     eax, [di + 8]
        or      eax, [di + 12]
        jz      .e820_next
        inc     bp
        add     di, 20
.e820_next:
        test    ebx, ebx
        jz      .e820_done
        cmp     bp, 128
        jb      .e820
.e820_done:
        cli                         ; the BIOS may have set IF
        mov     ax, bp
        mov     [ZP + BP_E820_ENTRIES], al

        mov     al, 0xFF            ; mask both 8259s
        out     0xA1, al
        out     0x21, al
        in      al, 0x92            ; fast A20
        or      al, 2
        and     al, 0xFE
        out     0x92, al

        xor     esi, esi            ; esi = physical base of this segment
        mov     si, ds
        shl     esi, 4

        lea     edx, [esi + PDPT + 3]
        mov     [PML4], edx
        lea     edx, [esi + PD + 3]
        mov     di, PDPT
        mov     cx, 4
.pdpt:
        mov     [di], edx
        add     edx, 0x1000
        add     di, 8
        loop    .pdpt
        mov     eax, 0x83           ; present, writable, 2 MiB
        mov     di, PD
        mov     cx, 2048
.pd:
        mov     [di], eax
        add     eax, 0x200000
        add     di, 8
        loop    .pd

        lea     edx, [esi + gdt]
        mov     [gdtr + 2], edx
        lea     edx, [esi + long64]
        mov     [far64], edx
        o32 lgdt [gdtr]

        mov     eax, cr4
        or      eax, 1 << 5         ; PAE
        mov     cr4, eax
        lea     edx, [esi + PML4]
        mov     cr3, edx
        mov     ecx, 0xC0000080     ; EFER.LME
        rdmsr
        or      eax, 1 << 8
        wrmsr
        mov     eax, cr0
        or      eax, 0x80000001     ; PG and PE together: straight to long mode
        mov     cr0, eax
        jmp     dword far [far64]

bits 64
long64:
        mov     ax, 0x18
        mov     ds, ax
        mov     es, ax
        mov     ss, ax
        mov     fs, ax
        mov     gs, ax
        lea     rbx, [rel $$ + ZP]
        lea     rsp, [rel $$ + STACK_TOP]

        mov     edx, 0xE0000        ; RSDP: 16-byte aligned in 0xE0000-0xFFFFF
.rsdp:
        cmp     dword [rdx], 0x20445352         ; "RSD "
        jne     .rsdp_next
        cmp     dword [rdx + 4], 0x20525450     ; "PTR "
        je      .rsdp_found
.rsdp_next:
        add     edx, 16
        cmp     edx, 0x100000
        jb      .rsdp
        xor     edx, edx
.rsdp_found:
        mov     [rbx + BP_ACPI_RSDP], rdx

        mov     esi, [rbx + BP_CODE32_START]
        mov     edi, [rbx + BP_PREF_ADDRESS]
        mov     ecx, [rbx + BP_SYSSIZE]
        shl     rcx, 4
        mov     r8, rdi
        rep movsb
        lea     rax, [r8 + 0x200]
        mov     rsi, rbx
        jmp     rax

        align   8
gdt:
        dq      0
        dq      0
        dq      0x00AF9A000000FFFF  ; 0x10: 64-bit code
        dq      0x00CF92000000FFFF  ; 0x18: flat data
gdt_end:
gdtr:
        dw      gdt_end - gdt - 1
        dd      0                   ; base, patched
far64:
        dd      0                   ; offset, patched
        dw      0x10

%if ($ - $$) > (SETUP_SECTS + 1) * 512
%error "the setup stub does not fit in SETUP_SECTS sectors"
%endif
        times (SETUP_SECTS + 1) * 512 - ($ - $$) db 0
