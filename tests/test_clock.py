"""Working days and deadlines exactly as DESIGN.md ("Working days and deadlines") defines them:
Mon–Fri in Europe/Stockholm except Swedish public holidays, the de-facto days off (julafton,
midsommarafton, nyårsafton) and local closure days. "Within N working days of D" ends at the end
of the Nth working day after D's calendar date; D itself never counts; overdue from the first
instant after that."""

from datetime import date, datetime, time, timedelta, timezone

import pytest

from coordination.clock import (
    STOCKHOLM,
    FixedClock,
    SystemClock,
    WorkingDays,
    parse_now,
)

WD = WorkingDays()
UTC = timezone.utc


def sthlm(y, m, d, hh=10, mm=0, ss=0):
    return datetime(y, m, d, hh, mm, ss, tzinfo=STOCKHOLM)


def naive_working_day(day: date, extra_off=frozenset()) -> bool:
    """An independent, hand-written list of the days off 2025–2028 (no library), to check the
    implementation against what a Swedish official would count on a wall calendar."""
    days_off = {
        # 2025
        date(2025, 1, 1), date(2025, 1, 6), date(2025, 4, 18), date(2025, 4, 21), date(2025, 5, 1),
        date(2025, 5, 29), date(2025, 6, 6), date(2025, 6, 20), date(2025, 12, 24), date(2025, 12, 25),
        date(2025, 12, 26), date(2025, 12, 31),
        # 2026
        date(2026, 1, 1), date(2026, 1, 6), date(2026, 4, 3), date(2026, 4, 6), date(2026, 5, 1),
        date(2026, 5, 14), date(2026, 6, 19), date(2026, 12, 24), date(2026, 12, 25), date(2026, 12, 31),
        # 2027
        date(2027, 1, 1), date(2027, 1, 6), date(2027, 3, 26), date(2027, 3, 29), date(2027, 5, 6),
        date(2027, 6, 25), date(2027, 12, 24), date(2027, 12, 31),
        # 2028
        date(2028, 1, 6), date(2028, 4, 14), date(2028, 4, 17), date(2028, 5, 1), date(2028, 5, 25),
        date(2028, 6, 6), date(2028, 6, 23), date(2028, 12, 25), date(2028, 12, 26),
    }
    return day.weekday() < 5 and day not in days_off and day not in extra_off


# --- the examples of DESIGN.md ---------------------------------------------------------------

def test_design_example_friday_before_christmas():
    received = sthlm(2026, 12, 18, 14, 30)  # Friday
    assert WD.due_date(received, 2) == date(2026, 12, 22)  # Mon 21 (1), Tue 22 (2)
    assert WD.deadline(received, 2) == sthlm(2026, 12, 23, 0, 0)


def test_design_example_between_christmas_and_new_year():
    received = sthlm(2026, 12, 29, 9, 0)  # Tuesday
    # Wed 30 (1); Thu 31 (nyårsafton) and Fri 1 Jan off; weekend; Mon 4 Jan (2)
    assert WD.due_date(received, 2) == date(2027, 1, 4)
    assert WD.deadline(received, 2) == sthlm(2027, 1, 5, 0, 0)


# --- which days are days off -----------------------------------------------------------------

@pytest.mark.parametrize("day, working, what", [
    # Christmas and New Year 2026/27
    (date(2026, 12, 23), True, "Wednesday before Christmas"),
    (date(2026, 12, 24), False, "julafton (Thu)"),
    (date(2026, 12, 25), False, "juldagen (Fri)"),
    (date(2026, 12, 28), True, "Monday between the holidays"),
    (date(2026, 12, 30), True, "Wednesday between the holidays"),
    (date(2026, 12, 31), False, "nyårsafton (Thu)"),
    (date(2027, 1, 1), False, "nyårsdagen (Fri)"),
    (date(2027, 1, 4), True, "first Monday of 2027"),
    # Christmas and New Year 2027/28
    (date(2027, 12, 23), True, "Thursday before Christmas"),
    (date(2027, 12, 24), False, "julafton (Fri)"),
    (date(2027, 12, 27), True, "Monday after Christmas (annandagen fell on Sunday)"),
    (date(2027, 12, 31), False, "nyårsafton (Fri)"),
    (date(2028, 1, 3), True, "first Monday of 2028"),
    # Epiphany
    (date(2026, 1, 6), False, "trettondedag jul 2026 (Tue)"),
    (date(2027, 1, 6), False, "trettondedag jul 2027 (Wed)"),
    (date(2027, 1, 5), True, "trettondagsafton is a working day"),
    # Easter 2026 and 2027
    (date(2026, 4, 2), True, "Maundy Thursday 2026"),
    (date(2026, 4, 3), False, "Good Friday 2026"),
    (date(2026, 4, 6), False, "Easter Monday 2026"),
    (date(2026, 4, 7), True, "Tuesday after Easter 2026"),
    (date(2027, 3, 26), False, "Good Friday 2027"),
    (date(2027, 3, 29), False, "Easter Monday 2027"),
    (date(2027, 3, 30), True, "Tuesday after Easter 2027"),
    # Ascension
    (date(2026, 5, 14), False, "Kristi himmelsfärd 2026"),
    (date(2026, 5, 15), True, "Friday after Ascension 2026 (no bridge day by law)"),
    (date(2027, 5, 6), False, "Kristi himmelsfärd 2027"),
    # Midsummer
    (date(2026, 6, 18), True, "Thursday before Midsummer 2026"),
    (date(2026, 6, 19), False, "midsommarafton 2026"),
    (date(2026, 6, 22), True, "Monday after Midsummer 2026"),
    (date(2027, 6, 24), True, "Thursday before Midsummer 2027"),
    (date(2027, 6, 25), False, "midsommarafton 2027"),
    # National Day (Sat in 2026, Sun in 2027; a weekday in 2025 and 2028)
    (date(2025, 6, 6), False, "nationaldagen 2025 (Fri)"),
    (date(2028, 6, 6), False, "nationaldagen 2028 (Tue)"),
    (date(2026, 6, 8), True, "no substitute day after a National Day on Saturday"),
    # May Day, weekends
    (date(2026, 5, 1), False, "första maj 2026 (Fri)"),
    (date(2026, 11, 21), False, "a Saturday"),
    (date(2026, 11, 22), False, "a Sunday"),
    (date(2026, 11, 23), True, "an ordinary Monday"),
    (date(2026, 10, 30), True, "Friday before All Saints' Day (alla helgons afton is not a day off)"),
])
def test_working_day_calendar(day, working, what):
    assert WD.is_working_day(day) is working, what


def test_calendar_agrees_with_a_hand_written_calendar_2025_to_2028():
    day = date(2025, 1, 1)
    wrong = []
    while day <= date(2028, 12, 31):
        if WD.is_working_day(day) != naive_working_day(day):
            wrong.append(day)
        day += timedelta(days=1)
    assert wrong == []


# --- deadlines -------------------------------------------------------------------------------

@pytest.mark.parametrize("received, n, due", [
    # Christmas and New Year 2026/27
    (sthlm(2026, 12, 18), 2, date(2026, 12, 22)),
    (sthlm(2026, 12, 22), 1, date(2026, 12, 23)),
    (sthlm(2026, 12, 23), 1, date(2026, 12, 28)),  # 24, 25 off, weekend
    (sthlm(2026, 12, 23), 2, date(2026, 12, 29)),
    (sthlm(2026, 12, 23), 3, date(2026, 12, 30)),
    (sthlm(2026, 12, 23), 4, date(2027, 1, 4)),  # 31 Dec, 1 Jan off, weekend
    (sthlm(2026, 12, 30), 1, date(2027, 1, 4)),
    (sthlm(2027, 1, 4), 2, date(2027, 1, 7)),  # Epiphany Wed 6 Jan is skipped
    (sthlm(2027, 1, 5), 1, date(2027, 1, 7)),
    # Christmas and New Year 2027/28
    (sthlm(2027, 12, 23), 1, date(2027, 12, 27)),  # Fri 24 off, weekend
    (sthlm(2027, 12, 23), 5, date(2028, 1, 3)),  # 27, 28, 29, 30, (31 off), Mon 3 Jan
    (sthlm(2027, 12, 30), 1, date(2028, 1, 3)),
    (sthlm(2028, 1, 5), 1, date(2028, 1, 7)),  # Epiphany Thu 6 Jan 2028
    # Easter
    (sthlm(2026, 4, 2), 1, date(2026, 4, 7)),  # Good Friday, weekend, Easter Monday
    (sthlm(2026, 4, 1), 2, date(2026, 4, 7)),
    (sthlm(2027, 3, 25), 1, date(2027, 3, 30)),
    (sthlm(2027, 3, 24), 3, date(2027, 3, 31)),
    # Midsummer
    (sthlm(2026, 6, 18), 1, date(2026, 6, 22)),
    (sthlm(2027, 6, 24), 1, date(2027, 6, 28)),
    # Ascension, National Day
    (sthlm(2026, 5, 13), 1, date(2026, 5, 15)),
    (sthlm(2027, 5, 5), 1, date(2027, 5, 7)),
    (sthlm(2028, 6, 5), 1, date(2028, 6, 7)),
    (sthlm(2025, 6, 5), 1, date(2025, 6, 9)),
    # Ordinary weeks
    (sthlm(2026, 11, 23), 0, date(2026, 11, 23)),
    (sthlm(2026, 11, 23), 5, date(2026, 11, 30)),
    (sthlm(2026, 11, 23), 10, date(2026, 12, 7)),
])
def test_due_date(received, n, due):
    assert WD.due_date(received, n) == due
    assert WD.add(received.date(), n) == due
    assert WD.deadline(received, n) == datetime.combine(due + timedelta(days=1), time(0), tzinfo=STOCKHOLM)


@pytest.mark.parametrize("received, due", [
    (sthlm(2026, 11, 21, 12), date(2026, 11, 24)),  # Saturday: Mon (1), Tue (2)
    (sthlm(2026, 11, 22, 23, 59), date(2026, 11, 24)),  # Sunday, late evening
    (sthlm(2026, 12, 24, 8), date(2026, 12, 29)),  # julafton: Mon 28 (1), Tue 29 (2)
    (sthlm(2026, 12, 25, 8), date(2026, 12, 29)),  # juldagen
    (sthlm(2026, 12, 31, 8), date(2027, 1, 5)),  # nyårsafton: Mon 4 (1), Tue 5 (2)
    (sthlm(2027, 1, 1, 8), date(2027, 1, 5)),  # nyårsdagen
    (sthlm(2026, 4, 3, 8), date(2026, 4, 8)),  # Good Friday: Tue 7 (1), Wed 8 (2)
    (sthlm(2026, 6, 19, 8), date(2026, 6, 23)),  # midsommarafton
    (sthlm(2027, 1, 6, 8), date(2027, 1, 8)),  # Epiphany (Wed): Thu (1), Fri (2)
])
def test_received_on_a_day_off_the_day_itself_never_counts(received, due):
    assert WD.due_date(received, 2) == due


def test_received_on_a_working_day_it_does_not_count_either():
    # Received first thing on Monday morning: Monday is still not day 1.
    assert WD.due_date(sthlm(2026, 11, 23, 0, 0, 1), 1) == date(2026, 11, 24)


def test_the_calendar_date_is_stockholm_time_not_utc():
    # 23:30 UTC on Thursday 17 Dec is 00:30 on Friday 18 Dec in Stockholm: counts from Friday.
    received = datetime(2026, 12, 17, 23, 30, tzinfo=UTC)
    assert WD.due_date(received, 2) == date(2026, 12, 22)
    # 22:30 UTC the same evening is still Thursday in Stockholm: Fri (1), Mon (2).
    assert WD.due_date(datetime(2026, 12, 17, 22, 30, tzinfo=UTC), 2) == date(2026, 12, 21)


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError):
        WD.deadline(datetime(2026, 12, 18, 10, 0), 2)


@pytest.mark.parametrize("received, n, deadline_utc, what", [
    # Winter time (UTC+1): end of Tue 22 Dec is 23:00 UTC.
    (sthlm(2026, 12, 18), 2, datetime(2026, 12, 22, 23, 0, tzinfo=UTC), "winter time"),
    # Summer time (UTC+2): Thu 18 Jun 2026, N=1 -> Mon 22 Jun; its end is 22:00 UTC.
    (sthlm(2026, 6, 18), 1, datetime(2026, 6, 22, 22, 0, tzinfo=UTC), "summer time"),
    # Received in summer time, due after the clocks go back on Sun 25 Oct 2026.
    (sthlm(2026, 10, 23), 1, datetime(2026, 10, 26, 23, 0, tzinfo=UTC), "across the autumn change"),
    # Received in winter time, due after the clocks go forward on Sun 29 Mar 2026.
    (sthlm(2026, 3, 27), 1, datetime(2026, 3, 30, 22, 0, tzinfo=UTC), "across the spring change"),
    # Spring 2027: the clocks go forward on Easter Sunday, 28 Mar; Thu 25 Mar, N=1 -> Tue 30 Mar.
    (sthlm(2027, 3, 25), 1, datetime(2027, 3, 30, 22, 0, tzinfo=UTC), "across Easter and the change 2027"),
])
def test_deadline_is_local_midnight_after_the_due_day(received, n, deadline_utc, what):
    deadline = WD.deadline(received, n)
    assert deadline == deadline_utc, what
    local = deadline.astimezone(STOCKHOLM)
    assert (local.hour, local.minute, local.second) == (0, 0, 0), what
    one_minute_before = deadline_utc - timedelta(minutes=1)
    assert WD.is_overdue(received, n, one_minute_before) is False, what
    assert WD.is_overdue(received, n, deadline_utc - timedelta(microseconds=1)) is False, what
    assert WD.is_overdue(received, n, deadline_utc) is True, what
    assert WD.is_overdue(received, n, deadline_utc + timedelta(seconds=1)) is True, what
    assert WD.is_overdue(received, n, deadline_utc + timedelta(days=3)) is True, what
    assert WD.is_overdue(received, n, received) is False, what


def test_overdue_in_the_design_example_at_the_minute():
    received = sthlm(2026, 12, 29, 9, 0)
    assert not WD.is_overdue(received, 2, sthlm(2027, 1, 4, 23, 59))
    assert WD.is_overdue(received, 2, sthlm(2027, 1, 5, 0, 0))
    # Days off in between do not make it overdue early.
    assert not WD.is_overdue(received, 2, sthlm(2027, 1, 1, 12, 0))


# --- add / subtract --------------------------------------------------------------------------

def test_add_rejects_negative_n():
    with pytest.raises(ValueError):
        WD.add(date(2026, 12, 18), -1)
    with pytest.raises(ValueError):
        WD.subtract(date(2026, 12, 18), -1)


@pytest.mark.parametrize("day, n, expected", [
    (date(2027, 1, 4), 2, date(2026, 12, 29)),  # Mon 4 Jan back over New Year
    (date(2026, 12, 28), 1, date(2026, 12, 23)),  # back over Christmas
    (date(2026, 4, 7), 1, date(2026, 4, 2)),  # back over Easter
    (date(2026, 11, 23), 0, date(2026, 11, 23)),
])
def test_subtract(day, n, expected):
    assert WD.subtract(day, n) == expected


def test_subtract_inverts_add_on_working_days():
    day = date(2026, 11, 1)
    while day <= date(2027, 2, 28):
        if WD.is_working_day(day):
            for n in range(0, 8):
                assert WD.subtract(WD.add(day, n), n) == day, (day, n)
        day += timedelta(days=1)


# --- between: the queue's age column ---------------------------------------------------------

@pytest.mark.parametrize("start, now, expected", [
    (sthlm(2026, 12, 18, 8), sthlm(2026, 12, 18, 17), 0),  # same day
    (sthlm(2026, 12, 18, 17), sthlm(2026, 12, 18, 8), 0),  # now before start
    (sthlm(2026, 12, 18), sthlm(2026, 12, 19), 0),  # Fri -> Sat
    (sthlm(2026, 12, 18), sthlm(2026, 12, 20), 0),  # Fri -> Sun
    (sthlm(2026, 12, 18), sthlm(2026, 12, 21), 1),  # Fri -> Mon
    (sthlm(2026, 12, 18), sthlm(2026, 12, 22), 2),  # DESIGN example: due day
    (sthlm(2026, 12, 23), sthlm(2026, 12, 27), 0),  # Christmas and a weekend
    (sthlm(2026, 12, 23), sthlm(2026, 12, 28), 1),
    (sthlm(2026, 12, 29), sthlm(2027, 1, 3), 1),  # only Wed 30
    (sthlm(2026, 12, 29), sthlm(2027, 1, 4), 2),  # DESIGN example
    (sthlm(2026, 12, 19), sthlm(2026, 12, 21), 1),  # from a Saturday
    (sthlm(2026, 12, 24), sthlm(2026, 12, 28), 1),  # from julafton
    (sthlm(2026, 4, 2), sthlm(2026, 4, 7), 1),  # over Easter 2026
    (sthlm(2027, 3, 25), sthlm(2027, 3, 30), 1),  # over Easter 2027
    (sthlm(2026, 6, 18), sthlm(2026, 6, 22), 1),  # over Midsummer 2026
    (sthlm(2026, 11, 23), sthlm(2026, 12, 7), 10),  # two ordinary weeks
    # A whole year: 261 weekdays, 9 of them days off (24, 25, 31 Dec; 1, 6 Jan; Good Friday,
    # Easter Monday, Ascension, midsommarafton).
    (sthlm(2026, 11, 23), sthlm(2027, 11, 23), 252),
])
def test_between(start, now, expected):
    assert WD.between(start, now) == expected
    assert WD.between(start.date(), now.date()) == expected


def test_between_uses_stockholm_dates():
    # Thu 17 Dec 23:30 UTC is Fri 18 Dec in Stockholm: Monday is then 1 working day later.
    assert WD.between(datetime(2026, 12, 17, 23, 30, tzinfo=UTC), sthlm(2026, 12, 21)) == 1
    assert WD.between(datetime(2026, 12, 17, 22, 30, tzinfo=UTC), sthlm(2026, 12, 21)) == 2


def test_between_agrees_with_counting_day_by_day():
    """Brute force over 2025–2028 against the hand-written calendar, including spans that
    cross one or several New Years."""
    starts = [date(2025, 1, 1) + timedelta(days=k) for k in range(0, 4 * 365, 11)]
    for first in starts:
        for span in (0, 1, 2, 3, 6, 7, 9, 13, 20, 40, 100, 400):
            last = first + timedelta(days=span)
            if last > date(2028, 12, 31):
                continue
            expected = sum(1 for k in range(1, span + 1) if naive_working_day(first + timedelta(days=k)))
            assert WD.between(first, last) == expected, (first, last)


def test_between_and_add_answer_the_same_question():
    day = date(2026, 11, 1)
    while day <= date(2027, 2, 28):
        for n in range(0, 12):
            assert WD.between(day, WD.add(day, n)) == n, (day, n)
        day += timedelta(days=1)


# --- overdue_threshold: the same answer as is_overdue, as one timestamp ---------------------

@pytest.mark.parametrize("n", [0, 1, 2, 3, 5, 10])
def test_overdue_threshold_agrees_with_is_overdue_around_christmas_2026(n):
    window_start = date(2026, 11, 27)  # 60 days: 27 Nov 2026 – 25 Jan 2027
    nows = []
    for k in range(60):
        day = window_start + timedelta(days=k)
        nows += [sthlm(day.year, day.month, day.day, 0, 0), sthlm(day.year, day.month, day.day, 12, 0),
                 sthlm(day.year, day.month, day.day, 23, 59, 59)]
    # Every start date that could be on either side, at the first and last instant of its day.
    starts = []
    for k in range(-30, 62):
        day = window_start + timedelta(days=k)
        starts += [sthlm(day.year, day.month, day.day, 0, 0), sthlm(day.year, day.month, day.day, 23, 59, 59)]
    mismatches = []
    for now in nows:
        threshold = WD.overdue_threshold(now, n)
        assert threshold.tzinfo is not None
        for start in starts:
            if start > now:
                continue
            if WD.is_overdue(start, n, now) != (start < threshold):
                mismatches.append((start.isoformat(), now.isoformat()))
    assert mismatches == []


def test_overdue_threshold_for_the_triage_rule_at_new_year():
    # R1: untriaged for more than 2 working days. On Tue 5 Jan 2027, cases received on or
    # before Tue 29 Dec are overdue (their due day Mon 4 Jan has ended); Wed 30 Dec is not.
    threshold = WD.overdue_threshold(sthlm(2027, 1, 5, 9, 0), 2)
    assert threshold == sthlm(2026, 12, 30, 0, 0)


# --- local closure days ----------------------------------------------------------------------

def test_closure_days_count_as_days_off():
    closed = WorkingDays(closures=[date(2026, 12, 21), date(2026, 12, 22)])
    assert not closed.is_working_day(date(2026, 12, 21))
    assert WD.is_working_day(date(2026, 12, 21))  # the default calendar is not changed
    # Received Fri 18 Dec, N=2: Mon and Tue closed, Wed 23 (1), Mon 28 (2).
    assert closed.due_date(sthlm(2026, 12, 18), 2) == date(2026, 12, 28)
    assert closed.deadline(sthlm(2026, 12, 18), 2) == sthlm(2026, 12, 29, 0, 0)
    assert closed.between(sthlm(2026, 12, 18), sthlm(2026, 12, 28)) == 2
    assert closed.subtract(date(2026, 12, 28), 2) == date(2026, 12, 18)
    assert not closed.is_overdue(sthlm(2026, 12, 18), 2, sthlm(2026, 12, 28, 23, 59))
    assert closed.is_overdue(sthlm(2026, 12, 18), 2, sthlm(2026, 12, 29, 0, 0))


def test_closure_days_in_threshold_and_a_closure_on_a_holiday_counts_once():
    closed = WorkingDays(closures=[date(2026, 12, 30), date(2026, 12, 31)])  # 31 Dec is already off
    assert closed.between(sthlm(2026, 12, 29), sthlm(2027, 1, 4)) == 1
    assert closed.due_date(sthlm(2026, 12, 29), 2) == date(2027, 1, 5)
    now = sthlm(2027, 1, 5, 12, 0)
    threshold = closed.overdue_threshold(now, 2)
    day = date(2026, 12, 1)
    while day <= date(2027, 1, 5):
        start = sthlm(day.year, day.month, day.day, 12, 0)
        assert closed.is_overdue(start, 2, now) == (start < threshold), day
        day += timedelta(days=1)


def test_closure_on_a_weekend_changes_nothing():
    closed = WorkingDays(closures=[date(2026, 12, 19)])  # a Saturday
    assert closed.between(sthlm(2026, 12, 18), sthlm(2026, 12, 22)) == 2
    assert closed.due_date(sthlm(2026, 12, 18), 2) == date(2026, 12, 22)


# --- clocks ----------------------------------------------------------------------------------

def test_fixed_clock_rejects_naive_datetimes():
    with pytest.raises(ValueError):
        FixedClock(datetime(2026, 12, 18, 10, 0))


def test_fixed_clock_says_what_it_is_told_and_moves():
    at = sthlm(2026, 12, 18, 10, 0)
    clock = FixedClock(at)
    assert clock.now() == at and clock.now().tzinfo is not None
    clock.advance(timedelta(days=4))
    assert clock.now() == sthlm(2026, 12, 22, 10, 0)


def test_system_clock_is_aware():
    now = SystemClock().now()
    assert now.tzinfo is not None
    assert abs((datetime.now(UTC) - now).total_seconds()) < 5


def test_parse_now_with_offset():
    clock = parse_now("2026-12-18T10:00:00+00:00")
    assert isinstance(clock, FixedClock)
    assert clock.now() == datetime(2026, 12, 18, 10, 0, tzinfo=UTC)
    assert parse_now("2026-06-18T10:00:00Z").now() == datetime(2026, 6, 18, 10, 0, tzinfo=UTC)


def test_parse_now_without_offset_is_stockholm_time():
    winter = parse_now("2026-12-18T10:00")
    assert isinstance(winter, FixedClock)
    assert winter.now() == datetime(2026, 12, 18, 9, 0, tzinfo=UTC)  # CET
    summer = parse_now("2026-06-18T10:00:00")
    assert summer.now() == datetime(2026, 6, 18, 8, 0, tzinfo=UTC)  # CEST
    assert parse_now("2026-12-18").now() == datetime(2026, 12, 17, 23, 0, tzinfo=UTC)


def test_parse_now_without_value_is_the_system_clock():
    assert isinstance(parse_now(None), SystemClock)
    assert isinstance(parse_now(""), SystemClock)


def test_parse_now_rejects_garbage():
    with pytest.raises(ValueError):
        parse_now("next tuesday")


@pytest.mark.parametrize("locale", ["sv", "en"])
def test_the_date_and_time_filters_read_as_babel_would_write_them(app, locale):
    """localtime/localdate format the templates' all-digit patterns directly; the result is
    Babel's, in Stockholm time, around midnight, across summer time and for naive (UTC) values."""
    from flask_babel import force_locale, format_date, format_datetime

    values = [datetime(2026, 3, 28, 23, 30, tzinfo=timezone.utc), datetime(2026, 3, 29, 0, 59, tzinfo=timezone.utc),
              datetime(2026, 10, 25, 0, 30, tzinfo=timezone.utc), datetime(2026, 11, 23, 22, 59, 59),
              datetime(2026, 11, 23, 23, 30), datetime(2026, 6, 1, 12, 0, tzinfo=STOCKHOLM)]
    localtime, localdate = app.jinja_env.filters["localtime"], app.jinja_env.filters["localdate"]
    with app.test_request_context(), force_locale(locale):
        for value in values:
            for pattern in ("yyyy-MM-dd HH:mm", "yyyy-MM-dd HH:mm:ss", "HH:mm"):
                assert localtime(value, pattern) == format_datetime(value, pattern), (value, pattern)
            assert localtime(value) == format_datetime(value, "yyyy-MM-dd HH:mm")
            assert localdate(value) == format_date(value, "yyyy-MM-dd"), value
        assert localdate(date(2026, 11, 23)) == "2026-11-23" and localtime(None) == localdate(None) == ""
        assert localtime(values[0], "d MMMM yyyy") == format_datetime(values[0], "d MMMM yyyy")
