"""The money rules' worked examples (core/money.py's docstring) as test vectors."""

from decimal import Decimal

import pytest

from core.money import format_rupiah, order_totals, platform_fee_amount, ppn_amount


@pytest.mark.parametrize(
    ("goods", "shipping", "pkp", "dpp", "ppn", "total"),
    [
        (1_500_000, 50_000, True, 1_420_833, 170_500, 1_720_500),
        (1_234_567, 0, True, 1_131_686, 135_802, 1_370_369),  # 135.802,37 → down
        (150, 0, True, 138, 17, 167),  # 16,5 → up
        (1_500_000, 50_000, False, 0, 0, 1_550_000),
        (0, 0, True, 0, 0, 0),
    ],
)
def test_order_totals_match_the_worked_examples(goods, shipping, pkp, dpp, ppn, total):
    totals = order_totals(
        goods_amount=goods, shipping_amount=shipping, seller_is_pkp=pkp, platform_fee_percent=0
    )

    assert totals.goods_amount == goods
    assert totals.shipping_amount == shipping
    assert totals.dpp_amount == dpp
    assert totals.ppn_amount == ppn
    assert totals.total_amount == total
    assert totals.total_amount == goods + shipping + ppn
    assert all(type(value) is int for value in vars(totals).values())


def test_ppn_is_rounded_half_up_once_per_order_not_per_line():
    # Two lines of 75: per line 8,25 → 8 each = 16; once on 150: 16,5 → 17.
    assert ppn_amount(goods_amount=150, shipping_amount=0, seller_is_pkp=True) == 17


def test_platform_fee_is_on_goods_only_and_rounded_down():
    assert platform_fee_amount(goods_amount=1_234_567, percent=Decimal("2.5")) == 30_864
    totals = order_totals(
        goods_amount=1_234_567,
        shipping_amount=999_999,
        seller_is_pkp=True,
        platform_fee_percent=Decimal("2.5"),
    )
    assert totals.platform_fee_amount == 30_864


def test_platform_fee_defaults_to_the_setting(settings):
    settings.PLATFORM_FEE_PERCENT = "0"
    assert platform_fee_amount(goods_amount=1_234_567) == 0
    settings.PLATFORM_FEE_PERCENT = "2.5"
    assert platform_fee_amount(goods_amount=1_234_567) == 30_864


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (1_500_000, "Rp 1.500.000"),
        (0, "Rp 0"),
        (150, "Rp 150"),
        (1_720_500, "Rp 1.720.500"),
        (-15_000, "−Rp 15.000"),
        (None, ""),
    ],
)
def test_format_rupiah(amount, text):
    assert format_rupiah(amount) == text
