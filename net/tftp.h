/*
 * TFTP option negotiation as baton asks the firmware for it.  The
 * firmware's PXE driver sends 512-byte blocks (RFC 1350) unless given a
 * block size; baton asks for the largest that fits the card's frames, so a
 * 66 MB initrd takes 45,000 round trips instead of 130,000.
 */
#ifndef BATON_NET_TFTP_H
#define BATON_NET_TFTP_H

#include <stdint.h>

#define TFTP_BLOCK_MIN 512	/* RFC 1350's, and what edk2 accepts */
#define TFTP_BLOCK_MAX 65464	/* RFC 2348's largest */

/*
 * The blksize option (RFC 2348) for frames of mtu bytes of payload: the
 * IPv4 header (20), the UDP header (8) and the TFTP header (4) come off;
 * kept within TFTP_BLOCK_MIN..TFTP_BLOCK_MAX.  The server may answer with
 * a smaller one; the firmware handles that.
 */
static inline uint32_t tftp_block_size(uint32_t mtu)
{
	uint32_t b = mtu > 32 ? mtu - 32 : 0;

	return b < TFTP_BLOCK_MIN ? TFTP_BLOCK_MIN :
	       b > TFTP_BLOCK_MAX ? TFTP_BLOCK_MAX : b;
}

#endif
