"""An HTTP server for the network tests, on 127.0.0.1 (the guest reaches it
as 10.0.2.2 through QEMU's user network), serving a folder and injecting
faults by path:

  /files/NAME            the file, with Content-Length
  /chunked/NAME          the file in a chunked body (chunks of varied sizes)
  /noclen/NAME           the file with no length, read to the close
  /redirect/N/NAME       N redirects (absolute, then absolute-path, then
                         relative Locations in turn), then /files/NAME
  /loop                  a redirect to itself
  /status/CODE           that status, a short text body
  /close-mid/NAME        the right Content-Length, half the file, then close
  /short/NAME            a Content-Length 1000 bytes longer than the file
  /badchunk/NAME         a chunked body whose second chunk size is not hex
  /stall-head            accepts, never answers
  /stall-body/NAME       the head and 64 KiB of the file, then silence
  /huge                  a Content-Length of 64 GiB, then silence

Requests are logged (path and status) in .log, for tests that check which
files were asked for.
"""

import http.server
import os
import threading
import time


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def _file(self, name):
        path = os.path.join(self.server.root, name)
        if not os.path.isfile(path):
            return None
        with open(path, "rb") as f:
            return f.read()

    def _head(self, code, headers=(), length=None):
        self.send_response_only(code)
        for k, v in headers:
            self.send_header(k, v)
        if length is not None:
            self.send_header("Content-Length", str(length))
        self.send_header("Connection", "close")
        self.end_headers()
        self.server.log.append((self.path, code))

    def _body(self, code, data, headers=()):
        self._head(code, headers, len(data))
        self.wfile.write(data)

    def _sleep(self):
        # Until the test's server stops (or 10 minutes).
        self.server.stopping.wait(600)

    def do_GET(self):
        self.close_connection = True
        try:
            self._get()
        except (ConnectionError, BrokenPipeError):
            pass        # baton gave up on this file: what the test wanted

    def _get(self):
        parts = self.path.lstrip("/").split("/", 1)
        kind, rest = parts[0], parts[1] if len(parts) > 1 else ""
        if kind == "status":
            code = int(rest)
            return self._body(code, b"status %d\n" % code)
        if kind == "loop":
            return self._body(302, b"", [("Location", "/loop")])
        if kind == "stall-head":
            self.server.log.append((self.path, 0))
            return self._sleep()
        if kind == "huge":
            self._head(200, length=64 << 30)
            self.wfile.flush()
            return self._sleep()
        if kind == "redirect":
            n, name = rest.split("/", 1)
            n = int(n)
            if n == 0:
                target = "/files/" + name
            elif n % 3 == 0:
                target = "http://%s/redirect/%d/%s" % (
                    self.headers.get("Host"), n - 1, name)
            elif n % 3 == 1:
                target = "/redirect/%d/%s" % (n - 1, name)
            else:
                # From the folder of /redirect/N/NAME.
                target = "../" * (name.count("/") + 1) + "%d/%s" % (n - 1,
                                                                    name)
            return self._body(302, b"", [("Location", target)])
        data = self._file(rest)
        if data is None:
            return self._body(404, b"not found\n")
        if kind == "files":
            return self._body(200, data)
        if kind == "noclen":
            self.send_response_only(200)
            self.send_header("Connection", "close")
            self.end_headers()
            self.server.log.append((self.path, 200))
            self.wfile.write(data)
            return
        if kind in ("chunked", "badchunk"):
            self._head(200, [("Transfer-Encoding", "chunked")])
            sizes = [1, 4096, 65536, 1000000, 7]
            pos, n = 0, 0
            while pos < len(data):
                piece = data[pos:pos + sizes[n % len(sizes)]]
                size = b"%x" % len(piece)
                if kind == "badchunk" and n == 1:
                    size = b"zz"
                self.wfile.write(size + b";ext=1\r\n" + piece + b"\r\n")
                pos += len(piece)
                n += 1
            self.wfile.write(b"0\r\nX-Trailer: yes\r\n\r\n")
            return
        if kind == "close-mid":
            self._head(200, length=len(data))
            self.wfile.write(data[:len(data) // 2])
            return
        if kind == "short":
            self._head(200, length=len(data) + 1000)
            self.wfile.write(data)
            return
        if kind == "stall-body":
            self._head(200, length=len(data))
            self.wfile.write(data[:65536])
            self.wfile.flush()
            return self._sleep()
        return self._body(404, b"unknown kind\n")


class FaultServer:
    """A threaded server on 127.0.0.1 (a free port) for root; .port, .log,
    stop()."""

    def __init__(self, root):
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                                     _Handler)
        self.httpd.daemon_threads = True
        self.httpd.root = str(root)
        self.httpd.log = []
        self.httpd.stopping = threading.Event()
        self.port = self.httpd.server_address[1]
        self.log = self.httpd.log
        self.thread = threading.Thread(target=self.httpd.serve_forever,
                                       daemon=True)
        self.thread.start()

    def stop(self):
        self.httpd.stopping.set()
        self.httpd.shutdown()
        self.httpd.server_close()
        time.sleep(0)
