"""A Posyantek's finances (DESIGN.md, orders: Ledger): what it has earned and may be paid
(pending and available balance), every ledger entry, the payouts it received and the refunds
of its orders. Read only: payouts are recorded by platform staff (orders.money_staff_views).

Who sees it: the Posyantek's owners and managers, and platform staff
(orders.permissions.can_view_finances); everyone else gets a 404.
"""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.permissions import is_platform_staff
from core.errors import ApplicationError
from orders import permissions
from orders.selectors import ledger_entries, organization_for_orders, payout_list, refund_list
from orders.services.ledger import ledger_balance

ENTRIES_PER_PAGE = 30
RECENT = 20


@login_required
@require_GET
def finance_view(request: HttpRequest, slug: str) -> HttpResponse:
    """Balance (pending: from paid orders not completed yet; available: may be paid out), the
    ledger page by page, the latest payouts and refunds, and the payout account."""
    try:
        organization = organization_for_orders(slug=slug)
        if not permissions.can_view_finances(request.user, organization):
            raise Http404
        entries = ledger_entries(user=request.user, organization=organization).select_related(
            "refund", "payout"
        )
        payouts = list(payout_list(user=request.user, organization=organization)[:RECENT])
        refunds = list(refund_list(user=request.user, organization=organization)[:RECENT])
    except ApplicationError:
        raise Http404 from None
    page = Paginator(entries, ENTRIES_PER_PAGE).get_page(request.GET.get("page"))
    has_account = bool(
        organization.payout_bank_name
        and organization.payout_account_number
        and organization.payout_account_holder
    )
    context = {
        "organization": organization,
        "balance": ledger_balance(organization=organization),
        "page": page,
        "payouts": payouts,
        "refunds": refunds,
        "has_payout_account": has_account,
        "is_platform_staff": is_platform_staff(request.user),
    }
    return render(request, "orders/finance.html", context)
