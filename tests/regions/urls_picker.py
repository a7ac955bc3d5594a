"""A page with a form that asks for a village, to test the region picker in a browser."""

from django import forms
from django.http import HttpResponse
from django.template import engines
from django.urls import include, path

from regions.codes import Level
from regions.forms import RegionField

PAGE = engines["django"].from_string(
    """{% extends "base.html" %}
{% block content %}
<h1>Alamat</h1>
{% if chosen %}<p id="chosen">{{ chosen.code }} {{ chosen.display_name }}</p>{% endif %}
<form method="post" novalidate>{% csrf_token %}
  {{ form.place.errors }}{{ form.place }}
  <div class="form-actions"><button class="button" type="submit">Simpan</button></div>
</form>
{% endblock %}
{% block scripts %}{{ form.media }}{% endblock %}"""
)


class PlaceForm(forms.Form):
    place = RegionField(level=Level.VILLAGE)


def place_view(request):
    form = PlaceForm(request.POST or None)
    chosen = form.cleaned_data["place"] if request.method == "POST" and form.is_valid() else None
    return HttpResponse(PAGE.render({"form": form, "chosen": chosen}, request))


urlpatterns = [
    path("test/place/", place_view),
    path("", include("config.urls")),
]
