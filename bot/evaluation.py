"""Scoring the bot on a file of cases, like the "test all" of FAQ tools, for editors and CI.

A file has `cases` (messages that stand alone) and may have `conversations` (turns read in order,
each with the conversation so far). A case expects an entry id or a list of ids (any is right),
`fallback`, `clarify` (a vague message: "Did you mean"), `urgent` (optionally with the `flag` it should raise), `not-urgent` (anything but an
urgent reply), `smalltalk`, or `expect_all`: a list of items, each an id or a list of ids, that
one reply must all answer ("what causes it and how do I stop it"). In a conversation, `pick: N`
expects the Nth choice the turn before listed: of its "Did you mean", or else of the further
questions under its answer.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from pathlib import Path

from .errors import KnowledgeError
from .responder import ANSWER, CLARIFY, FALLBACK, HEALTH_KINDS, SMALLTALK, URGENT, Reply, Responder
from .yamlfile import Checker, Mapping, Sequence, load_yaml

NOT_URGENT = "not-urgent"
# A turn that picks a place from the "Did you mean" before it: "2" expects the second choice.
PICK = "pick:"
NOT_OFFERED = "(not offered)"
SPECIAL = (FALLBACK, URGENT, SMALLTALK, NOT_URGENT, CLARIFY)


@dataclass(frozen=True)
class Case:
    text: str
    expect: tuple[str, ...]
    line: int
    flag: str | None = None
    expect_all: tuple[tuple[str, ...], ...] = ()
    turn: int = 0  # 0 for a case on its own, else its place in a conversation (1, 2, ...)

    @property
    def in_scope(self) -> bool:
        return bool(self.expect_all) or self.expect[0] not in SPECIAL


@dataclass(frozen=True)
class Outcome:
    case: Case
    reply: Reply

    @property
    def passed(self) -> bool:
        expected, reply = self.case.expect, self.reply
        if self.case.expect_all:
            return reply.kind == ANSWER and all(set(item) & set(reply.entry_ids) for item in self.case.expect_all)
        if self.case.in_scope:
            return reply.kind == ANSWER and reply.entry_id in expected
        if expected[0] == NOT_URGENT:
            return reply.kind != URGENT
        return reply.kind == expected[0]

    @property
    def wrong(self) -> bool:
        """An answer that is not right: the worst outcome after a missed emergency."""
        if self.case.expect_all and self.reply.kind == ANSWER:
            # Half of a two-question message answered right is a miss, not a wrong answer.
            return not any(set(item) & set(self.reply.entry_ids) for item in self.case.expect_all)
        return self.case.in_scope and self.reply.kind == ANSWER and not self.passed

    def describe(self) -> str:
        got = self.reply.kind + (f" {' + '.join(self.reply.entry_ids)}" if self.reply.entry_ids else "")
        got += f" {self.reply.red_flag}" if self.reply.red_flag else ""
        if self.reply.suggestions:
            got += " [" + ", ".join(s.entry_id for s in self.reply.suggestions) + "]"
        expected = (" and ".join("/".join(item) for item in self.case.expect_all) if self.case.expect_all
                    else " or ".join(self.case.expect))
        turn = f" (turn {self.case.turn})" if self.case.turn else ""
        return (f"line {self.case.line}{turn}: {self.case.text!r}: expected {expected},"
                f" got {got} (score {self.reply.score:.2f})")


@dataclass
class Report:
    outcomes: list[Outcome] = field(default_factory=list)

    def _share(self, pool: list[Outcome], predicate) -> tuple[int, int]:  # type: ignore[no-untyped-def]
        return sum(1 for o in pool if predicate(o)), len(pool)

    @property
    def _in_scope(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.case.in_scope]

    def _expecting(self, kind: str) -> list[Outcome]:
        return [o for o in self.outcomes if not o.case.in_scope and o.case.expect[0] == kind]

    @property
    def correct(self) -> tuple[int, int]:
        return self._share(self._in_scope, lambda o: o.passed)

    @property
    def clarified(self) -> tuple[int, int]:
        return self._share(self._in_scope, lambda o: o.reply.kind == CLARIFY)

    @property
    def wrong(self) -> tuple[int, int]:
        return self._share(self._in_scope, lambda o: o.wrong)

    @property
    def out_of_scope_answered(self) -> tuple[int, int]:
        return self._share(self._expecting(FALLBACK), lambda o: o.reply.kind == ANSWER)

    @property
    def out_of_scope_declined(self) -> tuple[int, int]:
        return self._share(self._expecting(FALLBACK), lambda o: o.reply.kind == FALLBACK)

    @property
    def urgent_recall(self) -> tuple[int, int]:
        return self._share(self._expecting(URGENT), lambda o: o.reply.kind == URGENT)

    @property
    def false_urgent(self) -> tuple[int, int]:
        pool = [o for o in self.outcomes if o.case.in_scope or o.case.expect[0] != URGENT]
        return self._share(pool, lambda o: o.reply.kind == URGENT)

    @property
    def follow_ups(self) -> tuple[int, int]:
        return self._share([o for o in self.outcomes if o.case.turn > 1], lambda o: o.passed)

    @property
    def smalltalk(self) -> tuple[int, int]:
        return self._share(self._expecting(SMALLTALK), lambda o: o.reply.kind == SMALLTALK)

    @property
    def missing_disclaimer(self) -> tuple[int, int]:
        pool = [o for o in self.outcomes if o.reply.kind in HEALTH_KINDS]
        return self._share(pool, lambda o: not o.reply.disclaimer or not o.reply.text.endswith(o.reply.disclaimer))

    def recall_by_flag(self) -> dict[str, tuple[int, int]]:
        """Urgent cases caught, per flag the case names; a case may be caught by another flag."""
        pools: dict[str, list[Outcome]] = defaultdict(list)
        for outcome in self._expecting(URGENT):
            pools[outcome.case.flag or "(no flag given)"].append(outcome)
        return {flag: self._share(pool, lambda o: o.reply.kind == URGENT) for flag, pool in sorted(pools.items())}

    def by_entry(self) -> dict[str, dict[str, object]]:
        """Per expected entry: right, wrong, missed, and which entries took its messages."""
        table: dict[str, dict[str, object]] = {}
        for outcome in self._in_scope:
            expected = outcome.case.expect_all[0][0] if outcome.case.expect_all else outcome.case.expect[0]
            row = table.setdefault(expected, {"right": 0, "wrong": 0, "missed": 0, "taken_by": Counter()})
            if outcome.passed:
                row["right"] += 1  # type: ignore[operator]
            elif outcome.wrong:
                row["wrong"] += 1  # type: ignore[operator]
                row["taken_by"].update(outcome.reply.entry_ids)  # type: ignore[attr-defined]
            else:
                row["missed"] += 1  # type: ignore[operator]
        return dict(sorted(table.items()))

    def figures(self) -> dict[str, tuple[int, int]]:
        return {
            "correct (in scope)": self.correct,
            "clarified (in scope)": self.clarified,
            "wrong (in scope)": self.wrong,
            "follow-ups right": self.follow_ups,
            "out-of-scope answered": self.out_of_scope_answered,
            "out-of-scope declined": self.out_of_scope_declined,
            "urgent recall": self.urgent_recall,
            "false urgent": self.false_urgent,
            "smalltalk": self.smalltalk,
            "disclaimer missing": self.missing_disclaimer,
        }

    def lines(self) -> list[str]:
        def row(label: str, figures: tuple[int, int]) -> str:
            done, total = figures
            share = f"{100 * done / total:5.1f}%" if total else "    -"
            return f"{label:<26}{done:>4} / {total:<4} {share}"

        rows = [row(label, figures) for label, figures in self.figures().items() if figures[1]]
        by_flag = self.recall_by_flag()
        if len(by_flag) > 1:
            rows.append("urgent recall by flag:")
            rows += ["  " + row(flag, figures) for flag, figures in by_flag.items()]
        entries = self.by_entry()
        if entries:
            rows.append(f"{'by entry':<26}right wrong missed  wrongly taken by")
            for entry_id, counts in entries.items():
                taken = ", ".join(f"{other} {n}" for other, n in counts["taken_by"].most_common())  # type: ignore[attr-defined]
                rows.append(f"  {entry_id:<24}{counts['right']:>5} {counts['wrong']:>5} {counts['missed']:>6}  {taken}")
        failures = [o.describe() for o in self.outcomes if not o.passed]
        return rows + ([f"failures ({len(failures)}):"] + [f"  {f}" for f in failures]
                       if failures else ["failures: none"])

    def to_json(self) -> str:
        figures = {label: {"done": done, "total": total} for label, (done, total) in self.figures().items()}
        return json.dumps({
            "figures": figures,
            "urgent_recall_by_flag": {flag: {"done": d, "total": t} for flag, (d, t) in self.recall_by_flag().items()},
            "by_entry": {entry_id: {**row, "taken_by": dict(row["taken_by"])}  # type: ignore[dict-item]
                         for entry_id, row in self.by_entry().items()},
            "failures": [{"line": o.case.line, "turn": o.case.turn, "text": o.case.text,
                          "expected": list(o.case.expect), "kind": o.reply.kind, "ids": list(o.reply.entry_ids),
                          "red_flag": o.reply.red_flag} for o in self.outcomes if not o.passed],
        }, indent=2, ensure_ascii=False)


def _ids(value: object) -> tuple[str, ...]:
    ids = tuple(value) if isinstance(value, list) else (value,)
    return ids if ids and all(isinstance(item, str) and item for item in ids) else ()


def _parse_case(checker: Checker, item: object, line: int, what: str, turn: int = 0) -> Case | None:
    case = checker.mapping(item, line, what)
    if case is None:
        return None
    text = checker.text(case, "text", what) or ""
    flag = case.get("flag")
    if "expect_all" in case:
        items = case["expect_all"]
        expect_all = tuple(_ids(part) for part in items) if isinstance(items, list) else ()
        if len(expect_all) < 2 or not all(expect_all):
            checker.fail(f"{what} has an unusable `expect_all`", case.line,
                         "write a list of two or more ids (or lists of ids)")
            return None
        return Case(text, expect_all[0], case.line, None, expect_all, turn)
    if "pick" in case:
        place = case["pick"]
        if not isinstance(place, int) or not 1 <= place <= 9:
            checker.fail(f"{what} has an unusable `pick`", case.line, "write the place picked: `pick: 2`")
            return None
        return Case(text, (f"{PICK}{place}",), case.line, None, (), turn)
    expected = _ids(case.get("expect"))
    if not expected:
        checker.fail(f"{what} has no usable `expect`", case.line,
                     "write an entry id, a list of ids, fallback, urgent, not-urgent or smalltalk")
        return None
    return Case(text, expected, case.line, str(flag) if flag else None, (), turn)


def load_cases(path: Path) -> list[list[Case]]:
    """The file's cases, each a list of one, then its conversations, each a list of turns."""
    data = load_yaml(path, KnowledgeError)
    checker = Checker(path, KnowledgeError)
    root = checker.mapping(data, 1, "the evaluation file") or Mapping()
    cases_data = root.get("cases", Sequence())
    conversations_data = root.get("conversations", Sequence())
    if not isinstance(cases_data, Sequence) or not isinstance(conversations_data, Sequence) \
            or not (cases_data or conversations_data):
        raise KnowledgeError("the evaluation file needs a `cases:` or `conversations:` list", path, 1,
                             fix="write `cases:` followed by `- {text: ..., expect: ...}` lines")
    runs: list[list[Case]] = []
    for index, item in enumerate(cases_data):
        case = _parse_case(checker, item, cases_data.line_of(index), f"case {index + 1}")
        if case is not None:
            runs.append([case])
    for index, item in enumerate(conversations_data):
        what = f"conversation {index + 1}"
        conversation = checker.mapping(item, conversations_data.line_of(index), what)
        turns = conversation.get("turns") if conversation is not None else None
        if not isinstance(turns, Sequence) or not turns:
            checker.fail(f"{what} has no `turns` list", conversations_data.line_of(index),
                         "write `turns:` followed by `- {text: ..., expect: ...}` lines")
            continue
        parsed = [_parse_case(checker, turn, turns.line_of(number), f"turn {number + 1} of {what}", number + 1)
                  for number, turn in enumerate(turns)]
        if all(parsed):
            runs.append(parsed)  # type: ignore[arg-type]
    if checker.errors:
        raise checker.errors[0]
    return runs


def check_expectations(runs: list[list[Case]], entry_ids: set[str], flag_ids: set[str], path: Path) -> None:
    """An expected id the knowledge base lacks is a broken eval file, not a failed case."""
    for case in (case for run in runs for case in run):
        for expected in case.expect + tuple(i for item in case.expect_all for i in item):
            if expected not in SPECIAL and expected not in entry_ids and not expected.startswith(PICK):
                raise KnowledgeError(f"the case {case.text!r} expects the unknown id {expected!r}",
                                     path, case.line, fix="use an id from the knowledge base")
        if case.flag and case.flag not in flag_ids:
            raise KnowledgeError(f"the case {case.text!r} names the unknown flag {case.flag!r}",
                                 path, case.line, fix="use an id from red-flags.yaml")


def evaluate(responder: Responder, runs: list[list[Case]]) -> Report:
    outcomes = []
    for run in runs:
        conversation, offered = None, ()
        for case in run:
            if case.expect[0].startswith(PICK):
                place = int(case.expect[0][len(PICK):])
                case = replace(case, expect=(offered[place - 1],) if place <= len(offered) else (NOT_OFFERED,))
            reply = responder.respond(case.text, conversation)
            conversation = reply.conversation
            offered = tuple(s.entry_id for s in reply.suggestions or reply.related)
            outcomes.append(Outcome(case, reply))
    return Report(outcomes)
