#!/usr/bin/python3
"""Interop peer: a python-h2 server that accepts CONNECT and echoes, for a Weft client.

Listens on 127.0.0.1 (an ephemeral port, printed as "PORT <n>"), serves one connection:
every CONNECT with an :authority gets :status 200 and its data echoed within the flow-control
windows, END_STREAM answered with END_STREAM; anything else gets 400. Optionally sends a
PING to check the client answers it. With --report, prints one JSON line per request: its
:authority, forwarded and traceparent headers and the client certificate's URI SANs (as the TLS
layer verified them). Exits 0 when the client closes the connection.
"""
import argparse
import json
import socket
import ssl
import sys

import h2.config
import h2.connection
import h2.events


def text(headers, name):
    value = headers.get(name)
    return value.decode("latin-1") if value is not None else None


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--tls", action="store_true")
    p.add_argument("--cert")
    p.add_argument("--key")
    p.add_argument("--require-client-cert", help="CA (PEM) the client certificate must chain to")
    p.add_argument("--alpn", default="h2", help="the ALPN protocol offered (another than h2 tests the client's check)")
    p.add_argument("--ping", action="store_true")
    p.add_argument("--report", action="store_true", help="print each request's headers and the client's URI SANs as JSON")
    a = p.parse_args()

    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    listener.settimeout(30)
    print(f"PORT {listener.getsockname()[1]}", flush=True)
    sock, _ = listener.accept()
    sock.settimeout(30)
    if a.tls:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.minimum_version = ssl.TLSVersion.TLSv1_3
        ctx.load_cert_chain(a.cert, a.key)
        ctx.set_alpn_protocols([a.alpn])
        if a.require_client_cert:
            ctx.verify_mode = ssl.CERT_REQUIRED
            ctx.load_verify_locations(a.require_client_cert)
        sock = ctx.wrap_socket(sock, server_side=True)
    peer_uris = []
    if a.tls and a.require_client_cert:
        peer_uris = [v for k, v in sock.getpeercert().get("subjectAltName", ()) if k == "URI"]

    config = h2.config.H2Configuration(
        client_side=False,
        validate_outbound_headers=False,
        validate_inbound_headers=False,
        normalize_inbound_headers=False,
    )
    conn = h2.connection.H2Connection(config=config)
    conn.initiate_connection()
    if a.ping:
        conn.ping(b"fromsrv!")
    sock.sendall(conn.data_to_send())

    pending = {}  # stream id -> [bytes to echo, client ended]
    ping_acked = not a.ping
    while True:
        try:
            data = sock.recv(65536)
        except (ConnectionResetError, ssl.SSLError):
            data = b""
        if not data:
            break
        for ev in conn.receive_data(data):
            if isinstance(ev, h2.events.RequestReceived):
                headers = dict(ev.headers)
                if a.report:
                    print(json.dumps({"authority": text(headers, b":authority"), "forwarded": text(headers, b"forwarded"),
                                      "traceparent": text(headers, b"traceparent"), "peer_uris": peer_uris}), flush=True)
                if headers.get(b":method") == b"CONNECT" and headers.get(b":authority"):
                    conn.send_headers(ev.stream_id, [(":status", "200")])
                    pending[ev.stream_id] = [bytearray(), False]
                else:
                    conn.send_headers(ev.stream_id, [(":status", "400")], end_stream=True)
            elif isinstance(ev, h2.events.DataReceived):
                # Streams answered with 400 are no longer tracked: their data is acknowledged, dropped.
                if ev.stream_id in pending:
                    pending[ev.stream_id][0] += ev.data
                conn.acknowledge_received_data(ev.flow_controlled_length, ev.stream_id)
            elif isinstance(ev, h2.events.StreamEnded):
                if ev.stream_id in pending:
                    pending[ev.stream_id][1] = True
            elif isinstance(ev, h2.events.StreamReset):
                pending.pop(ev.stream_id, None)
            elif isinstance(ev, h2.events.PingAckReceived):
                ping_acked = ev.ping_data == b"fromsrv!"
            elif isinstance(ev, h2.events.ConnectionTerminated):
                pass
        for sid in list(pending):
            buf, ended = pending[sid]
            while buf:
                n = min(conn.local_flow_control_window(sid), conn.max_outbound_frame_size, len(buf))
                if n <= 0:
                    break
                conn.send_data(sid, bytes(buf[:n]))
                del buf[:n]
            if ended and not buf:
                conn.end_stream(sid)
                del pending[sid]
        sock.sendall(conn.data_to_send())
    print("PING " + ("acked" if ping_acked else "not acked"), flush=True)
    sys.exit(0 if ping_acked else 3)


if __name__ == "__main__":
    main()
