/*
 * The storage service: the block devices and firmware file systems the
 * platform found, as the fs/ registry holds them, and baton's origin.
 */
#ifndef BATON_FIRMWARE_STORAGE_H
#define BATON_FIRMWARE_STORAGE_H

#include "fs/fs.h"

struct fw;

/* The file-source registry: the block devices found at start-up, the
 * volumes made of them, and baton's origin. */
struct fs *fw_fs(struct fw *fw);

#endif
