#!/usr/bin/python3
"""Interop peer: CONNECT tunnels over HTTP/2 with python-h2, as a client of a Weft server.

Opens --streams CONNECT streams (only :method and :authority, as HBONE sends), waits for
each response, sends --size pseudo-random octets per stream within the flow-control windows,
half-closes, and reads the echo to its end. Prints one JSON line and exits 0 when every
stream got :status 200 and an identical echo (SHA-256 compared). Any failure, the server
refusing the TLS connection included, prints {"error": ...} and exits 2.

With --ca the server's certificate must chain to that root (no host name check: mesh
certificates carry a SPIFFE ID, not a name); --expect-peer also requires its URI SAN.
"""
import argparse
import hashlib
import json
import random
import socket
import ssl
import sys

import h2.config
import h2.connection
import h2.events


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--tls", action="store_true")
    p.add_argument("--cert", help="client certificate (PEM), optional")
    p.add_argument("--key", help="client key (PEM), optional")
    p.add_argument("--authority", default="10.0.0.7:8080")
    p.add_argument("--streams", type=int, default=1)
    p.add_argument("--size", type=int, default=65536)
    p.add_argument("--ping", action="store_true", help="also check a PING is acknowledged")
    p.add_argument("--ca", help="root (PEM) the server's certificate must chain to; without it, any is accepted")
    p.add_argument("--expect-peer", help="the URI SAN (SPIFFE ID) the server's certificate must carry")
    a = p.parse_args()
    try:
        run(a)
    except (ssl.SSLError, OSError) as e:
        fail(f"connection failed: {e}")


def run(a):
    sock = socket.create_connection(("127.0.0.1", a.port), timeout=30)
    if a.tls:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        if a.ca:
            ctx.load_verify_locations(a.ca)
        else:
            ctx.verify_mode = ssl.CERT_NONE  # the test's self-signed certificate
        ctx.minimum_version = ssl.TLSVersion.TLSv1_3
        ctx.set_alpn_protocols(["h2"])
        if a.cert:
            ctx.load_cert_chain(a.cert, a.key)
        sock = ctx.wrap_socket(sock, server_hostname="weft.test")
        if sock.selected_alpn_protocol() != "h2":
            fail(f"ALPN negotiated {sock.selected_alpn_protocol()!r}")
        if a.expect_peer:
            uris = [v for k, v in sock.getpeercert().get("subjectAltName", ()) if k == "URI"]
            if uris != [a.expect_peer]:
                fail(f"the server is {uris}, expected {a.expect_peer}")

    # h2 4.1 rejects a CONNECT without :scheme/:path unless header validation is off.
    config = h2.config.H2Configuration(
        client_side=True,
        validate_outbound_headers=False,
        validate_inbound_headers=False,
        normalize_inbound_headers=False,
    )
    conn = h2.connection.H2Connection(config=config)
    conn.initiate_connection()
    sock.sendall(conn.data_to_send())

    streams = {}
    for i in range(a.streams):
        sid = conn.get_next_available_stream_id()
        rng = random.Random(sid)
        payload = rng.randbytes(a.size)
        conn.send_headers(sid, [(":method", "CONNECT"), (":authority", a.authority)])
        streams[sid] = {"payload": payload, "sent": 0, "status": None, "echo": hashlib.sha256(),
                        "echoed": 0, "ended": False, "half_closed": False}
    if a.ping:
        conn.ping(b"weftping")
    sock.sendall(conn.data_to_send())

    ping_acked = not a.ping
    while not all(s["ended"] for s in streams.values()) or not ping_acked:
        pump(conn, streams)
        sock.sendall(conn.data_to_send())
        data = sock.recv(65536)
        if not data:
            fail("the server closed the connection early")
        for ev in conn.receive_data(data):
            if isinstance(ev, h2.events.ResponseReceived):
                streams[ev.stream_id]["status"] = dict(ev.headers).get(b":status", b"").decode()
            elif isinstance(ev, h2.events.DataReceived):
                s = streams[ev.stream_id]
                s["echo"].update(ev.data)
                s["echoed"] += len(ev.data)
                conn.acknowledge_received_data(ev.flow_controlled_length, ev.stream_id)
            elif isinstance(ev, h2.events.StreamEnded):
                streams[ev.stream_id]["ended"] = True
            elif isinstance(ev, h2.events.StreamReset):
                fail(f"stream {ev.stream_id} reset with {ev.error_code!r}")
            elif isinstance(ev, h2.events.PingAckReceived):
                ping_acked = ev.ping_data == b"weftping"
            elif isinstance(ev, h2.events.ConnectionTerminated):
                fail(f"GOAWAY {ev.error_code!r}")
        sock.sendall(conn.data_to_send())

    bad = [sid for sid, s in streams.items()
           if s["status"] != "200" or s["echoed"] != a.size or s["echo"].digest() != hashlib.sha256(s["payload"]).digest()]
    conn.close_connection()
    sock.sendall(conn.data_to_send())
    sock.close()
    print(json.dumps({"streams": len(streams), "bytes": a.size, "statuses": sorted({s["status"] for s in streams.values()}),
                      "mismatched": bad, "ping": ping_acked}))
    sys.exit(1 if bad else 0)


def pump(conn, streams):
    """Sends what the windows allow, after each stream's 200; half-closes finished ones."""
    for sid, s in streams.items():
        if s["status"] != "200" or s["half_closed"]:
            continue
        while s["sent"] < len(s["payload"]):
            n = min(conn.local_flow_control_window(sid), conn.max_outbound_frame_size, len(s["payload"]) - s["sent"])
            if n <= 0:
                break
            conn.send_data(sid, s["payload"][s["sent"]:s["sent"] + n])
            s["sent"] += n
        if s["sent"] == len(s["payload"]):
            conn.end_stream(sid)
            s["half_closed"] = True


def fail(message):
    print(json.dumps({"error": message}))
    sys.exit(2)


if __name__ == "__main__":
    main()
