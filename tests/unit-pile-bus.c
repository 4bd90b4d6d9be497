/* unit-pile-bus.c - the Modbus master against a fake slave on a pty: replies
 * finish as soon as they are complete, silence and garbled replies are
 * retried and then named with port, address and baud, exceptions name the
 * register, a vanished port is a link error, the event-loop API works. */
#include "config.h"

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common.h"
#include "fakeslave.h"
#include "pile/pile.h"
#include "tap.h"

static uint64_t
now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void
test_live_in_one_transaction(void)
{
	struct pile_bus_opts		 opts = { 2000, 2, 0 };
	const struct pile_bus_stats	*st;
	struct proto_live		 live;
	struct fakeslave_rig		 r;
	char				*cause = NULL;
	uint64_t			 t0;
	int				 rc;

	if (fakeslave_rig_start(&r, 0, NULL, 1, &opts) != 0) {
		ok(0, "rig");
		return;
	}
	t0 = now_ms();
	rc = pile_live(r.pile, &live, &cause);
	is_int(rc, 0, "live_read_succeeds %s", cause ? cause : "");
	/* With a 2 s timeout, waiting for silence or the timeout would show. */
	ok(now_ms() - t0 < 500, "reply_is_taken_the_moment_it_is_complete "
	    "(%llu ms)", (unsigned long long)(now_ms() - t0));
	is_int(live.energy_wh, 123456, "live_energy_decoded");
	is_str(live.last_holder, "张三", "live_holder_decoded");
	is_int(live.link, PROTO_LINK_FORCED, "live_link_state_decoded");
	st = pile_bus_stats(r.bus);
	is_int(st->transactions, 1, "one_transaction");
	is_int(st->bytes_out, 8, "request_is_8_bytes");
	is_int(st->bytes_in, 5 + 2 * PROTO_LIVE_COUNT, "reply_bytes_counted");
	is_int(st->retries + st->timeouts + st->crc_errors, 0, "no_errors");
	fakeslave_rig_stop(&r);
	is_int(fakeslave_count(r.log, "03 0100 8 1"), 1,
	    "the_whole_live_block_in_one_fc03");
	free(r.log);
}

static void
test_silence(void)
{
	struct pile_bus_opts		 opts = { 50, 2, 0 };
	const struct pile_bus_stats	*st;
	struct proto_live		 live;
	struct fakeslave_rig		 r;
	char				*cause = NULL, *want;
	int				 rc;

	if (fakeslave_rig_start(&r, FS_SILENT, NULL, 1, &opts) != 0) {
		ok(0, "rig");
		return;
	}
	rc = pile_live(r.pile, &live, &cause);
	is_int(rc, PILE_E_TIMEOUT, "silent_pile_times_out");
	want = xasprintf("no answer from address 1 on '%s' at 115200 8E1 "
	    "after 3 tries (check the A/B wiring, the address with 'pilecon "
	    "scan', the baud rate and framing (Modbus default 8E1; 'pilecon "
	    "scan --detect' finds them), and that the pile is powered)",
	    r.fs.path);
	is_str(cause, want, "timeout_names_port_address_baud_and_tries");
	free(want);
	free(cause);
	st = pile_bus_stats(r.bus);
	is_int(st->timeouts, 3, "three_timeouts_counted");
	is_int(st->retries, 2, "two_retries_counted");
	fakeslave_rig_stop(&r);
	is_int(fakeslave_count(r.log, "03 0100"), 3,
	    "the_request_went_out_retries_plus_one_times");
	free(r.log);

	/* Nobody at address 2 on a working bus. */
	opts.retries = 0;
	if (fakeslave_rig_start(&r, 0, NULL, 2, &opts) != 0) {
		ok(0, "rig");
		return;
	}
	cause = NULL;
	rc = pile_live(r.pile, &live, &cause);
	is_int(rc, PILE_E_TIMEOUT, "wrong_address_times_out");
	ok(cause != NULL && strstr(cause, "no answer from address 2 on") ==
	    cause && strstr(cause, "after 1 try") != NULL,
	    "wrong_address_is_named: %s", cause ? cause : "");
	free(cause);
	fakeslave_rig_stop(&r);
	free(r.log);
}

static void
test_garbled(void)
{
	struct pile_bus_opts		 opts = { 50, 2, 0 };
	const struct pile_bus_stats	*st;
	struct proto_identity		 id;
	struct fakeslave_rig		 r;
	char				*cause = NULL, *want;
	int				 rc;

	if (fakeslave_rig_start(&r, FS_CORRUPT_FIRST, NULL, 1, &opts) != 0) {
		ok(0, "rig");
		return;
	}
	rc = pile_identity(r.pile, &id, &cause);
	is_int(rc, 0, "bad_crc_is_retried_and_then_read %s", cause ? cause : "");
	is_str(id.serial, FS_SERIAL, "identity_after_retry");
	st = pile_bus_stats(r.bus);
	is_int(st->crc_errors, 1, "one_crc_error_counted");
	is_int(st->retries, 1, "one_retry_counted");
	is_int(st->timeouts, 0, "no_timeout_for_a_garbled_reply");
	fakeslave_rig_stop(&r);
	is_int(fakeslave_count(r.log, "03 0000"), 2, "two_requests_on_the_wire");
	free(r.log);

	if (fakeslave_rig_start(&r, FS_GARBLE_ALL, NULL, 1, &opts) != 0) {
		ok(0, "rig");
		return;
	}
	rc = pile_identity(r.pile, &id, &cause);
	is_int(rc, PILE_E_GARBLED, "only_garbled_replies_fail_as_garbled");
	want = xasprintf("only garbled answers from address 1 on '%s' at "
	    "115200 8E1 after 3 tries (CRC errors: check termination, baud "
	    "rate and framing)", r.fs.path);
	is_str(cause, want, "garbled_message_points_at_the_line");
	free(want);
	free(cause);
	is_int(pile_bus_stats(r.bus)->crc_errors, 3, "three_crc_errors");
	fakeslave_rig_stop(&r);
	free(r.log);
}

static void
test_exception(void)
{
	struct pile_bus_opts		 opts = { 50, 2, 0 };
	struct proto_live		 live;
	struct fakeslave_rig		 r;
	char				*cause = NULL, *want;
	int				 rc;

	if (fakeslave_rig_start(&r, FS_EXCEPTION, NULL, 1, &opts) != 0) {
		ok(0, "rig");
		return;
	}
	rc = pile_live(r.pile, &live, &cause);
	is_int(rc, PILE_E_EXCEPTION, "exception_reply_is_an_exception");
	want = xasprintf("address 1 refused reading 'live.link_state' "
	    "(0x0100): %s", proto_exception_str(PROTO_EX_ILLEGAL_ADDRESS));
	is_str(cause, want, "exception_names_the_register_in_words");
	free(want);
	free(cause);
	is_int(pile_bus_stats(r.bus)->exceptions, 1, "exception_counted");
	is_int(pile_bus_stats(r.bus)->retries, 0, "an_answer_is_not_retried");
	fakeslave_rig_stop(&r);
	free(r.log);
}

static void
test_port_closed(void)
{
	struct pile_bus_opts		 opts = { 200, 2, 0 };
	struct proto_live		 live;
	struct fakeslave_rig		 r;
	char				*cause = NULL, *want;
	int				 rc;

	if (fakeslave_rig_start(&r, FS_CLOSE, NULL, 1, &opts) != 0) {
		ok(0, "rig");
		return;
	}
	rc = pile_live(r.pile, &live, &cause);
	is_int(rc, PILE_E_LINK, "closed_port_is_a_link_error");
	want = xasprintf("port '%s' went away: check the cable / adapter",
	    r.fs.path);
	is_str(cause, want, "closed_port_message");
	free(want);
	free(cause);
	fakeslave_rig_stop(&r);
	free(r.log);
}

static void
test_event_loop(void)
{
	struct pile_bus_opts	 opts = { 500, 2, 0 };
	struct pile_xfer	 x, other;
	struct proto_live	 live;
	struct pollfd		 pfd;
	struct fakeslave_rig	 r;
	char			*cause = NULL;
	int			 rc, steps = 0, w, w_max = 0, w_bad = 0;

	if (fakeslave_rig_start(&r, 0, NULL, 1, &opts) != 0) {
		ok(0, "rig");
		return;
	}
	memset(&x, 0, sizeof x);
	memset(&other, 0, sizeof other);
	pile_live_request(r.pile, &x);
	is_int(x.req.read_count, PROTO_LIVE_COUNT, "live_request_reads_the_block");
	/* A fast pile may answer before start returns. */
	rc = pile_bus_start(r.bus, &x);
	ok(rc == PILE_XFER_PENDING || rc == 0, "start_returns_pending_or_done");
	while (rc == PILE_XFER_PENDING && steps++ < 1000) {
		w = pile_bus_wait_ms(r.bus, &x);
		if (w < 0 || w > 1000)
			w_bad++;
		if (w > w_max)
			w_max = w;
		pfd.fd = link_fd(r.link);
		pfd.events = POLLIN;
		poll(&pfd, 1, w);
		rc = pile_bus_step(r.bus, &x);
	}
	/* One check however many turns the loop took, so the plan is fixed. */
	ok(w_bad == 0, "every_wait_is_bounded (longest %d ms)", w_max);
	is_int(rc, 0, "transaction_done_through_the_event_loop");
	is_int(pile_bus_wait_ms(r.bus, &x), -1, "idle_bus_has_nothing_to_wait_for");
	is_int(pile_live_parse(&x, &live, &cause), 0, "live_parsed");
	is_int(live.tariff_version, 3, "live_tariff_version");
	pile_xfer_reset(&x);

	/* Broadcast: nobody answers, nobody is waited for. */
	x.req.unit = 0;
	x.req.fc = PROTO_FC_WRITE_MULTIPLE;
	x.req.write_addr = PROTO_A_CTL_CLOCK;
	x.req.write_count = 2;
	rc = pile_bus_transact(r.bus, &x);
	is_int(rc, 0, "broadcast_expects_no_reply");
	pile_xfer_reset(&x);
	is_int(pile_live(r.pile, &live, &cause), 0,
	    "next_request_after_a_broadcast_is_answered");
	fakeslave_rig_stop(&r);
	is_int(fakeslave_count(r.log, "10 0224 13 0"), 1,
	    "broadcast_went_out_once");
	free(r.log);

	/* One transaction at a time: a second waits for the first. */
	opts.timeout_ms = 100;
	opts.retries = 0;
	if (fakeslave_rig_start(&r, FS_SILENT, NULL, 1, &opts) != 0) {
		ok(0, "rig");
		return;
	}
	pile_live_request(r.pile, &x);
	pile_live_request(r.pile, &other);
	rc = pile_bus_start(r.bus, &x);
	is_int(rc, PILE_XFER_PENDING, "start_on_a_silent_bus_is_pending");
	is_int(pile_bus_start(r.bus, &other), PILE_E_PROTOCOL,
	    "a_second_transaction_is_refused_while_one_runs");
	pile_xfer_reset(&other);
	is_int(pile_bus_transact(r.bus, &other), PILE_E_PROTOCOL,
	    "blocking_call_is_refused_too");
	pile_xfer_reset(&other);
	while (rc == PILE_XFER_PENDING) {
		pfd.fd = link_fd(r.link);
		pfd.events = POLLIN;
		poll(&pfd, 1, pile_bus_wait_ms(r.bus, &x));
		rc = pile_bus_step(r.bus, &x);
	}
	is_int(rc, PILE_E_TIMEOUT, "first_transaction_times_out_on_its_own");
	ok(x.cause != NULL && strstr(x.cause, "after 1 try") != NULL,
	    "event_loop_transaction_carries_its_cause");
	pile_xfer_reset(&x);
	fakeslave_rig_stop(&r);
	free(r.log);
}

int
main(void)
{
	test_live_in_one_transaction();
	test_silence();
	test_garbled();
	test_exception();
	test_port_closed();
	test_event_loop();
	return done_testing();
}
