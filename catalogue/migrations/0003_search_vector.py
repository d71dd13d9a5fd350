"""PostgreSQL keeps a weighted tsvector of the analysed search columns (title A, keywords B,
summary C, the rest D) in a generated column with a GIN index. The columns already hold the
platform analyser's stems, so the 'simple' configuration only splits them into lexemes.
SQLite searches the text columns themselves; nothing happens there."""

from django.db import migrations

from smartplatform.core.migration_operations import PostgreSQLOnlySQL


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0002_themes")]

    operations = [
        PostgreSQLOnlySQL(
            sql="""
            ALTER TABLE catalogue_project ADD COLUMN search_vector tsvector
                GENERATED ALWAYS AS (
                    setweight(to_tsvector('simple'::regconfig, search_title), 'A')
                    || setweight(to_tsvector('simple'::regconfig, search_keywords), 'B')
                    || setweight(to_tsvector('simple'::regconfig, search_summary), 'C')
                    || setweight(to_tsvector('simple'::regconfig, search_body), 'D')
                ) STORED;
            CREATE INDEX catalogue_project_search_vector ON catalogue_project
                USING gin (search_vector);
            """,
            reverse_sql="""
            DROP INDEX IF EXISTS catalogue_project_search_vector;
            ALTER TABLE catalogue_project DROP COLUMN IF EXISTS search_vector;
            """,
        ),
    ]
