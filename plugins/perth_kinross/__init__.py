"""Perth and Kinross: its area, its published CPC Improvement Plan 2021 – 2023, and the KPI
measures of its Appendix 1."""

from pathlib import Path

from core.hookspecs import hookimpl
from core.plugin_data import DataSource

from plugins.area_plugin import AreaSpec, plan_files


@hookimpl
def register_areas():
    return [
        AreaSpec(
            slug="perth-and-kinross",
            name="Perth and Kinross",
            committee_name="Perth and Kinross Child Protection Committee",
            code="S12000048",
            statistics_name="Perth & Kinross",
        )
    ]


@hookimpl
def contribute_plans():
    return plan_files(__file__)


@hookimpl
def contribute_kpis():
    return [DataSource.file(Path(__file__).parent / "kpis.json")]
