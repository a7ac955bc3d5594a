"""Forms of the organisation pages and the staff verification desk.

They only shape input for the services in accounts.services.organizations, which do the real
checks; `apply_service_errors` puts a service's messages back on the form's fields.
"""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization, OrganizationDocument, Role
from core.errors import ApplicationError
from core.forms import apply_service_errors as core_apply_service_errors
from regions.codes import Level
from regions.forms import RegionField
from regions.models import Village

# Service field names that a form shows under another field.
SERVICE_FIELD_ALIASES = {"district": "place", "village": "place", "jurisdiction": "region"}


def apply_service_errors(form: forms.Form, error: ApplicationError) -> None:
    """core.forms.apply_service_errors with the organisation forms' field names."""
    core_apply_service_errors(form, error, aliases=SERVICE_FIELD_ALIASES)


def _place_field(**kwargs) -> RegionField:
    return RegionField(
        level=Level.VILLAGE,
        min_level=Level.DISTRICT,
        label=_("Place"),
        help_text=_("The kecamatan. A Posyantekdes also chooses its village."),
        **kwargs,
    )


def _place_values(place) -> dict[str, Any]:
    """A cleaned RegionField value as the service's `district` and `village`."""
    if isinstance(place, Village):
        return {"district": place.district, "village": place}
    return {"district": place, "village": None}


class OrganizationFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"),
        required=False,
        choices=[("", _("All kinds")), *Organization.Kind.choices],
    )


class OrganizationCreateForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of organisation"), choices=Organization.Kind.choices)
    name = forms.CharField(label=_("Name"), max_length=200)
    posyantek_level = forms.ChoiceField(
        label=_("Posyantek level"),
        required=False,
        choices=[("", "—"), *Organization.PosyantekLevel.choices],
        help_text=_("Only for a Posyantek. A Posyantekdes also gives its village below."),
    )
    place = _place_field()
    address = forms.CharField(
        label=_("Address"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    whatsapp = forms.CharField(
        label=_("WhatsApp"),
        required=False,
        max_length=30,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
        help_text=_("For example 0812 3456 7890."),
    )
    email = forms.EmailField(label=_("Contact e-mail"), required=False)
    nib = forms.CharField(
        label=_("NIB"), required=False, max_length=30, help_text=_("13 digits, if you have one.")
    )
    decree_number = forms.CharField(
        label=_("Decree (SK) number"),
        required=False,
        max_length=120,
        help_text=_("For a Posyantek: the SK that established it."),
    )
    code = forms.CharField(
        label=_("Short code"),
        required=False,
        max_length=8,
        help_text=_(
            "2 to 8 capital letters or digits, e.g. PWK. It never changes and appears on "
            "invoices. Leave empty and we suggest one."
        ),
    )

    def service_arguments(self) -> dict[str, Any]:
        """Keyword arguments for organization_create (besides `user`)."""
        data = dict(self.cleaned_data)
        place = data.pop("place")
        if not data["posyantek_level"]:
            # A Posyantek without a level is a kecamatan one (the service's default); any
            # other kind with a level is refused by the service, by field.
            del data["posyantek_level"]
        return {**data, **_place_values(place)}


class OrganizationEditForm(forms.Form):
    """Profile fields for managers; with `legal=True` (owners, platform staff) also the name,
    place, legal numbers and the payout account."""

    # Profile: owner and manager.
    description = forms.CharField(
        label=_("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What you make and offer, in a few sentences."),
    )
    address = forms.CharField(
        label=_("Address"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    whatsapp = forms.CharField(
        label=_("WhatsApp"),
        required=False,
        max_length=30,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    email = forms.EmailField(label=_("Contact e-mail"), required=False)
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")

    # Legal and payout: owner only.
    name = forms.CharField(label=_("Name"), max_length=200)
    posyantek_level = forms.ChoiceField(
        label=_("Posyantek level"), choices=Organization.PosyantekLevel.choices
    )
    place = _place_field()
    nib = forms.CharField(label=_("NIB"), required=False, max_length=30)
    npwp = forms.CharField(label=_("NPWP"), required=False, max_length=30)
    decree_number = forms.CharField(label=_("Decree (SK) number"), required=False, max_length=120)
    is_pkp = forms.BooleanField(
        label=_("PKP (charges PPN)"),
        required=False,
        help_text=_("Tick if you are a Pengusaha Kena Pajak: PPN is added to your orders."),
    )
    payout_bank_name = forms.CharField(label=_("Bank"), required=False, max_length=100)
    payout_account_number = forms.CharField(
        label=_("Account number"), required=False, max_length=34
    )
    payout_account_holder = forms.CharField(
        label=_("Account holder"), required=False, max_length=150
    )

    PROFILE_FIELDS = ["description", "address", "whatsapp", "email", "website"]
    LEGAL_FIELDS = [
        "name",
        "posyantek_level",
        "place",
        "nib",
        "npwp",
        "decree_number",
        "is_pkp",
        "payout_bank_name",
        "payout_account_number",
        "payout_account_holder",
    ]
    POSYANTEK_ONLY = {"posyantek_level", "decree_number"}
    PAYOUT_FIELDS = ["payout_bank_name", "payout_account_number", "payout_account_holder"]

    def __init__(self, *args, organization: Organization, legal: bool, **kwargs):
        self.organization = organization
        self.legal = legal
        kwargs.setdefault("initial", self._initial(organization))
        super().__init__(*args, **kwargs)
        is_posyantek = organization.kind == Organization.Kind.POSYANTEK
        hidden = {
            *([] if legal else self.LEGAL_FIELDS),
            *([] if is_posyantek else self.POSYANTEK_ONLY),
        }
        for name in hidden:
            self.fields.pop(name, None)

    @staticmethod
    def _initial(organization: Organization) -> dict[str, Any]:
        names = [*OrganizationEditForm.PROFILE_FIELDS, *OrganizationEditForm.LEGAL_FIELDS]
        initial = {name: getattr(organization, name) for name in names if name != "place"}
        initial["place"] = organization.village or organization.district
        return initial

    def profile_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.PROFILE_FIELDS if name in self.fields]

    def legal_fields(self) -> list[forms.BoundField]:
        return [
            self[name]
            for name in self.LEGAL_FIELDS
            if name in self.fields and name not in self.PAYOUT_FIELDS
        ]

    def payout_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.PAYOUT_FIELDS if name in self.fields]

    def changes(self) -> dict[str, Any]:
        """The `data` for organization_update: every field this form shows."""
        data = dict(self.cleaned_data)
        if "place" in data:
            data.update(_place_values(data.pop("place")))
        return data


class InvitationForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mail address"),
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
        help_text=_("We send the invitation to this address."),
    )
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.STAFF)


class RoleForm(forms.Form):
    membership = forms.IntegerField(widget=forms.HiddenInput)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)


class MembershipActionForm(forms.Form):
    """Remove a member (or leave), by membership id."""

    membership = forms.IntegerField(widget=forms.HiddenInput)


class InvitationRevokeForm(forms.Form):
    invitation = forms.IntegerField(widget=forms.HiddenInput)


class DocumentUploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("Which document"), choices=OrganizationDocument.Kind.choices)
    file = forms.FileField(
        label=_("File"),
        help_text=_("A PDF, or a photo (JPEG or PNG), at most 10 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
    )


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Say what to fix: the organisation receives this by e-mail."),
    )


class JurisdictionForm(forms.Form):
    """The province or regency a government organisation oversees (platform staff)."""

    region = RegionField(
        level=Level.REGENCY,
        min_level=Level.PROVINCE,
        label=_("Jurisdiction"),
        help_text=_("A province, or one regency or city in it."),
    )
