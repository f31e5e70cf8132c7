"""Recurrence on wall-clock time: DST transitions, EXDATE/RDATE, RFC 5545 gap rules, validation, bounds."""

from datetime import datetime, timedelta

import pytest

from tests.events.helpers import paris, utc
from urbanpulse.events.recurrence import (
    RecurrenceError,
    Schedule,
    bounds,
    normalise_rrule,
    occurrences_between,
    zone,
)
from urbanpulse.pois.hours import CITY_ZONE

MARKET = Schedule(datetime(2026, 3, 7, 8, 0), timedelta(hours=5), rrule="FREQ=WEEKLY;BYDAY=SA")


def local(occurrences):
    return [
        (start.astimezone(CITY_ZONE).isoformat(), end.astimezone(CITY_ZONE).isoformat()) for start, end in occurrences
    ]


def test_weekly_market_stays_at_8_local_across_spring_forward():
    found = local(occurrences_between(MARKET, paris(2026, 3, 20), paris(2026, 4, 5)))
    assert found == [
        ("2026-03-21T08:00:00+01:00", "2026-03-21T13:00:00+01:00"),
        ("2026-03-28T08:00:00+01:00", "2026-03-28T13:00:00+01:00"),
        ("2026-04-04T08:00:00+02:00", "2026-04-04T13:00:00+02:00"),  # DST began on Sunday 29 March
    ]
    starts = [start for start, _ in occurrences_between(MARKET, paris(2026, 3, 20), paris(2026, 4, 5))]
    assert starts[1] - starts[0] == timedelta(days=7) and starts[2] - starts[1] == timedelta(days=7, hours=-1)


def test_weekly_market_stays_at_8_local_across_fall_back():
    found = local(occurrences_between(MARKET, paris(2026, 10, 20), paris(2026, 11, 2)))
    assert [start for start, _ in found] == ["2026-10-24T08:00:00+02:00", "2026-10-31T08:00:00+01:00"]


def test_exdate_removes_an_occurrence_and_rdate_adds_one():
    schedule = Schedule(
        MARKET.dtstart_local,
        MARKET.duration,
        rrule=MARKET.rrule,
        exdates=(datetime(2026, 3, 28, 8, 0),),
        rdates=(datetime(2026, 3, 25, 8, 0),),
    )
    found = [start for start, _ in local(occurrences_between(schedule, paris(2026, 3, 20), paris(2026, 4, 5)))]
    assert found == ["2026-03-21T08:00:00+01:00", "2026-03-25T08:00:00+01:00", "2026-04-04T08:00:00+02:00"]


def test_a_local_time_inside_the_spring_gap_takes_the_offset_before_it():
    # RFC 5545 3.3.5: 02:30 does not exist on 29 March 2026 and means 03:30 CEST.
    schedule = Schedule(datetime(2026, 3, 22, 2, 30), timedelta(hours=1), rrule="FREQ=WEEKLY;COUNT=2")
    assert [s for s, _ in local(occurrences_between(schedule, paris(2026, 3, 1), paris(2026, 4, 1)))] == [
        "2026-03-22T02:30:00+01:00",
        "2026-03-29T03:30:00+02:00",
    ]


def test_multi_day_duration_is_nominal_in_days_across_the_october_change():
    # Saturday 10:00 to Sunday 18:00 stays 18:00 local although Sunday has 25 hours.
    schedule = Schedule(datetime(2026, 10, 24, 10, 0), timedelta(days=1, hours=8))
    [(start, end)] = local(occurrences_between(schedule, paris(2026, 10, 1), paris(2026, 11, 1)))
    assert (start, end) == ("2026-10-24T10:00:00+02:00", "2026-10-25T18:00:00+01:00")


def test_window_includes_an_occurrence_that_started_before_it_and_excludes_one_ending_at_its_start():
    found = occurrences_between(MARKET, paris(2026, 3, 21, 12, 0), paris(2026, 3, 21, 12, 30))
    assert local(found) == [("2026-03-21T08:00:00+01:00", "2026-03-21T13:00:00+01:00")]
    assert occurrences_between(MARKET, paris(2026, 3, 21, 13, 0), paris(2026, 3, 27)) == []
    # `to` is exclusive: an occurrence starting exactly at `to` is not in the window.
    assert occurrences_between(MARKET, paris(2026, 3, 27), paris(2026, 3, 28, 8, 0)) == []


def test_saint_nicolas_rule_with_negative_byyearday():
    schedule = Schedule(
        datetime(2026, 12, 5, 17, 30),
        timedelta(hours=2, minutes=30),
        rrule="FREQ=YEARLY;BYDAY=SA;BYYEARDAY=-33,-32,-31,-30,-29,-28,-27",
    )
    found = [s[:10] for s, _ in local(occurrences_between(schedule, utc(2026, 1, 1), utc(2031, 1, 1)))]
    assert found == ["2026-12-05", "2027-12-04", "2028-12-02", "2029-12-01", "2030-11-30"]


def test_until_is_stored_in_utc_and_bounds_the_active_span():
    rule = normalise_rrule("rrule:freq=weekly;until=20260425;byday=sa", tz=zone("Europe/Paris"), all_day=False)
    assert rule == "FREQ=WEEKLY;UNTIL=20260425T215959Z;BYDAY=SA"
    schedule = Schedule(MARKET.dtstart_local, MARKET.duration, rrule=rule)
    span = bounds(schedule)
    assert span.first_start == utc(2026, 3, 7, 7, 0)
    assert span.active_until == utc(2026, 4, 25, 11, 0)  # 13:00 CEST on the last Saturday
    assert bounds(MARKET).active_until is None  # no COUNT/UNTIL: open-ended


@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=SOMETIMES",
        "FREQ=SECONDLY",
        "FREQ=WEEKLY;BYDAY=XX",
        "FREQ=MONTHLY;BYMONTHDAY=40",
        "FREQ=DAILY;COUNT=0",
        "FREQ=DAILY;COUNT=2;UNTIL=20270101",
        "BYDAY=MO",
        "FREQ=DAILY;FOO=1",
        "FREQ=DAILY\nRRULE:FREQ=WEEKLY",
    ],
)
def test_invalid_rules_are_refused(rule):
    with pytest.raises(RecurrenceError):
        normalise_rrule(rule, tz=zone("Europe/Paris"), all_day=False)


def test_a_schedule_whose_every_date_is_excluded_has_no_bounds():
    schedule = Schedule(datetime(2026, 5, 1, 10), timedelta(hours=1), exdates=(datetime(2026, 5, 1, 10),))
    with pytest.raises(RecurrenceError):
        bounds(schedule)
