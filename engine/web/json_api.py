"""The JSON API of the web workspace: the CLI's commands over HTTP, same shapes as
`--format json`, the assessment file as the request body."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from engine import api
from engine.web import security
from engine.web.responses import (
    LANGS,
    Failure,
    app_version,
    audience,
    download,
    json_response,
    label,
    too_large,
)
from engine.web.service import Service


class JsonApi:
    """The API's handlers; the workbench (pages) builds on them."""

    service: Service
    words: dict[str, dict[str, str]]

    def _sets(self, request: Request) -> list[str]:
        return [s for s in request.query_params.getlist("set") if s.strip()]

    async def health(self, request: Request) -> Response:
        """`GET /api/health`: status, version and the size of the loaded knowledge base."""
        return JSONResponse(
            {
                "schema": "cluster-intl/health/1",
                "status": "ok",
                "version": app_version(),
                "knowledge": {
                    "rules": len(self.service.k.rules),
                    "indicators": len(self.service.k.indicator),
                },
            }
        )

    async def _body_result(self, request: Request) -> api.Result:
        """The assessment in the request body: YAML text or a workbook (told by `name`, else by
        its first bytes), cut off at the CLI's limit for its kind."""
        head = b""
        chunks: list[bytes] = []
        size = 0
        name = label(request.query_params.get("name", ""))
        limit = api.upload_limit(name or "upload.xlsx")
        async for chunk in request.stream():
            if not head:
                head = chunk[:4]
            size += len(chunk)
            if size > limit:
                raise too_large(name or "upload.xlsx")
            chunks.append(chunk)
        data = b"".join(chunks)
        if not name:
            name = "upload.xlsx" if head.startswith(b"PK\x03\x04") else "upload.yaml"
        if len(data) > api.upload_limit(name):
            raise too_large(name)
        return await self.service.run(self.service.result, data, name)

    def _api_lang(self, request: Request) -> str:
        lang = request.query_params.get("lang", "ru")
        if lang not in LANGS:
            raise Failure(400, [self.words["en"]["e_lang"].format(value=lang)])
        return lang

    def _api_reader(self, request: Request) -> str:
        """`reader=author` (ids and file:line, the default) or `reader=policy` (plain sentences)."""
        reader = request.query_params.get("reader", "author")
        if reader not in api.READERS:
            raise Failure(400, [self.words["en"]["e_reader"].format(value=reader)])
        return reader

    async def api_assess(self, request: Request) -> Response:
        """`POST /api/assess`: the diagnosis of the posted assessment as JSON."""
        lang = self._api_lang(request)
        result = await self._body_result(request)
        data = await self.service.run(api.diagnosis, result, self.service.k, lang)
        return json_response(data)

    async def api_draft(self, request: Request) -> Response:
        """The program of the posted assessment in a registered format; binary ones as a file."""
        lang = self._api_lang(request)
        fmt = request.query_params.get("format", "json")
        who = audience(request, self.words["en"])
        form = api.find_format(fmt, "program")
        if form is None:
            raise Failure(400, [self.words["en"]["e_format"]])
        result = await self._body_result(request)
        data = await self.service.run(
            lambda: api.draft(
                result, self.service.k, fmt, lang, audience=who, runner=self.service.session.runner
            )
        )
        if form.binary:
            return download(data, form.media_type, f"program.{form.extension}")
        headers = (
            {"content-security-policy": security.document_csp(str(data))} if fmt == "html" else {}
        )
        return Response(data, media_type=form.media_type, headers=headers)

    async def api_why(self, request: Request) -> Response:
        """`POST /api/why`: the why answer for `subject` as JSON, for the asked reader."""
        lang, reader = self._api_lang(request), self._api_reader(request)
        subject = self._subject(request)
        result = await self._body_result(request)
        return json_response(
            await self.service.run(api.why, result, subject, self.service.k, lang, reader)
        )

    async def api_why_not(self, request: Request) -> Response:
        """`POST /api/why-not`: the why-not answer for `subject` as JSON, for the asked reader."""
        lang, reader = self._api_lang(request), self._api_reader(request)
        subject = self._subject(request)
        result = await self._body_result(request)
        return json_response(
            await self.service.run(api.why_not, result, subject, self.service.session, lang, reader)
        )

    async def api_what_if(self, request: Request) -> Response:
        """`POST /api/what-if`: what the `set=` changes alter, as JSON for the asked reader (400
        without a change)."""
        lang, reader = self._api_lang(request), self._api_reader(request)
        sets = self._sets(request)
        if not sets:
            raise Failure(400, [self.words["en"]["e_no_set"]])
        result = await self._body_result(request)
        return json_response(
            await self.service.run(api.what_if, result, sets, self.service.session, lang, reader)
        )

    def _subject(self, request: Request) -> str:
        subject = request.query_params.get("subject", "").strip()
        if not subject:
            raise Failure(400, [self.words["en"]["e_no_subject"]])
        return subject
