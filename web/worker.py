"""The production server's worker: gunicorn's threaded worker, with its own error answers
(400, 414, 431, ...) as problem+json under /api/ and a deadline for receiving each request.

Gunicorn answers a request it cannot parse itself, before the app sees it, with a small HTML
page. Which status and message it chooses is left to gunicorn: its answer is written to a
buffer, and only the status line and message are taken from it. The path, needed to know
whether the request was for the API, is peeked from the socket before gunicorn reads the
request (a request line too long to parse has no path otherwise).
"""

import contextlib
import html
import json
import re
import socket
import threading
import time
from typing import Any

from gunicorn.workers import gthread

from web.protect import SECURITY_HEADERS, clear_cut_off, mark_cut_off

_SEEN = threading.local()
_REQUEST_START = re.compile(rb"[A-Za-z]{1,16} (/[^ \r\n]*)")
_STATUS = re.compile(rb"HTTP/1\.[01] (\d{3}) ([^\r\n]*)\r\n")
_MESSAGE = re.compile(rb"</h1>\s*(.*?)\s*</body>", re.S)
PEEK_BYTES = 256


def peeked_path(sock: socket.socket) -> str | None:
    """Return the path of the request waiting on the socket, without consuming it."""
    try:
        head = sock.recv(PEEK_BYTES, socket.MSG_PEEK | socket.MSG_DONTWAIT)
    except OSError:  # nothing there yet, or a TLS socket
        return None
    match = _REQUEST_START.match(head)
    return match[1].decode("latin-1") if match else None


class _Capture:
    """Stands in for the client socket while gunicorn writes its error answer."""

    def __init__(self) -> None:
        self.data = b""

    def gettimeout(self) -> float:
        return 0.0

    def setblocking(self, _flag: bool) -> None:
        return None

    def sendall(self, data: bytes) -> None:
        self.data += data


def problem_answer(written: bytes) -> bytes | None:
    """Return gunicorn's HTML error answer rewritten as problem+json, or None if unreadable."""
    status = _STATUS.match(written)
    if status is None:
        return None
    code, reason = int(status[1]), status[2].decode("latin-1")
    message = _MESSAGE.search(written)
    detail = message[1].decode("latin-1") if message and message[1] else reason
    body = json.dumps({"type": "about:blank", "title": reason, "status": code,
                       "detail": html.unescape(detail)}).encode()
    headers = [f"HTTP/1.1 {code} {reason}", "Connection: close",
               "Content-Type: application/problem+json", f"Content-Length: {len(body)}",
               *(f"{name}: {value}" for name, value in SECURITY_HEADERS.items())]
    return ("\r\n".join(headers) + "\r\n\r\n").encode("latin-1") + body


class ProblemWorker(gthread.ThreadWorker):
    """Gunicorn's gthread worker whose own error answers under /api/ are problem+json, and
    which ends the reading of a request not received within gunicorn's `timeout`.

    A client that sends its headers or body slowly (or stops) would hold its thread for as long
    as it likes: gunicorn reads a request with blocking, unbounded reads. Each request being
    read gets a deadline; the worker's main loop, which wakes at least once a second, shuts
    the reading side of a late one's socket, so the blocked read ends at once (the answer is
    then 408, web/protect.py) and the thread is free again. (This relies on gthread's
    connection handling, so the gunicorn version is pinned from below.)
    """

    def init_process(self):
        self.deadlines: dict[Any, tuple[float, int]] = {}  # by gunicorn TConn
        super().init_process()

    def handle(self, conn):
        """Note the waiting request's path and deadline, then let gunicorn handle it."""
        if not conn.initialized and not conn.data_ready and not conn.wait_for_data(
                gthread.DEFAULT_WORKER_DATA_TIMEOUT):
            return gthread._DEFER  # what gunicorn answers for a silent new connection
        _SEEN.path = peeked_path(conn.sock)
        thread = threading.get_ident()
        self.deadlines[conn] = (time.monotonic() + self.cfg.timeout, thread)
        try:
            return super().handle(conn)
        finally:
            self.deadlines.pop(conn, None)
            clear_cut_off(thread)

    def murder_keepalived(self, force=False):
        """Close idle kept-alive connections (gunicorn's job here), then stop reading late
        requests."""
        super().murder_keepalived(force)
        now = time.monotonic()
        for conn, (deadline, thread) in list(self.deadlines.items()):
            if now > deadline and self.deadlines.pop(conn, None) is not None:
                mark_cut_off(thread)
                with contextlib.suppress(OSError):  # already closed by its thread
                    conn.sock.shutdown(socket.SHUT_RD)

    def handle_error(self, req, client, addr, exc):
        """Answer as gunicorn would, but in problem+json when the request was for the API."""
        path = getattr(req, "path", None) or getattr(_SEEN, "path", None)
        if not path or not path.startswith("/api/"):
            return super().handle_error(req, client, addr, exc)
        capture = _Capture()
        super().handle_error(req, capture, addr, exc)
        answer = problem_answer(capture.data)
        try:
            if answer is None:
                client.sendall(capture.data)
            else:
                client.sendall(answer)
        except OSError:
            self.log.debug("Failed to send error message.")
        return None
