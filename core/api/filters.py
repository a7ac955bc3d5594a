"""The API's filter backend."""

from django_filters.rest_framework import DjangoFilterBackend


class FilterBackend(DjangoFilterBackend):
    """django-filter's backend, except that a request naming none of the FilterSet's
    parameters gets the queryset as it is, without building a FilterSet and its form: the
    plain first page of a list (the catalogue's most frequent request) is spared that work.
    With any of its parameters, the FilterSet validates and filters as usual (a bad value is
    a 400)."""

    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is not None and not any(
            name in request.query_params for name in filterset_class.base_filters
        ):
            return queryset
        return super().filter_queryset(request, queryset, view)
