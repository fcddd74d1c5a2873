"""``cpc new-plugin NAME --dir DIR``: a pip-installable area plugin package that passes its
own tests as generated: a pyproject with the ``tayside_cpc`` entry point, a hook module
registering a synthetic area named after it, a small draft plan file, and tests."""

from __future__ import annotations

import json
import re
from pathlib import Path

NAME = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*\Z")


class ScaffoldError(ValueError):
    """The plugin cannot be made there; the message says why."""


def module_name(name: str) -> str:
    return "cpc_" + name.replace("-", "_")


def _plan(name: str, title: str) -> dict:
    return {
        "area": name,
        "slug": "2025-2027",
        "title": f"{title} improvement plan 2025-2027 (synthetic draft)",
        "period_start": "2025-08-01",
        "period_end": "2027-07-31",
        "status": "draft",
        "source": "Synthetic: made by cpc new-plugin. Replace it with the area's own plan.",
        "priority_groups": [
            {
                "title": "Synthetic priority",
                "outcomes": [
                    {
                        "number": 1,
                        "title": "Synthetic outcome",
                        "actions": [
                            {
                                "code": "1.1",
                                "text": "Synthetic action: replace with the plan's first action",
                                "leads": ["Synthetic lead"],
                                "target_date": "2027-07-31",
                            }
                        ],
                    }
                ],
            }
        ],
    }


def files(name: str) -> dict[str, str]:
    """The package's files, by path."""
    module = module_name(name)
    title = name.replace("-", " ").title()
    pyproject = f'''[build-system]
requires = ["setuptools>=68"]
build-backend = "setuptools.build_meta"

[project]
name = "tayside-cpc-{name}"
version = "0.1.0"
description = "The {title} area plugin for the Tayside CPC improvement-plan platform."
requires-python = ">=3.11"
# The platform itself (tayside-cpc) is installed beside it.
dependencies = []

[project.entry-points."tayside_cpc"]
{name} = "{module}"

[tool.setuptools]
packages = ["{module}"]

[tool.setuptools.package-data]
{module} = ["*.json"]

[tool.pytest.ini_options]
testpaths = ["tests"]
pythonpath = ["."]
filterwarnings = ["error"]
'''
    hooks = f'''"""The {title} area plugin: registers the area, contributes its plan and adds a page
of its own to the area.

Add more hooks here: every one is documented in the platform's docs/plugins.md.
"""

from pathlib import Path

from flask import Blueprint

from core.change_types import AreaPages
from core.hookspecs import hookimpl
from core.plugin_data import AreaSpec, DataSource
from core.web.plugin_pages import require_area_role

AREA = AreaSpec(
    slug="{name}",
    name="{title} (synthetic)",
    committee_name="{title} Child Protection Committee (synthetic)",
    # Until the area's real plan replaces the synthetic one.
    is_synthetic=True,
)


@hookimpl
def register_areas():
    return [AREA]


@hookimpl
def contribute_plans():
    return [DataSource.file(Path(__file__).parent / "plan.json")]


# The area's own page, at /areas/{name}/more/{module}/ (anyone signed in reads it).
pages = Blueprint("{module}", __name__)


@pages.get("/")
def index():
    return "The {title} area's own page (synthetic): replace it with the area's own."


@pages.post("/")
@require_area_role("coordinator")  # every view that changes anything must say who may use it
def change():
    return "Changed (synthetic): only the area's coordinators and administrators get here."


@hookimpl
def area_pages():
    return [AreaPages(AREA.slug, pages, "{title}'s own page (synthetic)")]
'''
    tests = f'''"""The plugin's own tests: its area and plan load into the platform, and only the
area's coordinators and administrators change anything through its page."""

import re
from pathlib import Path

import {module}
from core import db, migrate
from core.app import create_app
from core.enums import Role
from core.models import Area, Plan, User
from core.services import loader
from core.services.accounts.accounts import hash_password
from sqlalchemy import select

PASSWORD = "synthetic test password for the plugin"


def _app(tmp_path: Path):
    app = create_app(
        {{
            "TESTING": True,
            "SECRET_KEY": "test",
            "DATABASE_URL": f"sqlite:///{{tmp_path / 'plugin.db'}}",
            "PLUGINS_FROM_ENTRY_POINTS": False,
            "EXTRA_PLUGINS": [("{name}", {module})],
        }}
    )
    with app.app_context():
        migrate.upgrade(db.engine())
        with db.transaction() as session:
            report = loader.load_plugin_content(session, app.extensions["cpc_plugins"])
        assert report.problems == []
    return app


def test_the_area_and_its_plan_load(tmp_path: Path):
    app = _app(tmp_path)
    with app.app_context():
        session = db.get_session()
        area = session.scalars(select(Area).where(Area.slug == "{name}")).one()
        plan = session.scalars(select(Plan).where(Plan.area_id == area.id)).one()
        assert plan.title.startswith("{title}")
    app.extensions["cpc_engine"].dispose()


def _csrf(client, path: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text)[1]


def test_only_coordinators_and_admins_change_through_the_areas_page(tmp_path: Path):
    app = _app(tmp_path)
    with app.app_context(), db.transaction() as session:
        accounts = (("viewer@test.invalid", Role.VIEWER), ("admin@test.invalid", Role.ADMIN))
        for email, role in accounts:
            session.add(User(email=email, role=role, password_hash=hash_password(PASSWORD)))
    page = "/areas/{name}/more/{module}/"
    for email, allowed in (("viewer@test.invalid", 403), ("admin@test.invalid", 200)):
        client = app.test_client()
        signed_in = client.post(
            "/sign-in",
            data={{"email": email, "password": PASSWORD, "csrf_token": _csrf(client, "/sign-in")}},
        )
        assert signed_in.status_code == 302
        assert client.get(page).status_code == 200
        token = _csrf(client, "/account/password")
        assert client.post(page, data={{"csrf_token": token}}).status_code == allowed
    app.extensions["cpc_engine"].dispose()
'''
    readme = f"""# {title} area plugin

An area plugin for the Tayside CPC improvement-plan platform, made by `cpc new-plugin`.

    pip install .            # beside the platform, in its environment
    cpc plugins --check      # checks this plugin's data files and hooks
    cpc init                 # loads the area and its plan
    python -m pytest         # this plugin's own tests

Its plan (`{module}/plan.json`) is a synthetic draft: replace it with the area's own plan
(the format is the platform's `core.schemas.PlanFileSchema`). When the file changes after it
was loaded, `cpc sync-plans` shows the differences and `cpc sync-plans --apply` applies them.
"""
    return {
        "pyproject.toml": pyproject,
        "README.md": readme,
        f"{module}/__init__.py": hooks,
        f"{module}/plan.json": json.dumps(_plan(name, title), indent=2) + "\n",
        "tests/test_plugin.py": tests,
    }


def scaffold(name: str, into: Path) -> Path:
    """Write the package for plugin ``name`` at ``into/name``; refuses to overwrite."""
    if not NAME.match(name) or len(name) > 40:
        raise ScaffoldError(
            f"{name!r} is not a plugin name: use lower-case letters, digits and single hyphens, "
            "starting with a letter (it becomes the area's slug)."
        )
    root = into / name
    if root.exists():
        raise ScaffoldError(f"{root} already exists: choose another --dir or name.")
    for path, text in files(name).items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return root
