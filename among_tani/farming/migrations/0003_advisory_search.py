from tortoise import migrations

from backend.search import add_search_index


class Migration(migrations.Migration):
    dependencies = [("tani_farming", "0002_imported_farmer")]

    # Advisories and knowledge articles are searched typo-tolerantly in both languages
    # (knowledge(text, ...)): pg_trgm on PostgreSQL, an FTS5 trigram table on SQLite.
    operations = [add_search_index("farming_advisory")]
