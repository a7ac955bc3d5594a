"""The search vocabulary (marketplace.SearchWord): the words of product names, which a search
word that full text does not know is corrected against. On PostgreSQL only: its GIN trigram
index, and the words of the existing products."""

from django.db import migrations, models

INDEX = "marketplace_searchword_word_trgm_gin"

FILL = """
INSERT INTO marketplace_searchword (word)
SELECT DISTINCT w.word
FROM marketplace_product AS p,
    unnest(tsvector_to_array(to_tsvector('simple', coalesce(p.name, '')))) AS w(word)
WHERE length(w.word) <= 64
ON CONFLICT DO NOTHING
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON marketplace_searchword USING gin (word gin_trgm_ops)"
    )
    schema_editor.execute(FILL)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("marketplace", "0005_product_rating"),
    ]

    operations = [
        migrations.CreateModel(
            name="SearchWord",
            fields=[
                (
                    "word",
                    models.CharField(
                        max_length=64, primary_key=True, serialize=False, verbose_name="word"
                    ),
                ),
            ],
            options={
                "verbose_name": "search word",
                "verbose_name_plural": "search words",
            },
        ),
        migrations.RunPython(forwards, backwards),
    ]
