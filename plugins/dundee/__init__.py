"""Dundee (Dundee City): its area and its 2021 – 2023 plan frame, holding the TRIC PG5 shared
actions.

The frame has no local content: Dundee's coordinator adds it. See README.md.
"""

from core.hookspecs import hookimpl
from plugins.area_plugin import AreaSpec, plan_files


@hookimpl
def register_areas():
    return [
        AreaSpec(slug="dundee", name="Dundee", committee_name="Dundee Child Protection Committee")
    ]


@hookimpl
def contribute_plans():
    return plan_files(__file__)
