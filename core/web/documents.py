"""Pages that carry their own styles (the committee report's print view, an annual report's
public page): served with a Content-Security-Policy that allows exactly their own ``<style>``
blocks, by hash, and no other inline style or script."""

from __future__ import annotations

import base64
import hashlib
import re

from flask import Response, make_response

STYLE = re.compile(r"<style>(.*?)</style>", re.S)


def self_styled(page: str) -> Response:
    hashes = " ".join(
        f"'sha256-{base64.b64encode(hashlib.sha256(block.encode()).digest()).decode()}'"
        for block in STYLE.findall(page)
    )
    response = make_response(page)
    response.headers["Content-Security-Policy"] = (
        f"default-src 'self'; style-src 'self' {hashes}; frame-ancestors 'none'; "
        "form-action 'self'; base-uri 'none'"
    )
    return response
