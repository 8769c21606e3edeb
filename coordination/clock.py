"""Time as a parameter, and working days as the city counts them.

A working day is Monday to Friday in Europe/Stockholm, except Swedish public holidays, the
de-facto days off (julafton, midsommarafton, nyårsafton) and local closure days an admin adds.
"Within N working days of D" ends at the end of the Nth working day after D's calendar date;
D itself never counts. Overdue starts the first instant after that.
"""

from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from typing import Iterable, Protocol
from zoneinfo import ZoneInfo

import holidays

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def in_stockholm(value: datetime) -> datetime:
    """`value` in Stockholm time; a naive time is UTC (as Babel takes it)."""
    return (value if value.tzinfo else value.replace(tzinfo=timezone.utc)).astimezone(STOCKHOLM)


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware."""


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(timezone.utc)


class FixedClock:
    """A clock that says what it is told; tests and `--now` move it."""

    def __init__(self, at: datetime):
        if at.tzinfo is None:
            raise ValueError("FixedClock needs a timezone-aware datetime")
        self.at = at

    def now(self) -> datetime:
        return self.at

    def advance(self, delta: timedelta) -> None:
        self.at = self.at + delta


def parse_now(value: str | None) -> Clock:
    """The clock for a CLI `--now ISO` option: fixed if given, the system's otherwise.

    A value without offset is read as Stockholm time, as an operator would mean it."""
    if not value:
        return SystemClock()
    at = datetime.fromisoformat(value)
    if at.tzinfo is None:
        at = at.replace(tzinfo=STOCKHOLM)
    return FixedClock(at)


@lru_cache(maxsize=64)
def _swedish_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.SE(years=year, categories=("public", "de_facto")).keys())


def local_date(at: datetime) -> date:
    """The calendar date of an instant in Stockholm."""
    if at.tzinfo is None:
        raise ValueError("naive datetime")
    return at.astimezone(STOCKHOLM).date()


class WorkingDays:
    """Working-day arithmetic with optional extra closure days."""

    def __init__(self, closures: Iterable[date] = ()):
        self.closures = frozenset(closures)
        self._years: dict[int, list[int]] = {}

    def is_working_day(self, day: date) -> bool:
        if day.weekday() >= 5:
            return False
        if day in self.closures:
            return False
        # Sundays are public holidays in the library's data; weekends are handled above.
        return day not in _swedish_holidays(day.year)

    def add(self, day: date, n: int) -> date:
        """The Nth working day after `day` (day itself never counts). n >= 0; n == 0 is `day`."""
        if n < 0:
            raise ValueError("n must not be negative")
        current = day
        remaining = n
        while remaining:
            current += timedelta(days=1)
            if self.is_working_day(current):
                remaining -= 1
        return current

    def subtract(self, day: date, n: int) -> date:
        """The Nth working day before `day` (day itself never counts); the inverse of `add`
        on working days, used to turn "older than N working days" into a date threshold."""
        if n < 0:
            raise ValueError("n must not be negative")
        current = day
        remaining = n
        while remaining:
            current -= timedelta(days=1)
            if self.is_working_day(current):
                remaining -= 1
        return current

    def deadline(self, start: datetime, n: int) -> datetime:
        """The end of the Nth working day after start's calendar date, as an aware instant:
        the first instant of the following calendar day in Stockholm."""
        due_day = self.add(local_date(start), n)
        return datetime.combine(due_day + timedelta(days=1), time(0), tzinfo=STOCKHOLM)

    def due_date(self, start: datetime, n: int) -> date:
        """The calendar date on whose end the N-working-day deadline falls."""
        return self.add(local_date(start), n)

    def is_overdue(self, start: datetime, n: int, now: datetime) -> bool:
        return now >= self.deadline(start, n)

    def overdue_threshold(self, now: datetime, n: int) -> datetime:
        """The instant T such that anything started before T is past its N-working-day
        deadline at `now`, and anything started at or after T is not: lets SQL filter by a
        plain timestamp comparison instead of counting days per row."""
        today = local_date(now)
        latest = today
        # The latest start date whose deadline day lies before today; at most a few weeks back.
        while self.add(latest, n) >= today:
            latest -= timedelta(days=1)
        return datetime.combine(latest + timedelta(days=1), time(0), tzinfo=STOCKHOLM)

    def between(self, start: datetime | date, now: datetime | date) -> int:
        """How many working days have passed since start: the working days after start's
        calendar date up to and including now's calendar date (0 on the same day or earlier).
        Two lookups in per-year running counts, so a dashboard can ask it for every stay."""
        first = local_date(start) if isinstance(start, datetime) else start
        last = local_date(now) if isinstance(now, datetime) else now
        if last <= first:
            return 0
        if first.year == last.year:
            return self._up_to(last) - self._up_to(first)
        return (self._in_year(first.year)[-1] - self._up_to(first)
                + sum(self._in_year(year)[-1] for year in range(first.year + 1, last.year))
                + self._up_to(last))

    def _up_to(self, day: date) -> int:
        """Working days from 1 January of day's year up to and including day."""
        return self._in_year(day.year)[day.timetuple().tm_yday]

    def _in_year(self, year: int) -> list[int]:
        """Running count of working days in the year: element i counts its first i days."""
        table = self._years.get(year)
        if table is None:
            table, count, day = [0], 0, date(year, 1, 1)
            while day.year == year:
                count += self.is_working_day(day)
                table.append(count)
                day += timedelta(days=1)
            self._years[year] = table
        return table


DEFAULT_WORKING_DAYS = WorkingDays()
