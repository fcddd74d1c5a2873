"""The `cpc` console script: a Flask CLI group over the app factory (`core.cli.main`)."""

from flask.cli import FlaskGroup

from core.app import create_app

main = FlaskGroup(
    name="cpc",
    create_app=create_app,
    add_version_option=False,
    # Flask's own run, shell and routes are left out: `cpc serve` serves the platform.
    add_default_commands=False,
    load_dotenv=False,
    help="Tayside CPC improvement plans. Run `cpc init`, then `cpc serve`.",
)
