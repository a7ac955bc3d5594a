"""Indonesia's administrative regions, keyed by Kemendagri codes.

Rows are never deleted: a code missing from a newer official file is *retired* — hidden from
pickers and new choices, kept for everything that already points at it.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import BaseModel


class RegionQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_retired=False)


class Region(BaseModel):
    code = models.CharField(_("Kemendagri code"), max_length=13, primary_key=True)
    name = models.CharField(_("official name"), max_length=120)
    display_name = models.CharField(_("name"), max_length=120, db_index=True)
    is_retired = models.BooleanField(
        _("retired"),
        default=False,
        help_text=_("No longer in the official list: hidden from pickers, kept for references."),
    )

    objects = RegionQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["display_name"]

    def __str__(self) -> str:
        return self.display_name


class Province(Region):
    class Meta(Region.Meta):
        verbose_name = _("province")
        verbose_name_plural = _("provinces")


class Regency(Region):
    """Kabupaten or kota."""

    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, related_name="regencies", verbose_name=_("province")
    )

    class Meta(Region.Meta):
        verbose_name = _("regency/city")
        verbose_name_plural = _("regencies/cities")


class District(Region):
    """Kecamatan: where a Posyantek antardesa sits."""

    regency = models.ForeignKey(
        Regency, on_delete=models.PROTECT, related_name="districts", verbose_name=_("regency/city")
    )

    class Meta(Region.Meta):
        verbose_name = _("district (kecamatan)")
        verbose_name_plural = _("districts (kecamatan)")


class Village(Region):
    """Kelurahan or desa."""

    district = models.ForeignKey(
        District, on_delete=models.PROTECT, related_name="villages", verbose_name=_("district")
    )

    class Meta(Region.Meta):
        verbose_name = _("village")
        verbose_name_plural = _("villages")


MODEL_BY_LEVEL = {1: Province, 2: Regency, 3: District, 4: Village}
PARENT_FIELD_BY_LEVEL = {2: "province", 3: "regency", 4: "district"}
