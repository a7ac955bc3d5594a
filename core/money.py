"""Money: whole Rupiah in integer fields (never floats), shown one way everywhere."""


def format_rupiah(amount: int | None) -> str:
    """1500000 → "Rp 1.500.000"; a negative amount gets a minus sign ("−Rp 15.000")."""
    if amount is None:
        return ""
    number = int(amount)
    text = f"Rp {abs(number):,}".replace(",", ".")
    return f"−{text}" if number < 0 else text
