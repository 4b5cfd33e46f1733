/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Everything the eBPF programs and the agent both see: constants, map names and the
 * layout of map keys and values. The C# mirror is agent/Weft.Capture/Maps/SharedStructs.cs;
 * tests/Weft.Capture.Tests checks it against the BTF of the compiled object.
 *
 * Addresses are always 16 bytes in network order; IPv4 is stored IPv4-mapped
 * (::ffff:a.b.c.d) so one key type serves both families. Ports are host order.
 */
#ifndef WEFT_SHARED_H
#define WEFT_SHARED_H

#include <linux/types.h>

/* SO_MARK on the agent's own sockets: the programs let them pass (no capture loop), when
 * they come from the agent's cgroup (see weft_settings). */
#define WEFT_MARK 0x539

/* Listeners the agent binds inside every enrolled pod's network namespace. */
#define WEFT_OUTBOUND_PORT 15001
#define WEFT_INBOUND_PLAIN_PORT 15006
#define WEFT_INBOUND_TUNNEL_PORT 15008

/* Source address of the agent's connections to the application on inbound; the
 * sk_lookup program must not steer them back to the agent. Istio uses the same. */
#define WEFT_INBOUND_SOURCE_V4 0x7f000006 /* 127.0.0.6 */

/* Original destination of a redirected connection. */
struct weft_orig_dst {
	__u32 addr[4];  /* network order, IPv4-mapped for IPv4 */
	__u16 port;     /* host order */
	__u16 family;   /* AF_INET or AF_INET6, as the application connected */
};

/* (network namespace, family, local address and port of the application's socket): how the
 * agent finds the original destination of the connection it accepted on its outbound listener
 * (the client end it sees). The family is that of the listener reached (weft_orig_dst.family):
 * IPv4 and IPv6 connections may share a local port, and so may sockets bound to different
 * local addresses. The agent deletes the entry when it reads it. */
struct weft_port_key {
	__u64 netns_cookie;
	__u32 addr[4];  /* network order, IPv4-mapped for IPv4 */
	__u16 port;     /* host order */
	__u16 family;   /* AF_INET or AF_INET6 */
	__u32 pad;      /* zero */
};

/* Value of the enrolment map, keyed by netns cookie. */
struct weft_netns_info {
	__u32 flags;    /* reserved, zero */
	__u32 pod_id;   /* the agent's handle of the pod, for diagnostics */
};

enum weft_listener_kind {
	WEFT_LISTENER_PLAIN = 0,  /* 15006: plaintext inbound */
	WEFT_LISTENER_TUNNEL = 1, /* 15008: HBONE inbound */
};

/* Key of the listener sockhash used by sk_lookup: a pod address and a listener kind. */
struct weft_listener_key {
	__u32 addr[4];  /* network order, IPv4-mapped for IPv4 */
	__u32 kind;     /* enum weft_listener_kind */
};

/* Key of the excluded-destination LPM trie; IPv4 prefixes are stored as 96 + len. */
struct weft_cidr_key {
	__u32 prefixlen;
	__u32 addr[4];
};

/* The one entry of the settings map, written by the agent before it enrols any pod. */
struct weft_settings {
	/* cgroup v2 id of the agent's process: SO_MARK alone can be set by any pod with
	 * CAP_NET_RAW, so the mark exempts a socket only when the agent itself connects. */
	__u64 agent_cgroup_id;
};

/* Indexes of the per-CPU counters map. */
enum weft_counter {
	WEFT_CTR_CONNECT_REDIRECTED = 0,
	WEFT_CTR_CONNECT_SKIP_MARK = 1,
	WEFT_CTR_CONNECT_SKIP_LOOPBACK = 2,
	WEFT_CTR_CONNECT_SKIP_EXCLUDED = 3,
	WEFT_CTR_SOCKOPS_INDEXED = 4,
	WEFT_CTR_SOCKOPS_RELEASED = 5,
	WEFT_CTR_LOOKUP_STEERED = 6,
	WEFT_CTR_LOOKUP_SKIP_AGENT = 7,
	WEFT_CTR_LOOKUP_ASSIGN_FAILED = 8,
	WEFT_CTR_MAX = 9,
};

#define WEFT_MAX_PODS 1024
#define WEFT_MAX_CONNS 65536

#endif
