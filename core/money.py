"""Money rules (DESIGN.md, orders: money policy) and the one way money is shown.

- Amounts are whole Rupiah in integer fields named `*_amount` (never floats); `currency =
  "IDR"` where money leaves the system.
- Prices exclude PPN. For a PKP seller, PPN = 12 % × DPP with DPP = 11/12 × (goods +
  shipping) — an effective 11 % — computed exactly and rounded half-up once per order.
- The platform fee (a percentage of goods, settings.PLATFORM_FEE_PERCENT, default 0) is
  rounded down.

Worked examples (they are also the test vectors in tests/core/test_money.py):

    goods       shipping  PKP   DPP          PPN       total
    1.500.000   50.000    yes   1.420.833    170.500   1.720.500
    1.234.567   0         yes   1.131.686    135.802   1.370.369   (135.802,37 → down)
    150         0         yes   138          17        167         (16,5 → up)
    1.500.000   50.000    no    0            0         1.550.000

    platform fee 2,5 % of goods 1.234.567 = 30.864,175 → 30.864

A refund is split into goods, shipping and PPN in the order's own proportions (refund_split):
the PPN part first, half-up, then shipping from the rest, half-up; goods take the remainder.
A refund of the whole total gives back exactly the order's parts.

    order goods 1.500.000 + shipping 50.000 + PPN 170.500 = 1.720.500
    refund 500.000  →  PPN 49.550 (49.549,55 → up), shipping 14.531 (14.530,65 → up),
                       goods 435.919
    refund 1.720.500 → goods 1.500.000, shipping 50.000, PPN 170.500
"""

from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal

from django.conf import settings


def _round_half_up(numerator: int, denominator: int) -> int:
    """numerator / denominator rounded half-up, in integers (amounts are never negative)."""
    return (2 * numerator + denominator) // (2 * denominator)


def dpp_amount(*, goods_amount: int, shipping_amount: int) -> int:
    """DPP nilai lain: 11/12 of goods + shipping, rounded half-up (shown on invoices)."""
    return _round_half_up(11 * (goods_amount + shipping_amount), 12)


def ppn_amount(*, goods_amount: int, shipping_amount: int, seller_is_pkp: bool) -> int:
    """PPN of one order: 12 % × 11/12 × (goods + shipping) = 11/100 of it, rounded half-up
    once; 0 when the seller is not PKP."""
    if not seller_is_pkp:
        return 0
    return _round_half_up(11 * (goods_amount + shipping_amount), 100)


def platform_fee_amount(*, goods_amount: int, percent: Decimal | None = None) -> int:
    """The platform's fee on goods (never on shipping or PPN), rounded down."""
    if percent is None:
        percent = Decimal(str(getattr(settings, "PLATFORM_FEE_PERCENT", "0")))
    fee = Decimal(goods_amount) * percent / Decimal(100)
    return int(fee.to_integral_value(rounding=ROUND_FLOOR))


@dataclass(frozen=True)
class OrderTotals:
    goods_amount: int
    shipping_amount: int
    dpp_amount: int
    ppn_amount: int
    total_amount: int
    platform_fee_amount: int


def order_totals(
    *,
    goods_amount: int,
    shipping_amount: int,
    seller_is_pkp: bool,
    platform_fee_percent: Decimal | None = None,
) -> OrderTotals:
    """Everything an order freezes at checkout, from its goods and shipping."""
    ppn = ppn_amount(
        goods_amount=goods_amount, shipping_amount=shipping_amount, seller_is_pkp=seller_is_pkp
    )
    return OrderTotals(
        goods_amount=goods_amount,
        shipping_amount=shipping_amount,
        dpp_amount=(
            dpp_amount(goods_amount=goods_amount, shipping_amount=shipping_amount)
            if seller_is_pkp
            else 0
        ),
        ppn_amount=ppn,
        total_amount=goods_amount + shipping_amount + ppn,
        platform_fee_amount=platform_fee_amount(
            goods_amount=goods_amount, percent=platform_fee_percent
        ),
    )


@dataclass(frozen=True)
class RefundSplit:
    goods_amount: int
    shipping_amount: int
    ppn_amount: int

    @property
    def total_amount(self) -> int:
        return self.goods_amount + self.shipping_amount + self.ppn_amount


def refund_split(
    *, amount: int, goods_amount: int, shipping_amount: int, ppn_amount: int
) -> RefundSplit:
    """Split a refund of `amount` (0 < amount ≤ the order's total) in the order's proportions
    of goods, shipping and PPN (see the module docstring); the parts add up to `amount`."""
    total = goods_amount + shipping_amount + ppn_amount
    if not 0 < amount <= total:
        raise ValueError(f"A refund must be between 1 and the order's total ({total}).")
    if amount == total:
        return RefundSplit(goods_amount, shipping_amount, ppn_amount)
    ppn = _round_half_up(amount * ppn_amount, total)
    before_tax = amount - ppn
    base = goods_amount + shipping_amount
    shipping = _round_half_up(before_tax * shipping_amount, base) if base else 0
    return RefundSplit(before_tax - shipping, shipping, ppn)


def format_rupiah(amount: int | None) -> str:
    """1500000 → "Rp 1.500.000"; a negative amount gets a minus sign ("−Rp 15.000")."""
    if amount is None:
        return ""
    number = int(amount)
    text = f"Rp {abs(number):,}".replace(",", ".")
    return f"−{text}" if number < 0 else text
