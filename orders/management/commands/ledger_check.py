"""Check the ledger invariant (DESIGN.md, orders: Ledger) and print its figures; exit code 1
when it does not hold — for a cron job or a deploy check."""

import sys

from django.core.management.base import BaseCommand

from core.money import format_rupiah
from orders.services.ledger import ledger_check


class Command(BaseCommand):
    help = (
        "Check that money received − refunds == seller balances + platform fees + payouts; "
        "exit 1 if not."
    )

    def handle(self, *args, **options) -> None:
        check = ledger_check()
        rows = [
            ("Received on paid payments", check.received),
            ("Excess and late money returned", check.returned),
            ("Succeeded refunds of orders", check.refunded),
            ("Kept for the orders", check.kept),
            ("Seller balances", check.balances),
            ("Platform fees", check.fees),
            ("Payouts", check.payouts),
            ("Balances + fees + payouts", check.accounted),
        ]
        width = max(len(label) for label, _amount in rows)
        for label, amount in rows:
            self.stdout.write(f"{label:<{width}}  {format_rupiah(amount):>20}")
        if check.ok:
            self.stdout.write(self.style.SUCCESS("Ledger OK."))
            return
        difference = check.kept - check.accounted
        self.stderr.write(
            self.style.ERROR(f"Ledger does NOT balance: off by {format_rupiah(difference)}.")
        )
        sys.exit(1)
