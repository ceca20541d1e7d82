"""The local web workspace (`cluster-intl serve`): why, why-not and what-if in a browser.

Imported only by the `serve` command and its tests, so no other command pays for Starlette or
uvicorn. It reaches the engine through `engine.api` alone.
"""

from __future__ import annotations

import contextlib
import ipaddress
import secrets
import sys
from pathlib import Path
from typing import Any, TextIO

from engine import api
from engine.web.app import Settings, create_app

__all__ = ["Settings", "create_app", "is_loopback", "serve", "server_config"]


def is_loopback(host: str) -> bool:
    """Whether `host` reaches this machine only (`serve` warns when it does not)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def server_config(app: Any, settings: Settings) -> Any:
    """uvicorn's settings for the application: h11 with deadlines for half-sent requests, the
    keep-alive timeout, no access log or Server header."""
    import uvicorn

    from engine.web import timeouts

    return uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        http=timeouts.protocol(settings.header_timeout, settings.body_timeout),
        timeout_keep_alive=settings.keep_alive_timeout,
        log_level="warning",
        access_log=False,
        lifespan="off",
        server_header=False,
    )


def serve(
    workspace: Path,
    host: str = "127.0.0.1",
    port: int = 8765,
    knowledge: Path | None = None,
    token: str | None = None,
    out: TextIO = sys.stderr,
) -> None:
    """Read and verify the knowledge base, print the address with the token, serve until Ctrl-C."""
    import uvicorn

    words = api.ui_strings(api.templates_root() / "web")["en"]
    if not workspace.is_dir():
        raise api.UsageError(words["console_no_workspace"].format(path=workspace))
    settings = Settings(
        workspace=workspace,
        host=host,
        port=port,
        token=token or secrets.token_urlsafe(24),
        knowledge=knowledge,
    )
    app = create_app(settings)  # the knowledge base is read and verified here, once
    if not is_loopback(host):
        out.write(words["console_not_loopback"].format(host=host) + "\n")
    shown = f"[{host}]" if ":" in host else host
    out.write(words["console_open"] + "\n")
    out.write(f"  http://{shown}:{port}/?token={settings.token}\n")
    out.write(words["console_stop"] + "\n")
    out.flush()
    config = server_config(app, settings)
    # uvicorn finishes open requests on Ctrl-C (SIGINT) or SIGTERM, then re-raises the Ctrl-C:
    # here that is the normal way out
    with contextlib.suppress(KeyboardInterrupt):
        uvicorn.Server(config).run()
    out.write(words["console_stopped"] + "\n")
