#!/bin/sh
# write-mac-vector.sh - writes with proof (protocol 1.1) are laid out as
# regmap.h says: the session key, the bytes the MAC covers, the truncated
# MAC and the envelope's registers that pilecon's code makes of one fixed
# write (tests/write-mac-vector) equal what Python's hmac and hashlib make
# of the published layout, computed here and not by our code.
. "$top_srcdir/tests/lib.sh"
test_setup write-mac
command -v python3 >/dev/null 2>&1 || tap_skip_all "python3 is not installed"

"$top_builddir/tests/write-mac-vector" >"$tmp/ours" || tap_bail "write-mac-vector failed"
python3 - >"$tmp/python" <<'PY'
import hashlib, hmac, struct
key = bytes(range(32))
challenge = bytes(range(0xa0, 0xb0))
serial = b"SIM-0001".ljust(16, b"\0")
address = 1
ks = hmac.new(key, b"pilecon-session" + challenge + serial + bytes([address]),
              hashlib.sha256).digest()
target, values, counter = 0x0220, [0x6930, 0x1234], 7
msg = (serial + bytes([address]) + struct.pack(">HHI", target, len(values), counter)
       + b"".join(struct.pack(">H", v) for v in values))
mac = hmac.new(ks, msg, hashlib.sha256).digest()[:16]
env = struct.pack(">HHI", target, len(values), counter) \
    + b"".join(struct.pack(">H", v) for v in values) + mac
print("ks", ks.hex())
print("msg", msg.hex())
print("mac", mac.hex())
print("envelope", env.hex())
PY
for k in ks msg mac envelope; do
	tap_is "$(sed -n "s/^$k //p" "$tmp/ours")" "$(sed -n "s/^$k //p" "$tmp/python")" \
	    "${k}_matches_python_hmac_sha256_over_the_published_layout"
done
tap_is "$(sed -n 's/^envelope //p' "$tmp/ours" | wc -c)" 57 \
    "envelope_of_2_values_is_14_registers"
tap_done
