"""interop-pymodbus.py - pymodbus, an independent Modbus master in Python,
reads a simulated pile from the published map (pilecon-protocol(7)) and
compares it with `pilecon status --json` and with pilesim's stored records.
Run by tests/interop-pymodbus.sh, which starts pilesim; prints TAP lines and
leaves the plan to the wrapper (it writes how many tests it ran)."""

import argparse
import inspect
import json
import subprocess
import sys
import zlib

import pymodbus
from pymodbus.client import ModbusSerialClient
from pymodbus.pdu import ModbusRequest

# The published map, written out here again.
ID_ADDR, ID_COUNT = 0x0000, 54
LIVE_ADDR, LIVE_COUNT = 0x0100, 88
REC_CURSOR, REC_WINDOW, REC_WINDOW_REGS, REC_REGS = 0x1000, 0x1002, 125, 62

n = 0
failed = 0


def tap(passed, name, got=None, want=None):
    global n, failed
    n += 1
    print(("ok %d - %s" if passed else "not ok %d - %s") % (n, name))
    if not passed:
        failed += 1
        if got is not None or want is not None:
            print("#   got: %r" % (got,))
            print("#   expected: %r" % (want,))
    sys.stdout.flush()


def is_(got, want, name):
    tap(got == want, name, got, want)


def u32(regs, off):
    return regs[off] << 16 | regs[off + 1]


def text(regs, off, count):
    b = b"".join(r.to_bytes(2, "big") for r in regs[off:off + count])
    return b.split(b"\0", 1)[0].decode("utf-8", "replace")


def link_num(v):
    return {"online": 0, "offline": 1}.get(v, 2 if str(v).startswith("forced") else v)


def request_unit(addr):
    # The client's read and write methods take `slave`; readwrite_registers
    # hands its arguments to the request, which pymodbus 3.0 calls `unit`
    # and later versions `slave`.
    params = inspect.signature(ModbusRequest.__init__).parameters
    return {"slave": addr} if "slave" in params else {"unit": addr}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", required=True)
    ap.add_argument("--addr", type=int, default=1)
    ap.add_argument("--baud", type=int, default=115200)
    ap.add_argument("--pilecon", required=True, help="pilecon command, JSON-quoted list")
    ap.add_argument("--records", required=True, help="pilesim ctl pile records command, JSON list")
    ap.add_argument("--uid", required=True)
    ap.add_argument("--count-file", required=True)
    a = ap.parse_args()
    print("# pymodbus %s" % pymodbus.__version__)

    def pilecon_status():
        out = subprocess.run(json.loads(a.pilecon) + ["-a", str(a.addr), "--json", "status"],
                             capture_output=True, timeout=60, check=True).stdout
        return json.loads(out)

    client = ModbusSerialClient(port=a.port, baudrate=a.baud, bytesize=8, parity="N",
                                stopbits=1, timeout=2)
    tap(client.connect(), "pymodbus_opens_the_pseudo_terminal")
    unit = {"slave": a.addr}

    st0 = pilecon_status()
    rr = client.read_holding_registers(ID_ADDR, ID_COUNT, **unit)
    tap(not rr.isError() and len(rr.registers) == ID_COUNT, "fc03_reads_the_identity_block")
    ident = rr.registers if not rr.isError() else [0] * ID_COUNT
    is_(ident[0] >> 8, 1, "protocol_major_version_is_1")
    is_(text(ident, 0x12, 8), st0.get("serial"), "serial_matches_pilecon_status")
    is_(text(ident, 0x22, 16), "PILE-SIM-%04d" % a.addr, "device_id_is_the_qr_content")
    rr4 = client.read_input_registers(ID_ADDR, ID_COUNT, **unit)
    tap(not rr4.isError() and rr4.registers == ident, "fc04_reads_the_same_identity_as_fc03")

    rr = client.read_holding_registers(LIVE_ADDR, LIVE_COUNT, **unit)
    tap(not rr.isError() and len(rr.registers) == LIVE_COUNT, "fc03_reads_the_live_block")
    live = rr.registers if not rr.isError() else [0] * LIVE_COUNT
    st1 = pilecon_status()
    is_(live[0x00], link_num(st1.get("link")), "link_state_matches_pilecon")
    is_(u32(live, 0x05), st1.get("unsynced"), "unsynced_matches_pilecon")
    is_(u32(live, 0x20), st1.get("power_w"), "power_w_matches_pilecon")
    is_(u32(live, 0x20), 7000, "power_is_the_7000_w_the_car_draws")
    e = u32(live, 0x22)
    tap(st0["energy_wh"] <= e <= st1["energy_wh"],
        "energy_wh_lies_between_pilecon_reads_before_and_after",
        e, (st0["energy_wh"], st1["energy_wh"]))
    is_(u32(live, 0x3A), st1.get("tariff_version"), "tariff_version_matches_pilecon")
    is_(text(live, 0x0C, 10), (st1.get("card") or {}).get("last_uid"), "last_uid_matches_pilecon")
    is_(text(live, 0x0C, 10), a.uid, "last_uid_is_the_swiped_card")
    is_(live[0x1A:0x1D], list(st1.get("voltage_dv", [])), "voltages_match_pilecon")
    is_(live[0x1D:0x20], list(st1.get("current_ca", [])), "currents_match_pilecon")

    # FC 23: write records.cursor and read records.window in one transaction.
    first, last = u32(live, 0x07), u32(live, 0x09)
    out = subprocess.run(json.loads(a.records), capture_output=True, timeout=60,
                         check=True).stdout.decode()
    try:
        recs = json.loads(out)
    except ValueError:
        recs = [json.loads(l) for l in out.splitlines() if l.strip()]
    if isinstance(recs, dict):
        recs = recs["records"]
    got = []
    nxt = first
    while first and nxt <= last and len(got) < 100000:
        rr = client.readwrite_registers(read_address=REC_WINDOW, read_count=REC_WINDOW_REGS,
                                        write_address=REC_CURSOR,
                                        write_registers=[nxt >> 16, nxt & 0xFFFF],
                                        **request_unit(a.addr))
        if rr.isError() or not rr.registers or rr.registers[0] not in (1, 2):
            break
        for i in range(rr.registers[0]):
            regs = rr.registers[1 + i * REC_REGS:1 + (i + 1) * REC_REGS]
            b = bytearray(b"".join(r.to_bytes(2, "big") for r in regs))
            crc = int.from_bytes(b[120:124], "big")
            c = bytearray(b)
            c[5] &= ~0x02
            got.append({"seq": int.from_bytes(b[0:4], "big"), "kind": b[4],
                        "tag": b[8:28].split(b"\0", 1)[0].decode(),
                        "meter_start_wh": int.from_bytes(b[36:40], "big"),
                        "meter_stop_wh": int.from_bytes(b[40:44], "big"),
                        "tariff_version": int.from_bytes(b[60:64], "big"),
                        "crc_ok": zlib.crc32(bytes(c[:120])) == crc})
            nxt = got[-1]["seq"] + 1
    is_(len(got), len(recs), "fc23_reads_as_many_records_as_pilesim_holds")
    is_([r["seq"] for r in got], [r.get("seq") for r in recs], "fc23_record_sequence_numbers_match_pilesim")
    tap(bool(got) and all(r["crc_ok"] for r in got), "every_record_crc32_verifies_with_zlib")
    keys = ("tag", "meter_start_wh", "meter_stop_wh", "tariff_version")
    is_([tuple(r[k] for k in keys) for r in got],
        [tuple(r.get(k) for k in keys) for r in recs],
        "fc23_record_fields_match_pilesim")

    client.close()
    with open(a.count_file, "w") as f:
        f.write("%d %d\n" % (n, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
