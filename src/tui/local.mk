# src/tui: the curses console (ncursesw, libedit). One file per view.
noinst_LIBRARIES += src/tui/libtui.a
src_tui_libtui_a_CPPFLAGS = $(AM_CPPFLAGS) $(NCURSES_CFLAGS) $(EDIT_CFLAGS)
src_tui_libtui_a_SOURCES = \
	src/tui/tui.h src/tui/actions.h \
	src/tui/tui.c src/tui/piles.c src/tui/keys.c src/tui/draw.c src/tui/format.c \
	src/tui/cmdline.c src/tui/jobs.c src/tui/share.c \
	src/tui/view-bus.c src/tui/view-dashboard.c src/tui/view-whitelist.c \
	src/tui/view-records.c src/tui/view-events.c src/tui/view-help.c \
	src/tui/view-line.c src/tui/reconnect.c src/tui/discover.c \
	src/tui/view-connect.c
