/* names.c - words for the protocol's numbers: function codes, exceptions and
 * every enum register. The same tables write the protocol man page. */
#include "config.h"

#include <string.h>

#include "proto.h"

/* proto does not link libintl: mark for xgettext, callers translate. */
#define N_(s)	(s)

#define TABLE(v)	v, sizeof v / sizeof v[0]

static const struct proto_enum_value fc_values[] = {
	{ PROTO_FC_READ_HOLDING, N_("read holding registers"), "read_holding" },
	{ PROTO_FC_READ_INPUT, N_("read input registers"), "read_input" },
	{ PROTO_FC_WRITE_SINGLE, N_("write single register"), "write_single" },
	{ PROTO_FC_WRITE_MULTIPLE, N_("write multiple registers"), "write_multiple" },
	{ PROTO_FC_READ_WRITE_MULTIPLE, N_("read/write multiple registers"), "read_write_multiple" },
};

static const struct proto_enum_value exception_values[] = {
	{ PROTO_EX_ILLEGAL_FUNCTION, N_("illegal function: the pile refused "
	    "this request (unsupported function, or a write without an "
	    "authenticated session)"), "illegal_function" },
	{ PROTO_EX_ILLEGAL_ADDRESS, N_("illegal data address: the pile has no "
	    "such register"), "illegal_address" },
	{ PROTO_EX_ILLEGAL_VALUE, N_("illegal data value: the pile refused "
	    "the value"), "illegal_value" },
	{ PROTO_EX_DEVICE_FAILURE, N_("server device failure"), "device_failure" },
	{ PROTO_EX_ACKNOWLEDGE, N_("acknowledge: the pile needs longer to "
	    "finish the request"), "acknowledge" },
	{ PROTO_EX_BUSY, N_("server busy: try again later"), "busy" },
};

static const struct proto_enum_value link_values[] = {
	{ PROTO_LINK_ONLINE, N_("online"), "online" },
	{ PROTO_LINK_OFFLINE, N_("offline"), "offline" },
	{ PROTO_LINK_FORCED, N_("forced offline"), "forced_offline" },
};

static const struct proto_enum_value card_state_values[] = {
	{ PROTO_CARD_IDLE, N_("idle"), "idle" },
	{ PROTO_CARD_PRESENT, N_("card present"), "card_present" },
	{ PROTO_CARD_FAULT, N_("fault"), "fault" },
};

static const struct proto_enum_value auth_values[] = {
	{ PROTO_AUTH_NONE, N_("none"), "none" },
	{ PROTO_AUTH_ACCEPTED, N_("accepted"), "accepted" },
	{ PROTO_AUTH_BLOCKED, N_("blocked"), "blocked" },
	{ PROTO_AUTH_EXPIRED, N_("expired"), "expired" },
	{ PROTO_AUTH_UNKNOWN, N_("unknown card"), "unknown_card" },
	{ PROTO_AUTH_ONLINE_ACCEPTED, N_("accepted online"), "accepted_online" },
	{ PROTO_AUTH_ONLINE_REFUSED, N_("refused online"), "refused_online" },
	{ PROTO_AUTH_OFFLINE_DISABLED, N_("offline charging disabled"), "offline_disabled" },
	{ PROTO_AUTH_UNKNOWN_ACCEPTED, N_("unknown card accepted by policy"), "unknown_card_accepted" },
	{ PROTO_AUTH_EXPIRED_ACCEPTED, N_("expired card accepted by policy"), "expired_card_accepted" },
	{ PROTO_AUTH_BUSY, N_("busy"), "busy" },
	{ PROTO_AUTH_STORE_FULL, N_("refused: the record store is full"), "store_full" },
};

static const struct proto_enum_value cp_values[] = {
	{ PROTO_CP_AVAILABLE, N_("available"), "available" },
	{ PROTO_CP_PREPARING, N_("preparing"), "preparing" },
	{ PROTO_CP_CHARGING, N_("charging"), "charging" },
	{ PROTO_CP_FINISHING, N_("finishing"), "finishing" },
	{ PROTO_CP_FAULTED, N_("faulted"), "faulted" },
	{ PROTO_CP_SUSPENDED, N_("suspended"), "suspended" },
};

static const struct proto_enum_value source_values[] = {
	{ PROTO_SRC_NONE, N_("none"), "none" },
	{ PROTO_SRC_OFFLINE_CARD, N_("offline card"), "offline_card" },
	{ PROTO_SRC_ONLINE_CARD, N_("online card"), "online_card" },
	{ PROTO_SRC_APP_ORDER, N_("app order"), "app_order" },
};

static const struct proto_enum_value period_values[] = {
	{ 0, N_("sharp"), "sharp" },
	{ 1, N_("peak"), "peak" },
	{ 2, N_("flat"), "flat" },
	{ 3, N_("valley"), "valley" },
};

static const struct proto_enum_value policy_values[] = {
	{ 0, N_("refuse"), "refuse" },
	{ 1, N_("accept"), "accept" },
};

static const struct proto_enum_value resync_values[] = {
	{ PROTO_RESYNC_IDLE, N_("idle"), "idle" },
	{ PROTO_RESYNC_RUNNING, N_("running"), "running" },
	{ PROTO_RESYNC_DONE, N_("done"), "done" },
	{ PROTO_RESYNC_FAILED, N_("failed: no back-end"), "failed" },
};

static const struct proto_enum_value write_error_values[] = {
	{ PROTO_WERR_NONE, N_("none"), "none" },
	{ PROTO_WERR_NO_SESSION, N_("the write needs an authenticated "
	    "session"), "no_session" },
	{ PROTO_WERR_BAD_KEY, N_("wrong key: the authentication response did "
	    "not match"), "bad_key" },
	{ PROTO_WERR_LOCKED_OUT, N_("locked out after wrong keys: wait "
	    "auth.lockout_left_s seconds"), "locked_out" },
	{ PROTO_WERR_RANGE, N_("value out of range"), "range" },
	{ PROTO_WERR_FORCED_OFFLINE, N_("resync refused: the pile is forced "
	    "offline"), "forced_offline" },
	{ PROTO_WERR_NO_BACKEND, N_("resync refused: the back-end is "
	    "unreachable"), "no_backend" },
	{ PROTO_WERR_NEEDS_MAC, N_("the write must carry its own proof "
	    "(session.envelope, protocol 1.1)"), "needs_mac" },
	{ PROTO_WERR_BAD_MAC, N_("the write's MAC did not match"), "bad_mac" },
	{ PROTO_WERR_REPLAY, N_("the write's counter was already used "
	    "(a replayed frame?)"), "replay" },
	{ PROTO_WERR_BAD_ENVELOPE, N_("the envelope names registers a session "
	    "cannot write"), "bad_envelope" },
};

static const struct proto_enum_value custody_result_values[] = {
	{ PROTO_CUSTODY_OK, N_("ok"), "ok" },
	{ PROTO_CUSTODY_MISMATCH, N_("digest mismatch: the pile holds other "
	    "records in that range"), "mismatch" },
	{ PROTO_CUSTODY_NOT_HELD, N_("the pile does not hold every record of "
	    "the range"), "not_held" },
	{ PROTO_CUSTODY_BAD_RANGE, N_("bad range: first after last"), "bad_range" },
};

static const struct proto_enum_value commit_result_values[] = {
	{ PROTO_COMMIT_OK, N_("applied"), "applied" },
	{ PROTO_COMMIT_MISSING, N_("chunks missing: see stage.missing"), "missing" },
	{ PROTO_COMMIT_MISMATCH, N_("digest mismatch: the staged list differs"), "mismatch" },
	{ PROTO_COMMIT_NO_TRANSFER, N_("no staged list with that transfer id"), "no_transfer" },
	{ PROTO_COMMIT_FULL, N_("the staged list exceeds the whitelist "
	    "capacity"), "full" },
	{ PROTO_COMMIT_BAD_ENTRY, N_("a staged entry is impossible"), "bad_entry" },
};

static const struct proto_enum_value full_policy_values[] = {
	{ PROTO_FULL_REFUSE, N_("refuse offline charging"), "refuse" },
	{ PROTO_FULL_UNRECORDED, N_("charge without a record"), "unrecorded" },
};

static const struct proto_enum_value wl_cmd_values[] = {
	{ PROTO_WL_UPSERT, N_("upsert"), "upsert" },
	{ PROTO_WL_REMOVE, N_("remove"), "remove" },
	{ PROTO_WL_CLEAR, N_("clear"), "clear" },
	{ PROTO_WL_SET_VERSION, N_("set version"), "set_version" },
};

static const struct proto_enum_value wl_result_values[] = {
	{ PROTO_WL_OK, N_("ok"), "ok" },
	{ PROTO_WL_NOT_FOUND, N_("not found: no such card on the whitelist"), "not_found" },
	{ PROTO_WL_FULL, N_("out of storage: the whitelist is full"), "full" },
	{ PROTO_WL_BAD_ENTRY, N_("bad entry: empty or non-hex UID, or bad "
	    "status"), "bad_entry" },
	{ PROTO_WL_BAD_COMMAND, N_("bad command: unknown command or entry "
	    "count"), "bad_command" },
};

static const struct proto_enum_value wl_status_values[] = {
	{ PROTO_WL_ACCEPTED, N_("accepted"), "accepted" },
	{ PROTO_WL_BLOCKED, N_("blocked"), "blocked" },
};

static const struct proto_enum_value kind_values[] = {
	{ PROTO_REC_OFFLINE_CARD, N_("offline card"), "offline_card" },
	{ PROTO_REC_ONLINE_CARD, N_("online card"), "online_card" },
	{ PROTO_REC_APP_ORDER, N_("app order"), "app_order" },
};

static const struct proto_enum_value stop_values[] = {
	{ PROTO_STOP_UNPLUGGED, N_("unplugged"), "unplugged" },
	{ PROTO_STOP_CARD, N_("card swiped again"), "card" },
	{ PROTO_STOP_REMOTE, N_("stopped remotely"), "remote" },
	{ PROTO_STOP_ENERGY_LIMIT, N_("energy limit reached"), "energy_limit" },
	{ PROTO_STOP_POWER_LOSS, N_("power loss"), "power_loss" },
	{ PROTO_STOP_FAULT, N_("fault"), "fault" },
};

static const char *const no_regs[] = { NULL };
static const char *const link_regs[] = { "live.link_state", NULL };
static const char *const card_state_regs[] = { "live.card_state", NULL };
static const char *const auth_regs[] = { "live.last_auth", NULL };
static const char *const cp_regs[] = { "live.cp_state", NULL };
static const char *const source_regs[] = { "live.session_source", NULL };
static const char *const period_regs[] = { "live.session_period", NULL };
static const char *const policy_regs[] = { "live.unknown_card",
	"live.expired_card", "settings.unknown_card", "settings.expired_card",
	NULL };
static const char *const resync_regs[] = { "control.resync_state", NULL };
static const char *const write_error_regs[] = { "control.last_error", NULL };
static const char *const wl_cmd_regs[] = { "whitelist.cmd", NULL };
static const char *const wl_result_regs[] = { "whitelist.result", NULL };
static const char *const custody_result_regs[] = { "custody.result", NULL };
static const char *const commit_result_regs[] = { "stage.commit_result", NULL };
static const char *const full_policy_regs[] = { "live.full_policy",
	"settings.full_policy", NULL };

const struct proto_enum proto_enums[PROTO_ENUM_COUNT] = {
	[PROTO_ENUM_FC] = { "function codes", "function_code", no_regs,
	    TABLE(fc_values) },
	[PROTO_ENUM_EXCEPTION] = { "exceptions", "exception", no_regs,
	    TABLE(exception_values) },
	[PROTO_ENUM_LINK] = { "link states", "link_state", link_regs,
	    TABLE(link_values) },
	[PROTO_ENUM_CARD_STATE] = { "card reader states", "card_state",
	    card_state_regs, TABLE(card_state_values) },
	[PROTO_ENUM_AUTH] = { "auth results", "auth_result", auth_regs,
	    TABLE(auth_values) },
	[PROTO_ENUM_CP] = { "charge-point states", "cp_state", cp_regs,
	    TABLE(cp_values) },
	[PROTO_ENUM_SOURCE] = { "session sources", "session_source",
	    source_regs, TABLE(source_values) },
	[PROTO_ENUM_PERIOD] = { "tariff periods", "tariff_period", period_regs,
	    TABLE(period_values) },
	[PROTO_ENUM_POLICY] = { "offline card policies", "card_policy",
	    policy_regs, TABLE(policy_values) },
	[PROTO_ENUM_RESYNC] = { "resync states", "resync_state", resync_regs,
	    TABLE(resync_values) },
	[PROTO_ENUM_WRITE_ERROR] = { "write errors", "write_error",
	    write_error_regs, TABLE(write_error_values) },
	[PROTO_ENUM_WL_CMD] = { "whitelist commands", "whitelist_command",
	    wl_cmd_regs, TABLE(wl_cmd_values) },
	[PROTO_ENUM_WL_RESULT] = { "whitelist results", "whitelist_result",
	    wl_result_regs, TABLE(wl_result_values) },
	[PROTO_ENUM_WL_STATUS] = { "whitelist entry status",
	    "whitelist_status", no_regs, TABLE(wl_status_values) },
	[PROTO_ENUM_KIND] = { "record kinds", "record_kind", no_regs,
	    TABLE(kind_values) },
	[PROTO_ENUM_STOP] = { "stop reasons", "stop_reason", no_regs,
	    TABLE(stop_values) },
	[PROTO_ENUM_CUSTODY_RESULT] = { "custody results", "custody_result",
	    custody_result_regs, TABLE(custody_result_values) },
	[PROTO_ENUM_COMMIT_RESULT] = { "commit results", "commit_result",
	    commit_result_regs, TABLE(commit_result_values) },
	[PROTO_ENUM_FULL_POLICY] = { "full policies", "full_policy",
	    full_policy_regs, TABLE(full_policy_values) },
};

const char *
proto_enum_key(enum proto_enum_id id, unsigned value)
{
	const struct proto_enum	*e;
	size_t			 i;

	if ((unsigned)id >= PROTO_ENUM_COUNT)
		return "unknown";
	e = &proto_enums[id];
	for (i = 0; i < e->len; i++)
		if (e->values[i].value == value)
			return e->values[i].key != NULL ? e->values[i].key :
			    "unknown";
	return "unknown";
}

int
proto_enum_find(enum proto_enum_id id, const char *name, unsigned *value)
{
	const struct proto_enum	*e;
	size_t			 i;

	if ((unsigned)id >= PROTO_ENUM_COUNT || name == NULL)
		return -1;
	e = &proto_enums[id];
	for (i = 0; i < e->len; i++)
		if (strcmp(e->values[i].name, name) == 0 ||
		    (e->values[i].key != NULL &&
		    strcmp(e->values[i].key, name) == 0)) {
			*value = e->values[i].value;
			return 0;
		}
	return -1;
}

const char *
proto_enum_str(enum proto_enum_id id, unsigned value)
{
	const struct proto_enum	*e;
	size_t			 i;

	if ((unsigned)id >= PROTO_ENUM_COUNT)
		return N_("unknown");
	e = &proto_enums[id];
	for (i = 0; i < e->len; i++)
		if (e->values[i].value == value)
			return e->values[i].name;
	return N_("unknown");
}

const struct proto_enum *
proto_enum_of_reg(const char *reg_name)
{
	const char *const	*r;
	size_t			 i;

	for (i = 0; i < PROTO_ENUM_COUNT; i++)
		for (r = proto_enums[i].regs; *r != NULL; r++)
			if (strcmp(*r, reg_name) == 0)
				return &proto_enums[i];
	return NULL;
}

const char *
proto_fc_name(uint8_t fc)
{
	return proto_enum_str(PROTO_ENUM_FC, fc);
}

const char *
proto_exception_str(uint8_t ex)
{
	return proto_enum_str(PROTO_ENUM_EXCEPTION, ex);
}

const char *
proto_link_str(unsigned v)
{
	return proto_enum_str(PROTO_ENUM_LINK, v);
}

const char *
proto_card_state_str(unsigned v)
{
	return proto_enum_str(PROTO_ENUM_CARD_STATE, v);
}

const char *
proto_auth_str(unsigned v)
{
	return proto_enum_str(PROTO_ENUM_AUTH, v);
}

const char *
proto_cp_str(unsigned v)
{
	return proto_enum_str(PROTO_ENUM_CP, v);
}

const char *
proto_source_str(unsigned v)
{
	return proto_enum_str(PROTO_ENUM_SOURCE, v);
}

const char *
proto_period_str(unsigned v)
{
	return proto_enum_str(PROTO_ENUM_PERIOD, v);
}

const char *
proto_resync_str(unsigned v)
{
	return proto_enum_str(PROTO_ENUM_RESYNC, v);
}

const char *
proto_write_error_str(unsigned v)
{
	return proto_enum_str(PROTO_ENUM_WRITE_ERROR, v);
}

const char *
proto_wl_cmd_str(unsigned v)
{
	return proto_enum_str(PROTO_ENUM_WL_CMD, v);
}

const char *
proto_wl_result_str(unsigned v)
{
	return proto_enum_str(PROTO_ENUM_WL_RESULT, v);
}

const char *
proto_wl_status_str(unsigned v)
{
	return proto_enum_str(PROTO_ENUM_WL_STATUS, v);
}

const char *
proto_kind_str(unsigned v)
{
	return proto_enum_str(PROTO_ENUM_KIND, v);
}

const char *
proto_stop_str(unsigned v)
{
	return proto_enum_str(PROTO_ENUM_STOP, v);
}
