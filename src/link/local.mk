# src/link: byte transports (libserialport, termios for ptys, TCP).
noinst_LIBRARIES += src/link/liblink.a
src_link_liblink_a_SOURCES = src/link/link.h src/link/link-int.h \
	src/link/link.c src/link/serial.c src/link/tcp.c src/link/ports.c \
	src/link/tune.c src/link/resolve.c
src_link_liblink_a_CPPFLAGS = $(AM_CPPFLAGS) $(SERIALPORT_CFLAGS)
