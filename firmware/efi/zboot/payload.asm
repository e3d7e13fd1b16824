; The compressed baton image for the zboot stub (stub.c): the Makefile
; passes its path as ZBOOT_PAYLOAD.
section .data
align 16
global zboot_payload
global zboot_payload_end
zboot_payload:
	incbin ZBOOT_PAYLOAD
zboot_payload_end:
section .note.GNU-stack noalloc noexec nowrite progbits
