/* unit-json.c - the one JSON emitter: every string comes out as valid JSON
 * whatever bytes it held (quotes, backslashes, control bytes, invalid
 * UTF-8), key order is kept, and the tree's getters read what was set. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "json.h"
#include "tap.h"

static void
str_is(const char *in, const char *want, const char *name)
{
	struct json	*v = json_str(in);
	char		*got = json_dump(v);

	is_str(got, want, "%s", name);
	free(got);
	json_free(v);
}

static void
fixed_is(int64_t v, int places, const char *want, const char *name)
{
	struct json	*j = json_fixed(v, places);
	char		*got = json_dump(j);

	is_str(got, want, "%s", name);
	free(got);
	json_free(j);
}

int
main(void)
{
	struct json	*o, *a, *inner;
	char		*s;

	str_is("SIM-0001", "\"SIM-0001\"", "plain_string_is_quoted");
	str_is("a\"b\\c", "\"a\\\"b\\\\c\"", "quote_and_backslash_are_escaped");
	str_is("\x01\x1f\x7f", "\"\\u0001\\u001f\\u007f\"", "control_bytes_become_u_escapes");
	str_is("\b\f\n\r\t", "\"\\b\\f\\n\\r\\t\"", "short_escapes_for_the_usual_controls");
	str_is("张三", "\"张三\"", "valid_utf8_passes_through");
	str_is("\xf0\x9f\x94\x8c", "\"\xf0\x9f\x94\x8c\"", "four_byte_utf8_passes_through");
	str_is("a\xffz", "\"a\\ufffdz\"", "invalid_byte_becomes_replacement_character");
	str_is("\xc0\xaf", "\"\\ufffd\\ufffd\"", "overlong_encoding_is_invalid");
	str_is("\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\"", "utf16_surrogate_is_invalid");
	str_is("\xf4\x90\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\"", "above_u10ffff_is_invalid");
	str_is("\xe5\xbc", "\"\\ufffd\\ufffd\"", "cut_sequence_at_the_end_is_invalid");
	str_is(NULL, "\"\"", "null_string_is_empty");

	o = json_object();
	json_set_str(o, "serial", "S\"1");
	json_set_int(o, "address", 1);
	json_set_int(o, "big", 4294967296LL * 3);
	json_set_int(o, "negative", -5);
	json_set_bool(o, "backend", 1);
	json_set(o, "none", json_null());
	a = json_set(o, "v", json_array());
	json_push(a, json_int(1));
	json_push(a, json_str("x"));
	inner = json_push(a, json_object());
	json_set_int(inner, "k", 2);
	json_set_int(o, "address", 7);	/* replaces, keeps its place */
	s = json_dump(o);
	is_str(s, "{\"serial\":\"S\\\"1\",\"address\":7,\"big\":12884901888,"
	    "\"negative\":-5,\"backend\":true,\"none\":null,\"v\":[1,\"x\",{\"k\":2}]}",
	    "object_keeps_key_order_and_types");
	free(s);
	is_int(json_get_int(o, "address", 0), 7, "get_int_reads_the_replaced_value");
	is_str(json_get_str(o, "serial"), "S\"1", "get_str_reads_the_raw_value");
	ok(json_get_str(o, "address") == NULL, "get_str_of_a_number_is_null");
	is_int(json_get_int(o, "absent", 42), 42, "absent_key_gives_the_default");
	is_int(json_len(json_get(o, "v")), 3, "array_length");
	is_int(json_at(json_get(o, "v"), 2)->type, JSON_OBJECT, "array_item_type");
	ok(json_at(json_get(o, "v"), 3) == NULL, "past_the_end_is_null");
	ok(json_set(a, "k", json_int(1)) == NULL,
	    "set_on_an_array_is_refused");
	json_free(o);

	fixed_is(123, 1, "12.3", "fixed_point_tenths");
	fixed_is(5, 2, "0.05", "fixed_point_keeps_leading_zeros");
	fixed_is(-1234, 3, "-1.234", "fixed_point_negative");
	fixed_is(INT64_MIN, 1, "-922337203685477580.8", "fixed_point_most_negative_does_not_overflow");
	fixed_is(7, 0, "7", "fixed_point_without_places_is_an_integer");

	s = json_dump(NULL);
	is_str(s, "null", "no_value_is_null");
	free(s);
	return done_testing();
}
