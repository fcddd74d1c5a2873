"""Angus: its area and a draft 2021 – 2023 plan frame (the Tayside Priorities for
Practice), with no outcome or action and adopting no TRIC PG5 shared action.

Nothing in it is Angus's own: its coordinator adds the plan in the app. See README.md.
"""

from core.hookspecs import hookimpl

from plugins.area_plugin import AreaSpec, plan_files


@hookimpl
def register_areas():
    return [
        AreaSpec(
            slug="angus",
            name="Angus",
            committee_name="Angus Child Protection Committee",
            code="S12000041",
            statistics_name="Angus",
        )
    ]


@hookimpl
def contribute_plans():
    return plan_files(__file__)
