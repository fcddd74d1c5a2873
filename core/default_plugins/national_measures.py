"""The national child protection measures every area reports, as the Scottish Government's
Children's Social Work Statistics publish them (year 1 August to 31 July), with Scotland as the
reference series they are compared with. Only measures whose published wording could be
sourced are shipped; each names the publication, page and edition it was read from, and the
few Scotland figures shipped are the publication's own."""

from __future__ import annotations

from pathlib import Path

from core.hooks.plugin_data import AreaSpec, DataSource
from core.hooks.specs import hookimpl

MEASURES = Path(__file__).parent / "national_measures.json"
SCOTLAND = AreaSpec(
    slug="scotland",
    name="Scotland",
    committee_name="Scotland (the national figures, compared with; not a committee)",
    code="S92000003",
    statistics_name="Scotland",
    is_reference=True,
)


@hookimpl
def register_areas() -> list[AreaSpec]:
    return [SCOTLAND]


@hookimpl
def contribute_kpis() -> list[DataSource]:
    return [DataSource.file(MEASURES)]
