"""The guard in front of every request: Host check, token, CSRF, body size, security headers.

A local tool that handles client data is still reachable by every web page the user opens: a page
can make the browser send requests to 127.0.0.1, and a DNS-rebinding page can even read the
answers. So: the Host header must name the bound address (a rebinding page's requests carry the
attacker's host name); every request but `/api/health` carries the token (`Authorization: Bearer`,
or the HttpOnly SameSite=Strict cookie set by the first `?token=` page load); a POST authorised by
the cookie also carries the CSRF token in `X-CSRF-Token` (another site can make the browser send the
cookie, but cannot read a page to learn that token); bodies are capped before they are read; every
answer gets a strict Content-Security-Policy.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import re
from collections.abc import Awaitable, Callable, MutableMapping
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

COOKIE = "cluster_intl_token"
CSRF_HEADER = "x-csrf-token"
OPEN_PATHS = ("/api/health",)

# pages: scripts and styles from our own origin only (no inline script, no external origin)
PAGE_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'"
)


def document_csp(html: str) -> str:
    """CSP of a generated document shown in a frame (program, catalogue): no script at all; its
    one inline stylesheet is allowed by hash, nothing else."""
    hashes = " ".join(
        "'sha256-" + _b64(hashlib.sha256(m.group(1).encode("utf-8")).digest()) + "'"
        for m in re.finditer(r"<style>(.*?)</style>", html, flags=re.S)
    )
    styles = hashes or "'none'"
    return (
        f"default-src 'none'; style-src {styles}; img-src data:; "
        "frame-ancestors 'self'; base-uri 'none'; form-action 'none'"
    )


def _b64(raw: bytes) -> str:
    import base64

    return base64.b64encode(raw).decode("ascii")


def csrf_token(token: str) -> str:
    """Derived from the access token: one per server, unknown to any other origin."""
    return hmac.new(token.encode("utf-8"), b"cluster-intl csrf", hashlib.sha256).hexdigest()


def allowed_hosts(host: str, port: int) -> tuple[set[str], bool]:
    """The Host values that name the bound address; and whether any IP literal is fine (a bind to
    all interfaces: the address a client uses is not known, but a rebinding attack needs a name)."""
    names = {host.lower()}
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        ip = None
    if (ip is not None and ip.is_loopback) or host == "localhost":
        names |= {"127.0.0.1", "localhost", "[::1]"}
    if ip is not None and ip.version == 6:
        names.add(f"[{host}]")
    any_ip = ip is not None and ip.is_unspecified
    return {f"{n}:{port}" for n in names}, any_ip


def _host_is_ip(value: str, port: int) -> bool:
    name, _, p = value.rpartition(":")
    if p != str(port):
        return False
    try:
        ipaddress.ip_address(name.strip("[]"))
    except ValueError:
        return False
    return True


class Guard:
    """ASGI middleware around the whole application."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        token: str,
        host: str,
        port: int,
        max_body: int,
        refuse: Callable[[Scope, int, str], Awaitable[tuple[bytes, str]]],
    ) -> None:
        self.app = app
        self.token = token.encode("utf-8")
        self.csrf = csrf_token(token).encode("ascii")
        self.hosts, self.any_ip = allowed_hosts(host, port)
        self.port = port
        self.max_body = max_body
        # builds the body of a refusal (a page or JSON, localized) for (scope, status, reason)
        self.refuse = refuse

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        path: str = scope["path"]
        host = headers.get("host", "").lower()
        if host not in self.hosts and not (self.any_ip and _host_is_ip(host, self.port)):
            await self._deny(scope, send, 421, "host")
            return
        length = headers.get("content-length", "")
        if length and (not length.isdigit() or int(length) > self.max_body):
            await self._deny(scope, send, 413, "too_large")
            return
        if path not in OPEN_PATHS:
            by_header = self._bearer(headers)
            by_cookie = self._cookie(headers)
            if not (by_header or by_cookie):
                if scope["method"] == "GET" and self._query_token(scope):
                    await self._set_cookie_and_redirect(scope, send)
                    return
                await self._deny(scope, send, 401, "token")
                return
            if scope["method"] not in ("GET", "HEAD", "OPTIONS") and not by_header:
                # cookie-authorised state changes: a page of ours must have sent them
                sent = headers.get(CSRF_HEADER, "").encode("latin-1")
                origin = headers.get("origin")
                if not hmac.compare_digest(sent, self.csrf) or (
                    origin is not None and origin.lower().split("//", 1)[-1] != host
                ):
                    await self._deny(scope, send, 403, "csrf")
                    return
        await self.app(scope, self._capped(receive), self._with_headers(send))

    # --- credentials ---------------------------------------------------------------------------

    def _matches(self, given: str, encoding: str = "latin-1") -> bool:
        """Whether `given` is the token: compared as bytes, so a value in any script or with
        bytes that are no text (`%E2%82%AC`, `%FF`) is only a wrong token, never an error."""
        raw = given.encode(encoding, "surrogateescape")
        return hmac.compare_digest(raw, self.token)

    def _bearer(self, headers: dict[str, str]) -> bool:
        value = headers.get("authorization", "")
        scheme, _, cred = value.partition(" ")
        return scheme.lower() == "bearer" and self._matches(cred.strip())

    def _cookie(self, headers: dict[str, str]) -> bool:
        raw = headers.get("cookie")
        if not raw:
            return False
        jar: SimpleCookie = SimpleCookie()
        try:
            jar.load(raw)
        except Exception:
            return False
        morsel = jar.get(COOKIE)
        return morsel is not None and self._matches(morsel.value)

    def _query_token(self, scope: Scope) -> bool:
        given = _query(scope).get("token")
        return given is not None and self._matches(given, "utf-8")

    async def _set_cookie_and_redirect(self, scope: Scope, send: Send) -> None:
        """The token leaves the address bar (and the history) at once; the cookie carries it."""
        query = [(k, v) for k, v in _query_items(scope) if k != "token"]
        query_text = urlencode(query, errors="surrogateescape")
        location = same_origin_path(scope["path"]) + ("?" + query_text if query else "")
        cookie = f"{COOKIE}={self.token.decode()}; HttpOnly; SameSite=Strict; Path=/"
        await send(
            {
                "type": "http.response.start",
                "status": 303,
                "headers": [
                    (b"location", location.encode("latin-1")),
                    (b"set-cookie", cookie.encode("latin-1")),
                    *_security_headers(PAGE_CSP),
                ],
            }
        )
        await send({"type": "http.response.body", "body": b""})

    # --- responses -----------------------------------------------------------------------------

    async def _deny(self, scope: Scope, send: Send, status: int, reason: str) -> None:
        body, ctype = await self.refuse(scope, status, reason)
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", ctype.encode("latin-1")),
                    (b"content-length", str(len(body)).encode("ascii")),
                    *_security_headers(PAGE_CSP),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})

    def _capped(self, receive: Receive) -> Receive:
        """A body without Content-Length (chunked) is counted as it arrives."""
        seen = 0
        limit = self.max_body

        async def capped() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise BodyTooLarge
            return message

        return capped

    def _with_headers(self, send: Send) -> Send:
        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {k.lower() for k, _ in message.get("headers", [])}
                csp = PAGE_CSP if b"content-security-policy" not in present else None
                message["headers"] = list(message.get("headers", [])) + _security_headers(
                    csp, present
                )
            await send(message)

        return sending


def _query_items(scope: Scope) -> list[tuple[str, str]]:
    """The query's pairs, percent-decoded as UTF-8; bytes that are no UTF-8 stay as surrogate
    escapes (they can be compared and re-encoded, never raise)."""
    raw = scope.get("query_string", b"").decode("latin-1")
    return parse_qsl(raw, errors="surrogateescape")


def _query(scope: Scope) -> dict[str, str]:
    return dict(_query_items(scope))


def same_origin_path(path: str) -> str:
    """`path` as a Location that stays on this origin: percent-encoded, one leading slash (a
    browser reads `//evil.example/` or `/\\evil.example/` as another host)."""
    quoted = quote(path.encode("utf-8", "surrogateescape"), safe="/:@!$&'()*+,;=-._~")
    return "/" + quoted.lstrip("/")


class BodyTooLarge(Exception):
    """A streamed body went past the cap; the application answers 413."""


def _security_headers(
    csp: str | None, present: set[bytes] | None = None
) -> list[tuple[bytes, bytes]]:
    present = present or set()
    out = [
        (b"x-content-type-options", b"nosniff"),
        (b"referrer-policy", b"no-referrer"),
        (b"cross-origin-opener-policy", b"same-origin"),
        (b"cross-origin-resource-policy", b"same-origin"),
    ]
    if b"cache-control" not in present:
        out.append((b"cache-control", b"no-store"))  # client data stays out of caches
    if csp is not None:
        out.append((b"content-security-policy", csp.encode("ascii")))
    return out


def htmx_headers(token: str) -> str:
    """The `hx-headers` attribute value: htmx sends the CSRF token with every request it makes."""
    return json.dumps({"X-CSRF-Token": csrf_token(token)})
