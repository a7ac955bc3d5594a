from collections.abc import Callable
from functools import cached_property

from django.conf import settings
from django.core.cache import cache
from django.core.paginator import Paginator
from rest_framework import pagination

# Above this many rows an exact COUNT(*) on every page costs more than the page itself.
DEFAULT_EXACT_COUNT_LIMIT = 10_000
DEFAULT_COUNT_CACHE_SECONDS = 300
# A filtered list (a search for a common word) counts this many rows at most, then says "more".
DEFAULT_FILTERED_COUNT_LIMIT = 10_000


class PageNumberPagination(pagination.PageNumberPagination):
    """`count`, `next`, `previous`, `results`; `?page_size=` up to 100."""

    page_size_query_param = "page_size"
    max_page_size = 100


class TwoStepPaginator(Paginator):
    """A paginator over an ordered queryset that, given `fetch_page`, reads a page in two
    steps: the page's primary keys by the list's filters and ordering alone, then
    `fetch_page(keys)` for what the page shows (joins, per-row annotations, photos) — for its
    rows only, never for every match that had to be sorted (a search for a common word
    matches thousands)."""

    def __init__(self, *args, fetch_page: Callable[[list], list] | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fetch_page = fetch_page

    def page(self, number):
        # Django's Paginator.page, reading the rows through _rows.
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        return self._get_page(self._rows(bottom, top), number, self)

    def _rows(self, bottom: int, top: int):
        """The rows [bottom:top] of the list. A slice wholly inside the head that the query
        describes (`query.ranked_head` = (rows, filter): the first `rows` rows are exactly
        those that pass `filter`, as marketplace.search.rank_window sets) is read from that
        head alone, without ordering what follows it."""
        object_list = self.object_list
        head = getattr(getattr(object_list, "query", None), "ranked_head", None)
        if head is not None and top <= head[0]:
            object_list = object_list.filter(head[1])
        return object_list[bottom:top]

    def _get_page(self, object_list, number, paginator):
        if self.fetch_page is not None and hasattr(object_list, "query"):
            object_list = self.fetch_page(list(object_list.values_list("pk", flat=True)))
        return super()._get_page(object_list, number, paginator)


class CachedCountPaginator(TwoStepPaginator):
    """Counts exactly up to API_EXACT_COUNT_LIMIT. Above it: for a list the view calls
    unfiltered (`count_cache_key` given), a count made at most once per
    API_COUNT_CACHE_SECONDS stands in (a few minutes stale at most). A filtered list counts
    exactly up to API_FILTERED_COUNT_LIMIT (10,000) and then stops at that + 1 (a LIMITed
    subquery), meaning "more than 10,000"."""

    def __init__(self, *args, count_cache_key: str | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.count_cache_key = count_cache_key

    uses_cached_count = False

    @cached_property
    def count(self) -> int:
        if not self.count_cache_key:
            return self._capped_count(
                getattr(settings, "API_FILTERED_COUNT_LIMIT", DEFAULT_FILTERED_COUNT_LIMIT)
            )
        limit = getattr(settings, "API_EXACT_COUNT_LIMIT", DEFAULT_EXACT_COUNT_LIMIT)
        cached = cache.get(self.count_cache_key)
        if cached is not None and cached > limit:
            self.uses_cached_count = True
            return cached
        exact = super().count
        timeout = getattr(settings, "API_COUNT_CACHE_SECONDS", DEFAULT_COUNT_CACHE_SECONDS)
        cache.set(self.count_cache_key, exact, timeout)
        return exact

    def _capped_count(self, limit: int) -> int:
        """A filtered list (a search for a common word) counts at most `limit` + 1 rows, in a
        LIMITed subquery: exact up to `limit`, else `limit` + 1 ("more than 10,000"), and the
        pages past it are not served."""
        object_list = self.object_list
        if not hasattr(object_list, "query"):
            return super().count
        counted = object_list.order_by().values("pk")[: limit + 1].count()
        if counted > limit:
            self.uses_cached_count = True
        return counted

    def page(self, number):
        number = self.validate_number(number)  # computes the count
        if not self.uses_cached_count:
            return super().page(number)
        # A cached count may be a little low: never cut a page short because of it.
        bottom = (number - 1) * self.per_page
        return self._get_page(self._rows(bottom, bottom + self.per_page), number, self)


class LargeListPagination(PageNumberPagination):
    """For lists that may hold 10^5 rows and more (the catalogue). The view names a cache key
    for the unfiltered list through `get_count_cache_key(request)` (None when filtered), and
    may read pages in two steps through `get_page_fetcher(request)` (TwoStepPaginator)."""

    def django_paginator_class(self, *args, **kwargs) -> Paginator:  # type: ignore[override]
        return CachedCountPaginator(
            *args, count_cache_key=self._count_cache_key, fetch_page=self._fetch_page, **kwargs
        )

    def paginate_queryset(self, queryset, request, view=None):
        key_for: Callable | None = getattr(view, "get_count_cache_key", None)
        self._count_cache_key = key_for(request) if key_for else None
        fetch_for: Callable | None = getattr(view, "get_page_fetcher", None)
        self._fetch_page = fetch_for(request) if fetch_for else None
        return super().paginate_queryset(queryset, request, view)
