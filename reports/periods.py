"""Report periods: whole days in Asia/Jakarta (DESIGN.md, Time), weeks from Monday.

A `Period` is a range of local dates, both ends included; `start_at`/`end_at` are the aware
instants that bound it (end exclusive), so 23:30 WIB on the 31st belongs to that month."""

import datetime
import zoneinfo
from dataclasses import dataclass

from django.conf import settings
from django.db.models.functions import TruncDay, TruncMonth, TruncWeek
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from core.errors import InvalidInput

GROUPINGS = ("day", "week", "month")
# The longest period one request may cover: five years of days is 1,827 points.
MAX_DAYS = 366 * 5
# The days a report may name (far beyond any order, well inside what dates can hold).
FIRST_DAY = datetime.date(2000, 1, 1)
LAST_DAY = datetime.date(2100, 12, 31)
TRUNC = {"day": TruncDay, "week": TruncWeek, "month": TruncMonth}


def local_zone() -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def local_midnight(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=local_zone())


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def next_month(day: datetime.date) -> datetime.date:
    return (day.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)


def week_start(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


@dataclass(frozen=True)
class Period:
    start: datetime.date
    end: datetime.date  # included

    @classmethod
    def month(cls, day: datetime.date) -> "Period":
        """The calendar month containing `day`."""
        first = month_start(day)
        return cls(first, next_month(first) - datetime.timedelta(days=1))

    @classmethod
    def week(cls, day: datetime.date) -> "Period":
        """The Monday-to-Sunday week containing `day`."""
        monday = week_start(day)
        return cls(monday, monday + datetime.timedelta(days=6))

    @property
    def start_at(self) -> datetime.datetime:
        return local_midnight(self.start)

    @property
    def end_at(self) -> datetime.datetime:
        """The first instant after the period (exclusive bound)."""
        return local_midnight(self.end + datetime.timedelta(days=1))

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> "Period":
        """The period to compare with: for a period from the 1st within one month, the same
        days of the previous month (a whole month → the whole previous month; 1–7 December →
        1–7 November); else the same number of days just before."""
        if self.start.day == 1 and self.end < next_month(self.start):
            before = Period.month(self.start - datetime.timedelta(days=1))
            if self.end == next_month(self.start) - datetime.timedelta(days=1):
                return before
            return Period(before.start, min(before.start + (self.end - self.start), before.end))
        length = datetime.timedelta(days=self.days)
        return Period(self.start - length, self.end - length)

    def buckets(self, group_by: str) -> list[datetime.date]:
        """The first local day of every day/week/month the period touches, in order (a week or
        month bucket may start before the period; figures count only what lies inside)."""
        if group_by == "day":
            return [self.start + datetime.timedelta(days=n) for n in range(self.days)]
        if group_by == "week":
            first, step = week_start(self.start), datetime.timedelta(days=7)
            return [first + step * n for n in range((self.end - first).days // 7 + 1)]
        out, day = [], month_start(self.start)
        while day <= self.end:
            out.append(day)
            day = next_month(day)
        return out

    def as_dict(self) -> dict:
        return {"from": self.start.isoformat(), "to": self.end.isoformat()}


def trunc(group_by: str, field: str):
    """A database expression: the local day, week (Monday) or month an instant falls in."""
    return TRUNC[group_by](field, tzinfo=local_zone())


def _date(value: str, name: str) -> datetime.date:
    if not isinstance(value, str):
        raise InvalidInput(
            _("Give a date as YYYY-MM-DD, e.g. 2026-11-30."), fields={name: [_("Not a date.")]}
        )
    try:
        parsed = parse_date(value)
    except ValueError:
        parsed = None
    if parsed is None:
        raise InvalidInput(
            _("Give a date as YYYY-MM-DD, e.g. 2026-11-30."), fields={name: [_("Not a date.")]}
        )
    if not FIRST_DAY <= parsed <= LAST_DAY:
        raise InvalidInput(
            _("Give a date between %(first)s and %(last)s.")
            % {"first": FIRST_DAY.isoformat(), "last": LAST_DAY.isoformat()},
            fields={name: [_("Out of range.")]},
        )
    return parsed


def period_parse(
    *, start: str | None, end: str | None, today: datetime.date | None = None
) -> Period:
    """`from` and `to` as sent (YYYY-MM-DD, local days, both included). Missing `from` is the
    first of this month; missing `to` is today. Raises InvalidInput with the field at fault."""
    today = today or timezone.localdate()
    first = _date(start, "from") if start else month_start(today)
    last = _date(end, "to") if end else today
    if last < first:
        raise InvalidInput(
            _("The end of the period comes before its start."),
            fields={"to": [_("Must be on or after %(day)s.") % {"day": first.isoformat()}]},
        )
    if (last - first).days + 1 > MAX_DAYS:
        raise InvalidInput(
            _("A report covers at most five years; choose a shorter period."),
            fields={"from": [_("Too long a period.")]},
        )
    return Period(first, last)


def group_by_parse(value: str | None, default: str = "day") -> str:
    value = value or default
    if value not in GROUPINGS:
        raise InvalidInput(
            _("Group by day, week or month."),
            fields={"group_by": [_("Choose day, week or month.")]},
        )
    return value
