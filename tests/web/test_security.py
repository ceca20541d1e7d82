"""engine/web/security.py and the workspace's file access: token, Host, CSRF, traversal, headers."""

from __future__ import annotations

import os

import pytest

from engine.web.security import COOKIE, allowed_hosts, document_csp
from tests.web.conftest import BASE, TOKEN

NN_BODY_PATHS = ["/api/assess", "/api/draft", "/api/why", "/api/why-not", "/api/what-if"]
PAGES = ["/", "/c/nizhny-novgorod.yaml", "/kb", "/kb/catalogue", "/questionnaire"]


@pytest.mark.parametrize("path", PAGES + ["/static/htmx.min.js"])
def test_every_page_needs_the_token(anonymous, path):
    r = anonymous.get(path)
    assert r.status_code == 401
    assert TOKEN not in r.text


@pytest.mark.parametrize("path", NN_BODY_PATHS)
def test_every_api_call_needs_the_token(anonymous, path):
    r = anonymous.post(path, content=b"cluster_name: x\n")
    assert r.status_code == 401 and r.json()["errors"]
    wrong = anonymous.post(path, content=b"x", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401


def test_the_first_page_load_trades_the_query_token_for_a_strict_cookie(anonymous):
    r = anonymous.get(f"/c/nizhny-novgorod.yaml?lang=en&token={TOKEN}", follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == "/c/nizhny-novgorod.yaml?lang=en"  # token out of the URL
    cookie = r.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE}={TOKEN};")
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    page = anonymous.get("/c/nizhny-novgorod.yaml?lang=en")
    assert page.status_code == 200 and "co_sme_internationalization" in page.text


def test_a_wrong_query_token_sets_nothing(anonymous):
    r = anonymous.get("/?token=guess", follow_redirects=False)
    assert r.status_code == 401 and "set-cookie" not in r.headers


@pytest.mark.parametrize(
    "host",
    ["evil.example:8765", "127.0.0.1:9999", "127.0.0.1.nip.io:8765", "", "localhost.evil:8765"],
)
def test_a_foreign_host_header_is_refused_even_with_the_token(client, host):
    """DNS rebinding: the attacker's name resolves to 127.0.0.1, but the Host header keeps it."""
    r = client.get("/api/health", headers={"host": host})
    assert r.status_code == 421
    assert client.get("/", headers={"host": host}).status_code == 421


def test_loopback_names_of_the_bound_address_are_accepted(client):
    for host in ("127.0.0.1:8765", "localhost:8765"):
        assert client.get("/api/health", headers={"host": host}).status_code == 200


def test_allowed_hosts_follow_the_bind_address():
    assert allowed_hosts("127.0.0.1", 80)[0] >= {"127.0.0.1:80", "localhost:80"}
    lan, any_ip = allowed_hosts("192.168.1.5", 8765)
    assert lan == {"192.168.1.5:8765"} and not any_ip
    assert allowed_hosts("0.0.0.0", 8765)[1]  # any IP literal; never a name


def test_cookie_posts_need_the_csrf_token(browser_like, csrf):
    form = {"v.direction_export": "4"}
    path = "/c/nizhny-novgorod.yaml/what-if?lang=en"
    assert browser_like.post(path, data=form).status_code == 403
    bad = browser_like.post(path, data=form, headers={"X-CSRF-Token": "0" * 64})
    assert bad.status_code == 403
    cross = browser_like.post(path, data=form, headers={**csrf, "Origin": "http://evil.example"})
    assert cross.status_code == 403
    ok = browser_like.post(path, data=form, headers={**csrf, "Origin": BASE})
    assert ok.status_code == 200 and "rg_export_trade_missions" in ok.text


def test_cookie_api_posts_need_it_too_but_bearer_calls_do_not(browser_like, client, csrf):
    body = b"cluster_name: x\n"
    assert browser_like.post("/api/assess", content=body).status_code == 403
    assert browser_like.post("/api/assess", content=body, headers=csrf).status_code == 200
    assert client.post("/api/assess", content=body).status_code == 200  # Bearer: no CSRF needed


@pytest.mark.parametrize(
    "path",
    [
        "/c/..%2F..%2F..%2Fetc%2Fpasswd",
        "/c/%2e%2e%2fpyproject.toml",
        "/c/%2E%2E",
        "/c/.hidden.yaml",
        "/c/notes.txt",
        "/c/missing.yaml",
        "/c/nizhny-novgorod.yaml%00.txt",
        "/c/..%5c..%5cconftest.yaml",
        "/c/outside.yaml",
        "/c/../../pyproject.toml",
        "/static/..%2F__init__.py",
        "/static/app.py",
        "/compare?old=../../etc/passwd&new=nizhny-novgorod.yaml",
        "/c/nizhny-novgorod.yaml/../../../pyproject.toml",
    ],
)
def test_no_url_reaches_a_file_outside_the_workspace(client, workspace, tmp_path_factory, path):
    outside = tmp_path_factory.mktemp("outside") / "secret.yaml"
    outside.write_text("cluster_name: SECRET-OUTSIDE\n", "utf-8")
    link = workspace / "outside.yaml"
    if not link.exists():
        os.symlink(outside, link)
    (workspace / ".hidden.yaml").write_text("cluster_name: HIDDEN\n", "utf-8")
    r = client.get(path)
    assert r.status_code == 404, r.text[:300]
    assert "SECRET-OUTSIDE" not in r.text and "HIDDEN" not in r.text
    assert "[project]" not in r.text and "root:" not in r.text


def test_the_workspace_lists_no_symlink_out_and_no_hidden_file(client, workspace, tmp_path_factory):
    outside = tmp_path_factory.mktemp("outside2") / "secret.yaml"
    outside.write_text("cluster_name: SECRET-LISTED\n", "utf-8")
    link = workspace / "link-out.yaml"
    if not link.exists():
        os.symlink(outside, link)
    page = client.get("/?lang=en").text
    assert "SECRET-LISTED" not in page and "link-out.yaml" not in page
    assert "nizhny-novgorod.yaml" in page


def test_pages_carry_a_strict_content_security_policy(client):
    r = client.get("/c/nizhny-novgorod.yaml?lang=en")
    csp = r.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "default-src 'none'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp and "http" not in csp
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["cache-control"] == "no-store"
    # nothing the policy would have to allow: no inline script or style, no external origin
    html = r.text
    assert "<script>" not in html and " style=" not in html and "<style" not in html
    assert "https://" not in html.split("<iframe")[0].replace("http://www.w3.org/2000/svg", "")


def test_documents_in_frames_allow_only_their_own_stylesheet():
    html = "<html><style>body{color:red}</style><p>x</p></html>"
    csp = document_csp(html)
    assert "default-src 'none'" in csp and "'sha256-" in csp and "script" not in csp
    assert "frame-ancestors 'self'" in csp
    assert document_csp("<p>no style</p>").count("'none'") >= 2


def test_an_unhandled_error_is_a_page_not_a_traceback(client, app, monkeypatch):
    wb = app.app.state.workbench

    def boom(*args, **kwargs):
        raise RuntimeError("internal detail that must not leak")

    monkeypatch.setattr(wb.service, "indicators", boom)
    from starlette.testclient import TestClient

    with TestClient(
        app,
        base_url=BASE,
        headers={"Authorization": f"Bearer {TOKEN}"},
        raise_server_exceptions=False,
    ) as c:
        r = c.get("/c/mature-cluster.yaml?lang=en")
    assert r.status_code == 500
    assert "internal detail" not in r.text and "Traceback" not in r.text


# --- bad tokens of any encoding, and redirects that stay on this origin (issue 22 item 8) -------

BAD_TOKENS = ["%E2%82%AC", "%FF", "%ED%A0%80", "%00", "%C3%A9" * 40, "t%C3%B6ken", "+"]


@pytest.mark.parametrize("token", BAD_TOKENS)
def test_a_query_token_in_any_encoding_is_401_not_500(anonymous, token):
    """`/?token=%E2%82%AC` raised UnicodeEncodeError in the guard: 500 and a traceback."""
    for path in ("/", "/c/nizhny-novgorod.yaml", "/api/health/x"):
        r = anonymous.get(f"{path}?token={token}&lang=en", follow_redirects=False)
        assert r.status_code == 401, (path, token)
        assert "set-cookie" not in r.headers


@pytest.mark.parametrize("value", ["€", "токен", "\u00ff\u00fe", TOKEN + "€", "é" * 300])
def test_a_bearer_or_cookie_token_in_any_script_is_401_not_500(anonymous, value):
    raw = value.encode("utf-8")
    r = anonymous.get("/", headers={"Authorization": b"Bearer " + raw})
    assert r.status_code == 401
    r = anonymous.get("/", headers={"Cookie": COOKIE.encode() + b"=" + raw})
    assert r.status_code == 401
    r = anonymous.post("/api/assess", content=b"x", headers={"Authorization": b"Bearer " + raw})
    assert r.status_code == 401 and r.json()["errors"]


async def _asgi_get(app, path: str, query: bytes) -> tuple[int, dict[bytes, bytes]]:
    """One GET straight through the ASGI application: the path exactly as a raw request line
    gives it (an HTTP client would read `//evil.example/` as a host)."""
    scope = {
        "type": "http",
        "method": "GET",
        "path": path,
        "raw_path": path.encode("utf-8"),
        "query_string": query,
        "headers": [(b"host", b"127.0.0.1:8765")],
    }
    sent: list[dict] = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    await app(scope, receive, send)
    return sent[0]["status"], dict(sent[0]["headers"])


@pytest.mark.parametrize(
    ("path", "location"),
    [
        ("//evil.example/", b"/evil.example/"),
        ("///evil.example/", b"/evil.example/"),
        ("/\\evil.example/", b"/%5Cevil.example/"),
        ("//evil.example/c/x.yaml", b"/evil.example/c/x.yaml"),
        ("/c/Кластер.yaml", b"/c/%D0%9A%D0%BB%D0%B0%D1%81%D1%82%D0%B5%D1%80.yaml"),
    ],
)
def test_the_token_redirect_never_leaves_the_origin(app, path, location):
    """`GET //evil.example/?token=T` answered `Location: //evil.example/`: off-site."""
    import asyncio

    status, headers = asyncio.run(_asgi_get(app, path, f"token={TOKEN}&lang=en".encode()))
    assert status == 303
    assert headers[b"location"] == location + b"?lang=en"


def test_same_origin_path_keeps_one_leading_slash_and_ascii():
    from engine.web.security import same_origin_path

    for path in ("//a", "/\\a", "////a/b", "/a b", "/é", "/\udcff"):
        out = same_origin_path(path)
        assert out.startswith("/") and not out.startswith("//") and out.isascii()
        assert "\\" not in out and " " not in out
