"""The web workspace: a Starlette application over `engine.api`, pages and a JSON API.

Pages (Jinja, the documents' one environment, templates in templates/web/) for the workspace, a
cluster (diagnosis, program, why, why-not, what-if) and the knowledge base; a JSON API with the
CLI's shapes. Everything goes through `security.Guard`; every error is the CLI's located message.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode

from starlette.applications import Starlette
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from engine import api
from engine.web import controls, forms, messages, security
from engine.web.firmness import firmness_fragment
from engine.web.json_api import JsonApi
from engine.web.responses import (
    LANGS,
    Failure,
    audience,
    download,
    failure,
    page_url,
    too_large,
)
from engine.web.service import Service
from engine.web.views import named as _named
from engine.web.views import sortable as _sortable
from engine.web.views import year_pairs as _year_pairs
from engine.web.workspace import VARIANTS, NotInWorkspace, Workspace

STATIC = {
    "htmx.min.js": "text/javascript; charset=utf-8",
    "web.css": "text/css; charset=utf-8",
}
STATIC_DIR = Path(__file__).resolve().parent / "static"
MULTIPART_SLACK = 64 * 1024  # form boundaries and headers around an uploaded file


@dataclass(frozen=True)
class Settings:
    workspace: Path
    host: str
    port: int
    token: str
    knowledge: Path | None = None
    # seconds to receive a request's header block, then its body (engine/web/timeouts.py); and
    # to keep an idle connection open between requests (uvicorn's timeout_keep_alive)
    header_timeout: float = 10.0
    body_timeout: float = 60.0
    keep_alive_timeout: int = 5


# --- the application ---------------------------------------------------------------------------


class Workbench(JsonApi):
    """The state of one server: settings, the engine service, the workspace, the UI strings."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.service = Service(settings.knowledge)
        self.workspace = Workspace(settings.workspace, self.service.session)
        self.env = api.environment()
        self.words = api.ui_strings(api.templates_root() / "web")
        self.doc_words = api.ui_strings(api.templates_root())
        self.hx_headers = security.htmx_headers(settings.token)

    # --- request helpers ---------------------------------------------------------------------

    @staticmethod
    def lang(request: Request) -> str:
        """The page language of the request (`?lang=`), Russian unless English is asked for."""
        value = request.query_params.get("lang", "ru")
        return value if value in LANGS else "ru"

    def render(
        self, request: Request, template: str, status: int = 200, **ctx: Any
    ) -> HTMLResponse:
        """A page or fragment of `web/<template>` in the request's language, with the UI strings,
        language switch, htmx headers and a `url` helper that keeps the language."""
        lang = self.lang(request)

        def url(path: str, **params: Any) -> str:
            items: list[tuple[str, Any]] = [("lang", lang)]
            for key, value in params.items():
                if isinstance(value, list):
                    items += [(key, v) for v in value]
                elif value is not None:
                    items.append((key, value))
            return quote(path, safe="/") + "?" + urlencode(items)

        html = self.env.get_template(f"web/{template}").render(
            w=self.words[lang],
            t=self.doc_words[lang],
            lang=lang,
            other_lang="en" if lang == "ru" else "ru",
            path=request.url.path,
            query=[(k, v) for k, v in request.query_params.multi_items() if k != "lang"],
            hx_headers=self.hx_headers,
            url=url,
            draft_formats=api.format_names("program"),  # the program's downloads
            **ctx,
        )
        return HTMLResponse(html, status_code=status)

    def said(self, exc: api.ClusterIntlError, lang: str) -> list[str]:
        """An engine error's located lines in the page's language (engine/web/messages.py)."""
        return messages.say_all(exc, self.words[lang], lang)

    def problem_page(self, request: Request, exc: Failure) -> HTMLResponse:
        """The problem's messages as an error page, or as a fragment for an htmx request, with
        its status."""
        fragment = request.headers.get("hx-request") == "true"
        return self.render(
            request,
            "error_fragment.html.j2" if fragment else "error.html.j2",
            status=exc.status,
            status_code=exc.status,
            messages=exc.messages,
        )

    async def refusal(self, scope: Any, status: int, reason: str) -> tuple[bytes, str]:
        """Body of a refusal by the guard: JSON for the API, a short page otherwise."""
        query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1")))
        lang = query["lang"] if query.get("lang") in LANGS else "ru"
        message = self.words[lang][f"refused_{reason}"]
        if scope["path"].startswith("/api/"):
            body = json.dumps(
                {"schema": "cluster-intl/error/1", "status": status, "errors": [message]},
                ensure_ascii=False,
            )
            return body.encode("utf-8"), "application/json; charset=utf-8"
        html = self.env.get_template("web/refused.html.j2").render(
            w=self.words[lang], lang=lang, status_code=status, message=message
        )
        return html.encode("utf-8"), "text/html; charset=utf-8"

    async def entry_result(self, name: str) -> tuple[Any, api.Result]:
        """A workspace file by name with its inference result (404 for a name outside the
        workspace)."""
        try:
            entry = self.workspace.entry(name)
        except NotInWorkspace:
            raise HTTPException(404) from None
        data = self.workspace.read(entry)
        return entry, await self.service.run(self.service.result, data, entry.display)

    # --- the workspace page ------------------------------------------------------------------

    def _row(self, entry: Any, data: bytes, lang: str) -> dict[str, Any]:
        """One line of the workspace table (on the engine thread), cached by content."""
        key = ("row", entry.display, hashlib.sha256(data).hexdigest(), lang)

        def build() -> dict[str, Any]:
            try:
                result = self.service.result(data, entry.display)
            except api.ClusterIntlError as exc:
                return {"name": entry.name, "ok": False, "errors": self.said(exc, lang)}
            view = api.program_view(result, self.service.k, lang)
            d = api.diagnosis(result, self.service.k, lang)
            return {
                "name": entry.name,
                "ok": True,
                "source": entry.display,
                "cluster": view["front"]["cluster"],  # the English name in English, when given
                "region": view["front"]["region"],
                "cluster_key": view["cluster"]["name"],  # as given: one cluster in any language
                "year": view["cluster"]["year"],
                "level": d["self_assessment"]["level"],
                "level_band": d["self_assessment"]["band"],
                "index": d["index"]["value"],
                "index_band": d["index"]["band_label"],
                "coverage": d["index"]["coverage"],
                "of": d["index"]["of"],
                "measures": len(view["recommendations"]),
                "result": result,
            }

        return self.service.memo(key, build)

    async def workspace_page(self, request: Request) -> Response:
        """`/`: the workspace table, one row per file (its results or its errors), the portfolio
        of the files that read and the year pairs to compare."""
        lang = self.lang(request)
        rows: list[dict[str, Any]] = []
        for entry in self.workspace.entries():
            try:
                data = self.workspace.read(entry)
            except api.ClusterIntlError as exc:
                rows.append({"name": entry.name, "ok": False, "errors": self.said(exc, lang)})
                continue
            rows.append(await self.service.run(self._row, entry, data, lang))
        # a what-if variant (a `variant:` record) is never part of the portfolio or year pairs
        ok = [r for r in rows if r["ok"] and r["result"].assessment.variant is None]
        named: list[tuple[str, api.Result]] = [(r["source"], r["result"]) for r in ok]
        portfolio = await self.service.run(
            lambda: self.service.memo(
                ("portfolio", lang, tuple((s, id(r)) for s, r in named)),
                lambda: forms.portfolio(
                    named, self.service.k, lang, {r["source"]: r["cluster"] for r in ok}
                ),
            )
        )
        sort = request.query_params.get("sort", "")
        descending = request.query_params.get("dir") == "desc"
        return self.render(
            request,
            "workspace.html.j2",
            rows=rows,
            portfolio=_sortable(portfolio, ok, sort, descending),
            sort=sort if sort in forms.SORTABLE else "",
            descending=descending,
            pairs=_year_pairs(ok),
            variants=[v.name for v in self.workspace.variants()],
            folder=str(self.workspace.root),
        )

    async def upload(self, request: Request) -> Response:
        """`POST /upload`: save an uploaded assessment into the workspace once it reads without
        errors, then go to its page."""
        lang = self.lang(request)
        try:
            form = await request.form(max_files=1, max_fields=8)
            upload = form.get("file")
            if not isinstance(upload, UploadFile) or not upload.filename:
                raise Failure(400, [self.words[lang]["e_no_file"]])
            name = self.workspace.new_name(Path(upload.filename).name, ".yaml")
            limit = api.upload_limit(name)
            data = await upload.read(limit + 1)
            if len(data) > limit:
                raise too_large(name, self.said(api.too_large(name), lang))
            # refuse a broken file before it lands in the workspace
            await self.service.run(self.service.result, data, name)
            entry = await self.service.run(self.workspace.save, name, data)
        except NotInWorkspace:
            return self.problem_page(request, Failure(400, [self.words[lang]["e_bad_name"]]))
        except api.ClusterIntlError as exc:
            return self.problem_page(request, failure(exc, self.said(exc, lang)))
        except Failure as exc:
            return self.problem_page(request, exc)
        page = self.render(request, "saved.html.j2", saved=entry.name)
        page.headers["HX-Redirect"] = page_url(f"/c/{entry.name}", lang=lang)
        return page

    async def questionnaire(self, request: Request) -> Response:
        """A blank questionnaire to download, in a registered format (xlsx by default)."""
        lang = self.lang(request)
        fmt = request.query_params.get("format", "xlsx")
        form = api.find_format(fmt, "questionnaire")
        if form is None:
            raise HTTPException(400)
        data = await self.service.run(api.questionnaire, self.service.k, fmt, lang)
        return download(data, form.media_type, f"questionnaire-{lang}.{form.extension}")

    async def compare_page(self, request: Request) -> Response:
        """`/compare?old=&new=`: what changed between two workspace files."""
        lang = self.lang(request)
        old, old_r = await self.entry_result(request.query_params.get("old", ""))
        new, new_r = await self.entry_result(request.query_params.get("new", ""))
        view = await self.service.run(api.compare, old_r, new_r, self.service.k, lang)
        return self.render(request, "compare.html.j2", c=view, old=old.name, new=new.name)

    # --- the cluster page --------------------------------------------------------------------

    def _cluster_parts(self, result: api.Result, sets: list[str], lang: str) -> dict[str, Any]:
        """The cluster page's parts (on the engine thread): the program view, diagnosis and
        panel of the result, or of its what-if variant with what moved (`moves`) and the
        assessment's own diagnosis (`before`); the unchanged page memoized per language."""
        k = self.service.k

        def parts(r: api.Result) -> dict[str, Any]:
            variant_of = (r.assessment.variant or {}).get("derived_from")
            view, diagnosis = api.program_and_diagnosis(r, k, lang)
            return {
                "view": _named(view),
                "diagnosis": diagnosis,
                "panel": controls.controls(
                    self.service.indicators(lang), dict(r.assessment.values)
                ),
                "variant_of": variant_of if not sets else None,
            }

        own = self.service.memo(("cluster", id(result), lang), lambda: parts(result))
        if not sets:
            return {
                **own,
                "moves": None,
                "added": {},
                "restatus": {},
                "found": {},
                "lost": [],
                "before": None,
            }
        r = api.variant(result, sets, self.service.session)
        moves: Any = api.what_if(result, sets, self.service.session, lang)
        return {
            **parts(r),
            "moves": moves,
            "added": {x["id"]: x["reasons"] for x in moves["recommendations"]["added"]},
            "restatus": {x["id"]: x for x in moves["status"]},
            "found": {x["id"]: x["reasons"] for x in moves["findings"]["added"]},
            "lost": moves["findings"]["removed"],
            "before": own["diagnosis"],  # the assessment's own, computed once
        }

    async def cluster_page(self, request: Request) -> Response:
        """`/c/{name}`: one cluster's program, diagnosis and the what-if controls; with `set=`
        in the URL, the what-if variant's, what moved marked."""
        lang = self.lang(request)
        entry, result = await self.entry_result(request.path_params["name"])
        sets = self._sets(request)
        parts = await self.service.run(self._cluster_parts, result, sets, lang)
        return self.render(
            request,
            "cluster.html.j2",
            name=entry.name,
            source=entry.display,
            options=controls.options,
            sets=sets,
            skip_what_if=True,
            **parts,
        )

    async def program(self, request: Request) -> Response:
        """The program of a workspace file, or of its what-if variant (`set=ID=VALUE`)."""
        lang = self.lang(request)
        fmt = request.query_params.get("format", "html")
        who = audience(request, self.words[lang])
        form = api.find_format(fmt, "program")
        if form is None:
            raise Failure(400, [self.words[lang]["e_format"]])
        entry, result = await self.entry_result(request.path_params["name"])
        sets = self._sets(request)
        k = self.service.k

        def build() -> str | bytes:
            r = api.variant(result, sets, self.service.session) if sets else result
            return api.draft(r, k, fmt, lang, audience=who, runner=self.service.session.runner)

        data = await self.service.run(build)
        stem = Path(entry.name).stem + ("-what-if" if sets else "")
        if fmt == "html" and request.query_params.get("inline") == "1":
            html = str(data)
            return HTMLResponse(
                html, headers={"content-security-policy": security.document_csp(html)}
            )
        return download(data, form.media_type, f"{stem}.{form.extension}")

    async def why_fragment(self, request: Request) -> Response:
        """`/c/{name}/why`: the why answer for one subject, on the what-if variant when `set=` is
        given; `reader=policy` plain sentences (the technical chain one unfold away), else the
        rule author's chain."""
        lang = self.lang(request)
        _, result = await self.entry_result(request.path_params["name"])
        subject = request.query_params.get("subject", "")
        sets = self._sets(request)  # a score of the what-if variant explains on the variant
        policy = request.query_params.get("reader") == "policy"
        k = self.service.k

        def build() -> tuple[api.WhyData, str]:
            r = api.variant(result, sets, self.service.session) if sets else result
            if policy:
                plain = api.why(r, subject, k, lang, reader="policy")
                return plain, api.why_text(plain, "policy")
            return api.why(r, subject, k, lang), ""

        data, text = await self.service.run(build)
        if policy:
            return self.render(
                request,
                "why_policy.html.j2",
                d=data,
                text=text,
                subject=subject,
                sets=sets,
                name=request.path_params["name"],
            )
        return self.render(request, "why.html.j2", d=data)

    async def why_not_fragment(self, request: Request) -> Response:
        """`/c/{name}/why-not`: the why-not answer for one subject."""
        lang = self.lang(request)
        _, result = await self.entry_result(request.path_params["name"])
        subject = request.query_params.get("subject", "")
        data = await self.service.run(api.why_not, result, subject, self.service.session, lang)
        return self.render(request, "why_not.html.j2", d=data)

    async def what_if_fragment(self, request: Request) -> Response:
        """`POST /c/{name}/what-if`: the main view of the variant the changed controls make (the
        assessment's own when none changed), its URL (`set=`) pushed into the browser's."""
        lang = self.lang(request)
        name = request.path_params["name"]
        entry, result = await self.entry_result(name)
        form = await request.form(max_fields=1000)
        sets = controls.form_sets(
            form, self.service.indicators(lang), dict(result.assessment.values)
        )
        try:
            parts = await self.service.run(self._cluster_parts, result, sets, lang)
        except api.ClusterIntlError as exc:  # a value the engine refuses: said beside the panel
            page = self.problem_page(request, failure(exc, self.said(exc, lang)))
            page.headers["HX-Retarget"] = "#what-if-result"
            return page
        here = page_url(f"/c/{entry.name}", lang=lang, set=sets)
        there = page_url(f"/c/{entry.name}", set=sets, lang="en" if lang == "ru" else "ru")
        page = self.render(
            request,
            "cluster_main.html.j2",
            name=entry.name,
            sets=sets,
            oob=True,
            path_for_lang=there,
            **parts,
        )
        page.headers["HX-Push-Url"] = here
        return page

    async def save_variant(self, request: Request) -> Response:
        """`POST /c/{name}/save`: the what-if variant saved into the workspace's `variants/`
        folder: where it came from, the date, the changes (basis what-if), every other value
        with its own basis and source."""
        lang = self.lang(request)
        name = request.path_params["name"]
        _, result = await self.entry_result(name)
        form = await request.form(max_fields=1000)
        sets = [str(s) for s in form.getlist("set") if str(s).strip()]
        try:
            new_name = self.workspace.new_name(str(form.get("as", "")), ".yaml")
        except NotInWorkspace:
            raise Failure(400, [self.words[lang]["e_bad_name"]]) from None
        if Path(new_name).suffix.lower() not in (".yaml", ".yml"):
            new_name = Path(new_name).stem + ".yaml"
        k = self.service.k

        def build() -> Any:
            a = forms.dated_variant(api.variant(result, sets, self.service.session).assessment)
            text = forms.assessment_yaml(a, k)
            return self.workspace.save(f"{VARIANTS}/{new_name}", text)

        entry = await self.service.run(build)
        return self.render(request, "saved.html.j2", saved=entry.name)

    # --- the knowledge page ------------------------------------------------------------------

    async def knowledge_page(self, request: Request) -> Response:
        """`/kb`: the knowledge base's check problems and the scenario test report."""
        lang = self.lang(request)
        k = self.service.k

        def build() -> dict[str, Any]:
            problems = api.check_knowledge(self.settings.knowledge)
            ran = api.run_scenarios(self.service.session, None, lang)
            return {
                "problems": [
                    {"text": p.format(with_severity=True), "severity": p.severity} for p in problems
                ],
                "errors": sum(1 for p in problems if p.severity == "error"),
                "warnings": sum(1 for p in problems if p.severity != "error"),
                "tests": ran[0] if ran else "",
                "tests_failed": bool(ran and ran[1]),
                "cases": ran[2] if ran else 0,
            }

        kb = await self.service.run(lambda: self.service.memo(("kb", lang), build))
        return self.render(request, "knowledge.html.j2", kb=kb, root=str(k.root))

    async def catalogue(self, request: Request) -> Response:
        """`/kb/catalogue`: the knowledge catalogue as HTML, memoized per language."""
        lang = self.lang(request)
        k = self.service.k
        html = await self.service.run(
            lambda: self.service.memo(("catalogue", lang), lambda: api.catalogue(k, "html", lang))
        )
        return HTMLResponse(html, headers={"content-security-policy": security.document_csp(html)})

    # --- static files ------------------------------------------------------------------------

    async def static(self, request: Request) -> Response:
        """`/static/{name}`: one of the fixed static files (404 for any other name)."""
        name = request.path_params["name"]
        if name not in STATIC:  # a fixed list: nothing else under any name
            raise HTTPException(404)
        return Response(
            (STATIC_DIR / name).read_bytes(),
            media_type=STATIC[name],
            headers={"cache-control": "max-age=3600"},
        )

    # --- the JSON API ------------------------------------------------------------------------


# --- helpers -----------------------------------------------------------------------------------


# --- assembling --------------------------------------------------------------------------------


def create_app(settings: Settings) -> Any:
    """The ASGI application: the routes behind the guard."""
    wb = Workbench(settings)

    def guarded(handler: Any, api_route: bool = False) -> Any:
        async def endpoint(request: Request) -> Response:
            try:
                return await handler(request)
            except Failure as exc:
                return _failed(request, exc, api_route)
            except api.ClusterIntlError as exc:
                said = None if api_route else wb.said(exc, wb.lang(request))  # the API: the CLI's
                return _failed(request, failure(exc, said), api_route)
            except ClientDisconnect:
                # the client left, or a deadline cut its half-sent body: nobody to answer
                return Response(status_code=400)
            except security.BodyTooLarge:
                return _failed(
                    request,
                    Failure(413, [wb.words[wb.lang(request)]["refused_too_large"]]),
                    api_route,
                )

        return endpoint

    def _failed(request: Request, exc: Failure, api_route: bool) -> Response:
        if api_route:
            return JSONResponse(
                {"schema": "cluster-intl/error/1", "status": exc.status, "errors": exc.messages},
                status_code=exc.status,
            )
        return wb.problem_page(request, exc)

    async def not_found(request: Request, exc: Exception) -> Response:
        status = exc.status_code if isinstance(exc, HTTPException) else 500
        messages = [
            wb.words[wb.lang(request)][f"http_{status if status in (400, 404, 405) else 500}"]
        ]
        return _failed(request, Failure(status, messages), request.url.path.startswith("/api/"))

    routes = [
        Route("/", guarded(wb.workspace_page)),
        Route("/upload", guarded(wb.upload), methods=["POST"]),
        Route("/questionnaire", guarded(wb.questionnaire)),
        Route("/compare", guarded(wb.compare_page)),
        # `{name:path}`: a saved variant is `variants/NAME`; the page of a file comes last
        Route("/c/{name:path}/program", guarded(wb.program)),
        Route("/c/{name:path}/why", guarded(wb.why_fragment)),
        Route("/c/{name:path}/why-not", guarded(wb.why_not_fragment)),
        Route("/c/{name:path}/firmness", guarded(partial(firmness_fragment, wb))),
        Route("/c/{name:path}/what-if", guarded(wb.what_if_fragment), methods=["POST"]),
        Route("/c/{name:path}/save", guarded(wb.save_variant), methods=["POST"]),
        Route("/c/{name:path}", guarded(wb.cluster_page)),
        Route("/kb", guarded(wb.knowledge_page)),
        Route("/kb/catalogue", guarded(wb.catalogue)),
        Route("/static/{name}", guarded(wb.static)),
        Route("/api/health", guarded(wb.health, True)),
        Route("/api/assess", guarded(wb.api_assess, True), methods=["POST"]),
        Route("/api/draft", guarded(wb.api_draft, True), methods=["POST"]),
        Route("/api/why", guarded(wb.api_why, True), methods=["POST"]),
        Route("/api/why-not", guarded(wb.api_why_not, True), methods=["POST"]),
        Route("/api/what-if", guarded(wb.api_what_if, True), methods=["POST"]),
    ]
    app = Starlette(
        routes=routes,
        exception_handlers={HTTPException: not_found, Exception: not_found},
    )
    app.state.workbench = wb
    max_body = api.upload_limit("x.xlsx") + MULTIPART_SLACK
    return security.Guard(
        app,
        token=settings.token,
        host=settings.host,
        port=settings.port,
        max_body=max_body,
        refuse=wb.refusal,
    )
