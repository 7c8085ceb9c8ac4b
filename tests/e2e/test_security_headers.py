"""The security headers a real ``ova serve`` sends: on every response, no-store on tokens, a policy
that lets ``/docs`` load what it loads, and no ``server`` header."""

from __future__ import annotations

import re

import httpx

from tests.e2e.conftest import Account, login

API_POLICY = "default-src 'none'; frame-ancestors 'none'"


def directives(policy: str) -> dict[str, set[str]]:
    parsed: dict[str, set[str]] = {}
    for directive in policy.split(";"):
        name, *sources = directive.split()
        parsed[name] = set(sources)
    return parsed


def test_every_response_carries_the_security_headers_and_no_server_header(client: httpx.Client,
                                                                            user: Account) -> None:
    responses = [client.get("/status"), client.get("/auth/me", headers=user.headers), client.get("/nowhere"),
                 client.post("/auth/login", json={"email": "x"})]

    for response in responses:
        assert response.headers["x-content-type-options"] == "nosniff", response.request.url
        assert response.headers["referrer-policy"] == "no-referrer"
        assert response.headers.get_list("content-security-policy") == [API_POLICY]
        assert "strict-transport-security" not in response.headers  # development
        assert "server" not in response.headers
    assert [r.status_code for r in responses] == [200, 200, 404, 422]


def test_every_response_carrying_tokens_must_not_be_stored(client: httpx.Client, user: Account) -> None:
    logged_in = login(client, user.email, user.password)
    form = client.post("/api/auth/token", data={"username": user.email, "password": user.password})
    refreshed = client.post("/auth/refresh", json={"refresh_token": logged_in.json()["refresh_token"]})

    for response in (logged_in, form, refreshed):
        assert response.status_code == 200 and response.json()["access_token"]
        assert response.headers["cache-control"] == "no-store"
        assert response.headers["pragma"] == "no-cache"


def test_the_docs_policy_allows_exactly_what_the_page_loads(client: httpx.Client) -> None:
    page = client.get("/docs")
    policy = directives(page.headers["content-security-policy"])
    html = page.text
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S)
    sources = [re.search(r'src="([^"]+)"', attributes) for attributes, _ in scripts]
    styles = re.findall(r'<link rel="stylesheet" href="([^"]+)"', html)

    assert scripts and all(not body.strip() for _, body in scripts)  # no inline script: 'self' suffices
    assert "<style" not in html and " style=" not in html
    for url in [*(found.group(1) for found in sources if found), *styles]:
        assert url.startswith("/") and not url.startswith("//"), url  # this origin
        assert client.get(url).status_code == 200, url
    init = client.get("/docs/assets/docs-init.js").text
    assert 'url: "/openapi.json"' in init and "validatorUrl: null" in init  # fetches this origin only
    assert "data:image" in client.get("/docs/assets/swagger-ui.css").text

    assert policy["default-src"] == {"'none'"} and policy["frame-ancestors"] == {"'none'"}
    assert policy["script-src"] == {"'self'"}  # never 'unsafe-inline' nor 'unsafe-eval'
    assert "'self'" in policy["style-src"] and "'self'" in policy["connect-src"]
    assert policy["img-src"] >= {"'self'", "data:"}
    assert page.headers["x-content-type-options"] == "nosniff"
