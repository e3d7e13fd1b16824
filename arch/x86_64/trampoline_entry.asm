; baton's trampoline, entry half: the last instructions before the kernel.
; It is one position-independent blob that carries its own GDT and runs
; wherever it is copied: no absolute relocations (the Makefile fails the
; build if the object has any), every address RIP-relative or taken from
; its parameter block.  baton's copy half (trampoline_copy.asm) jumps here
; after the copy; a Linux kexec_load(2) backend could load the same bytes
; as its purgatory.
;
; LAYOUT OF THE BLOB (offsets from its first byte)
;   +0    a short jump over the parameter block; enter here
;   +8    the parameter block, TRAMP_EP_SIZE bytes, filled in by the loader:
;     +0    u64  cr3     page tables to load; 0 keeps the current CR3.  The
;                        tables must have the depth the CPU is in (4-level,
;                        or 5-level if CR4.LA57 is on: LA57 cannot change
;                        while paging is on) and identity-map the blob,
;                        the stack and, in mode 0, the entry point
;     +8    u64  entry   where to jump
;     +16   u64  mode    0: 64-bit long mode; 1: 32-bit protected mode with
;                        paging off (the blob, the stack and entry then
;                        below 4 GiB)
;     +24   u64  rax, rbx, rcx, rdx, rsi, rdi, rbp, rsp  at entry (only
;                        the low halves in mode 1); rsp 0 keeps the stack
;                        the blob was entered with
;   then the code, then the GDT (selector 0x10 = 64-bit code, 0x18 = flat
;   data, 0x20 = flat 32-bit code).
;
; CONTRACT
;   Registers in: RSP points to at least 32 bytes of writable stack; nothing
;   else is read.  CPU state in: 64-bit mode, any 64-bit code segment, the
;   current page tables identity-mapping the blob and the stack; interrupts
;   may be on (it does cli).
;   Memory it uses: its parameter block (read only) and 32 bytes of stack.
;   State it leaves: IF = 0, DF = 0; GDTR = its own GDT, IDTR limit 0 (a
;   fault or NMI resets the machine).
;     mode 0: CS = 0x10, DS/ES/SS/FS/GS = 0x18, CR3 as asked, the block's
;             registers, r8-r15 zero.
;     mode 1: CS = 0x20 (flat 32-bit), data selectors 0x18, CR0.PG off,
;             EFER.LME off, CR4 = 0, the block's 32-bit registers.
;   It never returns.

bits 64
default rel

TRAMP_EP_CR3    equ 0
TRAMP_EP_ENTRY  equ 8
TRAMP_EP_MODE   equ 16
TRAMP_EP_RAX    equ 24
TRAMP_EP_RBX    equ 32
TRAMP_EP_RCX    equ 40
TRAMP_EP_RDX    equ 48
TRAMP_EP_RSI    equ 56
TRAMP_EP_RDI    equ 64
TRAMP_EP_RBP    equ 72
TRAMP_EP_RSP    equ 80
TRAMP_EP_SIZE   equ 88

SEL_CODE64  equ 0x10
SEL_DATA    equ 0x18
SEL_CODE32  equ 0x20

MSR_EFER    equ 0xC0000080
EFER_LME    equ 0x100
CR0_PG      equ 0x80000000

; The layout, exported as absolute symbols: the build turns them into
; build/gen/trampoline_syms.h, which the C side checks its own copy against.
global trampoline_entry_start, trampoline_entry_end
global TRAMP_ENTRY_PARAMS, TRAMP_ENTRY_GDT, TRAMP_ENTRY_GDT_SIZE, TRAMP_ENTRY_SIZE
global TRAMP_EP_CR3, TRAMP_EP_ENTRY, TRAMP_EP_MODE, TRAMP_EP_RAX, TRAMP_EP_RBX
global TRAMP_EP_RCX, TRAMP_EP_RDX, TRAMP_EP_RSI, TRAMP_EP_RDI, TRAMP_EP_RBP
global TRAMP_EP_RSP, TRAMP_EP_SIZE

section .text

trampoline_entry_start:
	jmp	short start
	align	8, db 0
params:
	times	TRAMP_EP_SIZE db 0

start:
	cli
	cld
	lea	rsi, [params]		; the block, through every mode switch

	; GDTR (limit, base) and then a zero IDTR, built on the stack with
	; the base at an 8-byte boundary.
	sub	rsp, 16
	mov	word [rsp + 6], gdt_end - gdt - 1
	lea	rax, [gdt]
	mov	[rsp + 8], rax
	lgdt	[rsp + 6]
	xor	eax, eax
	mov	[rsp + 6], ax
	mov	[rsp + 8], rax
	lidt	[rsp + 6]
	add	rsp, 16

	mov	rax, [rsi + TRAMP_EP_CR3]
	test	rax, rax
	jz	.cr3_kept
	mov	cr3, rax
.cr3_kept:
	lea	rax, [.flat]
	push	SEL_CODE64
	push	rax
	retfq
.flat:
	mov	eax, SEL_DATA
	mov	ds, eax
	mov	es, eax
	mov	ss, eax
	mov	fs, eax
	mov	gs, eax

	cmp	qword [rsi + TRAMP_EP_MODE], 1
	je	.to32

	mov	rax, [rsi + TRAMP_EP_RSP]
	test	rax, rax
	jz	.keep64
	mov	rsp, rax
.keep64:
	push	qword [rsi + TRAMP_EP_ENTRY]
	mov	rax, [rsi + TRAMP_EP_RAX]
	mov	rbx, [rsi + TRAMP_EP_RBX]
	mov	rcx, [rsi + TRAMP_EP_RCX]
	mov	rdx, [rsi + TRAMP_EP_RDX]
	mov	rdi, [rsi + TRAMP_EP_RDI]
	mov	rbp, [rsi + TRAMP_EP_RBP]
	mov	rsi, [rsi + TRAMP_EP_RSI]
	xor	r8d, r8d
	xor	r9d, r9d
	xor	r10d, r10d
	xor	r11d, r11d
	xor	r12d, r12d
	xor	r13d, r13d
	xor	r14d, r14d
	xor	r15d, r15d
	ret

.to32:
	; The blob is below 4 GiB here (mode 1's contract): esi stays valid.
	lea	rax, [.compat]
	push	SEL_CODE32
	push	rax
	retfq

bits 32
.compat:
	; Compatibility mode, still paging on.  Paging off first (which
	; clears EFER.LMA), then long mode off, then PAE and LA57 (SDM 9.8.5.4).
	mov	eax, cr0
	and	eax, ~CR0_PG
	mov	cr0, eax
	mov	ecx, MSR_EFER
	rdmsr
	and	eax, ~EFER_LME
	wrmsr
	xor	eax, eax
	mov	cr4, eax
	mov	eax, SEL_DATA
	mov	ds, eax
	mov	es, eax
	mov	ss, eax
	mov	fs, eax
	mov	gs, eax

	mov	eax, [esi + TRAMP_EP_RSP]
	test	eax, eax
	jz	.keep32
	mov	esp, eax
.keep32:
	push	dword [esi + TRAMP_EP_ENTRY]
	mov	eax, [esi + TRAMP_EP_RAX]
	mov	ebx, [esi + TRAMP_EP_RBX]
	mov	ecx, [esi + TRAMP_EP_RCX]
	mov	edx, [esi + TRAMP_EP_RDX]
	mov	edi, [esi + TRAMP_EP_RDI]
	mov	ebp, [esi + TRAMP_EP_RBP]
	mov	esi, [esi + TRAMP_EP_RSI]
	ret

	align	8, db 0
gdt:
	dq	0
	dq	0
	dq	0x00AF9A000000FFFF	; 0x10: 64-bit code
	dq	0x00CF92000000FFFF	; 0x18: flat data
	dq	0x00CF9A000000FFFF	; 0x20: flat 32-bit code
gdt_end:

trampoline_entry_end:

TRAMP_ENTRY_PARAMS   equ params - trampoline_entry_start
TRAMP_ENTRY_GDT      equ gdt - trampoline_entry_start
TRAMP_ENTRY_GDT_SIZE equ gdt_end - gdt
TRAMP_ENTRY_SIZE     equ trampoline_entry_end - trampoline_entry_start

section .note.GNU-stack noalloc noexec nowrite progbits
