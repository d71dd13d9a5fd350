"""Keep each project's tsvector inside its table row (PostgreSQL).

A row holding the long project texts is over PostgreSQL's two-kilobyte threshold, and the
default storage moved the vector out of line into the TOAST table: every search then fetched
it from there, row by row, which made broad searches several times slower. With MAIN storage
PostgreSQL moves the long texts out of line first and keeps the vector in the row. The
UPDATE recomputes every generated vector, so existing rows are stored the new way too."""

from django.db import migrations

from smartplatform.core.migration_operations import PostgreSQLOnlySQL


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0004_contact_requests")]

    operations = [
        PostgreSQLOnlySQL(
            sql="""
            ALTER TABLE catalogue_project ALTER COLUMN search_vector SET STORAGE MAIN;
            UPDATE catalogue_project SET search_title = search_title;
            """,
            reverse_sql="""
            ALTER TABLE catalogue_project ALTER COLUMN search_vector SET STORAGE EXTENDED;
            """,
        ),
    ]
