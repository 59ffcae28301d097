"""An echo backend in its own process, so that a test can kill it with SIGKILL mid-load.

Usage: ``python echo_process.py HOST CLOUD SERVICE``; prints ``host:port`` once listening.
Answers every request (kept alive) with its cloud and service as JSON.
"""

import http.server
import json
import sys


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def _answer(self):
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        body = json.dumps({"cloud": self.server.cloud, "service": self.server.service}).encode()
        # headers and body in one write, as WSGI servers send a small answer
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self._headers_buffer.append(b"\r\n")
        self._headers_buffer.append(b"" if self.command == "HEAD" else body)
        self.flush_headers()

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _answer

    def log_message(self, *args):
        pass


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # TCP health checks connect and close: not an error


def main(host, cloud, service):
    server = Server((host, 0), Handler)
    server.cloud, server.service = cloud, service
    print(f"{host}:{server.server_address[1]}", flush=True)
    server.serve_forever(poll_interval=0.05)


if __name__ == "__main__":
    main(*sys.argv[1:4])
