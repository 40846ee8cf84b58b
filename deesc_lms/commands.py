"""What every management command that reads or writes the database checks first."""

from __future__ import annotations

from django.core.management.base import CommandError
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.migrations.executor import MigrationExecutor


def require_migrated_database(alias: str = DEFAULT_DB_ALIAS) -> None:
    """A clear CommandError, not a traceback from the first query, when the database cannot be
    reached or has migrations still to apply."""
    connection = connections[alias]
    where = connection.settings_dict.get("NAME") or alias
    try:
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError as exc:
        raise CommandError(f"Cannot reach the database {where}: {exc}. Check DATABASE_URL.") from exc
    if plan:
        raise CommandError(
            f"The database {where} is not set up ({len(plan)} migrations not applied): run "
            "`python manage.py migrate` first (`make demo` does it for the embedded default)."
        )
