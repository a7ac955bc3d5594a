"""Catalogue search.

PostgreSQL: every searched word must match, either by full text with the built-in `indonesian`
configuration (Snowball: `pengering` and `mengeringkan` both become `ering`) over a stored
`Product.search_vector` with weights A name, B category and its parent, C description, D spec
values — GIN-indexed — or by trigram word similarity to the name (`name %> word`, pg_trgm's
`word_similarity_threshold`, 0.6 by default, served by a GIN `gin_trgm_ops` index), so that
typos such as `pencacah rumpt` still find "Mesin Pencacah Rumput". Words are plain words
(no websearch operators: quotes, `or` and `-` would contradict "every word must match").
Ranked by ts_rank plus the trigram word similarity, plus a bonus for a name that starts with
the first searched word (the head noun comes first in Indonesian names).

The vector is refreshed by the services that change a product (`product_create`,
`product_update`) through `search_vector_refresh`, and for everything by
`manage.py search_reindex` — run it after bulk loads and after renaming categories (categories
change only by data migration or the admin, whose save refreshes that category's products).

SQLite: every word must appear (case-insensitively) in the name, the category or its parent,
or the description; ranked by where the words appear.
"""

from collections.abc import Iterable

from django.contrib.postgres.search import SearchQuery, SearchRank, TrigramWordSimilarity
from django.db import connection, connections
from django.db.models import Case, F, FloatField, Q, QuerySet, Value, When

from marketplace.models import Category, Product

SEARCH_CONFIG = "indonesian"
MAX_SEARCH_WORDS = 12


def _is_postgresql(using: str) -> bool:
    return connections[using].vendor == "postgresql"


def search_products(queryset: QuerySet, text: str) -> QuerySet:
    """Products of `queryset` that match `text`, annotated with `search_rank` (higher is
    better). The caller orders (CatalogueFilter orders by `-search_rank` unless told
    otherwise). Blank text leaves the queryset as it is."""
    words = text.split()[:MAX_SEARCH_WORDS]
    if not words:
        return queryset
    text = " ".join(words)
    if _is_postgresql(queryset.db):
        return _search_postgresql(queryset, text, words)
    return _search_words(queryset, words)


def _head_word_bonus(words: list[str]) -> Case:
    """Indonesian names put the head noun first ("Pakan Ternak dari Ampas Tahu" is feed;
    "Mesin Pencetak Pelet Pakan" is a machine): a name that starts with the first searched
    word is what was asked for."""
    return Case(
        When(name__istartswith=words[0], then=Value(0.5)),
        default=Value(0.0),
        output_field=FloatField(),
    )


def _search_postgresql(queryset: QuerySet, text: str, words: list[str]) -> QuerySet:
    # Every word must match: by its stem anywhere in the document, or — for typos — by trigram
    # word similarity to the name. Per word, so that "mesin pelet" does not find every
    # "Mesin P…" through the name's first letters; both halves are GIN-indexed.
    rank_query = None
    for word in words:
        query = SearchQuery(word, search_type="plain", config=SEARCH_CONFIG)
        queryset = queryset.filter(Q(search_vector=query) | Q(name__trigram_word_similar=word))
        rank_query = query if rank_query is None else rank_query | query
    return queryset.annotate(
        search_rank=SearchRank(F("search_vector"), rank_query)
        + TrigramWordSimilarity(text, "name")
        + _head_word_bonus(words)
    )


def _search_words(queryset: QuerySet, words: list[str]) -> QuerySet:
    rank = Value(0.0, output_field=FloatField())
    for word in words:
        queryset = queryset.filter(
            Q(name__icontains=word)
            | Q(category__name__icontains=word)
            | Q(category__parent__name__icontains=word)
            | Q(description__icontains=word)
        )
        rank = rank + Case(
            When(name__icontains=word, then=Value(1.0)),
            When(category__name__icontains=word, then=Value(0.4)),
            When(category__parent__name__icontains=word, then=Value(0.4)),
            default=Value(0.2),
            output_field=FloatField(),
        )
    return queryset.annotate(search_rank=rank + _head_word_bonus(words))


# --- The stored vector ------------------------------------------------------------------------

_REFRESH_SQL = """
UPDATE {product} AS p SET search_vector =
    setweight(to_tsvector(%(config)s, coalesce(p.name, '')), 'A')
    || setweight(to_tsvector(%(config)s, concat_ws(' ', c.name, pc.name)), 'B')
    || setweight(to_tsvector(%(config)s, coalesce(p.description, '')), 'C')
    || setweight(to_tsvector(%(config)s, coalesce((
        SELECT string_agg(spec ->> 'value', ' ')
        FROM jsonb_array_elements(
            CASE WHEN jsonb_typeof(p.specs::jsonb) = 'array' THEN p.specs::jsonb
            ELSE '[]'::jsonb END
        ) AS spec
        WHERE jsonb_typeof(spec) = 'object'
    ), '')), 'D')
FROM {product} AS x
LEFT JOIN {category} AS c ON c.id = x.category_id
LEFT JOIN {category} AS pc ON pc.id = c.parent_id
WHERE x.id = p.id {where}
"""


def search_vector_refresh(
    *,
    product_ids: Iterable[int] | None = None,
    category_ids: Iterable[int] | None = None,
) -> int:
    """Recompute `search_vector` in one UPDATE: of the given products, of the products in the
    given categories (or under them), or of every product when neither is given. Returns the
    number of rows updated; 0 (and nothing to do) on SQLite."""
    if connection.vendor != "postgresql":
        return 0
    params: dict[str, object] = {"config": SEARCH_CONFIG}
    where = ""
    if product_ids is not None:
        params["product_ids"] = list(product_ids)
        where += " AND p.id = ANY(%(product_ids)s)"
    if category_ids is not None:
        params["category_ids"] = list(category_ids)
        where += " AND (c.id = ANY(%(category_ids)s) OR pc.id = ANY(%(category_ids)s))"
    sql = _REFRESH_SQL.format(
        product=connection.ops.quote_name(Product._meta.db_table),
        category=connection.ops.quote_name(Category._meta.db_table),
        where=where,
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount
