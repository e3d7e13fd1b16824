; baton's trampoline, copy half: the first code baton runs after
; ExitBootServices leaves nothing of the firmware.  It is copied into the
; control area (below 4 GiB, outside every destination, identity-mapped
; both by the firmware's page tables and by baton's own), called there,
; executes the copy plan and jumps to the entry half
; (trampoline_entry.asm), which sets the CPU state and enters the kernel.
; Position-independent: it holds no address of its own.
;
; CONTRACT
;   Registers in: a SysV call in 64-bit mode, rdi = physical address of the
;   copy parameters (below 4 GiB, in the control area):
;     +0    u64  cr3         baton's identity page tables (4- or 5-level,
;                            the depth the CPU is in)
;     +8    u64  stack_top   top of a stack inside the control area
;     +16   u64  plan        physical address of the copy plan
;     +24   u64  nplan       number of plan entries
;     +32   u64  next        where the entry half was put
;   Plan entry (32 bytes): u64 src, u64 dst, u64 copy_bytes, u64 zero_bytes;
;   copy_bytes bytes go from src to dst, then zero_bytes zeros follow them.
;   Both are multiples of 8.  The planner (loader/kimage.c) guarantees no
;   source overlaps any destination, so the order of entries does not matter.
;   Memory it uses: the parameters and plan (read), 16 bytes of the caller's
;   stack (for the IDTR image), then the control-area stack; it writes only
;   the destinations.
;   State it leaves, jumping to next: IF = 0, DF = 0, IDTR limit 0 (from
;   here on a fault or NMI resets the machine instead of running firmware
;   handlers that are gone), CR3 = cr3, RSP = stack_top, CR0.WP clear; the
;   firmware's GDT and segments still loaded (64-bit mode ignores their
;   bases, and nothing reloads a selector before the entry half's lgdt, so
;   a copy over the firmware's GDT does no harm); other registers undefined.
;   It never returns.

bits 64
default rel

TRAMP_CP_CR3    equ 0
TRAMP_CP_STACK  equ 8
TRAMP_CP_PLAN   equ 16
TRAMP_CP_NPLAN  equ 24
TRAMP_CP_NEXT   equ 32
TRAMP_CP_SIZE   equ 40

CR0_WP      equ 0x00010000

global trampoline_copy_start, trampoline_copy_end
global TRAMP_CP_CR3, TRAMP_CP_STACK, TRAMP_CP_PLAN, TRAMP_CP_NPLAN
global TRAMP_CP_NEXT, TRAMP_CP_SIZE, TRAMP_COPY_SIZE

section .text

trampoline_copy_start:
	cli
	cld
	mov	r15, rdi

	sub	rsp, 16			; a zero IDTR: limit 0, base 0
	xor	eax, eax
	mov	[rsp], rax
	mov	[rsp + 8], rax
	lidt	[rsp]

	mov	rax, [r15 + TRAMP_CP_CR3]
	mov	cr3, rax
	mov	rsp, [r15 + TRAMP_CP_STACK]

	; Our page tables map everything writable; clear CR0.WP anyway so no
	; leftover read-only mapping can fault a copy.
	mov	rax, cr0
	and	eax, ~CR0_WP
	mov	cr0, rax

	mov	rbx, [r15 + TRAMP_CP_PLAN]
	mov	rdx, [r15 + TRAMP_CP_NPLAN]
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
	jmp	[r15 + TRAMP_CP_NEXT]

trampoline_copy_end:

TRAMP_COPY_SIZE equ trampoline_copy_end - trampoline_copy_start

section .note.GNU-stack noalloc noexec nowrite progbits
