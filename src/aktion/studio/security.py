"""The studio's front door: a per-launch token, a Host allowlist, no cross-site writes.

The studio edits files on the director's disk, so a web page in another tab must
not be able to drive it: every request needs the launch token (from the URL once,
then an HttpOnly SameSite=Strict cookie, or ``Authorization: Bearer``); the Host
header must name this machine (DNS rebinding); state-changing requests that a
browser marks cross-site, or that carry a foreign Origin, are refused.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from urllib.parse import urlencode, urlsplit

from starlette.datastructures import URL
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

COOKIE = "aktion_token"
"""The cookie's name stem; each studio names its own by port (``aktion_token_8765``):
cookies are per host, not per port, so two studios on one machine must not share one."""
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})
MAX_BODY = 32 * 1024 * 1024
"""No request body may be larger than this; uploads have their own, smaller cap."""
UPLOAD_BODY = 21 * 1024 * 1024
"""Reference uploads: the 20 MiB image cap plus room for the multipart envelope."""

HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; "
        "media-src 'self' blob:; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; "
        "form-action 'self'"
    ),
}


def new_token() -> str:
    return secrets.token_urlsafe(24)


def cookie_name(scope: Scope) -> str:
    server = scope.get("server")
    return f"{COOKIE}_{server[1]}" if server and server[1] else COOKIE


def body_limit(scope: Scope) -> int:
    return UPLOAD_BODY if str(scope.get("path", "")).endswith("/refs") else MAX_BODY


class BodyTooLarge(BaseException):
    """Raised from ``receive`` when a body without a (truthful) length passes the cap.

    A BaseException, so the framework's body parsing (which turns any Exception into a
    400) lets it through to the guard, which answers 413."""


def host_name(value: str) -> str:
    """The host part of a Host header or origin netloc, lower-cased, brackets removed."""
    host = value.strip().lower()
    if host.startswith("["):
        return host[1 : host.find("]")] if "]" in host else host
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


class Guard:
    """ASGI middleware enforcing the rules above on every HTTP request."""

    def __init__(self, app: ASGIApp, token: str, hosts: Iterable[str]):
        self.app = app
        self.token = token
        self.hosts = frozenset(h.lower() for h in hosts)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        refusal = self.check(request)
        if refusal is not None:
            await refusal(scope, receive, send)
            return
        if scope["type"] == "http" and request.query_params.get("token") and (
            request.method == "GET" and not request.url.path.startswith("/api/")
        ):
            # Trade the URL token for a cookie and drop it from the address bar and history.
            query = urlencode([(k, v) for k, v in request.query_params.multi_items()
                               if k != "token"])
            target = str(URL(path=request.url.path, query=query))
            response = RedirectResponse(target, status_code=303)
            self.set_cookie(response, scope)
            await response(scope, receive, send)
            return

        started = False

        async def send_with_headers(message: dict) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = list(message.get("headers", []))
                present = {k.lower() for k, _ in headers}
                for k, v in HEADERS.items():
                    if k.lower().encode() not in present:
                        headers.append((k.lower().encode(), v.encode()))
                message["headers"] = headers
            await send(message)

        # The body is counted as it arrives: a chunked upload with no Content-Length is
        # stopped at the cap, not read whole first.
        limit, seen = body_limit(scope), 0

        async def capped_receive() -> dict:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise BodyTooLarge
            return message

        try:
            await self.app(scope, capped_receive, send_with_headers)
        except BodyTooLarge:
            if not started:
                await _refuse(413, f"request body over {limit} bytes")(scope, receive, send)

    def set_cookie(self, response: Response, scope: Scope) -> None:
        response.set_cookie(cookie_name(scope), self.token, httponly=True, samesite="strict",
                            path="/")

    def check(self, request: Request) -> Response | None:
        """None when the request may proceed, else the refusal to send."""
        host = request.headers.get("host", "")
        if host_name(host) not in self.hosts:
            return _refuse(403, "this studio answers only to its own address (Host refused)")
        if request.method not in SAFE_METHODS:
            site = request.headers.get("sec-fetch-site")
            if site is not None and site not in ("same-origin", "none"):
                return _refuse(403, f"cross-site request refused (Sec-Fetch-Site: {site})")
            origin = request.headers.get("origin")
            if origin is not None and not self.same_origin(origin, host):
                return _refuse(403, "cross-site request refused (Origin)")
        length = request.headers.get("content-length")
        limit = body_limit(request.scope)
        if length is not None and (not length.isdigit() or int(length) > limit):
            return _refuse(413, f"request body over {limit} bytes")
        if not self.authorized(request):
            return _refuse(401, "missing or wrong studio token: open the URL `aktion studio` "
                                "printed, or send `Authorization: Bearer <token>`")
        return None

    def same_origin(self, origin: str, host: str) -> bool:
        parts = urlsplit(origin)
        return parts.scheme in ("http", "https") and parts.netloc.lower() == host.lower()

    def authorized(self, request: Request) -> bool:
        candidates = [request.cookies.get(cookie_name(request.scope)),
                      request.query_params.get("token")]
        auth = request.headers.get("authorization", "")
        if auth.lower().startswith("bearer "):
            candidates.append(auth[7:].strip())
        return any(c and secrets.compare_digest(c.encode(), self.token.encode())
                   for c in candidates)


def _refuse(status: int, detail: str) -> Response:
    return JSONResponse({"detail": detail}, status_code=status, headers=HEADERS)
