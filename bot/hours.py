"""When the team answers: opening hours such as "Mon-Fri 09:00-17:00; Sat 10:00-13:00" in a time zone.

Pure: a hand-off uses it to say whether the team is in, and when it is back, in the team's time.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_DAY_NUMBERS = {**{day: number for number, day in enumerate(DAYS)},
                **{name.lower(): number for number, name in enumerate(DAY_NAMES)}}
ALWAYS = "Mon-Sun 00:00-24:00"
_RULE = re.compile(r"^\s*([A-Za-z]+)(?:\s*-\s*([A-Za-z]+))?\s+(.+?)\s*$")
_SPAN = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")
_MINUTES_A_DAY = 24 * 60


@dataclass(frozen=True, order=True)
class Span:
    """One opening on one weekday (0 is Monday), in minutes after local midnight."""

    weekday: int
    start: int
    end: int


@dataclass(frozen=True)
class OpeningHours:
    spans: tuple[Span, ...]
    zone: datetime.tzinfo
    zone_name: str

    def next_open(self, at: datetime.datetime) -> datetime.datetime:
        """`at` itself when the team is in, else the moment it is next in."""
        local = at.astimezone(self.zone)
        midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
        for days_ahead in range(8):
            day = midnight + datetime.timedelta(days=days_ahead)
            for span in sorted(s for s in self.spans if s.weekday == day.weekday()):
                start = day + datetime.timedelta(minutes=span.start)
                end = day + datetime.timedelta(minutes=span.end)
                if end > local:
                    return max(start, local).astimezone(at.tzinfo)
        raise ValueError("opening hours have no opening")

    def is_open(self, at: datetime.datetime) -> bool:
        return self.next_open(at) == at

    def describe_return(self, at: datetime.datetime) -> str:
        """When the team is back, as a person reads it: "today at 09:00 (Europe/London time)"."""
        back = self.next_open(at).astimezone(self.zone)
        days = (back.date() - at.astimezone(self.zone).date()).days
        day = "today" if days == 0 else "tomorrow" if days == 1 else f"on {DAY_NAMES[back.weekday()]}"
        return f"{day} at {back:%H:%M} ({self.zone_name} time)"


def find_zone(name: str) -> datetime.tzinfo:
    """The IANA time zone; UTC works even on a system without a time zone database."""
    if name.upper() in ("UTC", "Z"):
        return datetime.timezone.utc
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {name!r}") from None


def parse_hours(text: str, zone_name: str) -> OpeningHours:
    """Rules separated by ";", each days and times: "Mon-Fri 09:00-12:00, 13:00-17:00". ValueError if wrong."""
    zone = find_zone(zone_name)
    spans: list[Span] = []
    for rule in text.split(";"):
        if not rule.strip():
            continue
        match = _RULE.match(rule)
        if match is None:
            raise ValueError(f"cannot read {rule.strip()!r}")
        first, last = (_DAY_NUMBERS.get(name.lower(), -1) if name else None for name in match.group(1, 2))
        if first == -1 or last == -1:
            raise ValueError(f"unknown day in {rule.strip()!r} (write Mon, Tue, ... Sun)")
        start_day = first or 0
        count = (last - start_day) % 7 + 1 if last is not None else 1
        for times in match.group(3).split(","):
            start, end = parse_span(times)
            spans += [Span((start_day + offset) % 7, start, end) for offset in range(count)]
    if not spans:
        raise ValueError("no opening hours")
    return OpeningHours(tuple(spans), zone, zone_name)


def parse_span(text: str) -> tuple[int, int]:
    """"09:00-17:00" as minutes after midnight; 24:00 is the end of the day."""
    match = _SPAN.match(text)
    if match is None:
        raise ValueError(f"cannot read the times {text.strip()!r}")
    hour, minute, end_hour, end_minute = (int(part) for part in match.groups())
    start, end = hour * 60 + minute, end_hour * 60 + end_minute
    if minute > 59 or end_minute > 59 or start >= _MINUTES_A_DAY or end > _MINUTES_A_DAY:
        raise ValueError(f"no such time in {text.strip()!r}")
    if start >= end:
        raise ValueError(f"{text.strip()!r} ends before it starts (split a night at midnight)")
    return start, end
