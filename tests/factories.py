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


# --- marketplace ------------------------------------------------------------------------------


class CategoryFactory(factory.django.DjangoModelFactory):
    """A sub-category under its own top-level field. Slugs never collide with the tree the
    data migration creates (transactional tests empty that tree: build what you need here)."""

    class Meta:
        model = "marketplace.Category"

    slug = factory.Sequence(lambda n: f"kategori-uji-{n}")
    name = factory.Sequence(lambda n: f"Kategori Uji {n}")
    parent = factory.SubFactory(
        "tests.factories.CategoryFactory",
        parent=None,
        slug=factory.Sequence(lambda n: f"bidang-uji-{n}"),
    )
    position = 0


class ProductFactory(factory.django.DjangoModelFactory):
    """A complete, published TTG tool sold from stock by a verified Posyantek (needs the
    `regions` fixture). Pass status="draft" for a draft."""

    class Meta:
        model = "marketplace.Product"
        skip_postgeneration_save = True

    seller = factory.SubFactory(OrganizationFactory)
    category = factory.SubFactory(CategoryFactory)
    kind = "ttg_tool"
    name = factory.Sequence(lambda n: f"Mesin Pencacah Rumput {n}")
    slug = factory.Sequence(lambda n: f"mesin-pencacah-rumput-{n}")
    description = "Mesin pencacah rumput untuk pakan ternak, 200 kg/jam."
    specs = factory.LazyFunction(lambda: [{"key": "Kapasitas", "value": "200 kg/jam"}])
    selling_unit = "unit"
    minimum_order = 1
    order_step = 1
    price_amount = 4_500_000
    weight_per_unit_kg = "45.000"  # a Decimal once saved and reloaded
    availability = "stock"
    stock = 10
    status = "published"
    published_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def search_vector(product, create, extracted, **kwargs):
        """Searchable like a product made by the services (PostgreSQL; nothing on SQLite)."""
        if create:
            from marketplace.search import search_vector_refresh

            search_vector_refresh(product_ids=[product.pk])


class CertificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "marketplace.Certification"

    product = factory.SubFactory(ProductFactory)
    organization = None
    type = "pirt"
    number = factory.Sequence(lambda n: f"P-IRT 2.06.3672.01.{n:04d}")
    issuer = "Dinas Kesehatan Kota Cilegon"
    valid_until = None


# --- orders -----------------------------------------------------------------------------------


class ShippingSettingsFactory(factory.django.DjangoModelFactory):
    """Pickup only by default; add OwnDeliveryRate/CourierRate rows for the other methods."""

    class Meta:
        model = "orders.ShippingSettings"
        django_get_or_create = ("organization",)

    organization = factory.SubFactory(OrganizationFactory)
    pickup_enabled = True


class PaymentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "orders.Payment"

    code = factory.Sequence(lambda n: f"UJI{n:05d}")
    buyer = factory.SubFactory(UserFactory)
    method = "bank_transfer"
    status = "pending"
    amount_due_amount = 4_500_000


class OrderFactory(factory.django.DjangoModelFactory):
    """A pending order of one pickup line-less order, delivered to Purwakarta (needs the
    `regions` fixture). Orders are placed by checkout in the code; this is for reads and
    permissions tests."""

    class Meta:
        model = "orders.Order"

    number = factory.Sequence(lambda n: f"MT-260101-U{n:05d}")
    payment = factory.SubFactory(PaymentFactory)
    buyer = factory.LazyAttribute(lambda o: o.payment.buyer)
    seller = factory.SubFactory(OrganizationFactory)
    status = "pending_payment"
    contact_name = "Pembeli Uji"
    contact_phone = "6281234567890"
    contact_email = "pembeli@contoh.id"
    address_line = "Jl. Uji No. 2"
    village_id = "36.72.07.1004"
    district_id = "36.72.07"
    regency_id = "36.72"
    province_id = "36"
    shipping_method = "pickup"
    goods_amount = 4_500_000
    shipping_amount = 0
    total_amount = factory.LazyAttribute(lambda o: o.goods_amount + o.shipping_amount)
    promised_date = factory.LazyFunction(timezone.localdate)
