"""Catalogue search: the stored search vector, and on PostgreSQL only the pg_trgm extension,
a GIN index on the vector, a GIN trigram index on the name, and the vectors of existing
products. SQLite gets the column alone (its search is a plain word search)."""

import django.contrib.postgres.search
from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

INDEXES = [
    (
        "marketplace_product_search_vector_gin",
        "CREATE INDEX IF NOT EXISTS marketplace_product_search_vector_gin "
        "ON marketplace_product USING gin (search_vector)",
    ),
    (
        "marketplace_product_name_trgm_gin",
        "CREATE INDEX IF NOT EXISTS marketplace_product_name_trgm_gin "
        "ON marketplace_product USING gin (name gin_trgm_ops)",
    ),
]


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for _name, sql in INDEXES:
        schema_editor.execute(sql)
    from marketplace.search import search_vector_refresh

    search_vector_refresh(vocabulary=False)  # the vocabulary comes with migration 0006


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _sql in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("marketplace", "0002_category_tree"),
    ]

    operations = [
        TrigramExtension(),  # does nothing on other databases
        migrations.AddField(
            model_name="product",
            name="search_vector",
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.RunPython(create_indexes, drop_indexes),
    ]
