"""Opening hours: when the team is in, and when it is back, in its own time zone."""

from __future__ import annotations

import datetime

import pytest

from bot.hours import parse_hours

UTC = datetime.timezone.utc


def at(day: int, hour: int, minute: int = 0) -> datetime.datetime:
    """A time in November 2026 (the 23rd is a Monday), UTC."""
    return datetime.datetime(2026, 11, day, hour, minute, tzinfo=UTC)


def test_in_and_out_of_hours_with_a_lunch_break() -> None:
    hours = parse_hours("Mon-Fri 09:00-12:00, 13:00-17:00; Sat 10:00-13:00", "UTC")
    assert hours.is_open(at(23, 9)) and hours.is_open(at(23, 16, 59)) and hours.is_open(at(28, 12))
    assert not hours.is_open(at(23, 12, 30)) and not hours.is_open(at(23, 17)) and not hours.is_open(at(29, 11))
    assert hours.next_open(at(23, 12, 30)) == at(23, 13)
    assert hours.describe_return(at(23, 12, 30)) == "today at 13:00 (UTC time)"
    assert hours.describe_return(at(27, 18)) == "tomorrow at 10:00 (UTC time)"
    assert hours.describe_return(at(28, 14)) == "on Monday at 09:00 (UTC time)"


def test_a_time_zone_and_a_week_that_wraps() -> None:
    hours = parse_hours("Fri-Mon 08:00-20:00", "America/New_York")
    # 12:00 UTC on Thursday 26 November is 07:00 in New York: back on Friday at 08:00 there.
    assert not hours.is_open(at(26, 12))
    assert hours.next_open(at(26, 12)) == at(27, 13)
    assert hours.describe_return(at(26, 12)) == "tomorrow at 08:00 (America/New_York time)"
    assert hours.is_open(at(30, 13)) and not hours.is_open(at(24, 13))


def test_always_open_by_default() -> None:
    hours = parse_hours("Mon-Sun 00:00-24:00", "UTC")
    assert all(hours.is_open(at(day, hour)) for day in range(23, 30) for hour in (0, 12, 23))


@pytest.mark.parametrize("text, words", [
    ("", "no opening hours"), ("Mon-Fri", "cannot read"), ("Mon-Fri 9-5", "cannot read the times"),
    ("Mon-Fri 09:00-25:00", "no such time"), ("Mon 18:00-02:00", "ends before it starts"),
    ("Moon 09:00-17:00", "unknown day"),
])
def test_mistakes_are_named(text: str, words: str) -> None:
    with pytest.raises(ValueError, match=words):
        parse_hours(text, "UTC")
