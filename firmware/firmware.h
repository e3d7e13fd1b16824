/*
 * The interface between baton's portable code and the machine, one header
 * per service; this one includes them all.  firmware/efi/ implements them on
 * UEFI; firmware/host/ implements them for the host unit tests.  Portable
 * code reaches the machine only through these, passing the struct fw
 * context it was given (there are no globals).
 *
 *   console.h   text grid          keys.h      keystrokes
 *   time.h      millisecond clock  memory.h    pages
 *   memmap.h    memory map, ExitBootServices
 *   storage.h   block devices, firmware file systems, baton's origin
 *   image.h     starting EFI programs, load options, LoadFile2 initrd
 *   platform.h  system table, ACPI, framebuffer, reset
 *   net.h       the firmware's TFTP and HTTP clients, how baton was netbooted
 *   vars.h      the Boot Loader Interface's variables
 */
#ifndef BATON_FIRMWARE_FIRMWARE_H
#define BATON_FIRMWARE_FIRMWARE_H

#include "firmware/console.h"
#include "firmware/image.h"
#include "firmware/keys.h"
#include "firmware/memmap.h"
#include "firmware/memory.h"
#include "firmware/net.h"
#include "firmware/platform.h"
#include "firmware/storage.h"
#include "firmware/time.h"
#include "firmware/vars.h"

#endif
