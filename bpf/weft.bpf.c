// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Weft capture programs.
 *  connect4/connect6 (cgroup): redirect enrolled pods' outbound TCP to the agent's
 *      in-pod listener 127.0.0.1:15001, remembering the original destination.
 *  sockops (cgroup): once that connection is established, re-key the original
 *      destination by (netns cookie, family, local address and port) — what the agent sees on accept.
 *  getpeername4/6 (cgroup): the application's getpeername shows the original destination.
 *  sk_lookup (per pod netns): steer inbound TCP for the pod's addresses to the
 *      agent's inbound listeners in that namespace.
 * Enrolment is by network namespace cookie, so only pods the agent enrolled are touched.
 */
#include <linux/bpf.h>
#include <linux/in.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "weft_shared.h"

#define AF_INET 2
#define AF_INET6 10
#define SOCK_STREAM 1

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, WEFT_MAX_PODS);
	__type(key, __u64);
	__type(value, struct weft_netns_info);
} weft_enrolled SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, WEFT_MAX_CONNS);
	__type(key, __u64);
	__type(value, struct weft_orig_dst);
} weft_orig_by_cookie SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, WEFT_MAX_CONNS);
	__type(key, struct weft_port_key);
	__type(value, struct weft_orig_dst);
} weft_orig_by_port SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u16);
	__type(value, __u8);
} weft_excluded_ports SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 256);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct weft_cidr_key);
	__type(value, __u8);
} weft_excluded_cidrs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_SOCKHASH);
	__uint(max_entries, 2 * WEFT_MAX_PODS * 4);
	__type(key, struct weft_listener_key);
	__type(value, __u64);
} weft_listeners SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct weft_settings);
} weft_settings SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, WEFT_CTR_MAX);
	__type(key, __u32);
	__type(value, __u64);
} weft_counters SEC(".maps");

static __always_inline void count(__u32 idx)
{
	__u64 *v = bpf_map_lookup_elem(&weft_counters, &idx);
	if (v)
		*v += 1;
}

static __always_inline int excluded(const __u32 addr[4], __u16 port)
{
	struct weft_cidr_key k = { .prefixlen = 128 };

	if (bpf_map_lookup_elem(&weft_excluded_ports, &port))
		return 1;
	k.addr[0] = addr[0];
	k.addr[1] = addr[1];
	k.addr[2] = addr[2];
	k.addr[3] = addr[3];
	return bpf_map_lookup_elem(&weft_excluded_cidrs, &k) != 0;
}

/* The agent's own connection: marked, and made by the agent's process. */
static __always_inline int from_agent(struct bpf_sock *sk)
{
	__u32 zero = 0;
	struct weft_settings *cfg;

	if (!sk || sk->mark != WEFT_MARK)
		return 0;
	cfg = bpf_map_lookup_elem(&weft_settings, &zero);
	return cfg && cfg->agent_cgroup_id == bpf_get_current_cgroup_id();
}

/* Common part of connect4/6: is this socket one we capture? */
static __always_inline int should_capture(struct bpf_sock_addr *ctx)
{
	__u64 netns = bpf_get_netns_cookie(ctx);
	struct bpf_sock *sk;

	if (ctx->type != SOCK_STREAM)
		return 0;
	if (!bpf_map_lookup_elem(&weft_enrolled, &netns))
		return 0;
	sk = ctx->sk;
	if (from_agent(sk)) {
		count(WEFT_CTR_CONNECT_SKIP_MARK);
		return 0;
	}
	return 1;
}

static __always_inline int remember(struct bpf_sock_addr *ctx, const __u32 addr[4], __u16 port, __u16 family)
{
	struct weft_orig_dst dst = { .port = port, .family = family };
	__u64 cookie = bpf_get_socket_cookie(ctx);

	dst.addr[0] = addr[0];
	dst.addr[1] = addr[1];
	dst.addr[2] = addr[2];
	dst.addr[3] = addr[3];
	return bpf_map_update_elem(&weft_orig_by_cookie, &cookie, &dst, BPF_ANY) == 0;
}

SEC("cgroup/connect4")
int weft_connect4(struct bpf_sock_addr *ctx)
{
	__u32 addr[4] = { 0, 0, bpf_htonl(0xffff), ctx->user_ip4 };
	__u16 port = bpf_ntohs(ctx->user_port);

	if (!should_capture(ctx))
		return 1;
	if ((bpf_ntohl(addr[3]) >> 24) == 127) {
		count(WEFT_CTR_CONNECT_SKIP_LOOPBACK);
		return 1;
	}
	if (excluded(addr, port)) {
		count(WEFT_CTR_CONNECT_SKIP_EXCLUDED);
		return 1;
	}
	/* Without the original destination the agent could not serve the connection:
	 * leave it alone rather than break it. */
	if (!remember(ctx, addr, port, AF_INET))
		return 1;
	ctx->user_ip4 = bpf_htonl(0x7f000001);
	ctx->user_port = bpf_htons(WEFT_OUTBOUND_PORT);
	count(WEFT_CTR_CONNECT_REDIRECTED);
	return 1;
}

SEC("cgroup/connect6")
int weft_connect6(struct bpf_sock_addr *ctx)
{
	__u32 addr[4] = { ctx->user_ip6[0], ctx->user_ip6[1], ctx->user_ip6[2], ctx->user_ip6[3] };
	__u16 port = bpf_ntohs(ctx->user_port);
	int mapped = addr[0] == 0 && addr[1] == 0 && addr[2] == bpf_htonl(0xffff);

	if (!should_capture(ctx))
		return 1;
	if ((mapped && (bpf_ntohl(addr[3]) >> 24) == 127) ||
	    (addr[0] == 0 && addr[1] == 0 && addr[2] == 0 && addr[3] == bpf_htonl(1))) {
		count(WEFT_CTR_CONNECT_SKIP_LOOPBACK);
		return 1;
	}
	if (excluded(addr, port)) {
		count(WEFT_CTR_CONNECT_SKIP_EXCLUDED);
		return 1;
	}
	if (!remember(ctx, addr, port, mapped ? AF_INET : AF_INET6))
		return 1;
	/* A dual-stack socket reaching an IPv4 peer goes to the IPv4 listener. */
	ctx->user_ip6[0] = 0;
	ctx->user_ip6[1] = 0;
	ctx->user_ip6[2] = mapped ? bpf_htonl(0xffff) : 0;
	ctx->user_ip6[3] = mapped ? bpf_htonl(0x7f000001) : bpf_htonl(1);
	ctx->user_port = bpf_htons(WEFT_OUTBOUND_PORT);
	count(WEFT_CTR_CONNECT_REDIRECTED);
	return 1;
}

SEC("sockops")
int weft_sockops(struct bpf_sock_ops *skops)
{
	struct weft_port_key key = {};
	struct weft_orig_dst *dst;
	__u64 cookie;
	__u32 family, l4, l6_0, l6_1, l6_2, l6_3;

	switch (skops->op) {
	case BPF_SOCK_OPS_TCP_CONNECT_CB:
		/* A redirected connect that never establishes must still drop its cookie entry. */
		cookie = bpf_get_socket_cookie(skops);
		if (bpf_map_lookup_elem(&weft_orig_by_cookie, &cookie))
			bpf_sock_ops_cb_flags_set(skops, skops->bpf_sock_ops_cb_flags | BPF_SOCK_OPS_STATE_CB_FLAG);
		return 1;
	case BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB:
		cookie = bpf_get_socket_cookie(skops);
		dst = bpf_map_lookup_elem(&weft_orig_by_cookie, &cookie);
		if (!dst)
			return 1;
		key.netns_cookie = bpf_get_netns_cookie(skops);
		key.port = (__u16)skops->local_port;
		key.family = dst->family;
		/* The local address as the agent sees the client's end: an IPv4 socket's in its
		 * IPv4-mapped form (a dual-stack socket reaching IPv4 already holds that form). */
		/* Volatile: clang would merge neighbouring 4-byte context reads into one 8-byte
		 * read, which the verifier refuses for these fields. */
		family = *(volatile __u32 *)&skops->family;
		l4 = *(volatile __u32 *)&skops->local_ip4;
		l6_0 = *(volatile __u32 *)&skops->local_ip6[0];
		l6_1 = *(volatile __u32 *)&skops->local_ip6[1];
		l6_2 = *(volatile __u32 *)&skops->local_ip6[2];
		l6_3 = *(volatile __u32 *)&skops->local_ip6[3];
		if (family == AF_INET) {
			key.addr[2] = bpf_htonl(0xffff);
			key.addr[3] = l4;
		} else {
			key.addr[0] = l6_0;
			key.addr[1] = l6_1;
			key.addr[2] = l6_2;
			key.addr[3] = l6_3;
		}
		/* The agent takes this entry when it accepts; until then it must outlive even a
		 * client that already closed (its data waits in the accept queue). Entries of
		 * connections never accepted age out of the LRU map. */
		if (bpf_map_update_elem(&weft_orig_by_port, &key, dst, BPF_ANY) == 0) {
			count(WEFT_CTR_SOCKOPS_INDEXED);
			/* The cookie entry stays for getpeername; ask to hear when it can go. */
			bpf_sock_ops_cb_flags_set(skops, skops->bpf_sock_ops_cb_flags | BPF_SOCK_OPS_STATE_CB_FLAG);
		}
		return 1;
	case BPF_SOCK_OPS_STATE_CB:
		if (skops->args[1] != BPF_TCP_CLOSE)
			return 1;
		cookie = bpf_get_socket_cookie(skops);
		if (bpf_map_delete_elem(&weft_orig_by_cookie, &cookie) == 0)
			count(WEFT_CTR_SOCKOPS_RELEASED);
		return 1;
	}
	return 1;
}

/* getpeername on a redirected socket answers with the original destination, so the
 * application sees whom it connected to, not the agent's listener. */
SEC("cgroup/getpeername4")
int weft_getpeername4(struct bpf_sock_addr *ctx)
{
	__u64 cookie = bpf_get_socket_cookie(ctx);
	struct weft_orig_dst *dst = bpf_map_lookup_elem(&weft_orig_by_cookie, &cookie);

	if (dst && dst->family == AF_INET) {
		ctx->user_ip4 = dst->addr[3];
		ctx->user_port = bpf_htons(dst->port);
	}
	return 1;
}

SEC("cgroup/getpeername6")
int weft_getpeername6(struct bpf_sock_addr *ctx)
{
	__u64 cookie = bpf_get_socket_cookie(ctx);
	struct weft_orig_dst *dst = bpf_map_lookup_elem(&weft_orig_by_cookie, &cookie);

	if (dst) {
		ctx->user_ip6[0] = dst->addr[0];
		ctx->user_ip6[1] = dst->addr[1];
		ctx->user_ip6[2] = dst->addr[2];
		ctx->user_ip6[3] = dst->addr[3];
		ctx->user_port = bpf_htons(dst->port);
	}
	return 1;
}

SEC("sk_lookup")
int weft_sk_lookup(struct bpf_sk_lookup *ctx)
{
	struct weft_listener_key key = {};
	struct bpf_sock *sk;
	__u16 port = (__u16)ctx->local_port;
	long err;

	/* Read every context field once, up front: the verifier rejects the derived
	 * context pointers clang makes when fields are read in different branches. */
	__u32 family = ctx->family, protocol = ctx->protocol, remote4 = ctx->remote_ip4;
	__u32 local4 = ctx->local_ip4;
	__u32 l6_0 = ctx->local_ip6[0], l6_1 = ctx->local_ip6[1];
	__u32 l6_2 = ctx->local_ip6[2], l6_3 = ctx->local_ip6[3];
	__u32 r6_0 = ctx->remote_ip6[0], r6_1 = ctx->remote_ip6[1];
	__u32 r6_2 = ctx->remote_ip6[2], r6_3 = ctx->remote_ip6[3];

	if (protocol != IPPROTO_TCP)
		return SK_PASS;
	if (family == AF_INET) {
		if (remote4 == bpf_htonl(WEFT_INBOUND_SOURCE_V4)) {
			count(WEFT_CTR_LOOKUP_SKIP_AGENT);
			return SK_PASS;
		}
		key.addr[2] = bpf_htonl(0xffff);
		key.addr[3] = local4;
	} else {
		/* IPv6 has no 127.0.0.6: the agent reaches the application from the pod's own
		 * address, so a connection from the destination address itself is the agent's
		 * (or the pod talking to itself, which needs no steering either). */
		if (r6_0 == l6_0 && r6_1 == l6_1 && r6_2 == l6_2 && r6_3 == l6_3) {
			count(WEFT_CTR_LOOKUP_SKIP_AGENT);
			return SK_PASS;
		}
		key.addr[0] = l6_0;
		key.addr[1] = l6_1;
		key.addr[2] = l6_2;
		key.addr[3] = l6_3;
	}
	/* No capture exclusions here: they name destinations the pod's own outbound traffic
	 * reaches directly. Honouring them inbound would let any client past STRICT mode and
	 * policy on an excluded port, or into pods whose addresses fall in an excluded range. */
	key.kind = port == WEFT_INBOUND_TUNNEL_PORT ? WEFT_LISTENER_TUNNEL : WEFT_LISTENER_PLAIN;
	sk = bpf_map_lookup_elem(&weft_listeners, &key);
	if (!sk)
		return SK_PASS;
	err = bpf_sk_assign(ctx, sk, 0);
	bpf_sk_release(sk);
	if (err) {
		count(WEFT_CTR_LOOKUP_ASSIGN_FAILED);
		return SK_PASS;
	}
	count(WEFT_CTR_LOOKUP_STEERED);
	return SK_PASS;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
