"""The report as JSON (the API's default): its sections, blocks and cells."""

from __future__ import annotations

from typing import Any

from core.hooks.report import Block, Cell


def _cell(cell: Cell) -> dict[str, Any]:
    return {
        "text": cell.text,
        "rag": cell.rag.value if cell.rag else None,
        "date": cell.date.isoformat() if cell.date else None,
        "number": cell.number,
    }


def block_json(block: Block) -> dict[str, Any]:
    if block.kind == "bullets":
        return {"kind": "bullets", "items": list(block.items)}
    if block.kind == "chart":
        return {
            "kind": "chart",
            "title": block.title,
            "labels": list(block.labels),
            "series": {name: list(values) for name, values in block.series.items()},
            "target": block.target,
        }
    if block.kind == "heading":
        return {"kind": "heading", "text": block.text, "level": block.level}
    if block.kind == "paragraph":
        return {"kind": "paragraph", "text": block.text}
    return {
        "kind": "table",
        "key": block.key or None,
        "caption": block.caption,
        "columns": block.columns,
        "rows": [[_cell(cell) for cell in row] for row in block.rows],
    }


def as_json(report) -> dict[str, Any]:
    data = report.data
    return {
        "title": report.title,
        "plan": data.plan.id,
        "area": data.plan.area.slug,
        "as_at": data.as_at.isoformat(),
        "previous_reporting_date": data.previous.isoformat() if data.previous else None,
        "sections": [
            {
                "key": section.key,
                "title": section.title,
                "order": section.order,
                "landscape": section.landscape,
                "blocks": [block_json(block) for block in section.blocks],
            }
            for section in report.sections
        ],
        "skipped_plugins": [str(problem) for problem in report.problems],
    }
