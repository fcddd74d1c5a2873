"""``cpc backup`` and ``cpc restore``: the whole database to one file and back."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from core import db
from core.services.records import backup


@click.command("backup")
@with_appcontext
@click.argument("file", type=click.Path(dir_okay=False, writable=True, path_type=Path))
def backup_command(file: Path) -> None:
    """Write the whole database to FILE (a zip archive with the schema revision), as one
    consistent snapshot; the platform can keep serving meanwhile."""
    try:
        report = backup.backup(db.engine(), file)
    except backup.BackupError as error:
        raise click.ClickException(str(error)) from None
    file.chmod(0o600)  # it holds password hashes
    click.echo(
        f"Backed up {report.total} rows from {len(report.rows)} tables (schema revision "
        f"{report.schema_revision}) to {file}."
    )


@click.command("restore")
@with_appcontext
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def restore_command(file: Path) -> None:
    """Load a backup FILE into this empty database (SQLite or PostgreSQL, whichever the
    backup came from), then migrate it to the current schema."""
    try:
        report = backup.restore(db.engine(), file)
    except backup.BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(
        f"Restored {report.total} rows into {len(report.rows)} tables from schema revision "
        f"{report.schema_revision}; the database is now on the current schema."
    )
