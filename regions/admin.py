from django.contrib import admin

from regions.models import District, Province, Regency, Village


class RegionAdmin(admin.ModelAdmin):
    """Read-only: the official file owns these rows (manage.py load_regions)."""

    list_display = ("code", "display_name", "name", "is_retired")
    list_filter = ("is_retired",)
    search_fields = ("code", "display_name", "name")
    ordering = ("code",)
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


admin.site.register(Province, RegionAdmin)
admin.site.register(Regency, RegionAdmin)
admin.site.register(District, RegionAdmin)
admin.site.register(Village, RegionAdmin)
