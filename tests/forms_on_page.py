"""The POST forms on a page, read from its HTML as a browser would: each form's address and
fields, with the value each field would send unless someone changed it."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class PageForm:
    action: str
    fields: dict[str, str] = field(default_factory=dict)
    # Fields with a choice (radios, selects), and the first real choice of each.
    choices: dict[str, str] = field(default_factory=dict)
    types: dict[str, str] = field(default_factory=dict)


class _Forms(HTMLParser):
    def __init__(self, page_path: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page_path = page_path
        self.forms: list[PageForm] = []
        self.current: PageForm | None = None
        self.textarea: str | None = None
        self.select: str | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and a.get("method", "get").lower() == "post":
            self.current = PageForm(action=a.get("action") or self.page_path)
            self.forms.append(self.current)
        if self.current is None or (not a.get("name") and tag != "option"):
            return
        name = a.get("name", "")
        if tag == "input":
            kind = a.get("type", "text")
            self.current.types.setdefault(name, kind)
            if kind in ("radio", "checkbox"):
                self.current.choices.setdefault(name, a.get("value", "on"))
                if "checked" in a:
                    self.current.fields[name] = a.get("value", "on")
            elif kind != "submit":
                self.current.fields[name] = a.get("value", "")
        elif tag == "textarea":
            self.textarea = name
            self.current.fields[name] = ""
            self.current.types[name] = "textarea"
        elif tag == "select":
            self.select = name
            self.current.types[name] = "select"
        elif tag == "option" and self.select:
            value = a.get("value", "")
            if value:
                self.current.choices.setdefault(self.select, value)
            if "selected" in a:
                self.current.fields[self.select] = value

    def handle_endtag(self, tag):
        if tag == "form":
            self.current = None
        elif tag == "textarea":
            self.textarea = None
        elif tag == "select":
            self.select = None

    def handle_data(self, data):
        if self.current is not None and self.textarea:
            self.current.fields[self.textarea] += data


def post_forms(html: str, page_path: str) -> list[PageForm]:
    parser = _Forms(page_path)
    parser.feed(html)
    return parser.forms
