"""mitra's one receiver of marketplace's product_changed: it queues needs_match_for_product_task
with the ids (after commit), for every announced change, and does nothing else."""

import weakref
from unittest import mock

import pytest
from django.db import transaction

from marketplace.signals import product_changed
from mitra import receivers, tasks
from mitra.models import Match, Need
from tests.factories import ProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def for_product():
    with mock.patch.object(tasks.needs_match_for_product_task, "apply_async") as apply_async:
        yield apply_async


def test_the_receiver_is_connected_once():
    live = [
        ref() if isinstance(ref, weakref.ReferenceType) else ref
        for _key, ref, *_rest in product_changed.receivers
    ]
    assert live.count(receivers.rematch_on_product_changed) == 1


@pytest.mark.parametrize(
    "fields",
    [["price_amount"], ["category"], ["certifications"], ["status"], ["monthly_capacity"]],
)
def test_it_only_queues_the_task_with_the_ids(
    regions, make_need, for_product, fields, django_capture_on_commit_callbacks
):
    need = make_need()
    product = ProductFactory()
    with django_capture_on_commit_callbacks(execute=True):
        product_changed.send(sender=None, product_id=product.pk, changed_fields=fields)

    assert for_product.call_args_list == [mock.call(args=(product.pk, fields), kwargs={})]
    need.refresh_from_db()
    assert need.match_requested_at is None  # the task decides, not the receiver
    assert not Match.objects.exists()


def test_inside_a_transaction_it_waits_for_the_commit(
    regions, for_product, django_capture_on_commit_callbacks
):
    product = ProductFactory()
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        product_changed.send(sender=None, product_id=product.pk, changed_fields=["status"])
        assert for_product.call_count == 0

    for callback in callbacks:
        callback()
    assert for_product.call_count == 1


def test_the_task_then_requests_the_needs_recompute(
    regions, make_need, category, django_capture_on_commit_callbacks
):
    need = make_need()
    product = ProductFactory(category=category, kind="byproduct")

    with (
        mock.patch.object(tasks.need_match_compute_task, "apply_async") as compute,
        django_capture_on_commit_callbacks(execute=True),
    ):
        product_changed.send(sender=None, product_id=product.pk, changed_fields=["price_amount"])

    assert [c.kwargs["args"] for c in compute.call_args_list] == [[need.pk]]
    assert Need.objects.get(pk=need.pk).match_requested_at is not None
