# tests/probe/probe.mk - the Linux probe kernel (included by the Makefile).
#
#   make $(BUILD)/probe/probe-linux.bzImage    (or: make probe-linux)
#   make probe-linux-smoke     boots it in QEMU without UEFI (SeaBIOS)
#
# Uses BUILD and PYTHON from the including Makefile.  The image must be
# position-independent: the link is a static PIE and is refused if it
# carries any relocation at all.

PYTHON      ?= /usr/bin/python3
PROBE_CC    ?= gcc
PROBE_DIR   := tests/probe
PROBE_OUT   := $(BUILD)/probe
PROBE_BZ    := $(PROBE_OUT)/probe-linux.bzImage

PROBE_CSRC  := $(wildcard $(PROBE_DIR)/*.c)
PROBE_OBJS  := $(PROBE_OUT)/entry.o \
	$(patsubst $(PROBE_DIR)/%.c,$(PROBE_OUT)/%.o,$(PROBE_CSRC))
PROBE_HDRS  := $(wildcard $(PROBE_DIR)/*.h)

# -fpie: RIP-relative code; the switch/loop options keep gcc from making
# pointer tables or calling memset from inside memset.
PROBE_CFLAGS := -std=gnu11 -O2 -g0 -Wall -Wextra -Werror \
	-ffreestanding -fno-builtin -nostdlib -fpie -mno-red-zone \
	-mgeneral-regs-only -fno-stack-protector -fno-stack-check \
	-fcf-protection=none -fno-asynchronous-unwind-tables \
	-fno-unwind-tables -fno-jump-tables -fno-tree-switch-conversion \
	-fno-tree-loop-distribute-patterns -fno-delete-null-pointer-checks \
	-fno-strict-aliasing -fvisibility=hidden
PROBE_LDFLAGS := -static -pie --no-dynamic-linker -z noexecstack \
	-z norelro --build-id=none -T $(PROBE_DIR)/probe.ld

.PHONY: probe-linux probe-linux-smoke

probe-linux: $(PROBE_BZ)

$(PROBE_OUT)/entry.o: $(PROBE_DIR)/entry.asm
	@mkdir -p $(@D)
	nasm -f elf64 -Werror -o $@ $<

$(PROBE_OUT)/setup.bin: $(PROBE_DIR)/setup.asm
	@mkdir -p $(@D)
	nasm -f bin -Werror -o $@ $<

$(PROBE_OUT)/%.o: $(PROBE_DIR)/%.c $(PROBE_HDRS)
	@mkdir -p $(@D)
	$(PROBE_CC) $(PROBE_CFLAGS) -c $< -o $@

# The ELF must have no relocation of any kind: anything absolute would be
# wrong once the loader puts the image somewhere other than 0.
$(PROBE_OUT)/probe.elf: $(PROBE_OBJS) $(PROBE_DIR)/probe.ld
	ld $(PROBE_LDFLAGS) -o $@ $(PROBE_OBJS)
	@if readelf -rW $@ | grep -q '^Relocation section'; then \
		readelf -rW $@; rm -f $@; \
		echo "$@: the probe must be position-independent"; exit 1; fi

$(PROBE_OUT)/probe.bin: $(PROBE_OUT)/probe.elf
	objcopy -O binary $< $@

$(PROBE_BZ): $(PROBE_OUT)/setup.bin $(PROBE_OUT)/probe.elf \
		$(PROBE_OUT)/probe.bin $(PROBE_DIR)/mkbzimage.py
	$(PYTHON) $(PROBE_DIR)/mkbzimage.py build --setup $(PROBE_OUT)/setup.bin \
		--elf $(PROBE_OUT)/probe.elf --payload $(PROBE_OUT)/probe.bin -o $@
	$(PYTHON) $(PROBE_DIR)/mkbzimage.py check $@

# A quick boot without UEFI: QEMU's own loader and setup.asm's real-mode
# stub, which stands in for baton.  There is no EFI, so the command line
# says probe.efi=none; every other check must pass (QEMU exit status 1).
PROBE_SMOKE_QEMU := qemu-system-x86_64 -accel tcg -machine q35 -m 256 \
	-display none -serial stdio -monitor none -no-reboot \
	-device isa-debug-exit,iobase=0xf4,iosize=0x04
probe-linux-smoke: $(PROBE_BZ)
	@printf 'probe initrd\n' > $(PROBE_OUT)/smoke-initrd
	@h=$$(sha256sum $(PROBE_OUT)/smoke-initrd | cut -c1-64); \
	timeout 60 $(PROBE_SMOKE_QEMU) -kernel $(PROBE_BZ) \
		-initrd $(PROBE_OUT)/smoke-initrd \
		-append "console=ttyS0 probe.efi=none probe.initrd_sha256=$$h"; \
	rc=$$?; test $$rc -eq 1 || { echo "probe-linux-smoke: QEMU exit $$rc, want 1"; exit 1; }
