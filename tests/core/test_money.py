"""The money rules' worked examples (core/money.py's docstring) as test vectors."""

from decimal import Decimal

import pytest

from core.money import (
    format_rupiah,
    order_totals,
    platform_fee_amount,
    ppn_amount,
    refund_split,
)


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


@pytest.mark.parametrize(
    ("amount", "goods", "shipping", "ppn"),
    [
        (500_000, 435_919, 14_531, 49_550),  # the module docstring's example
        (1_720_500, 1_500_000, 50_000, 170_500),  # the whole order: its exact parts
        (1, 1, 0, 0),  # PPN 0,099 and shipping 0,032 round down: the rupiah is goods
    ],
)
def test_refund_split_vectors(amount, goods, shipping, ppn):
    split = refund_split(
        amount=amount, goods_amount=1_500_000, shipping_amount=50_000, ppn_amount=170_500
    )
    assert (split.goods_amount, split.shipping_amount, split.ppn_amount) == (goods, shipping, ppn)
    assert split.total_amount == amount


def test_refund_split_parts_never_exceed_the_order_and_always_add_up():
    order = {"goods_amount": 1_234_567, "shipping_amount": 33_333, "ppn_amount": 139_469}
    total = sum(order.values())
    for amount in (1, 2, 99, 12_345, total // 2, total - 1, total):
        split = refund_split(amount=amount, **order)
        assert split.total_amount == amount
        assert 0 <= split.goods_amount <= order["goods_amount"]
        assert 0 <= split.shipping_amount <= order["shipping_amount"]
        assert 0 <= split.ppn_amount <= order["ppn_amount"]


def test_refund_split_without_ppn_or_shipping():
    split = refund_split(amount=40_000, goods_amount=100_000, shipping_amount=0, ppn_amount=0)
    assert (split.goods_amount, split.shipping_amount, split.ppn_amount) == (40_000, 0, 0)


@pytest.mark.parametrize("amount", [0, -1, 1_720_501])
def test_refund_split_refuses_amounts_outside_the_order(amount):
    with pytest.raises(ValueError):
        refund_split(
            amount=amount, goods_amount=1_500_000, shipping_amount=50_000, ppn_amount=170_500
        )
