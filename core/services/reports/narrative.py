"""An annual report's narrative, written as plain text: paragraphs separated by a blank line,
lines starting "- " or "* " as a bulleted list, and web addresses (https://...) as links,
whatever the format it is laid out in."""

from __future__ import annotations

import re

from core.hooks.report import Bullets, Paragraph

LINK = re.compile(r"https?://[^\s<>\"']+[^\s<>\"'.,;:!?)]")
BULLET = re.compile(r"^\s*[-*•]\s+")


def blocks_of(text: str) -> list[Paragraph | Bullets]:
    """The paragraphs and bulleted lists of ``text``, in order."""
    found: list[Paragraph | Bullets] = []
    for chunk in re.split(r"\n\s*\n", text.replace("\r\n", "\n").strip()):
        lines = [line.rstrip() for line in chunk.split("\n") if line.strip()]
        words: list[str] = []
        items: list[str] = []
        for line in lines:
            if BULLET.match(line):
                if words:
                    found.append(Paragraph(" ".join(words)))
                    words = []
                items.append(BULLET.sub("", line).strip())
            elif items and line.startswith((" ", "\t")):
                items[-1] += " " + line.strip()  # a bullet continued on the next line
            else:
                if items:
                    found.append(Bullets(items))
                    items = []
                words.append(line.strip())
        if items:
            found.append(Bullets(items))
        if words:
            found.append(Paragraph(" ".join(words)))
    return found


def pieces(text: str) -> list[tuple[str, str | None]]:
    """``text`` as ``(words, link)`` pieces: ``link`` is the address for a web address, None
    for plain words."""
    parts: list[tuple[str, str | None]] = []
    at = 0
    for found in LINK.finditer(text):
        if found.start() > at:
            parts.append((text[at : found.start()], None))
        parts.append((found.group(0), found.group(0)))
        at = found.end()
    if at < len(text):
        parts.append((text[at:], None))
    return parts
