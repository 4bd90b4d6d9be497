#!/bin/sh
# line-ports.sh - `pilecon ports` on a fake machine (PILECON_SYSFS_ROOT and
# PILECON_DEV_ROOT): an FTDI adapter with its VID:PID, its stable
# /dev/serial/by-id name and its 16 ms latency timer, and a CDC-ACM pile port
# with none.
. "$top_srcdir/tests/batch-lib.sh"

sys=$tmp/sys
dev=$tmp/dev
mkdir -p "$sys/devices/usb1/1-1/1-1:1.0/ttyUSB0" "$sys/devices/usb1/1-2/1-2:1.0" \
    "$sys/class/tty/ttyUSB0" "$sys/class/tty/ttyACM0" "$sys/class/tty/tty1" \
    "$dev/serial/by-id"
printf '0403\n' >"$sys/devices/usb1/1-1/idVendor"
printf '6001\n' >"$sys/devices/usb1/1-1/idProduct"
printf 'FTDI\n' >"$sys/devices/usb1/1-1/manufacturer"
printf 'FT232R USB UART\n' >"$sys/devices/usb1/1-1/product"
printf '16\n' >"$sys/devices/usb1/1-1/1-1:1.0/ttyUSB0/latency_timer"
printf '1d6b\n' >"$sys/devices/usb1/1-2/idVendor"
printf '0104\n' >"$sys/devices/usb1/1-2/idProduct"
ln -s ../../../devices/usb1/1-1/1-1:1.0/ttyUSB0 "$sys/class/tty/ttyUSB0/device"
ln -s ../../../devices/usb1/1-2/1-2:1.0 "$sys/class/tty/ttyACM0/device"
ln -s ../../ttyUSB0 "$dev/serial/by-id/usb-FTDI_FT232R_USB_UART_AB0CDEF1-if00-port0"
export PILECON_SYSFS_ROOT="$sys" PILECON_DEV_ROOT="$dev"

run ports
is "$rc" 0 "ports_exits_0"
like "$out" "^$dev/ttyUSB0 +0403:6001  FTDI FT232R USB UART" "usb_adapter_with_vid_pid_and_name"
like "$out" "^  $dev/serial/by-id/usb-FTDI_FT232R_USB_UART_AB0CDEF1-if00-port0\$" \
	"stable_by_id_name_beside_the_port"
like "$out" "^  latency timer 16 ms \(pilecon lowers it to 1 ms" "latency_timer_shown"
like "$out" "^$dev/ttyACM0 +1d6b:0104" "cdc_acm_port_listed"
unlike "$out" "tty1" "ports_without_a_device_are_left_out"
run ports --json
is "$(printf '%s' "$out" | jget 1.latency_timer_ms)" 16 "json_latency_timer"
is "$(printf '%s' "$out" | jget 1.by_id)" "$dev/serial/by-id/usb-FTDI_FT232R_USB_UART_AB0CDEF1-if00-port0" \
	"json_by_id"
is "$(printf '%s' "$out" | jget 1.vid):$(printf '%s' "$out" | jget 1.pid)" "0403:6001" "json_vid_pid"

done_testing
