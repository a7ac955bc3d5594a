"""Admin building blocks every app uses: history and money are shown, never edited here
(DESIGN.md: statuses, amounts, stock and ledger entries change only through admin actions that
call the services)."""

from django.contrib import admin


class ReadOnlyInline(admin.TabularInline):
    """Rows shown under their parent, none editable, added or deleted."""

    extra = 0
    can_delete = False

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_add_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(admin.ModelAdmin):
    """Every field shown, none editable; nothing added or deleted here."""

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
