"""Admin for organisations. Verification moves only through actions that call the services;
events and documents are read-only here (documents download through the staff desk)."""

from django import forms
from django.contrib import admin, messages
from django.db import models
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.models import (
    Invitation,
    Membership,
    Organization,
    OrganizationDocument,
    OrganizationEvent,
)
from accounts.services import organizations as services
from core.errors import ApplicationError


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    fields = ["user", "role", "created_at"]
    readonly_fields = fields

    # Members join by invitation, and roles change and members leave through the services
    # (the last-owner rule, events): on the organisation's members page.
    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class DocumentInline(admin.TabularInline):
    model = OrganizationDocument
    extra = 0
    fields = ["kind", "original_name", "uploaded_by", "created_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class EventInline(admin.TabularInline):
    model = OrganizationEvent
    extra = 0
    fields = ["created_at", "kind", "actor", "from_status", "to_status", "note"]
    readonly_fields = fields
    can_delete = False
    ordering = ["-created_at"]

    def has_add_permission(self, request, obj=None):
        return False


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea, max_length=2000)


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "kind", "district", "verification_status", "created_at"]
    list_filter = ["kind", "verification_status", "is_pkp"]
    search_fields = ["name", "code", "slug", "nib", "npwp"]
    list_select_related = ["district"]
    autocomplete_fields = ["created_by"]
    raw_id_fields = ["district", "village"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    inlines = [MembershipInline, DocumentInline, EventInline]
    actions = ["verify_selected", "reject_selected"]
    readonly_fields = [
        "verification_status",
        "verification_note",
        "verified_at",
        "created_at",
        "updated_at",
    ]

    def get_readonly_fields(self, request, obj=None):
        fixed = ["code", "kind", "slug", "created_by"] if obj else []
        return [*self.readonly_fields, *fixed]

    def save_model(self, request, obj, form, change):
        jurisdiction = obj.jurisdiction
        if change and "jurisdiction" in form.changed_data:
            obj.jurisdiction = form.initial.get("jurisdiction", "")
        super().save_model(request, obj, form, change)
        if change and "jurisdiction" in form.changed_data:
            try:
                services.organization_set_jurisdiction(
                    organization=obj, actor=request.user, jurisdiction=jurisdiction
                )
            except ApplicationError as error:
                self.message_user(request, error.message, messages.ERROR)

    @admin.action(description=_("Verify the selected organisations"))
    def verify_selected(self, request, queryset):
        done = 0
        for organization in queryset:
            try:
                services.organization_verify(organization=organization, actor=request.user)
                done += 1
            except ApplicationError as error:
                self.message_user(request, f"{organization}: {error.message}", messages.WARNING)
        if done:
            self.message_user(
                request,
                ngettext("%d organisation verified.", "%d organisations verified.", done) % done,
            )

    @admin.action(description=_("Reject the selected organisations (with a reason)"))
    def reject_selected(self, request, queryset):
        form = RejectForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            done = 0
            for organization in queryset:
                try:
                    services.organization_reject(
                        organization=organization,
                        actor=request.user,
                        reason=form.cleaned_data["reason"],
                    )
                    done += 1
                except ApplicationError as error:
                    self.message_user(request, f"{organization}: {error.message}", messages.WARNING)
            if done:
                self.message_user(
                    request,
                    ngettext("%d organisation rejected.", "%d organisations rejected.", done)
                    % done,
                )
            return None
        return TemplateResponse(
            request,
            "admin/accounts/reject_organizations.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Reject organisations"),
                "organizations": queryset,
                "form": form,
                "action": "reject_selected",
                "opts": self.model._meta,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            },
        )


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "organization", "role", "status", "expires_at"]
    list_filter = ["status", "role"]
    search_fields = ["email", "organization__name"]
    readonly_fields = [f.name for f in Invitation._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(OrganizationEvent)
class OrganizationEventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "organization", "kind", "actor", "from_status", "to_status"]
    list_filter = ["kind"]
    search_fields = ["organization__name", "note"]
    list_select_related = ["organization", "actor"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
