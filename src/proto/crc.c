/* crc.c - the two checksums of the protocol: Modbus CRC-16 on every frame,
 * CRC-32 (IEEE 802.3, zlib's) on every stored record and the whitelist. */
#include "config.h"

#include "proto.h"

/*
 * Bitwise, not table driven: a frame is at most 256 bytes and a record 124,
 * so eight shifts per byte cost nothing next to the line, and there is no
 * table to get wrong. Modbus over serial line V1.02 §6.2.2.
 */
uint16_t
proto_crc16(const uint8_t *buf, size_t len)
{
	return proto_crc16_update(0xFFFF, buf, len);
}

/* crc: 0xFFFF to start, or what the previous call returned. */
uint16_t
proto_crc16_update(uint16_t crc, const uint8_t *buf, size_t len)
{
	size_t		i;
	int		bit;

	for (i = 0; i < len; i++) {
		crc ^= buf[i];
		for (bit = 0; bit < 8; bit++) {
			if (crc & 1)
				crc = (crc >> 1) ^ 0xA001;
			else
				crc >>= 1;
		}
	}
	return crc;
}

/* Reflected polynomial 0xEDB88320, init and final xor 0xFFFFFFFF; crc is
 * the value a previous call returned (0 to start), as zlib's crc32(). */
uint32_t
proto_crc32_update(uint32_t crc, const uint8_t *buf, size_t len)
{
	size_t	i;
	int	bit;

	crc = ~crc;
	for (i = 0; i < len; i++) {
		crc ^= buf[i];
		for (bit = 0; bit < 8; bit++)
			crc = (crc >> 1) ^ (0xEDB88320U & (0U - (crc & 1)));
	}
	return ~crc;
}

uint32_t
proto_crc32(const uint8_t *buf, size_t len)
{
	return proto_crc32_update(0, buf, len);
}
