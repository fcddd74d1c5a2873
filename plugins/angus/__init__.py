"""Angus: its area and its 2021 – 2023 plan frame, holding the TRIC PG5 shared actions.

The frame has no local content: Angus's coordinator adds it. See README.md.
"""

from core.hookspecs import hookimpl
from plugins.area_plugin import AreaSpec, plan_files


@hookimpl
def register_areas():
    return [AreaSpec(slug="angus", name="Angus", committee_name="Angus Child Protection Committee")]


@hookimpl
def contribute_plans():
    return plan_files(__file__)
