import factory
from django.utils import timezone

from accounts.models import Membership, Organization, Role, User
from regions.models import District


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"pengguna{n}@contoh.id")
    name = factory.Faker("name", locale="id_ID")
    password = factory.django.Password("kata-sandi-rahasia-1")
    email_verified_at = factory.LazyFunction(timezone.now)


class OrganizationFactory(factory.django.DjangoModelFactory):
    """A verified Posyantek in Purwakarta, Kota Cilegon, by default. Needs the `regions`
    fixture (or any District with the chosen code)."""

    class Meta:
        model = Organization

    kind = Organization.Kind.POSYANTEK
    name = factory.Sequence(lambda n: f"Posyantek Uji {n}")
    slug = factory.Sequence(lambda n: f"posyantek-uji-{n}")
    code = factory.Sequence(lambda n: f"UJ{n:03d}")
    district = factory.LazyFunction(lambda: District.objects.get(code="36.72.07"))
    address = "Jl. Uji No. 1"
    whatsapp = "6281234567890"
    posyantek_level = factory.LazyAttribute(
        lambda o: Organization.PosyantekLevel.KECAMATAN if o.kind == "posyantek" else ""
    )
    verification_status = Organization.VerificationStatus.VERIFIED
    created_by = factory.SubFactory(UserFactory)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organization = factory.SubFactory(OrganizationFactory)
    role = Role.OWNER
