# tests/probe/mb/mb.mk - the Multiboot probe kernels (included by the
# Makefile after tests/probe/probe.mk).
#
#   make probe-mb            all five probes, each checked by check.py
#   make probe-mb-smoke      boots the two Multiboot 1 probes with QEMU's
#                            own loader (no UEFI); every check must pass
#   make probe-mb2-smoke     boots the Multiboot2 probes through mbshim, a
#                            test-only Multiboot2 loader (shim.c)
#   make probe-mb-efi-smoke  boots mb2-efi64 under OVMF through mbefiload,
#                            a test-only EFI Multiboot2 loader (efiload.c)
#
# Uses BUILD and PYTHON from the including Makefile.  The C code is built
# twice, -m32 and -m64; the Linux probe's portable files (console, lib,
# sha256, irq, acpi) are compiled again from tests/probe/ unchanged.

PYTHON     ?= /usr/bin/python3
MB_CC      ?= gcc
MB_DIR     := tests/probe/mb
MB_OUT     := $(BUILD)/probe/mb
MB_CHECK   := $(MB_DIR)/check.py

MB1_ELF    := $(BUILD)/probe/mb1-elf.elf
MB1_AOUT   := $(BUILD)/probe/mb1-aout.bin
MB2_32     := $(BUILD)/probe/mb2-32.elf
MB2_RELOC  := $(BUILD)/probe/mb2-reloc.elf
MB2_EFI64  := $(BUILD)/probe/mb2-efi64.elf
MB_PROBES  := $(MB1_ELF) $(MB1_AOUT) $(MB2_32) $(MB2_RELOC) $(MB2_EFI64)

# Link (and load) addresses.  OVMF keeps 1-8 MiB free after
# ExitBootServices; 0x500000 must also be allocatable while boot services
# run.  The relocatable probe is linked at its min_addr.
MB1_ELF_LOAD   := 0x200000
MB1_AOUT_LOAD  := 0x300000
MB2_32_LOAD    := 0x400000
MB2_RELOC_LOAD := 0x1000000
MB2_EFI64_LOAD := 0x500000

MB_HDRS    := $(wildcard $(MB_DIR)/*.h) $(wildcard tests/probe/*.h)
MB_SHARED  := console lib sha256 acpi           # from tests/probe/
MB_C32     := common cpu32 mb1 mb2 mb2main32 libgcc32
MB_C64     := common mb2 efi64

# Position-independent code (-fpie, hidden symbols, no jump tables), so one
# set of 32-bit objects serves the fixed probes and the relocatable one.
MB_CFLAGS_COMMON := -std=gnu11 -O2 -g0 -Wall -Wextra -Werror \
	-ffreestanding -fno-builtin -nostdlib -fpie -mno-red-zone \
	-mgeneral-regs-only -fno-stack-protector -fno-stack-check \
	-fcf-protection=none -fno-asynchronous-unwind-tables \
	-fno-unwind-tables -fno-jump-tables -fno-tree-switch-conversion \
	-fno-tree-loop-distribute-patterns -fno-delete-null-pointer-checks \
	-fno-strict-aliasing -fvisibility=hidden
# console.c's %lx takes a uint64_t, which -m32's format checker calls
# wrong; the formats are checked by the -m64 build and by mb-format-lint.
MB_CFLAGS32 := $(MB_CFLAGS_COMMON) -m32 -march=i686 -Wno-format
MB_CFLAGS64 := $(MB_CFLAGS_COMMON) -m64
MB_LDFLAGS  := -static -nostdlib -z noexecstack -z norelro -z noseparate-code \
	-z max-page-size=0x1000 --build-id=none --no-warn-rwx-segments

MB_OBJ32 := $(patsubst %,$(MB_OUT)/32/probe_%.o,$(MB_SHARED) irq) \
	$(patsubst %,$(MB_OUT)/32/%.o,$(MB_C32))
MB_OBJ64 := $(patsubst %,$(MB_OUT)/64/probe_%.o,$(MB_SHARED)) \
	$(patsubst %,$(MB_OUT)/64/%.o,$(MB_C64))
MB1_OBJS := $(filter-out $(MB_OUT)/32/mb2.o $(MB_OUT)/32/mb2main32.o,$(MB_OBJ32))
MB2_OBJS := $(filter-out $(MB_OUT)/32/mb1.o,$(MB_OBJ32))

.PHONY: probe-mb probe-mb-smoke probe-mb2-smoke probe-mb-efi-smoke mb-format-lint

probe-mb: $(MB_PROBES)

$(MB_OUT)/32/probe_%.o: tests/probe/%.c $(MB_HDRS)
	@mkdir -p $(@D)
	$(MB_CC) $(MB_CFLAGS32) -c $< -o $@
$(MB_OUT)/32/%.o: $(MB_DIR)/%.c $(MB_HDRS) $(MB_OUT)/format-lint.stamp
	@mkdir -p $(@D)
	$(MB_CC) $(MB_CFLAGS32) -c $< -o $@
$(MB_OUT)/64/probe_%.o: tests/probe/%.c $(MB_HDRS)
	@mkdir -p $(@D)
	$(MB_CC) $(MB_CFLAGS64) -c $< -o $@
$(MB_OUT)/64/%.o: $(MB_DIR)/%.c $(MB_HDRS)
	@mkdir -p $(@D)
	$(MB_CC) $(MB_CFLAGS64) -c $< -o $@

# Every file the -m32 build compiles with -Wno-format gets its formats
# checked by a 64-bit syntax-only pass, where uint64_t is what %lx means.
# (efiload.c is a gnu-efi program, built and checked on its own.)
MB_LINT_SRC := $(filter-out $(MB_DIR)/efiload.c,$(wildcard $(MB_DIR)/*.c))
mb-format-lint: $(MB_OUT)/format-lint.stamp
$(MB_OUT)/format-lint.stamp: $(MB_LINT_SRC) $(MB_HDRS)
	@mkdir -p $(@D)
	$(MB_CC) $(MB_CFLAGS64) -fsyntax-only $(MB_LINT_SRC)
	@touch $@

$(MB_OUT)/head32.o: $(MB_DIR)/head32.asm $(MB_DIR)/putimm.inc
	@mkdir -p $(@D)
	nasm -f elf32 -Werror -I$(MB_DIR)/ -o $@ $<
$(MB_OUT)/head32-reloc.o: $(MB_DIR)/head32.asm $(MB_DIR)/putimm.inc
	@mkdir -p $(@D)
	nasm -f elf32 -Werror -DRELOC -I$(MB_DIR)/ -o $@ $<
$(MB_OUT)/head64.o: $(MB_DIR)/head64.asm $(MB_DIR)/putimm.inc
	@mkdir -p $(@D)
	nasm -f elf64 -Werror -I$(MB_DIR)/ -o $@ $<
$(MB_OUT)/hdr-mb2-efi64.o: $(MB_DIR)/mb2-efi64.asm
	@mkdir -p $(@D)
	nasm -f elf64 -Werror -o $@ $<
$(MB_OUT)/hdr-%.o: $(MB_DIR)/%.asm
	@mkdir -p $(@D)
	nasm -f elf32 -Werror -o $@ $<

# $(call mb_link,elf,load,objects,script)
mb_link = ld $(MB_LDFLAGS) -T $(4) --defsym=MB_LOAD=$(2) -o $(1) $(3)

$(MB1_ELF): $(MB_OUT)/hdr-mb1-elf.o $(MB_OUT)/head32.o $(MB1_OBJS) \
		$(MB_DIR)/mb32.ld $(MB_CHECK)
	$(call mb_link,$@,$(MB1_ELF_LOAD),$(filter %.o,$^),$(MB_DIR)/mb32.ld)
	$(PYTHON) $(MB_CHECK) mb1-elf $@ --load $(MB1_ELF_LOAD)

$(MB_OUT)/mb1-aout.elf: $(MB_OUT)/hdr-mb1-aout.o $(MB_OUT)/head32.o $(MB1_OBJS) \
		$(MB_DIR)/mb32.ld
	$(call mb_link,$@,$(MB1_AOUT_LOAD),$(filter %.o,$^),$(MB_DIR)/mb32.ld)

$(MB1_AOUT): $(MB_OUT)/mb1-aout.elf $(MB_CHECK)
	objcopy -O binary $< $@
	$(PYTHON) $(MB_CHECK) mb1-aout $@ --load $(MB1_AOUT_LOAD) --elf $<

$(MB2_32): $(MB_OUT)/hdr-mb2-32.o $(MB_OUT)/head32.o $(MB2_OBJS) \
		$(MB_DIR)/mb32.ld $(MB_CHECK)
	$(call mb_link,$@,$(MB2_32_LOAD),$(filter %.o,$^),$(MB_DIR)/mb32.ld)
	$(PYTHON) $(MB_CHECK) mb2-32 $@ --load $(MB2_32_LOAD)

# --emit-relocs keeps the relocations in the output, so check.py can prove
# that only the header holds absolute addresses.
$(MB2_RELOC): $(MB_OUT)/hdr-mb2-reloc.o $(MB_OUT)/head32-reloc.o $(MB2_OBJS) \
		$(MB_DIR)/mb32.ld $(MB_CHECK)
	$(call mb_link,$@,$(MB2_RELOC_LOAD),--emit-relocs $(filter %.o,$^),$(MB_DIR)/mb32.ld)
	$(PYTHON) $(MB_CHECK) mb2-reloc $@ --load $(MB2_RELOC_LOAD)

$(MB2_EFI64): $(MB_OUT)/hdr-mb2-efi64.o $(MB_OUT)/head64.o $(MB_OBJ64) \
		$(MB_DIR)/mb64.ld $(MB_CHECK)
	$(call mb_link,$@,$(MB2_EFI64_LOAD),$(filter %.o,$^),$(MB_DIR)/mb64.ld)
	$(PYTHON) $(MB_CHECK) mb2-efi64 $@ --load $(MB2_EFI64_LOAD)

# A boot without UEFI through QEMU's built-in Multiboot 1 loader and
# SeaBIOS.  That loader is not baton: it names itself "qemu" and leaves the
# 8259s as the BIOS set them, which the command line tells the probe
# (probe.loader=qemu probe.pic=any).  Everything else must pass: QEMU's
# exit status is 1 only if the probe wrote 0 to isa-debug-exit.
MB_SMOKE_QEMU := qemu-system-x86_64 -accel tcg -machine q35 -m 256 \
	-display none -serial stdio -monitor none -no-reboot \
	-device isa-debug-exit,iobase=0xf4,iosize=0x04
probe-mb-smoke: $(MB1_ELF) $(MB1_AOUT)
	@printf 'first module\n' > $(MB_OUT)/smoke-mod1
	@head -c 5000 /dev/zero | tr '\0' 'x' > $(MB_OUT)/smoke-mod2
	@set -e; h=$$(sha256sum $(MB_OUT)/smoke-mod1 | cut -c1-64); \
	for k in $(MB1_ELF) $(MB1_AOUT); do \
		echo "probe-mb-smoke: $$k"; \
		rc=0; timeout 60 $(MB_SMOKE_QEMU) -kernel $$k \
			-initrd "$(MB_OUT)/smoke-mod1 arg=1 two,$(MB_OUT)/smoke-mod2" \
			-append "probe.loader=qemu probe.pic=any probe.modules=2 probe.mod1_sha256=$$h" \
			> $(MB_OUT)/smoke.log || rc=$$?; \
		tr -d '\r' < $(MB_OUT)/smoke.log; \
		test $$rc -eq 1 || { echo "probe-mb-smoke: $$k: QEMU exit $$rc, want 1"; exit 1; }; \
	done

# mbshim: a test-only Multiboot2 loader that QEMU boots as a Multiboot 1
# kernel (shim.c).  Not a probe: it only lets the Multiboot2 probes run
# without UEFI.  mb2-reloc goes to 0x1200000, not where it was linked.
MBSHIM      := $(MB_OUT)/mbshim.elf
MBSHIM_LOAD := 0x600000
MBSHIM_OBJS := $(MB_OUT)/hdr-mbshim.o $(MB_OUT)/head32.o $(MB_OUT)/32/shim.o \
	$(MB_OUT)/32/common.o $(MB_OUT)/32/cpu32.o $(MB_OUT)/32/libgcc32.o \
	$(patsubst %,$(MB_OUT)/32/probe_%.o,$(MB_SHARED) irq)

$(MBSHIM): $(MBSHIM_OBJS) $(MB_DIR)/mb32.ld
	$(call mb_link,$@,$(MBSHIM_LOAD),$(MBSHIM_OBJS),$(MB_DIR)/mb32.ld)

# mb2-32 and mb2-reloc must pass every check (the fake EFI tags included);
# mb2-efi64, entered by the shim through its i386 entry tag, must say
# that it was entered the wrong way and fail.
probe-mb2-smoke: $(MBSHIM) $(MB2_32) $(MB2_RELOC) $(MB2_EFI64)
	@printf 'first module\n' > $(MB_OUT)/smoke-mod1
	@set -e; h=$$(sha256sum $(MB_OUT)/smoke-mod1 | cut -c1-64); \
	for k in $(MB2_32) $(MB2_RELOC); do \
		echo "probe-mb2-smoke: $$k"; \
		rc=0; timeout 60 $(MB_SMOKE_QEMU) -kernel $(MBSHIM) \
			-initrd "$$k probe.loader=mbshim probe.modules=1 probe.mod1_sha256=$$h,$(MB_OUT)/smoke-mod1 arg=1 two" \
			> $(MB_OUT)/smoke.log || rc=$$?; \
		tr -d '\r' < $(MB_OUT)/smoke.log; \
		test $$rc -eq 1 || { echo "probe-mb2-smoke: $$k: QEMU exit $$rc, want 1"; exit 1; }; \
	done; \
	echo "probe-mb2-smoke: $(MB2_EFI64) through its i386 entry"; \
	rc=0; timeout 60 $(MB_SMOKE_QEMU) -kernel $(MBSHIM) -initrd "$(MB2_EFI64)" \
		> $(MB_OUT)/smoke.log || rc=$$?; \
	tr -d '\r' < $(MB_OUT)/smoke.log; \
	grep -q '^PROBE FAULT entered through the i386 entry' $(MB_OUT)/smoke.log && test $$rc -eq 3 || \
		{ echo "probe-mb2-smoke: $(MB2_EFI64): QEMU exit $$rc, want 3 and the i386 entry FAULT"; exit 1; }

# mbefiload.efi: a test-only EFI Multiboot2 loader (efiload.c) that enters
# mb2-efi64 with boot services running, as baton's multiboot2 entry will.
# Built like tests/efi/hello.c: gnu-efi headers, crt0 and relocation only.
MB_EFI_CFLAGS := -std=gnu11 -Os -g0 -Wall -Wextra -Werror -Wno-unused-parameter \
	-ffreestanding -fno-builtin -fno-tree-loop-distribute-patterns -fpic \
	-fshort-wchar -fno-stack-protector -fno-stack-check -mno-red-zone \
	-mgeneral-regs-only -maccumulate-outgoing-args -DGNU_EFI_USE_MS_ABI \
	-I/usr/include/efi -I/usr/include/efi/x86_64
MB_EFI_LDFLAGS := -nostdlib -shared -Bsymbolic -znocombreloc \
	-T /usr/lib/elf_x86_64_efi.lds /usr/lib/crt0-efi-x86_64.o
MBEFILOAD := $(MB_OUT)/mbefiload.efi

$(MB_OUT)/efiload.o: $(MB_DIR)/efiload.c
	@mkdir -p $(@D)
	$(MB_CC) $(MB_EFI_CFLAGS) -c $< -o $@
$(MB_OUT)/mbefiload.so: $(MB_OUT)/efiload.o
	ld $(MB_EFI_LDFLAGS) $< -o $@ -L/usr/lib -lgnuefi
$(MBEFILOAD): $(MB_OUT)/mbefiload.so
	objcopy -j .text -j .sdata -j .data -j .dynamic -j .rel -j .rela -j .reloc \
		--target=efi-app-x86_64 $< $@

# OVMF boots the removable-media path of a FAT directory holding the
# loader, the probe, a module and the command line.  Every check must pass.
MB_EFI_DIR := $(MB_OUT)/efi-smoke
probe-mb-efi-smoke: $(MBEFILOAD) $(MB2_EFI64)
	@rm -rf $(MB_EFI_DIR) && mkdir -p $(MB_EFI_DIR)/root/EFI/BOOT
	@cp $(MBEFILOAD) $(MB_EFI_DIR)/root/EFI/BOOT/BOOTX64.EFI
	@cp $(MB2_EFI64) $(MB_EFI_DIR)/root/mb2-efi64.elf
	@printf 'first module\n' > $(MB_EFI_DIR)/root/mod1.bin
	@h=$$(sha256sum $(MB_EFI_DIR)/root/mod1.bin | cut -c1-64); \
	echo "probe.loader=mbefiload probe.modules=1 probe.mod1_sha256=$$h" \
		> $(MB_EFI_DIR)/root/cmdline.txt
	@cp /usr/share/OVMF/OVMF_VARS_4M.fd $(MB_EFI_DIR)/vars.fd
	@rc=0; timeout 300 qemu-system-x86_64 -accel tcg -machine q35 -m 256 \
		-display none -serial stdio -monitor none -no-reboot \
		-device isa-debug-exit,iobase=0xf4,iosize=0x04 \
		-drive if=pflash,format=raw,unit=0,readonly=on,file=/usr/share/OVMF/OVMF_CODE_4M.fd \
		-drive if=pflash,format=raw,unit=1,file=$(MB_EFI_DIR)/vars.fd \
		-drive if=virtio,format=raw,readonly=on,file=fat:$(MB_EFI_DIR)/root \
		> $(MB_EFI_DIR)/serial.log || rc=$$?; \
	tr -d '\r' < $(MB_EFI_DIR)/serial.log | sed -n '/^MBEFILOAD/,$$p' | sed 's/\x1b\[[0-9;]*[A-Za-z]//g'; \
	test $$rc -eq 1 || { echo "probe-mb-efi-smoke: QEMU exit $$rc, want 1"; exit 1; }
