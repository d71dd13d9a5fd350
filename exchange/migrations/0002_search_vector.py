"""PostgreSQL keeps a weighted tsvector of a listing's analysed text (title A, the rest D) in
a generated column with a GIN index, stored inside the row (MAIN storage: an out-of-line
vector makes every scan fetch it from the TOAST table). SQLite searches the analysed columns
themselves; nothing happens there."""

from django.db import migrations

from smartplatform.core.migration_operations import PostgreSQLOnlySQL


class Migration(migrations.Migration):
    dependencies = [("exchange", "0001_initial")]

    operations = [
        PostgreSQLOnlySQL(
            sql="""
            ALTER TABLE exchange_listing ADD COLUMN search_vector tsvector
                GENERATED ALWAYS AS (
                    setweight(to_tsvector('simple'::regconfig, search_title), 'A')
                    || setweight(to_tsvector('simple'::regconfig, search_body), 'D')
                ) STORED;
            ALTER TABLE exchange_listing ALTER COLUMN search_vector SET STORAGE MAIN;
            CREATE INDEX exchange_listing_search_vector ON exchange_listing
                USING gin (search_vector);
            """,
            reverse_sql="""
            DROP INDEX IF EXISTS exchange_listing_search_vector;
            ALTER TABLE exchange_listing DROP COLUMN IF EXISTS search_vector;
            """,
        ),
    ]
