"""Dundee (Dundee City): its area and a draft 2021 – 2023 plan frame (the Tayside Priorities for
Practice), with no outcome or action and adopting no TRIC PG5 shared action.

Nothing in it is Dundee's own: its coordinator adds the plan in the app. See README.md.
"""

from core.hookspecs import hookimpl

from plugins.area_plugin import AreaSpec, plan_files


@hookimpl
def register_areas():
    return [
        AreaSpec(
            slug="dundee",
            name="Dundee",
            committee_name="Dundee Child Protection Committee",
            code="S12000042",
            statistics_name="Dundee City",
        )
    ]


@hookimpl
def contribute_plans():
    return plan_files(__file__)
