"""The accessibility statement: linked from every page's footer, readable without an account,
naming the operator's contact, and the operator's own wording when they give one."""

from __future__ import annotations

import re

import pytest


@pytest.mark.parametrize("page", ["/sign-in", "/forgotten-password", "/accessibility"])
def test_every_page_links_to_the_statement_which_needs_no_account(app, page):
    visitor = app.test_client()
    shown = visitor.get(page)
    assert shown.status_code == 200
    assert re.search(r'href="/accessibility">Accessibility statement</a>', shown.text)
    statement = visitor.get("/accessibility").text
    for part in ("How accessible this platform is", "Feedback and contact information",
                 "Enforcement procedure", "Equality and Human Rights Commission",
                 "WCAG) version 2.2 AA"):  # fmt: skip
        assert part in statement


def test_a_signed_in_page_links_to_it_too(app, client_for):
    assert 'href="/accessibility">Accessibility statement' in client_for(app, "pk").get("/").text


def test_the_operator_names_the_contact_and_may_reword_it(make_app, tmp_path, monkeypatch):
    app = make_app(load=False, ACCESSIBILITY_CONTACT="cpc.accessibility@example.invalid")
    shown = app.test_client().get("/accessibility").text
    assert "contact cpc.accessibility@example.invalid" in shown
    own = tmp_path / "operator" / "instance" / "templates"
    own.mkdir(parents=True)
    (own / "accessibility.html").write_text(
        '{% extends "base.html" %}{% block main %}Synthetic: our own statement{% endblock %}'
    )
    monkeypatch.setenv("CPC_INSTANCE_PATH", str(tmp_path / "operator" / "instance"))
    reworded = make_app(load=False).test_client().get("/accessibility").text
    assert "Synthetic: our own statement" in reworded
