"""Catalogue search.

PostgreSQL: every searched word must match. A word that full text finds in some product matches
by its stem with the built-in `indonesian` configuration (Snowball: `pengering` and
`mengeringkan` both become `ering`) over a stored `Product.search_vector` with weights A name,
B category and its parent, C description, D spec values — GIN-indexed. A word full text does
not know is taken as a typo and matches by trigram word similarity to the name (`name %>
word`, pg_trgm's `word_similarity_threshold`, 0.6 by default, served by a GIN `gin_trgm_ops`
index), so that `pencacah rumpt` still finds "Mesin Pencacah Rumput"; keeping similarity to
those words spares common words from rechecking every name that shares a trigram with them.
Words are plain words (no websearch operators: quotes, `or` and `-` would contradict "every
word must match"). Ranked by ts_rank, plus the trigram word similarity of the typos, plus a
bonus for a name that starts with the first searched word (the head noun comes first in
Indonesian names).

The vector is refreshed by the services that change a product (`product_create`,
`product_update`) through `search_vector_refresh`, and for everything by
`manage.py search_reindex` — run it after bulk loads and after renaming categories (categories
change only by data migration or the admin, whose save refreshes that category's products).

SQLite: every word must appear (case-insensitively) in the name, the category or its parent,
or the description; ranked by where the words appear.
"""

import re
from collections.abc import Iterable, Mapping

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


_CLASSIFY_SQL = """
SELECT word, EXISTS (
    SELECT 1 FROM marketplace_product AS p
    WHERE p.search_vector @@ plainto_tsquery(%s::regconfig, word)
)
FROM unnest(%s::text[]) WITH ORDINALITY AS searched(word, position)
WHERE numnode(plainto_tsquery(%s::regconfig, word)) > 0
ORDER BY position
"""


def _classify_words(queryset: QuerySet, words: list[str]) -> tuple[list[str], list[str]]:
    """Split the searched words into those full text finds in at least one product (one GIN
    probe each; any product, so that a seller's search of its drafts works the same) and the
    others, taken as typos, in one statement. Words without a lexeme (punctuation alone) are
    dropped."""
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(_CLASSIFY_SQL, [SEARCH_CONFIG, words, SEARCH_CONFIG])
        rows = cursor.fetchall()
    return [word for word, found in rows if found], [word for word, found in rows if not found]


def _search_postgresql(queryset: QuerySet, text: str, words: list[str]) -> QuerySet:
    # Every word must match. A word that full text knows matches by its stem anywhere in the
    # document (GIN on the vector); a word it does not know is taken as a typo and matches by
    # trigram word similarity to the name (GIN gin_trgm_ops). Keeping the trigram match to the
    # unknown words keeps common words ("pakan", "ikan") from rechecking the similarity of
    # every name that shares a trigram with them, and ranking from computing it per row.
    known, typos = _classify_words(queryset, words)
    if not known and not typos:
        return queryset.none().annotate(search_rank=Value(0.0, output_field=FloatField()))
    full_text = None
    for word in known:
        query = SearchQuery(word, search_type="plain", config=SEARCH_CONFIG)
        full_text = query if full_text is None else full_text & query
    for word in typos:
        queryset = queryset.filter(name__trigram_word_similar=word)
    rank = _head_word_bonus(words)
    if full_text is not None:
        queryset = queryset.filter(search_vector=full_text)
        rank = rank + SearchRank(F("search_vector"), full_text)
    if typos:
        rank = rank + TrigramWordSimilarity(" ".join(typos), "name")
    return queryset.annotate(search_rank=rank)


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


# --- Relevance for matching (mitra.matching) ----------------------------------------------------

_RELEVANCE_WORD = re.compile(r"[^\W_]+")


def search_relevance(
    queryset: QuerySet,
    words: Mapping[str, float],
    *,
    also: Q | None = None,
    finding_weight: float = 0.0,
) -> QuerySet:
    """OR-style relevance, for ranking rather than finding: products of `queryset` that
    contain at least one of `words` of weight ≥ `finding_weight` (or satisfy `also`),
    annotated with `search_relevance` in [0, 1] — the weighted share of all the words found,
    each counting fully in the name, 0.7 in the category or its parent, 0.5 in the
    description (and spec values on PostgreSQL). `words` maps a word to its weight (e.g. 2 for
    a title word, 1 for a description word); anything but letters and digits is dropped from
    a word. A `finding_weight` above the lighter words keeps common description words
    ("alat", "desa") from making half the catalogue a candidate.

    PostgreSQL: stems with the `indonesian` configuration over `Product.search_vector` (its
    weights A name, B category, C description, D specs); the "contains any word" filter is one
    OR tsquery served by the GIN index. SQLite: case-insensitive substring matches."""
    cleaned: dict[str, float] = {}
    for word, weight in words.items():
        for part in _RELEVANCE_WORD.findall(word.lower()):
            if weight > 0:
                cleaned[part] = max(cleaned.get(part, 0.0), float(weight))
    zero = Value(0.0, output_field=FloatField())
    if not cleaned:
        queryset = queryset.filter(also) if also is not None else queryset.none()
        return queryset.annotate(search_relevance=zero)
    total = sum(cleaned.values())
    postgresql = _is_postgresql(queryset.db)
    found = Q(pk__in=[])  # matches nothing until a finding word is added
    relevance = zero
    for word, weight in cleaned.items():
        if postgresql:
            plain = SearchQuery(word, search_type="plain", config=SEARCH_CONFIG)
            in_name = Q(
                search_vector=SearchQuery(f"{word}:A", search_type="raw", config=SEARCH_CONFIG)
            )
            in_category = Q(
                search_vector=SearchQuery(f"{word}:B", search_type="raw", config=SEARCH_CONFIG)
            )
            anywhere = Q(search_vector=plain)
        else:
            in_name = Q(name__icontains=word)
            in_category = Q(category__name__icontains=word) | Q(
                category__parent__name__icontains=word
            )
            anywhere = in_name | in_category | Q(description__icontains=word)
        if weight >= finding_weight:
            found |= anywhere
        relevance = relevance + Case(
            When(in_name, then=Value(weight)),
            When(in_category, then=Value(0.7 * weight)),
            When(anywhere, then=Value(0.5 * weight)),
            default=Value(0.0),
            output_field=FloatField(),
        )
    if postgresql:
        # One OR tsquery for the filter, so that the GIN index answers "contains any word".
        any_word = None
        for word, weight in cleaned.items():
            if weight < finding_weight:
                continue
            query = SearchQuery(word, search_type="plain", config=SEARCH_CONFIG)
            any_word = query if any_word is None else any_word | query
        found = Q(search_vector=any_word) if any_word is not None else Q(pk__in=[])
    if also is not None:
        found |= also
    return queryset.filter(found).annotate(search_relevance=relevance / Value(total))
