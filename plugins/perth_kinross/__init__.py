"""Perth and Kinross: its area and its published CPC Improvement Plan 2021 – 2023."""

from core.hookspecs import hookimpl
from plugins.area_plugin import AreaSpec, plan_files


@hookimpl
def register_areas():
    return [
        AreaSpec(
            slug="perth-and-kinross",
            name="Perth and Kinross",
            committee_name="Perth and Kinross Child Protection Committee",
        )
    ]


@hookimpl
def contribute_plans():
    return plan_files(__file__)
