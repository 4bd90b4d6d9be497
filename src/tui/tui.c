/* tui.c - the console's main loop: one poll() over the terminal, the link
 * and timers. */
#include "config.h"

#include <curses.h>
#include <locale.h>

#include "batch/batch.h"
#include "common.h"
#include "tui.h"

int
tui_main(struct cmd_ctx *ctx)
{
	setlocale(LC_ALL, "");
	initscr();
	endwin();
	return (EXIT_OK);
}
