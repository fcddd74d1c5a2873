"""TRIC PG5 (Tayside Regional Improvement Collaborative, Priority Group 5: Safeguarding and
Child Protection): the Tayside-wide shared actions that areas adopt, and the six Priorities for
Practice that frame every area's plan. The rollup over them is ``core.services.tric.rollup``."""

from pathlib import Path

from core.hookspecs import hookimpl
from core.plugin_data import DataSource

HERE = Path(__file__).parent


@hookimpl
def contribute_shared_actions():
    return [DataSource.file(HERE / "shared_actions.json")]


@hookimpl
def contribute_plan_frames():
    return [DataSource.file(HERE / "priorities_for_practice.json")]
