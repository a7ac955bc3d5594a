from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MitraConfig(AppConfig):
    name = "mitra"
    verbose_name = _("Partnerships")
