"""What the web workspace answers besides pages: failures with the CLI's located messages, JSON
in the CLI's shapes, downloads, and the checks of the common query parameters."""

from __future__ import annotations

import re
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as distribution_version
from typing import Any
from urllib.parse import quote, urlencode

from starlette.requests import Request
from starlette.responses import Response

from engine import api

LANGS = ("ru", "en")
AUDIENCES = ("client", "consultant")


class Failure(Exception):
    """An answer other than 200 with the messages to show (located, like the CLI's)."""

    def __init__(self, status: int, messages: list[str]) -> None:
        super().__init__("\n".join(messages))
        self.status = status
        self.messages = messages


def too_large(name: str, messages: list[str] | None = None) -> Failure:
    """413 with the CLI's message for a file over its limit (or `messages`, the page's)."""
    return Failure(413, messages or str(api.too_large(name)).splitlines())


def failure(exc: api.ClusterIntlError, messages: list[str] | None = None) -> Failure:
    """An engine error as the HTTP problem a client can act on: 409 for an existing output, 422
    for a bad input, 400 otherwise; with the CLI's messages, or `messages` (a page's words)."""
    if isinstance(exc, api.OutputExistsError):
        status = 409
    elif isinstance(exc, api.InputError):
        status = 422
    else:
        status = 400
    return Failure(status, messages or str(exc).splitlines() or [type(exc).__name__])


def json_response(data: Any) -> Response:
    """The CLI's JSON, byte for byte (`--format json`)."""
    return Response(api.to_json(data), media_type="application/json; charset=utf-8")


def download(data: str | bytes, media_type: str, filename: str) -> Response:
    """An attachment of the registered media type under its own file name, in any script."""
    return Response(
        data,
        media_type=media_type,
        headers={"content-disposition": content_disposition(filename)},
    )


def content_disposition(filename: str) -> str:
    """`attachment` with an ASCII `filename` for old clients and the exact name as UTF-8 in
    `filename*` (RFC 6266 with RFC 5987's encoding): `Кластер.docx` keeps its name."""
    ascii_name = re.sub(r"[^\w.-]", "_", filename, flags=re.ASCII)
    header = f'attachment; filename="{ascii_name}"'
    if ascii_name != filename:
        header += "; filename*=UTF-8''" + quote(filename, safe="")
    return header


def page_url(path: str, **params: str | list[str]) -> str:
    """A URL of this application for a header (`HX-Redirect`, `Location`): the path
    percent-encoded as UTF-8, since a header carries ASCII only; a list repeats its key."""
    url = quote(path, safe="/")
    return url + ("?" + urlencode(params, doseq=True) if params else "")


def label(name: str) -> str:
    """What messages call an uploaded body: printable, short; never used as a path."""
    cleaned = "".join(ch for ch in name if ch.isprintable())[:200]
    return cleaned.strip()


def audience(request: Request, words: dict[str, str]) -> str:
    """The document's audience asked for (`client`, the default, or `consultant`)."""
    audience = request.query_params.get("audience", "client")
    if audience not in AUDIENCES:
        raise Failure(400, [words["e_audience"].format(value=audience)])
    return audience


def app_version() -> str:
    """The installed package's version for `/api/health` ("0" when the package is not installed)."""
    try:
        return distribution_version("cluster-intl")
    except PackageNotFoundError:
        return "0"
