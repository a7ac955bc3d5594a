import pytest
from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection

from accounts.models import User
from accounts.phone import normalize_phone

pytestmark = pytest.mark.django_db


def test_user_model_is_the_custom_one_from_the_first_migration():
    from django.contrib.auth import get_user_model
    from django.db.migrations.loader import MigrationLoader

    loader = MigrationLoader(connection)
    first = loader.get_migration("accounts", "0001_initial")

    assert get_user_model() is User
    assert any(getattr(op, "name", "") == "User" for op in first.operations)


@pytest.mark.smoke
def test_email_is_stored_lower_case_and_logs_in_any_case(rf):
    user = User.objects.create_user("Siti.Rahma@Contoh.ID", "rahasia-panjang-1", name="Siti")
    request = rf.post("/masuk/")

    assert user.email == "siti.rahma@contoh.id"
    assert (
        authenticate(request, username="SITI.rahma@contoh.id", password="rahasia-panjang-1") == user
    )
    assert authenticate(request, username="siti.rahma@contoh.id", password="salah") is None


def test_email_is_unique_whatever_its_capitalisation():
    User.objects.create_user("budi@contoh.id", "rahasia-panjang-1", name="Budi")

    with pytest.raises(ValidationError):
        User.objects.create_user("BUDI@contoh.id", "rahasia-panjang-2", name="Budi Dua")
    assert User.objects.count() == 1


def test_database_refuses_a_case_variant_written_around_the_model():
    User.objects.create_user("ani@contoh.id", "rahasia-panjang-1", name="Ani")

    with pytest.raises(IntegrityError):
        User.objects.bulk_create([User(email="ANI@contoh.id", name="Ani", password="x")])


def test_phone_is_normalised_on_create():
    user = User.objects.create_user(
        "dewi@contoh.id", "rahasia-panjang-1", name="Dewi", phone="0812-3456-7890"
    )

    assert user.phone == "6281234567890"


def test_invalid_phone_is_refused_with_a_message():
    with pytest.raises(ValidationError) as error:
        User.objects.create_user("eko@contoh.id", "rahasia-panjang-1", name="Eko", phone="12345")

    assert "phone" in error.value.message_dict
    assert not User.objects.filter(email="eko@contoh.id").exists()


def test_superuser_is_staff():
    admin = User.objects.create_superuser("admin@contoh.id", "rahasia-panjang-1", name="Admin")

    assert admin.is_staff and admin.is_superuser


@pytest.mark.parametrize(
    "raw",
    [
        "081234567890",
        "0812-3456-7890",
        "0812 3456 7890",
        "+62 812 3456 7890",
        "+6281234567890",
        "6281234567890",
        "81234567890",
        "(0812) 3456-7890",
    ],
)
def test_phone_forms_all_normalise_to_62(raw):
    assert normalize_phone(raw) == "6281234567890"


def test_landline_with_area_code():
    assert normalize_phone("(0254) 391234") == "62254391234"  # Cilegon


@pytest.mark.parametrize("raw", ["", "123", "abc", "+1 415 555 2671", "0812", "08123456789012345"])
def test_not_an_indonesian_number(raw):
    with pytest.raises(ValidationError):
        normalize_phone(raw)
