"""Report periods: local (Asia/Jakarta) days, weeks from Monday, the period compared with."""

import datetime

import pytest

from core.errors import InvalidInput
from reports.periods import Period, period_parse

D = datetime.date


@pytest.mark.parametrize(
    ("period", "previous"),
    [
        (Period(D(2026, 11, 1), D(2026, 11, 30)), Period(D(2026, 10, 1), D(2026, 10, 31))),
        (Period(D(2026, 12, 1), D(2026, 12, 7)), Period(D(2026, 11, 1), D(2026, 11, 7))),
        (Period(D(2026, 3, 1), D(2026, 3, 30)), Period(D(2026, 2, 1), D(2026, 2, 28))),
        (Period(D(2026, 3, 1), D(2026, 3, 31)), Period(D(2026, 2, 1), D(2026, 2, 28))),
        (Period(D(2026, 11, 10), D(2026, 11, 16)), Period(D(2026, 11, 3), D(2026, 11, 9))),
        (Period(D(2026, 10, 1), D(2026, 12, 31)), Period(D(2026, 7, 1), D(2026, 9, 30))),
    ],
)
def test_previous_period(period, previous):
    assert period.previous() == previous


def test_bounds_are_local_midnights():
    period = Period(D(2026, 11, 1), D(2026, 11, 30))
    assert period.start_at.isoformat() == "2026-11-01T00:00:00+07:00"
    assert period.end_at.isoformat() == "2026-12-01T00:00:00+07:00"
    # 23:30 WIB on the 30th is inside; 00:30 WIB on the 1st of December is not.
    inside = datetime.datetime(2026, 11, 30, 16, 30, tzinfo=datetime.UTC)
    outside = datetime.datetime(2026, 11, 30, 17, 30, tzinfo=datetime.UTC)
    assert period.start_at <= inside < period.end_at <= outside


def test_buckets_cover_every_day_week_and_month_touched():
    period = Period(D(2026, 11, 25), D(2027, 1, 5))
    assert len(period.buckets("day")) == 42
    weeks = period.buckets("week")
    assert weeks[0] == D(2026, 11, 23) and weeks[-1] == D(2027, 1, 4)
    assert all(day.weekday() == 0 for day in weeks)
    assert period.buckets("month") == [D(2026, 11, 1), D(2026, 12, 1), D(2027, 1, 1)]


def test_defaults_are_this_month_to_today():
    assert period_parse(start=None, end=None, today=D(2026, 12, 7)) == Period(
        D(2026, 12, 1), D(2026, 12, 7)
    )


@pytest.mark.parametrize(
    ("start", "end"),
    [("2026-02-30", None), ("x", None), ("2026-12-02", "2026-12-01"), ("2020-01-01", "2026-12-01")],
)
def test_bad_periods_are_invalid_input(start, end):
    with pytest.raises(InvalidInput):
        period_parse(start=start, end=end, today=D(2026, 12, 7))
