"""The default rule for a shared action's Tayside-wide status."""

from __future__ import annotations

from core.enums import ProgressStatus, Rag
from core.hooks.rollup import RollupRow, TaysideStatus
from core.hooks.specs import hookimpl


@hookimpl(trylast=True)
def tayside_status(row: RollupRow) -> TaysideStatus:
    """Any Red is Red; every adopting area Green or completed is Green; none reported this
    period is "Not reported" (a cell whose update is last period's counts as not reported);
    otherwise Amber."""
    adopted = [cell for cell in row.cells.values() if cell is not None]
    reported = [cell for cell in adopted if cell.reported]
    if not reported:
        return TaysideStatus.NOT_REPORTED
    if any(cell.rag is Rag.RED for cell in reported):
        return TaysideStatus.RED
    if len(reported) == len(adopted) and all(
        cell.rag is Rag.GREEN or cell.status is ProgressStatus.COMPLETED for cell in reported
    ):
        return TaysideStatus.GREEN
    return TaysideStatus.AMBER
