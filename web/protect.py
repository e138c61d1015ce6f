"""What every response carries and what every request must pass before a handler runs: the
security headers and the Host allow-list; and the answer to a body that came too late.

The Host check stops DNS rebinding: a page on another site whose name an attacker points at
this machine's address would otherwise reach the app from the victim's browser as "same origin".
"""

import contextlib
import socket
import threading
from collections.abc import Iterable

from flask import Flask, Response, current_app, request
from werkzeug.exceptions import ClientDisconnected

from advisor.formatting import number_text
from advisor.i18n import gettext
from web.errors import problem, problem_lang
from web.i18n import _

# No inline script or style anywhere (templates and static files are checked by a test), so the
# policy allows only this origin's own files; charts are inline SVG markup, which is not script.
CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:",
    "object-src 'none'", "base-uri 'none'", "form-action 'self'", "frame-ancestors 'none'",
))
SECURITY_HEADERS: dict[str, str] = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",  # frame-ancestors for browsers that predate it
}
LOCAL_NAMES = ("localhost", "127.0.0.1", "::1")
WILDCARD_ADDRESSES = ("", "0.0.0.0", "::")


def _host_name(header: str) -> str:
    """Return the name part of a Host header (no port, lower case, no final dot)."""
    header = header.strip().lower()
    if header.startswith("["):  # an IPv6 literal: [::1]:5000
        name = header[1:header.find("]")] if "]" in header else header
    else:
        name, _, port = header.rpartition(":")
        name = name if port.isdigit() and name else header
    return name.rstrip(".")


def allowed_hosts(setting: str | None, bound: str) -> tuple[str, ...] | None:
    """Return the host names the app answers (None: any), from the ALLOWED_HOSTS setting or,
    when unset, the address `serve` binds plus the loopback names."""
    if setting:
        names = tuple(n.strip().lower().rstrip(".") for n in setting.split(",") if n.strip())
        return None if "*" in names else names
    if bound in WILDCARD_ADDRESSES:
        return (*LOCAL_NAMES, *_this_machine())
    return (*LOCAL_NAMES, _host_name(bound))


def _this_machine() -> tuple[str, ...]:
    """Return this machine's own names and addresses, for a server bound to every address."""
    names = {socket.gethostname().lower(), socket.getfqdn().lower()}
    with contextlib.suppress(OSError):  # a host name that does not resolve adds nothing
        names |= {str(info[4][0]) for info in socket.getaddrinfo(socket.gethostname(), None)}
    return tuple(sorted(names))


def host_allowed(header: str, allowed: Iterable[str] | None) -> bool:
    """Return True when the Host header names an allowed host ('.example.com' allows its
    subdomains too)."""
    if allowed is None:
        return True
    name = _host_name(header)
    return any(name == ref or (ref.startswith(".") and (name == ref[1:] or name.endswith(ref)))
               for ref in allowed)


def _check_host() -> Response | None:
    if host_allowed(request.headers.get("Host", ""), current_app.config["HOST_ALLOW_LIST"]):
        return None
    if request.path.startswith("/api/"):
        return problem(400, gettext(problem_lang(), "error.host.api_detail"),
                       [{"field": "Host", "message": "not an allowed host"}])
    return problem(400, _("error.host.detail"), title=_("error.host.title"))


# Threads whose request the production server stopped reading past REQUEST_TIMEOUT
# (web/worker.py): whatever the handler made of the cut-off body, the answer is 408.
_CUT_OFF: set[int] = set()


def mark_cut_off(thread_id: int) -> None:
    """Note that the request handled by `thread_id` was stopped past its deadline."""
    _CUT_OFF.add(thread_id)


def clear_cut_off(thread_id: int) -> None:
    """Forget the mark once the thread's request is done."""
    _CUT_OFF.discard(thread_id)


def _finish(response: Response) -> Response:
    """Answer 408 for a request that was cut off; add the security headers to every answer."""
    if threading.get_ident() in _CUT_OFF:
        response = _late_answer()
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def _late_answer() -> Response:
    """Return the 408 answer for a request whose body did not arrive in time."""
    if request.path.startswith("/api/"):
        lang = problem_lang()
        seconds = number_text(current_app.config["REQUEST_TIMEOUT"], lang)
        return problem(408, gettext(lang, "error.timeout.api_detail", seconds=seconds))
    return problem(408, _("error.timeout.detail"), title=_("error.timeout.title"))


class _GuardedInput:
    """A request body whose reads fail once the server has cut the request off, so that a
    handler never acts on (or stores) the part of a body that arrived before the deadline."""

    def __init__(self, stream):
        self._stream = stream

    def _checked(self, data):
        if threading.get_ident() in _CUT_OFF:
            raise ClientDisconnected()
        return data

    def read(self, *args) -> bytes:
        return self._checked(self._stream.read(*args))

    def readline(self, *args) -> bytes:
        return self._checked(self._stream.readline(*args))

    def readlines(self, *args) -> list[bytes]:
        return self._checked(self._stream.readlines(*args))

    def __iter__(self):
        while line := self.readline():
            yield line


def _guard_input(wsgi_app):
    """Return the WSGI app with its request body read through _GuardedInput."""
    def guarded(environ, start_response):
        environ["wsgi.input"] = _GuardedInput(environ["wsgi.input"])
        return wsgi_app(environ, start_response)
    return guarded


def _on_short_body(_exc: ClientDisconnected) -> Response:
    """The body ended before its announced length (the client went away or was cut off)."""
    return _late_answer()


def init_app(app: Flask) -> None:
    """Check the Host first of all, add the headers to every response, answer a late body."""
    app.config["HOST_ALLOW_LIST"] = allowed_hosts(app.config["ALLOWED_HOSTS"],
                                                  app.config["HOST"])
    app.before_request(_check_host)
    app.after_request(_finish)
    app.register_error_handler(ClientDisconnected, _on_short_body)
    # Flask's documented way to wrap its WSGI callable; mypy sees a method being replaced.
    app.wsgi_app = _guard_input(app.wsgi_app)  # type: ignore[method-assign]
