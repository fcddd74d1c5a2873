"""The annual report's two built-in templates, each section's heading as its source words it:
the Perth and Kinross CPC Standards and Quality Report 2019/2020, and the annual report format
of the Scottish Executive's 2005 guidance for Child Protection Committees."""

from __future__ import annotations

from core.hooks.annual import ReportTemplate, TemplateSection
from core.hooks.specs import hookimpl

STANDARDS_AND_QUALITY = ReportTemplate(
    key="standards-and-quality-pk-2019-20",
    title="Standards and Quality (Perth and Kinross, 2019/20)",
    source="The main headings of the contents list of Perth and Kinross Child Protection "
    "Committee's Standards and Quality Report 2019/2020 (Protecting Children and Young People: "
    "It is Still Everyone's Job), in its order. Its later headings (the governance groups "
    "under leadership, and what follows them) are not included: add them in a plugin's "
    "template if wanted.",
    sections=(
        TemplateSection(
            "preface",
            "Preface by the Children, Young People and Families Partnership",
            10,
            hint="The Partnership's endorsement of the report.",
        ),
        TemplateSection(
            "introduction",
            "Introduction by the Independent Chair of Perth and Kinross CPC",
            20,
            hint="The chair's reflections on the year.",
        ),
        TemplateSection(
            "outcomes",
            "Pictorial Summary – What key outcomes have we achieved and how are we improving?",
            30,
            data=("progress",),
        ),
        TemplateSection("context", "Context", 40, hint="The area and its children and families."),
        TemplateSection(
            "management-information",
            "Management Information and Performance Outcomes",
            50,
            data=("kpis",),
        ),
        TemplateSection(
            "stakeholders",
            "How well do we meet the needs of our stakeholders?",
            60,
            data=("self_evaluation",),
        ),
        TemplateSection(
            "delivery",
            "How good is the delivery of our services for children, young people and families "
            "and our operational management?",
            70,
            data=("recommendations", "learning_reviews"),
        ),
        TemplateSection("leadership", "How good is our leadership?", 80, data=("meetings",)),
    ),
)

SCOTTISH_EXECUTIVE_2005 = ReportTemplate(
    key="cpc-annual-report-scottish-executive-2005",
    title="CPC annual report (Scottish Executive, 2005)",
    source="The recommended format of a CPC's annual report in Scottish Executive (2005), "
    "Protecting Children and Young People: Child Protection Committees, Appendix 2, Reporting "
    "Mechanisms (as the Angus CPC's pages on the national guidance reproduce it).",
    sections=(
        TemplateSection(
            "preface",
            "Preface from Chief Officers",
            10,
            hint="Endorses the report and the business plan; signed by the Chief Officers and "
            "the chair.",
        ),
        TemplateSection(
            "introduction",
            "Introduction",
            20,
            hint="Sets the scene: particular issues or challenges in the period, and any "
            "particular achievements or good practice.",
        ),
        TemplateSection(
            "evaluation-and-inspection",
            "Evaluation and Inspection",
            30,
            data=("self_evaluation", "recommendations", "learning_reviews"),
        ),
        TemplateSection(
            "fulfilling-functions",
            "Fulfilling Functions",
            40,
            data=("progress", "kpis", "meetings"),
            hint="Under nine headings: Public Information; Policies, Procedures and Protocols; "
            "Management Information; Quality Assurance; Promotion of Good Practice; Training "
            "and Staff Development; Communication and Co-operation; Planning and Connections; "
            "Listening to Children and Young People.",
        ),
        TemplateSection(
            "future-planning",
            "Future Planning",
            50,
            hint="The plan for the next 12 months, under the same nine headings.",
        ),
        TemplateSection("conclusion", "Conclusion", 60, hint="Concluding comments."),
        TemplateSection(
            "membership",
            "Appendices: Membership",
            70,
            hint="The membership of the CPC, and the officers serving it.",
        ),
        TemplateSection("resources", "Appendices: Resources dedicated to the CPC", 80),
    ),
)


@hookimpl
def report_templates() -> list[ReportTemplate]:
    return [STANDARDS_AND_QUALITY, SCOTTISH_EXECUTIVE_2005]
