/* ctl.h - private to the control commands of the pile world: what ctl.c (the
 * table, dispatch, the pile commands) shares with ctl-cloud.c. */
#ifndef SIM_CTL_H
#define SIM_CTL_H

#include <stdint.h>
#include <stdio.h>

#include "world.h"

/* Exit codes of a ctl command. */
#define CTL_OK		0
#define CTL_FAILED	1
#define CTL_USAGE	2

/* ctl.c: helpers for the commands */
/* Prints the running command's usage; returns CTL_USAGE. */
int	 sim_ctl_usage(FILE *);
/* Prints "error: ..."; returns CTL_FAILED. */
int	 sim_ctl_fail(FILE *, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int	 sim_ctl_parse_u32(const char *, uint32_t max, uint32_t *);
/* Takes an optional --json at argv[at]; non-zero after printing the usage. */
int	 sim_ctl_json_flag(int argc, char **argv, int at, FILE *, int *json);
/* A record on one line; synced -1 when the pile's sync state does not apply. */
void	 sim_ctl_print_record(FILE *, const char *serial, const struct proto_record *,
	    int synced);

/* The pile at the address in s, or NULL after printing why. */
struct sim_pile *sim_ctl_pile(struct sim_world *, const char *s, FILE *);

/* ctl-stage.c: power and the staging area (protocol 1.1) */
int	 sim_ctl_mains(struct sim_world *, int, char **, FILE *, uint64_t now_ms);
int	 sim_ctl_stage(struct sim_world *, int, char **, FILE *, uint64_t now_ms);

/* storeid.c: store reset ADDR (protocol 1.1, store identity) */
int	 sim_ctl_store(struct sim_world *, int, char **, FILE *, uint64_t now_ms);

/* ctl-cloud.c: the commands of the emulated cloud */
int	 sim_ctl_tariff(struct sim_world *, int, char **, FILE *, uint64_t now_ms);
int	 sim_ctl_app_order(struct sim_world *, int, char **, FILE *, uint64_t now_ms);
int	 sim_ctl_cloud(struct sim_world *, int, char **, FILE *, uint64_t now_ms);
/* ctl-sessions.c: sessions ADDR UID COUNT ... */
int	 sim_ctl_sessions(struct sim_world *, int, char **, FILE *, uint64_t now_ms);

/* cloud-import.c: cloud import FILE [--json] */
int	 sim_ctl_cloud_import(struct sim_world *, int, char **, FILE *);

#endif
