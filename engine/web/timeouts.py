"""Deadlines for reading a request: a half-sent request is cut off, not kept open for ever.

uvicorn's own settings serve where they can (`timeout_keep_alive` closes an idle connection
between requests, `h11_max_incomplete_event_size` caps the header block), but uvicorn sets no
deadline on a request that is being received: a client that sends half a header block, or
announces a body and stops, holds a connection and its task for ever (fifty of them are fifty
open sockets). This h11 protocol adds two deadlines, both counted from the first byte and not
renewed by a trickle of bytes: the header block within `header_timeout` seconds, the body within
`body_timeout` seconds after its headers. Past a deadline the client gets 408 (when nothing of the
answer has been sent yet) and the connection is closed; the handler waiting for the body sees a
disconnect. A connection that sends nothing at all is closed after `header_timeout` too.
"""

from __future__ import annotations

import asyncio
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

TIMEOUT_408 = (
    b"HTTP/1.1 408 Request Timeout\r\ncontent-type: text/plain; charset=utf-8\r\n"
    b"content-length: 16\r\nconnection: close\r\n\r\nRequest Timeout\n"
)


def protocol(header_timeout: float, body_timeout: float) -> type[asyncio.Protocol]:
    """uvicorn's h11 protocol with deadlines for the header block and the body (`Config(http=)`)."""
    return type(
        "TimedH11Protocol",
        (TimedH11Protocol,),
        {"header_timeout": header_timeout, "body_timeout": body_timeout},
    )


class TimedH11Protocol(H11Protocol):
    """H11Protocol whose request reading has a deadline per phase (headers, then body)."""

    header_timeout: float = 10.0
    body_timeout: float = 60.0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._phase: str | None = None  # "headers" or "body": which deadline is armed
        self._deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        """A new connection owes its first header block within `header_timeout`."""
        super().connection_made(transport)
        self._arm("headers", self.header_timeout)

    def data_received(self, data: bytes) -> None:
        """Bytes of a request: move the deadline to the phase the request is now in."""
        super().data_received(data)
        self._follow()

    def on_response_complete(self) -> None:
        """The answer is out; a pipelined request already buffered is read under a deadline."""
        super().on_response_complete()
        self._follow()

    def connection_lost(self, exc: Exception | None) -> None:
        """The connection is gone: no deadline left to watch."""
        self._disarm()
        super().connection_lost(exc)

    # --- the deadline ----------------------------------------------------------------------

    def _follow(self) -> None:
        state = self.conn.their_state
        if state is h11.SEND_BODY:
            if self._phase != "body":
                self._arm("body", self.body_timeout)
        elif state is h11.IDLE and self.conn.trailing_data[0]:
            # part of the next request's header block is buffered
            if self._phase != "headers":
                self._arm("headers", self.header_timeout)
        else:  # the request is complete (or the connection is done): the handler's time now
            self._disarm()

    def _arm(self, phase: str, seconds: float) -> None:
        self._disarm()
        self._phase = phase
        self._deadline = self.loop.call_later(seconds, self._expired)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
        self._deadline, self._phase = None, None

    def _expired(self) -> None:
        begun = self.conn.their_state is h11.SEND_BODY or bool(self.conn.trailing_data[0])
        self._deadline, self._phase = None, None
        if self.transport.is_closing():
            return
        # a connection that never sent a byte (a browser's spare one) is closed without a word
        fresh = self.cycle is None or self.conn.their_state is h11.IDLE
        if begun and (fresh or not self.cycle.response_started):
            self.transport.write(TIMEOUT_408)
        self.transport.close()
