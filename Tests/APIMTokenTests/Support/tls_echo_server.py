#!/usr/bin/env python3
"""Loopback test peers for CurlTransport: an HTTPS echo server that requires client certificates,
and an HTTP CONNECT proxy that sends every tunnel to 127.0.0.1. Prints {"tls": port, "proxy": port}."""
import json, socket, ssl, sys, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
import socketserver

ca, cert, key = sys.argv[1], sys.argv[2], sys.argv[3]
tunnels = []

class Echo(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *a): pass
    def _reply(self):
        if self.path.startswith("/sleep"):
            time.sleep(3)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8", "replace") if length else ""
        peer = self.connection.getpeercert() or {}
        subject = dict(x[0] for x in peer.get("subject", ()))
        doc = {"method": self.command, "path": self.path, "headers": {k: v for k, v in self.headers.items()},
               "body": body, "clientCN": subject.get("commonName"), "tunnels": list(tunnels)}
        data = json.dumps(doc).encode()
        status = 429 if self.path.startswith("/throttle") else 200
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("X-Echo", "yes")
        if status == 429:
            self.send_header("Retry-After", "7")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
    do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _reply

context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
context.load_cert_chain(cert, key)
context.load_verify_locations(ca)
context.verify_mode = ssl.CERT_REQUIRED
httpd = ThreadingHTTPServer(("127.0.0.1", 0), Echo)
httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
httpd.daemon_threads = True

class Proxy(socketserver.BaseRequestHandler):
    def handle(self):
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = self.request.recv(4096)
            if not chunk: return
            data += chunk
        line = data.split(b"\r\n", 1)[0].decode()
        method, target, _ = line.split(" ", 2)
        if method != "CONNECT":
            self.request.sendall(b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n"); return
        tunnels.append(target)
        port = int(target.rsplit(":", 1)[1])
        upstream = socket.create_connection(("127.0.0.1", port))
        self.request.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
        def pump(a, b):
            try:
                while True:
                    d = a.recv(65536)
                    if not d: break
                    b.sendall(d)
            except OSError: pass
            finally:
                try: b.shutdown(socket.SHUT_WR)
                except OSError: pass
        t = threading.Thread(target=pump, args=(upstream, self.request), daemon=True); t.start()
        pump(self.request, upstream); t.join(5)

class ThreadingTCP(socketserver.ThreadingMixIn, socketserver.TCPServer):
    daemon_threads = True
    allow_reuse_address = True
proxy = ThreadingTCP(("127.0.0.1", 0), Proxy)

threading.Thread(target=httpd.serve_forever, daemon=True).start()
threading.Thread(target=proxy.serve_forever, daemon=True).start()
print(json.dumps({"tls": httpd.server_address[1], "proxy": proxy.server_address[1]}), flush=True)
sys.stdin.read()  # exits when the test closes our stdin
