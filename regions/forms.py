"""The region picker: province → regency/city → kecamatan → village, one level at a time.

Every form that asks for a place uses `RegionField(level=Level.DISTRICT)` (or VILLAGE). The
widget renders one <select> per level; the server fills the levels already chosen, so it works
without JavaScript (choose, submit, the next level appears) and re-renders a half-finished choice
after a validation error. With JavaScript (static/js/region-picker.js) each change loads only
the next level from the regions API, a few kilobytes at a time.
"""

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from regions.codes import Level, level_of
from regions.models import Region
from regions.selectors import region_chain_codes, region_get, region_list

LEVEL_FIELD_LABELS = {
    Level.PROVINCE: _("Province"),
    Level.REGENCY: _("Regency / city"),
    Level.DISTRICT: _("Kecamatan"),
    Level.VILLAGE: _("Village / kelurahan"),
}
CHOOSE_LABELS = {
    Level.PROVINCE: _("Choose a province"),
    Level.REGENCY: _("Choose a regency or city"),
    Level.DISTRICT: _("Choose a kecamatan"),
    Level.VILLAGE: _("Choose a village or kelurahan"),
}
API_ROUTES = {
    Level.PROVINCE: ("api:region-provinces", None),
    Level.REGENCY: ("api:region-regencies", "province"),
    Level.DISTRICT: ("api:region-districts", "regency"),
    Level.VILLAGE: ("api:region-villages", "district"),
}


class RegionPickerWidget(forms.Widget):
    template_name = "regions/widgets/region_picker.html"

    def __init__(self, *, level: Level = Level.DISTRICT, attrs=None):
        self.level = level
        # Levels deeper than this one are optional (set by RegionField's min_level), so the
        # browser must not insist on them.
        self.required_level = level
        super().__init__(attrs)

    def subfield_name(self, name: str, level: Level) -> str:
        return f"{name}_{level.name.lower()}"

    def value_from_datadict(self, data, files, name):
        """The deepest level chosen, e.g. "36.72" when only a regency was picked."""
        chosen = ""
        for level in Level:
            if level > self.level:
                break
            value = (data.get(self.subfield_name(name, level)) or "").strip()
            if not value or level_of(value) != level or (chosen and not value.startswith(chosen)):
                break
            chosen = value
        return chosen or None

    def value_omitted_from_data(self, data, files, name):
        return self.subfield_name(name, Level.PROVINCE) not in data

    def format_value(self, value):
        if isinstance(value, Region):
            return value.code
        return value or ""

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        chain = region_chain_codes(self.format_value(value))
        base_id = (attrs or {}).get("id") or f"id_{name}"
        levels = []
        for level in Level:
            if level > self.level:
                break
            parent = chain.get(Level(level - 1)) if level > Level.PROVINCE else None
            if level == Level.PROVINCE or parent:
                options = list(
                    region_list(level=level, parent=parent).values_list("code", "display_name")
                )
            else:
                options = []
            route, parent_param = API_ROUTES[level]
            levels.append(
                {
                    "level": level.name.lower(),
                    "name": self.subfield_name(name, level),
                    "id": f"{base_id}_{level.name.lower()}",
                    "label": LEVEL_FIELD_LABELS[level],
                    "choose": CHOOSE_LABELS[level],
                    "options": options,
                    "selected": chain.get(level, ""),
                    "api_url": reverse(route),
                    "parent_param": parent_param or "",
                    "required": self.is_required and level <= self.required_level,
                }
            )
        context["widget"]["levels"] = levels
        return context

    class Media:
        js = ["js/region-picker.js"]


class RegionField(forms.Field):
    """A place down to `level` (a kecamatan by default); cleans to that level's model.

    With `min_level` shallower than `level` the deeper levels are optional: e.g.
    `RegionField(level=Level.VILLAGE, min_level=Level.DISTRICT)` accepts a kecamatan or one of
    its villages and cleans to a District or a Village.
    """

    default_error_messages = {
        "incomplete": _("Choose the %(level)s too."),
        "invalid": _("This place is not in the list of regions. Choose it again."),
        "retired": _(
            "%(name)s is no longer in the official list of regions. Choose its current name."
        ),
    }

    def __init__(self, *, level: Level = Level.DISTRICT, min_level: Level | None = None, **kwargs):
        self.level = level
        self.min_level = min_level or level
        kwargs.setdefault("widget", RegionPickerWidget(level=level))
        super().__init__(**kwargs)
        self.widget.required_level = self.min_level

    def prepare_value(self, value):
        return value.code if isinstance(value, Region) else value

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, Region):
            return value
        code = str(value)
        code_level = level_of(code)
        if code_level is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        if code_level < self.min_level:
            missing = LEVEL_FIELD_LABELS[Level(code_level + 1)]
            raise forms.ValidationError(
                self.error_messages["incomplete"],
                code="incomplete",
                params={"level": str(missing).lower()},
            )
        region = region_get(code)
        if region is None or code_level > self.level:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        if region.is_retired:
            raise forms.ValidationError(
                self.error_messages["retired"], code="retired", params={"name": region.display_name}
            )
        return region
