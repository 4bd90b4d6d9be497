# src/batch: pilecon's batch mode (one file per command, cmd.c holds the
# table), the pilecon program, and the man page generated from the table.
# src/batch/libwlcsv.a (wlcsv.[ch]) is defined in src/archive/local.mk.
noinst_LIBRARIES += src/batch/libbatch.a
src_batch_libbatch_a_CPPFLAGS = $(AM_CPPFLAGS) $(YAML_CFLAGS) $(SODIUM_CFLAGS)
src_batch_libbatch_a_SOURCES = src/batch/batch.h src/batch/cmd-util.h \
	src/batch/job.h src/batch/job.c src/batch/job-batch.c src/batch/job-wl.c src/batch/cmd.c src/batch/options.c src/batch/config.c src/batch/keys.c \
	src/batch/parse.c src/batch/util.c src/batch/complete.c \
	src/batch/cmd-status.c src/batch/cmd-ports.c src/batch/cmd-scan.c \
	src/batch/cmd-offline.c src/batch/cmd-whitelist-list.c \
	src/batch/cmd-whitelist-edit.c src/batch/cmd-whitelist-import.c \
	src/batch/cmd-whitelist-export.c src/batch/cmd-logs-pull.c \
	src/batch/cmd-logs-list.c src/batch/cmd-logs-export.c src/batch/cmd-resync.c \
	src/batch/cmd-tariff-show.c src/batch/cmd-clock-set.c src/batch/cmd-help.c \
	src/batch/wlsync.h src/batch/wlsync.c src/batch/wlsync-state.c \
	src/batch/wlsite.h src/batch/wlsite.c src/batch/job-stage.c \
	src/batch/cmd-whitelist-sync-all.c \
	src/batch/cmd-whitelist-sync.c src/batch/provision.h src/batch/provision-parse.c \
	src/batch/provision-yaml.h src/batch/provision-yaml.c \
	src/batch/yaml-load.h src/batch/yaml-load.c \
	src/batch/provision-tariff.c src/batch/provision-offline.c \
	src/batch/provision-whitelist.c src/batch/provision-run.c src/batch/provision-apply.c src/batch/provision-custody.c src/batch/provision-keys.c src/batch/reconcile.c src/batch/cmd-provision.c \
	src/batch/pullsig.h src/batch/pullsig.c src/batch/custody.h src/batch/custody.c \
	src/batch/cmd-logs-verify.c src/batch/cmd-logs-report.c
# port sharing: the socket, its frames, the batch side (the console's side
# is src/tui/share.c)
src_batch_libbatch_a_SOURCES += src/batch/share.h src/batch/share.c
src_batch_libbatch_a_SOURCES += src/batch/cmd-ping.c src/batch/scan.h src/batch/scan-detect.c

PILECON_LDADD = src/tui/libtui.a src/batch/libbatch.a src/batch/libwlcsv.a \
	src/archive/libarchive.a src/pile/libpile.a src/link/liblink.a \
	src/proto/libprotosig.a src/proto/libproto.a src/libcommon.a $(NCURSES_LIBS) $(EDIT_LIBS) \
	$(YAML_LIBS) $(SQLITE_LIBS) $(SERIALPORT_LIBS) $(SODIUM_LIBS) $(CRYPTO_LIBS) -lm $(LIBINTL)

bin_PROGRAMS += pilecon
pilecon_SOURCES = src/batch/main.c
pilecon_LDADD = $(PILECON_LDADD)

# man/pilecon.1 is generated from the command and option tables and
# committed; tests/batch-manpage.sh regenerates and compares.
noinst_PROGRAMS += src/batch/pilecon-mangen
src_batch_pilecon_mangen_SOURCES = src/batch/mangen.c
src_batch_pilecon_mangen_LDADD = $(PILECON_LDADD)
dist_man_MANS += man/pilecon.1

# The completion script is installed under bash-completion's completionsdir
# (configure: --with-bash-completion-dir) by the name of the command.
bashcompletiondir = $(BASH_COMPLETION_DIR)
dist_bashcompletion_DATA = contrib/bash-completion/pilecon

# Provisioning: the file format's page, commented examples (installed with
# the docs), and the udev rule example for stable adapter names.
dist_man_MANS += man/pilecon-provision.5
pileconexamplesdir = $(docdir)/examples
dist_pileconexamples_DATA = data/examples/carpark-20.yaml data/examples/carpark-cards.csv \
	data/examples/fleet-outage.yaml data/examples/fleet-cards.csv
EXTRA_DIST += contrib/udev/99-pilecon-rs485.rules
