# baton — see README.md.  `make` builds build/baton.efi, build/baton.iso and
# build/baton-usb.img; `make test` runs the unit, fuzz and QEMU suites.

SHELL      := /bin/bash
BUILD      ?= build
PYTHON     ?= /usr/bin/python3
FUZZ_TIME  ?= 10
QEMU_TESTS ?= tests/qemu

# Portable code: compiled freestanding into baton.efi and hosted into tests.
ARCH_PORTABLE := arch/x86_64/pagetable.c arch/x86_64/madt.c arch/x86_64/control.c
PORTABLE_SRC := $(wildcard lib/*.c config/*.c menu/*.c fs/*.c loader/*.c kexec/*.c core/*.c net/*.c) \
	$(ARCH_PORTABLE)
HOST_ONLY_EXCLUDE := lib/freestanding.c
# The machine half of the handoff (port I/O, APICs, the trampoline) runs
# only on the real machine; host tests get firmware/host/machine.c instead.
ARCH_MACHINE := $(filter-out $(ARCH_PORTABLE),$(wildcard arch/x86_64/*.c))
ARCH_ASM     := $(wildcard arch/x86_64/*.asm)
ARCH_ASM_OBJ := $(patsubst %.asm,$(BUILD)/efi/%.o,$(ARCH_ASM))
# The trampoline's layout as the assembler sees it (trampoline_abi.h).
TRAMP_SYMS   := $(BUILD)/gen/trampoline_syms.h
EFI_SRC      := $(PORTABLE_SRC) $(ARCH_MACHINE) $(wildcard firmware/efi/*.c)
HOST_SRC     := $(filter-out $(HOST_ONLY_EXCLUDE),$(PORTABLE_SRC)) $(wildcard firmware/host/*.c)
UNIT_SRC     := $(wildcard tests/unit/test_*.c)
UNIT_SUPPORT := $(filter-out $(UNIT_SRC),$(wildcard tests/unit/*.c))
FUZZ_SRC     := $(wildcard tests/fuzz/fuzz_*.c)
HEADERS      := $(wildcard */*.h */*/*.h)

# --- the UEFI application ---------------------------------------------------
EFI_INC    := /usr/include/efi
EFI_LIB    := /usr/lib
# Size: -Oz passes that make baton.efi larger, not smaller (gcc 12,
# measured on baton.efi: 2.4 KB of code together), and static data aligned
# as the ABI asks (16 bytes) rather than gcc's default 32 for arrays of 32
# bytes or more (0.4 KB of padding).  They change how code and data are
# arranged, never what they do.
EFI_SIZE_FLAGS := -fno-move-loop-invariants -fno-caller-saves \
	-fno-shrink-wrap -fno-if-conversion -fno-tree-tail-merge \
	-fno-optimize-sibling-calls -fno-tree-dominator-opts -fno-tree-vrp \
	-fno-tree-loop-im -fno-ssa-phiopt -malign-data=abi
EFI_CFLAGS := -std=gnu11 -Oz -g0 -Wall -Wextra -Werror -Wno-unused-parameter \
	-ffreestanding -fno-builtin -fpic -fshort-wchar -fno-stack-protector \
	-fno-stack-check -fno-strict-aliasing -mno-red-zone -mgeneral-regs-only \
	-maccumulate-outgoing-args -ffunction-sections -fvisibility=hidden \
	-DGNU_EFI_USE_MS_ABI -I. -I$(BUILD)/gen -I$(EFI_INC) -I$(EFI_INC)/x86_64 \
	$(EFI_SIZE_FLAGS)
EFI_LDFLAGS := -nostdlib -shared -Bsymbolic -znocombreloc \
	-T $(EFI_LIB)/elf_x86_64_efi.lds $(EFI_LIB)/crt0-efi-x86_64.o
# baton.so drops what nothing calls (firmware/efi/main.c keeps a PE
# base-relocation block of its own, since crt0's is one of the dropped).
EFI_GC := --gc-sections
# .dynsym is left out: the relocation code in crt0 needs only .dynamic
# and .rela, and the symbols would cost 3 KB.
EFI_SECTIONS := -j .text -j .sdata -j .data -j .dynamic -j .rel \
	-j .rela -j .reloc

EFI_OBJ := $(patsubst %.c,$(BUILD)/efi/%.o,$(EFI_SRC)) $(ARCH_ASM_OBJ)

# --- host builds (unit tests under ASan + UBSan) -----------------------------
HOST_CC     ?= gcc
SAN         := -fsanitize=address,undefined -fno-sanitize-recover=all
HOST_CFLAGS := -std=gnu11 -O1 -g -Wall -Wextra -Werror -Wno-unused-parameter \
	-fno-omit-frame-pointer $(SAN) -I. -I$(BUILD)/gen
HOST_OBJ    := $(patsubst %.c,$(BUILD)/host/%.o,$(HOST_SRC))
UNIT_BIN    := $(patsubst tests/unit/%.c,$(BUILD)/unit/%,$(UNIT_SRC))

FUZZ_CC     := clang
FUZZ_CFLAGS := -std=gnu11 -O1 -g -fsanitize=fuzzer,address,undefined -I.
FUZZ_LIBSRC := $(filter-out $(HOST_ONLY_EXCLUDE),$(PORTABLE_SRC)) $(wildcard firmware/host/*.c)
FUZZ_BIN    := $(patsubst tests/fuzz/%.c,$(BUILD)/fuzz/%,$(FUZZ_SRC))

# --- test programs and images -----------------------------------------------
TESTEFI_SRC := $(wildcard tests/efi/*.c)
TESTEFI     := $(patsubst tests/efi/%.c,$(BUILD)/%.efi,$(TESTEFI_SRC))

DEPS_STAMP := $(BUILD)/.deps-ok

# Keep intermediate objects: the unit tests share them.
.SECONDARY:

.PHONY: all deps efi iso usb run test unit fuzz fuzz-short qemu-test bench bench-disk \
	bench-net clean baton-kexec
.DEFAULT_GOAL := all

all: $(BUILD)/baton.efi $(TESTEFI) $(BUILD)/baton.iso $(BUILD)/baton-usb.img $(BUILD)/baton-kexec \
	$(BUILD)/probe/probe-linux.bzImage probe-mb

# Probe kernels: tiny kernels that report the machine state they got.
include tests/probe/probe.mk
include tests/probe/mb/mb.mk

# Install missing Debian packages (or print the apt-get line when not root).
deps: $(DEPS_STAMP)
$(DEPS_STAMP): tools/deps.sh
	@tools/deps.sh
	@mkdir -p $(@D) && touch $@

efi: $(BUILD)/baton.efi

$(BUILD)/efi/%.o: %.c $(HEADERS) | $(DEPS_STAMP)
	@mkdir -p $(@D)
	@echo "  CC      $<"
	@$(CC) $(EFI_CFLAGS) -c $< -o $@

$(BUILD)/efi/%.o: %.asm | $(DEPS_STAMP)
	@mkdir -p $(@D)
	@echo "  NASM    $<"
	@nasm -f elf64 $< -o $@

# Both halves are copied and run elsewhere than they are linked, so neither
# may need a relocation: an absolute address in them would point into
# baton.efi, which is gone by then.  The absolute symbols they export
# become ASM_* constants for the C side's build-time checks.
$(TRAMP_SYMS): $(ARCH_ASM_OBJ)
	@mkdir -p $(@D)
	@for o in $^; do \
		if objdump -r $$o | grep -q R_X86_64; then \
			echo "$$o: the trampoline must be position-independent:"; \
			objdump -r $$o | grep R_X86_64; exit 1; fi; done
	@echo "  GEN     $@"
	@{ echo "/* Generated from $(notdir $^) by the Makefile. */"; \
	  nm $^ | awk '$$2 == "A" { printf "#define ASM_%s 0x%s\n", $$3, $$1 }' | sort; \
	} > $@.tmp && mv $@.tmp $@
$(BUILD)/efi/arch/x86_64/kexec.o: $(TRAMP_SYMS)

$(BUILD)/baton.so: $(EFI_OBJ)
	@echo "  LD      $@"
	@ld $(EFI_LDFLAGS) $(EFI_GC) $^ -o $@ -L$(EFI_LIB) -lgnuefi
	@# objcopy keeps only EFI_SECTIONS: data the linker script did not fold
	@# into them (.bss.x, .data.x, ...) would be outside the image.
	@if readelf -SW $@ | grep -E '\] \.(s?bss|data|rodata)[.][^ ]* '; then \
		echo "$@: sections outside .data (see above)"; rm -f $@; exit 1; fi

$(BUILD)/%.efi: $(BUILD)/%.so
	objcopy $(EFI_SECTIONS) --strip-all --target=efi-app-x86_64 $< $@
	@echo "$@: $$(stat -c %s $@) bytes"

# baton.efi as shipped: baton's image (baton-image.efi) DEFLATE-compressed
# inside a small stub that unpacks and starts it (firmware/efi/zboot/).
ZBOOT_OBJ := $(BUILD)/efi/firmware/efi/zboot/stub.o \
	$(BUILD)/efi/firmware/efi/zboot/payload.o $(BUILD)/efi/lib/inflate.o \
	$(BUILD)/efi/lib/freestanding.o $(BUILD)/efi/lib/fmt.o \
	$(BUILD)/efi/lib/str.o
$(BUILD)/baton-image.efi: $(BUILD)/baton.so
	@objcopy $(EFI_SECTIONS) --strip-all --target=efi-app-x86_64 $< $@
	@echo "$@: $$(stat -c %s $@) bytes (unpacked)"
$(BUILD)/gen/zboot.bin: $(BUILD)/baton-image.efi tools/zpack.py
	@mkdir -p $(@D)
	@$(PYTHON) tools/zpack.py $< $@
$(BUILD)/efi/firmware/efi/zboot/payload.o: firmware/efi/zboot/payload.asm \
		$(BUILD)/gen/zboot.bin
	@mkdir -p $(@D)
	@echo "  NASM    $<"
	@nasm -f elf64 -DZBOOT_PAYLOAD='"$(BUILD)/gen/zboot.bin"' $< -o $@
$(BUILD)/zboot.so: $(ZBOOT_OBJ)
	@echo "  LD      $@"
	@ld $(EFI_LDFLAGS) $(EFI_GC) $^ -o $@ -L$(EFI_LIB) -lgnuefi
	@if readelf -SW $@ | grep -E '\] \.(s?bss|data|rodata)[.][^ ]* '; then \
		echo "$@: sections outside .data (see above)"; rm -f $@; exit 1; fi
$(BUILD)/baton.efi: $(BUILD)/zboot.so
	objcopy $(EFI_SECTIONS) --strip-all --target=efi-app-x86_64 $< $@
	@echo "$@: $$(stat -c %s $@) bytes"

# Small EFI programs used by the tests and the demo (chain-load targets).
$(BUILD)/testefi/%.o: tests/efi/%.c $(HEADERS) | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(EFI_CFLAGS) -c $< -o $@
$(BUILD)/%.so: $(BUILD)/testefi/%.o
	ld $(EFI_LDFLAGS) $^ -o $@ -L$(EFI_LIB) -lgnuefi
# The network benchmark's floor: one firmware transfer (bench/netfloor.c).
$(BUILD)/testefi/netfloor.o: bench/netfloor.c $(HEADERS) | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(EFI_CFLAGS) -c $< -o $@

# --- images ---------------------------------------------------------------
# The demo: baton, its config and submenu, hello.efi, a Debian kernel with a
# busybox initramfs (fetched once into a cache outside the clone by
# tools/payloads.sh) and the probe kernel.
DEMO_FILES := $(wildcard iso/demo/*)
DEMO_DIR   := $(BUILD)/demo
DEMO_ARGS  := -e $(BUILD)/baton.efi -c iso/demo/baton.conf \
	-f iso/demo/more.conf=/demo/more.conf \
	-f $(BUILD)/hello.efi=/EFI/tools/hello.efi \
	-f iso/demo/hello.txt=/EFI/tools/hello.txt \
	-f $(DEMO_DIR)/vmlinuz=/boot/vmlinuz \
	-f $(DEMO_DIR)/initrd.cpio=/boot/initrd.cpio \
	-f $(BUILD)/probe/probe-linux.bzImage=/boot/probe.bzImage \
	-f $(DEMO_DIR)/xen.gz=/boot/xen.gz \
	-f $(BUILD)/probe/mb1-elf.elf=/boot/mb1-elf.elf \
	-f $(BUILD)/probe/mb2-reloc.elf=/boot/mb2-reloc.elf
DEMO_DEPS  := $(BUILD)/baton.efi $(TESTEFI) $(DEMO_FILES) iso/baton-mkimage \
	$(DEMO_DIR)/vmlinuz $(DEMO_DIR)/initrd.cpio $(BUILD)/probe/probe-linux.bzImage \
	$(DEMO_DIR)/xen.gz $(BUILD)/probe/mb1-elf.elf $(BUILD)/probe/mb2-reloc.elf

iso: $(BUILD)/baton.iso
usb: $(BUILD)/baton-usb.img

$(DEMO_DIR)/vmlinuz: tools/payloads.sh | $(DEPS_STAMP)
	@mkdir -p $(@D)
	cp "$$(tools/payloads.sh linux)" $@

$(DEMO_DIR)/xen.gz: tools/payloads.sh | $(DEPS_STAMP)
	@mkdir -p $(@D)
	cp "$$(tools/payloads.sh xen)" $@

$(DEMO_DIR)/initrd.cpio: tools/payloads.sh tools/mkinitramfs.py iso/demo/init | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(PYTHON) tools/mkinitramfs.py $@ bin/ "bin/busybox=$$(tools/payloads.sh busybox)" bin/sh=@symlink:busybox \
		init=iso/demo/init

$(BUILD)/baton.iso: $(DEMO_DEPS)
	iso/baton-mkimage $(DEMO_ARGS) -o $@

$(BUILD)/baton-usb.img: $(DEMO_DEPS)
	iso/baton-mkimage $(DEMO_ARGS) -o $@

run: all
	tools/qemu-run $(BUILD)/baton.iso

# --- baton-kexec: the same portable code on a running Linux -----------------
# A static program (docs/kexec.md): baton's portable sources without the
# UEFI kexec backend, the Linux platform (linux/), and the trampoline's entry
# half as the purgatory it hands to kexec_load(2).
KEXEC_CFLAGS := -std=gnu11 -O2 -g0 -Wall -Wextra -Werror -Wno-unused-parameter \
	-ffunction-sections -fdata-sections -I. -I$(BUILD)/gen
KEXEC_SRC := $(filter-out $(HOST_ONLY_EXCLUDE) kexec/backend_uefi.c,$(PORTABLE_SRC)) \
	$(wildcard linux/*.c)
KEXEC_OBJ := $(patsubst %.c,$(BUILD)/kexec/%.o,$(KEXEC_SRC)) \
	$(BUILD)/efi/arch/x86_64/trampoline_entry.o

$(BUILD)/kexec/%.o: %.c $(HEADERS) $(TRAMP_SYMS) | $(DEPS_STAMP)
	@mkdir -p $(@D)
	@echo "  KEXECCC $<"
	@$(HOST_CC) $(KEXEC_CFLAGS) -c $< -o $@

$(BUILD)/baton-kexec: $(KEXEC_OBJ)
	@echo "  LD      $@"
	@$(HOST_CC) -static-pie -Wl,--gc-sections -s $(KEXEC_OBJ) -o $@

baton-kexec: $(BUILD)/baton-kexec

# --- tests -------------------------------------------------------------------
$(BUILD)/host/%.o: %.c $(HEADERS) | $(DEPS_STAMP)
	@mkdir -p $(@D)
	@echo "  HOSTCC  $<"
	@$(HOST_CC) $(HOST_CFLAGS) -c $< -o $@

# The unit tests link the trampoline's objects too, as bytes to inspect.
$(BUILD)/unit/%: tests/unit/%.c $(HOST_OBJ) $(UNIT_SUPPORT) $(wildcard tests/unit/*.h) \
		$(ARCH_ASM_OBJ) $(TRAMP_SYMS)
	@mkdir -p $(@D)
	@echo "  TEST    $@"
	@$(HOST_CC) $(HOST_CFLAGS) $< $(UNIT_SUPPORT) $(HOST_OBJ) $(ARCH_ASM_OBJ) -o $@ -lcmocka

unit: $(UNIT_BIN)
	@set -e; for t in $(UNIT_BIN); do echo "== $$t"; $$t; done

$(BUILD)/fuzz/%: tests/fuzz/%.c $(FUZZ_LIBSRC) $(HEADERS) | $(DEPS_STAMP)
	@mkdir -p $(@D)
	@echo "  FUZZ    $@"
	@$(FUZZ_CC) $(FUZZ_CFLAGS) $< $(FUZZ_LIBSRC) -o $@

# Short runs from the seed corpus (make test); make fuzz runs longer.
fuzz-short: $(FUZZ_BIN)
	@set -e; for f in $(FUZZ_BIN); do n=$$(basename $$f); \
		mkdir -p $(BUILD)/corpus/$$n; \
		echo "== $$n ($(FUZZ_TIME) s)"; \
		$$f -max_total_time=$(FUZZ_TIME) -print_final_stats=1 \
			$(BUILD)/corpus/$$n tests/fuzz/corpus/$$n 2>&1 | \
			grep -E 'Done|stat::number_of_executed_units|ERROR|SUMMARY' ; \
		test $${PIPESTATUS[0]} -eq 0; done
fuzz:
	$(MAKE) fuzz-short FUZZ_TIME=300

qemu-test: all
	$(PYTHON) -m pytest -v $(QEMU_TESTS)

test: unit fuzz-short qemu-test

clean:
	rm -rf $(BUILD)

# Boot-time comparisons (not tests; see bench/README.md): from disk with GRUB
# and systemd-boot, then over the network (TFTP, HTTP; needs root) with GRUB,
# iPXE and the firmware's own single transfer.
bench: bench-disk bench-net
bench-disk: all
	$(PYTHON) bench/bench.py
bench-net: all $(BUILD)/netfloor.efi
	$(PYTHON) bench/netbench.py
