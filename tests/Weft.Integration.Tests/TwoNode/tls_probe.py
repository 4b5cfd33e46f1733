#!/usr/bin/env python3
"""Connects to an HBONE listener as an independent TLS client (Python's ssl / OpenSSL), optionally with a
client certificate, and reports as JSON what happened: the server's SPIFFE ID and certificate dates,
ALPN, and whether the server went on to speak HTTP/2 (accepted) or cut us off (and with what)."""
import argparse, json, socket, ssl, struct

p = argparse.ArgumentParser()
p.add_argument("--host", required=True)
p.add_argument("--port", type=int, default=15008)
p.add_argument("--ca", required=True)
p.add_argument("--cert")
p.add_argument("--key")
a = p.parse_args()

ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.check_hostname = False            # SPIFFE: the identity is the URI SAN, reported below
ctx.verify_mode = ssl.CERT_REQUIRED
ctx.load_verify_locations(a.ca)
ctx.minimum_version = ssl.TLSVersion.TLSv1_3
ctx.set_alpn_protocols(["h2"])
if a.cert:
    ctx.load_cert_chain(a.cert, a.key)

out = {"handshake": False, "accepted": False}
try:
    with socket.create_connection((a.host, a.port), timeout=10) as raw:
        with ctx.wrap_socket(raw) as s:
            out["handshake"] = True
            out["version"] = s.version()
            out["alpn"] = s.selected_alpn_protocol()
            cert = s.getpeercert()
            out["server_uris"] = [v for k, v in cert.get("subjectAltName", ()) if k == "URI"]
            out["server_not_after_epoch"] = int(ssl.cert_time_to_seconds(cert["notAfter"]))
            out["server_serial"] = cert.get("serialNumber")
            # HTTP/2 preface and an empty SETTINGS frame; a server that accepted us answers with SETTINGS.
            s.sendall(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + struct.pack(">I", 0)[1:] + bytes([4, 0]) + struct.pack(">I", 0))
            header = b""
            while len(header) < 9:
                chunk = s.recv(9 - len(header))
                if not chunk:
                    raise ConnectionError("closed by the server")
                header += chunk
            out["accepted"] = header[3] == 4
except (ssl.SSLError, OSError, ConnectionError) as e:
    out["error"] = f"{type(e).__name__}: {e}"
print(json.dumps(out))
