/* unit-proto-crc - CRC-16 against the Modbus specification's example frames
 * and CRC-32 against the IEEE check value. Expected values were computed
 * independently (python3 bitwise reference, zlib.crc32). */
#include "config.h"

#include "proto.h"
#include "tap.h"

static const uint8_t	spec_serial_example[] = { 0x02, 0x07 };
/* PI-MBUS-300 read holding registers: unit 17 reads 40108..40110. */
static const uint8_t	read_holding_query[] = { 0x11, 0x03, 0x00, 0x6B, 0x00, 0x03 };
static const uint8_t	read_holding_reply[] = { 0x11, 0x03, 0x06, 0x02, 0x2B,
	0x00, 0x00, 0x00, 0x64 };
/* PI-MBUS-300 preset single register: unit 17, register 40002 = 3. */
static const uint8_t	write_single_query[] = { 0x11, 0x06, 0x00, 0x01, 0x00, 0x03 };
static const uint8_t	read_ten_query[] = { 0x01, 0x03, 0x00, 0x00, 0x00, 0x0A };

int
main(void)
{
	const uint8_t	check[] = "123456789";
	uint32_t	crc;

	is_int(proto_crc16(spec_serial_example, 2), 0x1241,
	    "crc16 of serial line spec example 02 07 is 0x1241 (sent 41 12)");
	is_int(proto_crc16(read_holding_query, sizeof read_holding_query), 0x8776,
	    "crc16 of read holding registers query 11 03 00 6B 00 03 is sent 76 87");
	is_int(proto_crc16(read_holding_reply, sizeof read_holding_reply), 0xBAC8,
	    "crc16 of read holding registers reply is sent C8 BA");
	is_int(proto_crc16(write_single_query, sizeof write_single_query), 0x9B9A,
	    "crc16 of write single register query is sent 9A 9B");
	is_int(proto_crc16(read_ten_query, sizeof read_ten_query), 0xCDC5,
	    "crc16 of 01 03 00 00 00 0A is sent C5 CD");
	is_int(proto_crc16(check, 9), 0x4B37, "crc16/modbus check value is 0x4B37");
	is_int(proto_crc16(check, 0), 0xFFFF, "crc16 of nothing is the initial value");

	is_int(proto_crc32(check, 9), 0xCBF43926, "crc32 check value of '123456789' is 0xCBF43926");
	is_int(proto_crc32(check, 0), 0, "crc32 of nothing is 0 (zlib)");
	crc = proto_crc32_update(0, check, 4);
	crc = proto_crc32_update(crc, check + 4, 5);
	is_int(crc, 0xCBF43926, "crc32 in two parts equals crc32 in one");
	return done_testing();
}
