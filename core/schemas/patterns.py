"""The patterns identifiers are checked against, the same for forms, the API and every
imported file. Each ends with ``END``: the end of the text in Python and in the OpenAPI
document's (ECMA) regular expressions alike, where Python's ``$`` would also match before a
final line break."""

from __future__ import annotations

from marshmallow import validate

END = r"(?![\s\S])"
SLUG = r"^[a-z0-9]+(-[a-z0-9]+)*" + END
CODE = r"^\d{1,3}(\.\d{1,3})?" + END
WEB_ADDRESS = r"^https?://[^\s\x00]+" + END

Slug = validate.Regexp(SLUG, error="Use lower-case letters, digits and -.")
# An action's number: "3", "3.1" (never a space, line break or control character).
Code = validate.Regexp(CODE, error='Give an action number like "3.1".')
