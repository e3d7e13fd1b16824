/*
 * The machine half of the handoff for host tests (arch/x86_64/kexec.h): it
 * records what was asked, in order, in fw->trace, keeps a copy of the image
 * that machine_kexec would have entered, and returns to the test through
 * fw->kexec_jmp instead of jumping.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "arch/x86_64/kexec.h"
#include "firmware/host/host.h"

int machine_kexec_prepare(struct fw *fw, const struct kimage *ki,
			  const struct memmap *map,
			  const struct fw_platform *plat,
			  struct kexec_control *kc, char *err, size_t errlen)
{
	memset(kc, 0, sizeof(*kc));
	kc->fw = fw;
	kc->ki = ki;
	host_trace(fw, "prepare");
	return 0;
}

void machine_kexec_cleanup(struct kexec_control *kc)
{
	host_trace(kc->fw, "cleanup");
}

void machine_shutdown(const struct kexec_control *kc)
{
	host_trace(kc->fw, "shutdown");
}

void machine_disturb_irqs(const struct kexec_control *kc)
{
	host_trace(kc->fw, "disturb");
}

void machine_kexec(const struct kexec_control *kc)
{
	host_trace(kc->fw, "kexec");
	kc->fw->handed = *kc->ki;
	if (!kc->fw->kexec_jmp) {
		fprintf(stderr, "host machine_kexec without a kexec_jmp\n");
		abort();
	}
	longjmp(*kc->fw->kexec_jmp, 1);
}

void machine_enter_efi64(struct fw *fw, uint64_t entry, uint32_t magic,
			 uint64_t info)
{
	host_trace(fw, "enter-efi64");
	fw->handed.entry = entry;
	fw->handed.regs.rax = magic;
	fw->handed.regs.rbx = info;
	longjmp(*fw->kexec_jmp, 1);
}

void machine_panic(struct fw *fw, const char *msg)
{
	host_trace(fw, "reset");
	snprintf(fw->panic_msg, sizeof(fw->panic_msg), "%s", msg);
	if (!fw->kexec_jmp) {
		fprintf(stderr, "machine_panic: %s\n", msg);
		abort();
	}
	longjmp(*fw->kexec_jmp, 2);
}
