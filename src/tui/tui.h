/* tui.h - private to src/tui: the console's state shared by its views. */
#ifndef TUI_H
#define TUI_H

struct cmd_ctx;

#endif
