"""Every hook a plugin can implement. Each docstring is that hook's documentation.

Implement a hook with ``@core.hookimpl`` in a module (or object) registered under the
``tayside_cpc`` entry point group. Hooks that contribute things are called on every plugin and
their answers collected; a hook marked "first answer wins" stops at the first plugin that
returns something other than ``None``.
"""

from __future__ import annotations

from collections.abc import Iterable

import pluggy

from core.hooks.annual import ReportTemplate
from core.hooks.change import AreaPages, ChangeEvent, UpdateDraft, UpdateProblem
from core.hooks.kpi import Combined, KpiFigure, KpiRef
from core.hooks.plugin_data import AreaSpec, DataSource
from core.hooks.rag import ActionFacts, RagSuggestion
from core.hooks.report import ReportSection
from core.hooks.report_data import ReportData
from core.hooks.rollup import RollupRow, TaysideStatus

PROJECT = "tayside_cpc"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec
def register_areas() -> Iterable[AreaSpec]:
    """Register the council areas this plugin provides.

    Receives nothing. Returns an iterable of :class:`core.plugin_data.AreaSpec`. Every plugin
    is asked and all answers are kept; an area slug registered by two plugins is refused for
    the second, with an error naming both. Give the council's official ``code`` (``S12000048``)
    and its ``statistics_name`` as the national statistics' tables print it: an import of
    those tables finds the area by either. ``is_reference`` registers a series compared with,
    not a CPC (the built-in Scotland).
    """


@hookspec
def contribute_plans() -> Iterable[DataSource]:
    """Contribute improvement plans, as data files validated by ``core.schemas.PlanFileSchema``.

    Receives nothing. Returns an iterable of :class:`core.plugin_data.DataSource`, usually
    ``DataSource.file(Path(__file__).parent / "plan.json")``. Every plugin is asked. Each plan
    is stored whole or not at all: an invalid file is reported with the plugin, file, field and
    problem, and the other plans still load. A plan already in the database (same area and
    slug) is left as it is, so coordinators' changes are never overwritten.
    """


@hookspec
def contribute_shared_actions() -> Iterable[DataSource]:
    """Contribute TRIC PG5 shared actions (Tayside-wide actions that each area may adopt).

    Receives nothing. Returns an iterable of :class:`core.plugin_data.DataSource`, each holding
    ``{"shared_actions": [...]}`` as validated by ``core.schemas.SharedActionFileSchema``. Every
    plugin is asked. Shared actions load before plans, so plans can adopt them by key.
    """


@hookspec
def contribute_plan_frames() -> Iterable[DataSource]:
    """Contribute plan frames: priority groupings, numbered outcomes and "plan on a page" lines
    that many plans share (PG5's six Priorities for Practice).

    Receives nothing. Returns an iterable of :class:`core.plugin_data.DataSource`, each holding
    one frame as validated by ``core.schemas.PlanFrameSchema``. Every plugin is asked. A plan file
    names a frame with ``"frame": KEY`` and takes from it whatever the file leaves out.
    """


@hookspec(firstresult=True)
def tayside_status(row: RollupRow) -> TaysideStatus | None:
    """Decide a rollup row's Tayside-wide status from each area's cell.

    Receives a :class:`core.rollup_types.RollupRow` whose ``cells`` map each area slug to its
    :class:`core.rollup_types.RollupCell` (RAG, status, last update, overdue and stale marks:
    a stale cell is "Not reported this period", its RAG last period's, and its ``reported`` is
    false), or to ``None`` where the area has not adopted the action; an area that recorded that the
    action does not apply to it has its reason in ``row.not_applicable``.
    Returns a :class:`core.rollup_types.TaysideStatus`, or ``None`` to leave the decision to
    the next plugin. The first answer wins. The built-in rule (``core.default_plugins.
    tayside_status``) answers last: any Red is Red; every adopting area Green or completed is
    Green; no area reported this period is "Not reported"; anything else is Amber. The rollup page
    names the plugins whose rule is in use.
    """


@hookspec
def report_sections(report: ReportData) -> Iterable[ReportSection]:
    """Contribute sections to a plan's committee progress report.

    Receives a :class:`core.services.report_data.ReportData`: the plan, the date the report is
    as at, the previous reporting date, every action in the plan on that date with its wording
    then, its latest update then and at the previous reporting date, and what changed between
    them. Returns an iterable of :class:`core.report_types.ReportSection` made of headings,
    paragraphs and tables, which every format (HTML and PDF, Word, Excel, CSV) lays out.
    Every plugin is asked and every section kept, ordered by ``order``: the built-in sections
    (``core.default_plugins.report_sections``) are at 10 to 90, so a section at 35 comes
    after the RAG counts. A plugin whose hook raises or answers something that is not a
    section is skipped, and the report page names it.
    """


@hookspec
def report_templates() -> Iterable[ReportTemplate]:
    """Contribute templates for a CPC's annual report (the report kind "annual", beside the
    quarterly progress report).

    Receives nothing. Returns an iterable of :class:`core.hooks.annual.ReportTemplate`: a
    ``key``, a ``title``, its ``source`` (where its headings come from) and its ordered
    ``sections`` (:class:`core.hooks.annual.TemplateSection`), each with its ``heading`` as
    the source words it, its ``order``, whether the coordinator writes it in the app
    (``narrative``) and the parts of the record it is filled from (``data``, keys of
    ``core.hooks.annual.DATA_BLOCKS``: progress, kpis, recommendations, learning_reviews,
    self_evaluation, meetings). A template with ``extends`` adds its sections to another
    template, each where its ``order`` puts it. Every plugin is asked. The built-in templates
    (``core.default_plugins.annual_templates``) are the Perth and Kinross Standards and
    Quality report of 2019/20 and the Scottish Executive's 2005 annual report format; their
    sections are at 10, 20, ... so a section at 35 comes between the third and fourth. A
    template with a key already taken, an unknown data block, or an ``extends`` naming no
    template is left out and named on the annual report page.
    """


@hookspec
def contribute_kpis() -> Iterable[DataSource]:
    """Contribute KPI definitions, as data files validated by ``core.schemas.KpiFileSchema``.

    Receives nothing. Returns an iterable of :class:`core.plugin_data.DataSource`, each holding
    ``{"area": SLUG, "kpis": [...]}`` (``"area": null`` for TRIC PG5's Tayside-wide KPIs;
    ``"national": true`` with ``"area": null`` for national measures, which every area and the
    Scotland reference series report). Every plugin is asked. Each KPI has a ``key``, a
    ``name``, what is ``counted``, its ``unit`` (count, percentage, rate_per_1000, days,
    yes_no), ``frequency`` (monthly, quarterly, annual, sampling, statistical_year: 1 August to
    31 July), ``direction`` (higher, lower, neither), ``combine`` (sum, ratio_of_sums, none), an
    optional ``target`` ``{"value", "date"}``, the numbers of the
    ``actions`` it evidences and its ``source``. Leave out what the source does not say. A
    file is stored whole or not at all, after the plans (so ``actions`` can name theirs); a
    KPI already in the database (same area and key) is left as it is. A plugin contributes
    KPIs only for the areas it registers. A national measure may list its published
    ``definitions`` (``key``, ``wording``, ``first_edition`` like ``"2023-24"``, for a rate the
    ``population`` measure's key, a ``note``): those a stored measure lacks are added. A national
    file may ship published ``figures``, each a row of ``cpc kpi import-national`` with its
    ``source``; they are recorded as that import records them (never for a real area unless
    published).
    """


@hookspec
def contribute_frameworks() -> Iterable[DataSource]:
    """Contribute quality frameworks for self-evaluation, as data files validated by
    ``core.schemas.FrameworkFileSchema``.

    Receives nothing. Returns an iterable of :class:`core.plugin_data.DataSource`, each holding
    one framework: its ``key``, ``title``, ``source`` (where its words come from), ``edition``,
    ``partial`` (true when the file holds only some of its indicators; then ``source`` says
    which are missing), its rating ``scale`` (``[{"value": 6, "label": "Excellent"}, ...]``),
    its self-evaluation ``questions``, and its ``indicators`` (``[{"number": "2.1", "title":
    "..."}]``). Every plugin is asked. A framework already stored (same key) is left as it is,
    except that indicators it lacks are added; those an administrator added in the app stay.
    Ship only what the source publishes: never invent an indicator's number or title.
    """


@hookspec(firstresult=True)
def kpi_values(area: str, kpi: KpiRef, period: str) -> KpiFigure | None:
    """Supply an area's figure for a KPI from the area's own system (a data-source adapter).

    Receives the area's slug, the KPI as a :class:`core.kpi_types.KpiRef` and the period as
    written ("2025-03", "2025-Q1", "2025" or a date). Returns a
    :class:`core.kpi_types.KpiFigure` (with its ``source`` and ``edition``), or ``None`` when
    this plugin has no figure for it. The first answer wins. ``cpc kpi pull`` asks for each
    KPI and period, records each answer as a pulled figure, and reports what no plugin could
    supply; a pulled figure never overwrites one a person entered (a differing one waits for
    the coordinator's decision). A plugin that raises or answers something else is named and
    skipped.
    """


@hookspec(firstresult=True)
def combine_kpi(kpi: KpiRef, period: str, figures: dict[str, KpiFigure | None]) -> Combined | None:
    """Combine the areas' figures for one period of a KPI into a Tayside figure.

    Receives the KPI as a :class:`core.kpi_types.KpiRef`, the period, and ``figures``: each
    area slug that should report, mapped to its :class:`core.kpi_types.KpiFigure` or ``None``
    where it has none. Returns a :class:`core.kpi_types.Combined`, or ``None`` to leave it to
    the next plugin. The first answer wins. The built-in rule (``core.default_plugins.
    kpi_combine``) answers last: ``sum`` adds the figures; ``ratio_of_sums`` divides the sum of
    the numerators by the sum of the denominators (never an average of percentages); ``none``
    combines nothing; and a period where an area has no figure is incomplete and not combined.
    """


@hookspec(firstresult=True)
def suggest_rag(facts: ActionFacts) -> RagSuggestion | None:
    """Suggest the RAG of an action's update from the evidence, and say why.

    Receives :class:`core.rag_types.ActionFacts`: the area's slug, the action's number, kind
    and target date, the status being reported, the day it reports on, the plan's start, the
    date of the action's previous update, the names of its linked KPIs off target, the plan's
    previous reporting date and whether an update is being posted (``days_without_update``
    gives the gap since the last update when it is evidence against the action).
    Returns a :class:`core.rag_types.RagSuggestion` (a RAG, or None for no RAG, and a reason
    in plain words such as "target date passed and not completed"), or ``None`` to leave it
    to the next plugin. The first answer wins. The built-in rule (``core.default_plugins.
    suggest_rag``) answers last: Red when the target date has passed and the action is not
    completed, or it is not started with three-quarters of its time gone; Amber when it is
    not started with half its time gone, has had no update for 120 days (for an update being
    posted, only when it missed the last reporting date), or a linked KPI is off target;
    Green otherwise; no RAG once completed. The update form shows the
    suggestion; choosing a greener RAG than it needs a reason, which the committee report
    lists. A plugin that raises or answers something else is skipped.
    """


@hookspec
def check_update(update: UpdateDraft) -> Iterable[UpdateProblem] | None:
    """Check a progress update against an area's own rule before it is saved.

    Receives a :class:`core.change_types.UpdateDraft`: the area's slug, the action's number and
    the update's fields (reporting date, status, RAG, commentary, evidence link, reason for a
    greener RAG). Returns an iterable of :class:`core.change_types.UpdateProblem` (the form
    field and a sentence, such as ``UpdateProblem("evidence_url", "In Perth and Kinross a Green
    RAG needs an evidence link.")``), or ``None`` or nothing when it has no objection. Every
    plugin is asked; every problem is shown with the platform's own, in one pass, and nothing
    is saved while there is one. Answer only for your own area (``update.area``). A plugin that
    raises is named in the log and skipped: the update is then checked without it.
    """


@hookspec
def after_change(change: ChangeEvent) -> None:
    """React to a change once it is committed: post it to the area's own system, say.

    Receives a :class:`core.change_types.ChangeEvent`: what kind of record changed
    ("progress_update": "posted", "submitted" (posted to wait for review), "accepted",
    "returned", "corrected", "withdrawn", "redacted"; "action": "added", "reworded";
    "period": "locked", "unlocked"; "shared_action": "reworded"), the area's slug (empty for a
    shared action), the record's id and a summary in words, for changes made in the app and
    through the API. Returns nothing. Every plugin is called, after the change is saved (so a
    plugin cannot undo it, and a slow or failing plugin cannot lose it). A plugin that raises
    is named in the log and skipped; the others are still called. Slow or external work
    (posting to another system) belongs on the job queue, as the built-in webhook plugin
    (``core.default_plugins.webhook``) does, so the answer to the change never waits for it.
    """


@hookspec
def area_pages() -> Iterable[AreaPages] | None:
    """Add a plugin's own pages to an area.

    Receives nothing. Returns an iterable of :class:`core.change_types.AreaPages`: the area's
    slug, a Flask blueprint (mounted at ``/areas/<area>/more/<blueprint name>/``, behind the
    same sign-in as every page) and the label of its entry in the area's menu (the dashboard's
    list of links). Every plugin is asked. A plugin may add pages only to the areas it
    registers itself; an answer for another area, one that is not ``AreaPages``, or a
    blueprint name already taken is refused, named in ``cpc plugins`` and left out, and the
    other plugins' pages are still mounted. Anyone signed in reads the pages; a view that
    changes anything must be decorated with ``core.web.plugin_pages.require_area_role``
    (``"coordinator"`` or ``"admin"``), which the platform checks on the server: a write to a
    view without it is refused (403) for everyone.
    """
