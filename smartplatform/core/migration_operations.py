"""Migration operations that only PostgreSQL understands.

Model ``Meta`` options such as ``GinIndex`` would break ``migrate`` on the embedded SQLite
database, so PostgreSQL-only objects are created by these operations, which do nothing on any
other database.
"""

from typing import Any

from django.db import migrations


class PostgreSQLOnlySQL(migrations.RunSQL):
    """``RunSQL`` that runs on PostgreSQL and is skipped elsewhere (both directions)."""

    def database_forwards(
        self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any
    ) -> None:
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(
        self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any
    ) -> None:
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)
