"""The operator's report: what people asked that the bot could not answer, how answers fare, and how
quickly the team answers people who asked to talk to a person (counts and times, never text)."""

from __future__ import annotations

import csv
import datetime
import io
import json
import statistics
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field

from rapidfuzz import fuzz

from .responder import KINDS, Responder
from .store import CaseTiming, Outcome, Store, Vote

# How alike two unanswered questions must be (rapidfuzz token_set_ratio, 0-100) to be grouped.
GROUP_SIMILARITY = 75


@dataclass
class QuestionGroup:
    count: int
    example: str
    nearest_entry: str | None
    nearest_score: float
    texts: list[str] = field(default_factory=list)


@dataclass
class EntryFigures:
    entry_id: str
    hits: int = 0
    helpful: int = 0
    not_helpful: int = 0
    clarify_candidate: int = 0


@dataclass
class HandoffFigures:
    """Cases opened since the report's start, how many the team answered, and how fast (minutes)."""

    opened: int = 0
    answered: int = 0
    still_open: int = 0
    median_minutes_to_first_reply: float | None = None
    longest_minutes_to_first_reply: float | None = None


@dataclass
class Report:
    since: str
    groups: list[QuestionGroup]
    entries: list[EntryFigures]
    days: dict[str, dict[str, int]]
    handoff: HandoffFigures = field(default_factory=HandoffFigures)


def count_cases(cases: list[CaseTiming]) -> HandoffFigures:
    waits = [(case.first_reply_at - case.opened_at).total_seconds() / 60 for case in cases
             if case.first_reply_at is not None]
    return HandoffFigures(
        opened=len(cases), answered=len(waits), still_open=sum(case.closed_at is None for case in cases),
        median_minutes_to_first_reply=round(statistics.median(waits), 1) if waits else None,
        longest_minutes_to_first_reply=round(max(waits), 1) if waits else None)


def group_questions(texts: list[str]) -> list[list[str]]:
    """Greedy grouping: each text joins the first group whose first text is alike enough."""
    groups: list[list[str]] = []
    for text in sorted(texts, key=len):
        for group in groups:
            if fuzz.token_set_ratio(text, group[0]) >= GROUP_SIMILARITY:
                group.append(text)
                break
        else:
            groups.append([text])
    return sorted(groups, key=lambda group: (-len(group), group[0]))


def build_report(outcomes: list[Outcome], votes: list[Vote], responder: Responder,
                 since: datetime.datetime, cases: list[CaseTiming] | None = None) -> Report:
    unanswered = [o.text for o in outcomes if o.kind in ("fallback", "clarify") and o.text]
    groups = []
    for texts in group_questions(unanswered):
        example = Counter(texts).most_common(1)[0][0]
        best = responder.matcher.match(example).best
        groups.append(QuestionGroup(len(texts), example, best.entry_id if best else None,
                                    best.score if best else 0.0, sorted(set(texts))))
    figures = {entry_id: EntryFigures(entry_id) for entry_id in responder.knowledge.entries}
    for outcome in outcomes:
        if outcome.kind == "answer" and outcome.entry_id in figures:
            figures[outcome.entry_id].hits += 1
        for suggestion in outcome.suggestions:
            if suggestion in figures:
                figures[suggestion].clarify_candidate += 1
    for vote in votes:
        if vote.entry_id in figures:
            if vote.vote > 0:
                figures[vote.entry_id].helpful += 1
            else:
                figures[vote.entry_id].not_helpful += 1
    days: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(KINDS, 0))
    for outcome in outcomes:
        days[outcome.at.date().isoformat()][outcome.kind] += 1
    entries = sorted(figures.values(), key=lambda f: (-f.hits, f.entry_id))
    return Report(since.date().isoformat(), groups, entries, dict(sorted(days.items())), count_cases(cases or []))


def load_report(store: Store, responder: Responder, days: int) -> Report:
    since = store.clock() - datetime.timedelta(days=days)
    return build_report(store.outcomes(since), store.votes(since), responder, since, store.case_timings(since))


def format_text(report: Report) -> str:
    lines = [f"Report since {report.since}", "", "Unanswered questions (fallback and did-you-mean), "
             "grouped; the nearest entry is where a new phrasing could go:"]
    if not report.groups:
        lines.append("  none")
    for group in report.groups:
        nearest = f"{group.nearest_entry} ({group.nearest_score:.2f})" if group.nearest_entry else "no entry"
        lines.append(f"  {group.count:>4} x  \"{group.example}\"  -> nearest: {nearest}")
    lines += ["", f"{'entry':<24}{'hits':>6}{'helpful':>9}{'unhelpful':>11}{'in did-you-mean':>17}"]
    for figures in report.entries:
        lines.append(f"{figures.entry_id:<24}{figures.hits:>6}{figures.helpful:>9}"
                     f"{figures.not_helpful:>11}{figures.clarify_candidate:>17}")
    lines += ["", f"{'day':<12}" + "".join(f"{kind:>11}" for kind in KINDS)]
    for day, counts in report.days.items():
        lines.append(f"{day:<12}" + "".join(f"{counts[kind]:>11}" for kind in KINDS))
    lines += ["", describe_handoff(report.handoff)]
    return "\n".join(lines)


def describe_handoff(figures: HandoffFigures) -> str:
    line = (f"Talk to a person: {figures.opened} cases opened, {figures.answered} answered, "
            f"{figures.still_open} still open")
    if figures.median_minutes_to_first_reply is not None:
        line += (f"; minutes to the team's first reply: median {figures.median_minutes_to_first_reply}, "
                 f"longest {figures.longest_minutes_to_first_reply}")
    return line


def format_json(report: Report) -> str:
    return json.dumps(asdict(report), ensure_ascii=False, indent=2)


def format_csv(report: Report) -> str:
    """One table with a `section` column, so a spreadsheet can filter each part."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["section", "key", "count", "example_or_kind", "nearest_entry", "helpful",
                     "not_helpful", "clarify_candidate"])
    for group in report.groups:
        writer.writerow(["unanswered", group.example, group.count, group.example,
                         group.nearest_entry or "", "", "", ""])
    for figures in report.entries:
        writer.writerow(["entry", figures.entry_id, figures.hits, "", "", figures.helpful,
                         figures.not_helpful, figures.clarify_candidate])
    for day, counts in report.days.items():
        for kind in KINDS:
            writer.writerow(["day", day, counts[kind], kind, "", "", "", ""])
    for key, value in asdict(report.handoff).items():
        writer.writerow(["handoff", key, "" if value is None else value, "", "", "", "", ""])
    return out.getvalue()


FORMATS = {"text": format_text, "json": format_json, "csv": format_csv}
