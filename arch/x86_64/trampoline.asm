; baton's trampoline: the last code baton runs.  It is copied into the
; control area (below 4 GiB, outside every destination, identity-mapped
; both by the firmware's page tables and by baton's own) and called there.
;
; CONTRACT
;   Entered with a SysV call in 64-bit mode, interrupts already off (it does
;   cli again), from code whose page tables identity-map the control area.
;   rdi = physical address of the handoff block (below 4 GiB):
;     +0    u64  cr3         PML4 of baton's identity page tables
;     +8    u64  stack_top   top of a stack inside the control area
;     +16   u16  gdt_limit   } the GDTR image: selector 0x10 = 64-bit code,
;     +18   u64  gdt_base    } 0x18 = flat data, 0x20 = flat 32-bit code
;     +32   u64  plan        physical address of the copy plan
;     +40   u64  nplan       number of plan entries
;     +48   u64  entry       where to jump
;     +56   u64  mode        0: 64-bit long mode; 1: 32-bit protected mode
;                            with paging off (control area below 4 GiB)
;     +64   u64  rax, rbx, rcx, rdx, rsi, rdi, rbp, rsp  at entry
;                            (rsp 0: stay on the trampoline's stack)
;   Plan entry (32 bytes): u64 src, u64 dst, u64 copy_bytes, u64 zero_bytes;
;   copy_bytes bytes go from src to dst, then zero_bytes zeros follow them.
;   Both are multiples of 8.  The planner (loader/kimage.c) guarantees no
;   source overlaps any destination, so the order of entries does not matter.
;
; WHAT IT DOES, in order: cli, cld; load the GDT and a zero-limit IDT (so a
; fault or NMI from here on resets the machine instead of running firmware
; handlers that are gone); switch to baton's page tables and stack; reload
; CS (0x10) and the data segments (0x18); execute the plan; then either
; load the entry registers (r8-r15 zero) and jump in 64-bit mode, or drop to
; 32-bit protected mode (compatibility-mode CS 0x20, CR0.PG off, EFER.LME
; off, CR4 = 0) and jump there with the 32-bit registers.
; It never returns.

bits 64
default rel

HO_CR3      equ 0
HO_STACK    equ 8
HO_GDTR     equ 16
HO_PLAN     equ 32
HO_NPLAN    equ 40
HO_ENTRY    equ 48
HO_MODE     equ 56
HO_RAX      equ 64
HO_RBX      equ 72
HO_RCX      equ 80
HO_RDX      equ 88
HO_RSI      equ 96
HO_RDI      equ 104
HO_RBP      equ 112
HO_RSP      equ 120

SEL_CODE64  equ 0x10
SEL_DATA    equ 0x18
SEL_CODE32  equ 0x20

MSR_EFER    equ 0xC0000080
EFER_LME    equ 0x100
CR0_PG      equ 0x80000000
CR0_WP      equ 0x00010000

section .text
global trampoline_start
global trampoline_end

trampoline_start:
	cli
	cld
	mov	r15, rdi

	lgdt	[r15 + HO_GDTR]
	sub	rsp, 16			; a zero IDTR: limit 0, base 0
	xor	eax, eax
	mov	[rsp], rax
	mov	[rsp + 8], rax
	lidt	[rsp]

	mov	rax, [r15 + HO_CR3]
	mov	cr3, rax
	mov	rsp, [r15 + HO_STACK]

	; Our page tables map everything writable; clear CR0.WP anyway so no
	; leftover read-only mapping can fault a copy.
	mov	rax, cr0
	and	eax, ~CR0_WP
	mov	cr0, rax

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

	mov	rbx, [r15 + HO_PLAN]
	mov	rdx, [r15 + HO_NPLAN]
.copy:
	test	rdx, rdx
	jz	.copied
	mov	rsi, [rbx]
	mov	rdi, [rbx + 8]
	mov	rcx, [rbx + 16]
	shr	rcx, 3
	rep movsq
	mov	rcx, [rbx + 24]		; the tail follows the copied bytes
	shr	rcx, 3
	xor	eax, eax
	rep stosq
	add	rbx, 32
	dec	rdx
	jmp	.copy

.copied:
	cmp	qword [r15 + HO_MODE], 1
	je	.to32

	mov	rax, [r15 + HO_RSP]
	test	rax, rax
	jz	.keep64
	mov	rsp, rax
.keep64:
	push	qword [r15 + HO_ENTRY]
	mov	rax, [r15 + HO_RAX]
	mov	rbx, [r15 + HO_RBX]
	mov	rcx, [r15 + HO_RCX]
	mov	rdx, [r15 + HO_RDX]
	mov	rsi, [r15 + HO_RSI]
	mov	rdi, [r15 + HO_RDI]
	mov	rbp, [r15 + HO_RBP]
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
	; The handoff block is below 4 GiB: keep it in esi across the switch.
	mov	esi, r15d
	lea	rax, [.compat]
	push	SEL_CODE32
	push	rax
	retfq

bits 32
.compat:
	; Compatibility mode, still paging on.  Paging off first (which
	; clears EFER.LMA), then long mode off, then PAE (SDM 9.8.5.4).
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

	mov	eax, [esi + HO_RSP]
	test	eax, eax
	jz	.keep32
	mov	esp, eax
.keep32:
	push	dword [esi + HO_ENTRY]
	mov	eax, [esi + HO_RAX]
	mov	ebx, [esi + HO_RBX]
	mov	ecx, [esi + HO_RCX]
	mov	edx, [esi + HO_RDX]
	mov	edi, [esi + HO_RDI]
	mov	ebp, [esi + HO_RBP]
	mov	esi, [esi + HO_RSI]
	ret

trampoline_end:

section .note.GNU-stack noalloc noexec nowrite progbits
