"""The RAG colours of every export (GOV.UK's red, yellow and green), with a text colour that
has enough contrast on each; RAG is always written out as well."""

from __future__ import annotations

from core.enums import Rag

RAG_FILLS = {Rag.RED: "D4351C", Rag.AMBER: "FFDD00", Rag.GREEN: "00703C"}
RAG_TEXT = {Rag.RED: "FFFFFF", Rag.AMBER: "0B0C0C", Rag.GREEN: "FFFFFF"}
