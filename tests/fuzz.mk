# tests for bad input: a fuzz harness per parser that reads what others wrote
# (tests/fuzz/fuzz-*.c). Each is built twice: tests/fuzz/replay-NAME with the
# suite's compiler replays the seeds and the regression inputs (always, also
# under ASan/UBSan), and tests/fuzz/build.sh builds it with clang's libFuzzer
# for tests/fuzz-run.sh (bounded) and `make fuzz` (long). See tests/README.
FUZZ_REPLAYS = tests/fuzz/replay-frame-request tests/fuzz/replay-frame-response \
	tests/fuzz/replay-record tests/fuzz/replay-wlentry tests/fuzz/replay-config \
	tests/fuzz/replay-wlcsv tests/fuzz/replay-provision tests/fuzz/replay-parse \
	tests/fuzz/replay-untrusted-text tests/fuzz/replay-json tests/fuzz/replay-ocmf
FUZZ_COMMON = tests/fuzz/replay.c tests/fuzz/fuzz.h
check_PROGRAMS += $(FUZZ_REPLAYS) tests/fuzz/mkseeds
TESTS += $(FUZZ_REPLAYS) tests/fuzz-run.sh tests/valgrind-batch.sh

tests_fuzz_replay_frame_request_SOURCES = $(FUZZ_COMMON) tests/fuzz/fuzz-frame-request.c
tests_fuzz_replay_frame_request_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_NAME='"frame-request"'
tests_fuzz_replay_frame_request_LDADD = $(TEST_PROTO_LIBS)
tests_fuzz_replay_frame_response_SOURCES = $(FUZZ_COMMON) tests/fuzz/fuzz-frame-response.c
tests_fuzz_replay_frame_response_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_NAME='"frame-response"'
tests_fuzz_replay_frame_response_LDADD = $(TEST_PROTO_LIBS)
tests_fuzz_replay_record_SOURCES = $(FUZZ_COMMON) tests/fuzz/fuzz-record.c
tests_fuzz_replay_record_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_NAME='"record"'
tests_fuzz_replay_record_LDADD = $(TEST_PROTO_LIBS)
tests_fuzz_replay_wlentry_SOURCES = $(FUZZ_COMMON) tests/fuzz/fuzz-wlentry.c
tests_fuzz_replay_wlentry_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_NAME='"wlentry"'
tests_fuzz_replay_wlentry_LDADD = $(TEST_PROTO_LIBS)
tests_fuzz_replay_config_SOURCES = $(FUZZ_COMMON) tests/fuzz/fuzz-config.c
tests_fuzz_replay_config_CPPFLAGS = $(AM_CPPFLAGS) $(YAML_CFLAGS) -DFUZZ_NAME='"config"'
tests_fuzz_replay_config_LDADD = $(PILECON_LDADD)
tests_fuzz_replay_wlcsv_SOURCES = $(FUZZ_COMMON) tests/fuzz/fuzz-wlcsv.c
tests_fuzz_replay_wlcsv_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_NAME='"wlcsv"'
tests_fuzz_replay_wlcsv_LDADD = src/batch/libwlcsv.a src/proto/libproto.a src/libcommon.a
tests_fuzz_replay_provision_SOURCES = $(FUZZ_COMMON) tests/fuzz/fuzz-provision.c
tests_fuzz_replay_provision_CPPFLAGS = $(AM_CPPFLAGS) $(YAML_CFLAGS) -DFUZZ_NAME='"provision"'
tests_fuzz_replay_provision_LDADD = $(PILECON_LDADD)
tests_fuzz_replay_parse_SOURCES = $(FUZZ_COMMON) tests/fuzz/fuzz-parse.c
tests_fuzz_replay_parse_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_NAME='"parse"'
tests_fuzz_replay_parse_LDADD = $(PILECON_LDADD)
tests_fuzz_replay_json_SOURCES = $(FUZZ_COMMON) tests/fuzz/fuzz-json.c
tests_fuzz_replay_json_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_NAME='"json"'
tests_fuzz_replay_json_LDADD = src/libcommon.a
tests_fuzz_replay_ocmf_SOURCES = $(FUZZ_COMMON) tests/fuzz/fuzz-ocmf.c
tests_fuzz_replay_ocmf_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_NAME='"ocmf"'
tests_fuzz_replay_ocmf_LDADD = $(TEST_PROTO_LIBS)
tests_fuzz_replay_untrusted_text_SOURCES = $(FUZZ_COMMON) tests/fuzz/fuzz-untrusted-text.c
tests_fuzz_replay_untrusted_text_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_NAME='"untrusted-text"'
tests_fuzz_replay_untrusted_text_LDADD = src/batch/libwlcsv.a src/proto/libproto.a src/libcommon.a
# Writes the binary seeds (see its first comment); built so it keeps compiling.
tests_fuzz_mkseeds_SOURCES = tests/fuzz/mkseeds.c
tests_fuzz_mkseeds_LDADD = $(TEST_PROTO_LIBS)

# The libFuzzer builds, without configure: build.sh finds clang or says why
# not in tests/fuzz/lf/status (fuzz-run.sh then skips). Each harness links
# the sources of what it pulls from pilecon's libraries (FUZZ_LDADD), built
# with the fuzzing flags: no harness lists its sources.
FUZZ_BUILD_ENV = top_srcdir='$(abs_top_srcdir)' top_builddir='$(abs_top_builddir)' \
	FUZZ_LDADD='$(PILECON_LDADD)' \
	FUZZ_CPPFLAGS='$(YAML_CFLAGS) $(CRYPTO_CFLAGS) $(SODIUM_CFLAGS) $(SQLITE_CFLAGS) $(SERIALPORT_CFLAGS) $(EDIT_CFLAGS)' \
	BUILD_CFLAGS='$(CFLAGS)'
fuzz-build: $(noinst_LIBRARIES)
	@$(FUZZ_BUILD_ENV) $(SHELL) $(top_srcdir)/tests/fuzz/build.sh
tests/fuzz-run.log: fuzz-build

# make fuzz [FUZZ_SECONDS=3600] [FUZZ_ONLY="wlcsv"]: hours of fuzzing,
# corpora and crashes kept in tests/fuzz/work of the build tree.
fuzz: $(noinst_LIBRARIES)
	@$(FUZZ_BUILD_ENV) FUZZ_FORCE=1 $(SHELL) $(top_srcdir)/tests/fuzz/build.sh
	@$(AM_TESTS_ENVIRONMENT) FUZZ_SECONDS=$${FUZZ_SECONDS:-600} FUZZ_TOTAL_SECONDS=0 \
	    FUZZ_KEEP='$(abs_top_builddir)/tests/fuzz/work' \
	    $(SHELL) $(top_srcdir)/tests/fuzz-run.sh
.PHONY: fuzz fuzz-build

CLEANFILES += tests/fuzz/lf/obj/*.o tests/fuzz/lf/fuzz-* tests/fuzz/lf/probe* \
	tests/fuzz/lf/status tests/fuzz/lf/harnesses tests/fuzz/lf/*.log \
	tests/fuzz/lf/*.srcs
EXTRA_DIST += tests/fuzz-run.sh tests/valgrind-batch.sh tests/README \
	tests/fuzz/build.sh tests/fuzz/lf-stubs.c \
	tests/fuzz/corpus-frame-request tests/fuzz/corpus-frame-response \
	tests/fuzz/corpus-record tests/fuzz/corpus-wlentry tests/fuzz/corpus-config \
	tests/fuzz/corpus-wlcsv tests/fuzz/corpus-provision tests/fuzz/corpus-parse \
	tests/fuzz/crashes-frame-request \
	tests/fuzz/crashes-frame-response tests/fuzz/crashes-record \
	tests/fuzz/crashes-wlentry tests/fuzz/crashes-config tests/fuzz/crashes-wlcsv \
	tests/fuzz/crashes-provision tests/fuzz/crashes-parse \
	tests/fuzz/corpus-untrusted-text tests/fuzz/crashes-untrusted-text \
	tests/fuzz/corpus-json tests/fuzz/crashes-json \
	tests/fuzz/corpus-ocmf tests/fuzz/crashes-ocmf
