"""Admin for partner needs, their history, matches and notifications: everything shown,
nothing edited, added or deleted here. Statuses change only through the actions, which call
the services (close — platform staff's "hide only" — and recompute the matches); needs are
posted and edited by their organisations, matches written only by the matching."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.admin import ReadOnlyAdmin, ReadOnlyInline
from core.errors import ApplicationError
from mitra import services
from mitra.models import Match, Need, NeedEvent, NeedNotification


class NeedEventInline(ReadOnlyInline):
    model = NeedEvent
    fields = ["created_at", "actor", "kind", "from_status", "to_status", "note"]


class MatchInline(ReadOnlyInline):
    model = Match
    fields = ["rank", "posyantek", "product", "score", "components"]
    ordering = ["rank"]


@admin.register(Need)
class NeedAdmin(ReadOnlyAdmin):
    list_display = [
        "title",
        "organization",
        "kind",
        "direction",
        "category",
        "status",
        "deadline",
        "published_at",
    ]
    list_filter = ["status", "kind", "direction", "category__parent"]
    search_fields = ["title", "description", "organization__name", "organization__code"]
    list_select_related = ["organization", "category"]
    inlines = [MatchInline, NeedEventInline]
    actions = ["close_selected", "rematch_selected"]

    @admin.action(description=_("Close the selected needs (take them off the board)"))
    def close_selected(self, request, queryset):
        done = 0
        for need in queryset.order_by("pk"):
            try:
                services.need_close(
                    need=need, actor=request.user, note=str(_("Closed by platform staff."))
                )
                done += 1
            except ApplicationError as error:
                self.message_user(request, f"{need}: {error.message}", messages.WARNING)
        if done:
            self.message_user(request, ngettext("%d need closed.", "%d needs closed.", done) % done)

    @admin.action(description=_("Recompute the matches of the selected needs"))
    def rematch_selected(self, request, queryset):
        queued = sum(
            services.need_match_request(need_id=pk)
            for pk in queryset.filter(status__in=Need.ACTIVE)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        self.message_user(
            request,
            ngettext("Matching queued for %d need.", "Matching queued for %d needs.", queued)
            % queued,
        )


@admin.register(NeedEvent)
class NeedEventAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "need", "kind", "from_status", "to_status", "actor"]
    list_filter = ["kind", "to_status"]
    search_fields = ["need__title", "note"]
    list_select_related = ["need", "actor"]


@admin.register(Match)
class MatchAdmin(ReadOnlyAdmin):
    list_display = ["need", "rank", "posyantek", "product", "score", "created_at"]
    search_fields = ["need__title", "posyantek__name", "product__name"]
    list_select_related = ["need", "posyantek", "product"]


@admin.register(NeedNotification)
class NeedNotificationAdmin(ReadOnlyAdmin):
    list_display = ["need", "posyantek", "score", "sent_at", "created_at"]
    list_filter = ["sent_at"]
    search_fields = ["need__title", "posyantek__name"]
    list_select_related = ["need", "posyantek"]


# --- Partnerships and recurring supply (helper S) ---------------------------------------------
from mitra.models import (  # noqa: E402
    Milestone,
    Partnership,
    PartnershipEvent,
    PartnershipLine,
    SupplyPeriod,
)


class PartnershipLineInline(ReadOnlyInline):
    model = PartnershipLine
    fields = ["product", "quantity", "unit_price_amount"]


class MilestoneInline(ReadOnlyInline):
    model = Milestone
    fields = ["title", "due_date", "done_at", "done_by"]


class SupplyPeriodInline(ReadOnlyInline):
    model = SupplyPeriod
    fields = ["period_start", "delivery_date", "status", "order", "reason"]


class PartnershipEventInline(ReadOnlyInline):
    model = PartnershipEvent
    fields = ["created_at", "kind", "organization", "actor", "from_status", "to_status", "note"]


@admin.register(Partnership)
class PartnershipAdmin(ReadOnlyAdmin):
    """Shown, never changed here: the parties move a partnership through its services."""

    list_display = ["title", "partner", "posyantek", "kind", "status", "frequency", "start_date"]
    list_filter = ["status", "kind", "frequency", "payment_terms"]
    search_fields = ["title", "partner__name", "posyantek__name"]
    list_select_related = ["partner", "posyantek"]
    inlines = [PartnershipLineInline, MilestoneInline, SupplyPeriodInline, PartnershipEventInline]
    actions = ["place_current_periods"]

    @admin.action(description=_("Place the current supply period of the selected partnerships"))
    def place_current_periods(self, request, queryset):
        from django.utils import timezone

        from mitra.services.supply import period_start_of, supply_period_place

        done = 0
        for partnership in queryset.filter(status=Partnership.Status.ACTIVE).exclude(frequency=""):
            start = period_start_of(timezone.localdate(), partnership.frequency)
            done += (
                supply_period_place(partnership_id=partnership.pk, period_start=start) is not None
            )
        self.message_user(
            request,
            ngettext("%d supply period written.", "%d supply periods written.", done) % done,
        )


@admin.register(SupplyPeriod)
class SupplyPeriodAdmin(ReadOnlyAdmin):
    list_display = ["partnership", "period_start", "delivery_date", "status", "order"]
    list_filter = ["status"]
    list_select_related = ["partnership", "order"]
