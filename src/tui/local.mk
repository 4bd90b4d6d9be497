# src/tui: the curses console (ncursesw, libedit). One file per view.
noinst_LIBRARIES += src/tui/libtui.a
src_tui_libtui_a_CPPFLAGS = $(AM_CPPFLAGS) $(NCURSES_CFLAGS) $(EDIT_CFLAGS)
src_tui_libtui_a_SOURCES = \
	src/tui/tui.h src/tui/tui.c
