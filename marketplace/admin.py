"""Admin for the catalogue. Statuses and stock change only through actions that call the
services (hide with a reason, unhide); events, stock movements and capacity bookings are
read-only; products are created by sellers, not here."""

from django import forms
from django.contrib import admin, messages
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.admin import ReadOnlyInline
from core.errors import ApplicationError
from marketplace import services
from marketplace.models import (
    CapacityBooking,
    Category,
    Certification,
    Product,
    ProductEvent,
    ProductImage,
    StockMovement,
)
from marketplace.search import search_vector_refresh


class ImageInline(ReadOnlyInline):
    model = ProductImage
    fields = ["position", "image", "thumbnail", "alt_text"]


class EventInline(ReadOnlyInline):
    model = ProductEvent
    fields = ["created_at", "kind", "actor", "from_status", "to_status", "note"]
    ordering = ["-created_at"]


class StockMovementInline(ReadOnlyInline):
    model = StockMovement
    fields = ["created_at", "delta", "reason", "stock_after", "actor", "note"]


class HideForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea, max_length=2000)


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "parent", "position"]
    list_filter = ["parent"]
    search_fields = ["name", "slug"]
    ordering = ["parent__position", "position"]

    def get_readonly_fields(self, request, obj=None):
        return ["slug"] if obj else []  # slugs are stable

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and {"name", "parent"} & set(form.changed_data):
            # Category names are part of each product's search document.
            search_vector_refresh(category_ids=[obj.pk])


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ["name", "seller", "category", "kind", "price_amount", "status", "stock"]
    list_filter = ["status", "kind", "availability", "category__parent"]
    search_fields = ["name", "slug", "seller__name", "seller__code"]
    list_select_related = ["seller", "category__parent"]
    inlines = [ImageInline, StockMovementInline, EventInline]
    actions = ["hide_selected", "unhide_selected"]
    readonly_fields = [
        "seller",
        "slug",
        "status",
        "hidden_reason",
        "published_at",
        "stock",
        "user_guide",
        "created_at",
        "updated_at",
    ]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        # Through the service: validation and the product_changed signal.
        data = {
            field: form.cleaned_data[field]
            for field in form.changed_data
            if field in services.EDITABLE_FIELDS
        }
        try:
            services.product_update(product=obj, actor=request.user, data=data)
        except ApplicationError as error:
            self.message_user(request, f"{error.message} {error.fields or ''}", messages.ERROR)

    @admin.action(description=_("Hide the selected products (with a reason)"))
    def hide_selected(self, request, queryset):
        form = HideForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            done = 0
            for product in queryset:
                try:
                    services.product_hide(
                        product=product, actor=request.user, reason=form.cleaned_data["reason"]
                    )
                    done += 1
                except ApplicationError as error:
                    self.message_user(request, f"{product}: {error.message}", messages.WARNING)
            if done:
                self.message_user(
                    request, ngettext("%d product hidden.", "%d products hidden.", done) % done
                )
            return None
        return TemplateResponse(
            request,
            "admin/marketplace/hide_products.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Hide products"),
                "products": queryset.select_related("seller"),
                "form": form,
                "action": "hide_selected",
                "opts": self.model._meta,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            },
        )

    @admin.action(description=_("Unhide the selected products (back to draft)"))
    def unhide_selected(self, request, queryset):
        done = 0
        for product in queryset:
            try:
                services.product_unhide(product=product, actor=request.user)
                done += 1
            except ApplicationError as error:
                self.message_user(request, f"{product}: {error.message}", messages.WARNING)
        if done:
            self.message_user(
                request, ngettext("%d product unhidden.", "%d products unhidden.", done) % done
            )


@admin.register(Certification)
class CertificationAdmin(admin.ModelAdmin):
    list_display = ["type", "number", "product", "organization", "valid_until"]
    list_filter = ["type"]
    search_fields = ["number", "product__name", "organization__name"]
    list_select_related = ["product", "organization"]
    # Scans are private: downloaded through a permission-checked view, not the admin.
    readonly_fields = ["product", "organization", "scan", "added_by", "created_at"]

    # Certificates change only through the services (the scan file, product_changed): sellers
    # record and remove them on the product desk; here they are for looking up.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(StockMovement)
class StockMovementAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "product", "delta", "reason", "stock_after", "actor"]
    list_filter = ["reason"]
    search_fields = ["product__name", "note"]
    list_select_related = ["product", "actor"]


@admin.register(ProductEvent)
class ProductEventAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "product", "kind", "from_status", "to_status", "actor"]
    list_filter = ["kind"]
    search_fields = ["product__name", "note"]
    list_select_related = ["product", "actor"]


@admin.register(CapacityBooking)
class CapacityBookingAdmin(ReadOnlyAdmin):
    list_display = ["month", "product", "quantity", "source_type", "source_id", "cancelled"]
    list_filter = ["cancelled", "source_type"]
    search_fields = ["product__name", "source_id"]
    list_select_related = ["product"]
