"""Catalogue search.

PostgreSQL: every searched word must match. A word that full text finds in some product matches
by its stem with the built-in `indonesian` configuration (Snowball: `pengering` and
`mengeringkan` both become `ering`) over a stored `Product.search_vector` with weights A name,
B category and its parent, C description, D spec values — GIN-indexed. A word full text does
not know is taken as a typo and corrected, as pg_trgm's documentation suggests for spelling,
against a vocabulary of the words of product names (`SearchWord`, a few thousand rows with a
GIN `gin_trgm_ops` index): the few words most similar to it (`word <% vocabulary word`,
pg_trgm's `word_similarity_threshold`, 0.6 by default) stand in for it, any of them matching,
so that `pencacah rumpt` searches `pencacah & (rumput | …)` and still finds "Mesin Pencacah
Rumput" — a plain full-text search, with no similarity computed per product. Words are plain
words (no websearch operators: quotes, `or` and `-` would contradict "every word must
match"). Ranked by ts_rank, plus a bonus for a name that starts with the first searched word
(as corrected; the head noun comes first in Indonesian names).

The vector is refreshed by the services that change a product (`product_create`,
`product_update`) through `search_vector_refresh`, which also adds their names' words to the
vocabulary, and for everything (vectors and vocabulary) by
`manage.py search_reindex` — run it after bulk loads and after renaming categories (categories
change only by data migration or the admin, whose save refreshes that category's products).

SQLite: every word must appear (case-insensitively) in the name, the category or its parent,
or the description; ranked by where the words appear.
"""

import re
from collections.abc import Iterable, Mapping

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection, connections
from django.db.models import Case, F, FloatField, Q, QuerySet, Value, When

from marketplace.models import Category, Product, SearchWord

SEARCH_CONFIG = "indonesian"
MAX_SEARCH_WORDS = 12
# A search for a common word matches a large share of the catalogue (17,000 of 100,000
# products for `pakan`); ranking every match reads every matching row, so the work grows with
# the catalogue. Above this many matches only the newest RANK_WINDOW matches are ranked by
# relevance; the older ones follow, newest first (see rank_window).
RANK_WINDOW = 1_000


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


# Up to this many vocabulary words stand for a word that full text does not know.
MAX_CORRECTIONS = 3

_CLASSIFY_SQL = """
SELECT searched.word, searched.found, CASE WHEN searched.found THEN ARRAY[]::text[] ELSE ARRAY(
    SELECT v.word FROM marketplace_searchword AS v
    WHERE searched.word <%% v.word
        AND numnode(plainto_tsquery(%(config)s::regconfig, v.word)) > 0
    ORDER BY word_similarity(searched.word, v.word) DESC, similarity(searched.word, v.word) DESC,
        v.word
    LIMIT %(corrections)s
) END
FROM (
    SELECT word, position, EXISTS (
        SELECT 1 FROM marketplace_product AS p
        WHERE p.search_vector @@ plainto_tsquery(%(config)s::regconfig, word)
    ) AS found
    FROM unnest(%(words)s::text[]) WITH ORDINALITY AS searched(word, position)
    WHERE numnode(plainto_tsquery(%(config)s::regconfig, word)) > 0
) AS searched
ORDER BY searched.position
"""


def _classify_words(queryset: QuerySet, words: list[str]) -> list[tuple[str, list[str]]]:
    """Each searched word with the words full text should look for in its place, in one
    statement: the word itself when full text finds it in at least one product (one GIN probe;
    any product, so that a seller's search of its drafts works the same), else — a typo — the
    MAX_CORRECTIONS vocabulary words most similar to it (pg_trgm `word <% vocabulary word`:
    word similarity at least `pg_trgm.word_similarity_threshold`, 0.6 by default; the
    vocabulary's GIN trigram index), best first, none if nothing is similar enough. Words
    without a lexeme (punctuation alone) are dropped."""
    params = {"config": SEARCH_CONFIG, "words": words, "corrections": MAX_CORRECTIONS}
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(_CLASSIFY_SQL, params)
        rows = cursor.fetchall()
    return [(word, [word] if found else list(corrections)) for word, found, corrections in rows]


def _search_postgresql(queryset: QuerySet, text: str, words: list[str]) -> QuerySet:
    # Every word must match, by its stem anywhere in the document (GIN on the vector). A word
    # that full text does not know is replaced by the most similar words of the vocabulary
    # (any of them may match), so that a typo costs one probe of the small vocabulary's
    # trigram index and the products are searched by full text alone — no per-row similarity.
    classified = _classify_words(queryset, words)
    if not classified or any(not looked_for for _word, looked_for in classified):
        return queryset.none().annotate(search_rank=Value(0.0, output_field=FloatField()))
    full_text = None
    for _word, looked_for in classified:
        query = None
        for word in looked_for:
            one = SearchQuery(word, search_type="plain", config=SEARCH_CONFIG)
            query = one if query is None else query | one
        full_text = query if full_text is None else full_text & query
    # The head-word bonus for the first word as asked, or as corrected (its best correction).
    first = classified[0][1][0] if classified[0][0] == words[0] else words[0]
    rank = _head_word_bonus([first]) + SearchRank(F("search_vector"), full_text)
    return queryset.filter(search_vector=full_text).annotate(search_rank=rank)


def rank_window(queryset: QuerySet, *, window: int | None = None) -> QuerySet:
    """Bound the ranking of a searched queryset (search_products, with every filter applied)
    to its newest `window` (default RANK_WINDOW) matches when it has more: those come first,
    by relevance, then the rest newest first; `search_rank` of the rest is -1. Ordered either
    way (`-search_rank`, `-id`). The newest matches are found in one statement (the id of the
    first match past the window, walking the primary key backwards or sorting the matches'
    ids, as the planner finds cheaper); no window on SQLite, nor for fewer matches.

    The first `window` rows of the result are exactly the matches with an id above that edge:
    `ranked_head` on the query says so (rows, filter), so that a paginator can read a page of
    them without ordering the older matches (core.api.pagination.TwoStepPaginator)."""
    window = RANK_WINDOW if window is None else window
    ordered = queryset.order_by("-search_rank", "-id")
    if "search_rank" not in queryset.query.annotations or not _is_postgresql(queryset.db):
        return ordered
    past = list(queryset.order_by("-id").values_list("pk", flat=True)[window : window + 1])
    if not past:
        return ordered
    edge = past[0]
    rank = queryset.query.annotations["search_rank"]
    ordered = queryset.annotate(
        search_rank=Case(
            When(pk__gt=edge, then=rank),
            default=Value(-1.0),
            output_field=FloatField(),
        )
    ).order_by("-search_rank", "-id")
    ordered.query.ranked_head = (window, Q(pk__gt=edge))
    return ordered


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

# The same UPDATE, which also adds the words of the updated names to the vocabulary — and, when
# every product was updated, drops the words that no name has any more — in one statement.
_REFRESH_WITH_VOCABULARY_SQL = """
WITH updated AS (
    {update} RETURNING p.name
), words AS (
    SELECT DISTINCT w.word
    FROM updated, unnest(tsvector_to_array(to_tsvector('simple', coalesce(updated.name, ''))))
        AS w(word)
    WHERE length(w.word) <= 64
), added AS (
    INSERT INTO {vocabulary} (word) SELECT word FROM words ON CONFLICT DO NOTHING
){prune}
SELECT count(*) FROM updated
"""

_PRUNE_SQL = """, pruned AS (
    DELETE FROM {vocabulary} AS v WHERE NOT EXISTS (SELECT 1 FROM words WHERE words.word = v.word)
)"""


def search_vector_refresh(
    *,
    product_ids: Iterable[int] | None = None,
    category_ids: Iterable[int] | None = None,
    vocabulary: bool = True,
) -> int:
    """Recompute `search_vector` in one statement: of the given products, of the products in
    the given categories (or under them), or of every product when neither is given; and add
    the words of their names to the search vocabulary (SearchWord; a full refresh also drops
    the words no name has any more — a renamed product's old words stay until then, harmless:
    a typo corrected to one finds nothing through it). Returns the number of products updated;
    0 (and nothing to do) on SQLite. `vocabulary=False` (for migrations that run before the
    vocabulary exists) updates the vectors alone."""
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
    quote = connection.ops.quote_name
    sql = _REFRESH_SQL.format(
        product=quote(Product._meta.db_table),
        category=quote(Category._meta.db_table),
        where=where,
    )
    if not vocabulary:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.rowcount
    table = quote(SearchWord._meta.db_table)
    everything = product_ids is None and category_ids is None
    sql = _REFRESH_WITH_VOCABULARY_SQL.format(
        update=sql.strip(),
        vocabulary=table,
        prune=_PRUNE_SQL.format(vocabulary=table) if everything else "",
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


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
