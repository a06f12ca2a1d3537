"""Scoring the bot on a file of cases, like the "test all" of FAQ tools, for editors and CI."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .errors import KnowledgeError
from .responder import ANSWER, CLARIFY, FALLBACK, HEALTH_KINDS, SMALLTALK, URGENT, Reply, Responder
from .yamlfile import Checker, Sequence, load_yaml

SPECIAL = (FALLBACK, URGENT, SMALLTALK)


@dataclass(frozen=True)
class Case:
    text: str
    expect: tuple[str, ...]
    line: int

    @property
    def in_scope(self) -> bool:
        return self.expect[0] not in SPECIAL


@dataclass(frozen=True)
class Outcome:
    case: Case
    reply: Reply

    @property
    def passed(self) -> bool:
        expected = self.case.expect
        if self.case.in_scope:
            return self.reply.kind == ANSWER and self.reply.entry_id in expected
        return self.reply.kind == expected[0]

    def describe(self) -> str:
        got = self.reply.kind + (f" {self.reply.entry_id}" if self.reply.entry_id else "")
        if self.reply.suggestions:
            got += " [" + ", ".join(s.entry_id for s in self.reply.suggestions) + "]"
        return (f"line {self.case.line}: {self.case.text!r}: expected {' or '.join(self.case.expect)},"
                f" got {got} (score {self.reply.score:.2f})")


@dataclass
class Report:
    outcomes: list[Outcome] = field(default_factory=list)

    def _count(self, expected: str | None, predicate) -> tuple[int, int]:  # type: ignore[no-untyped-def]
        pool = [o for o in self.outcomes
                if (o.case.in_scope if expected is None else o.case.expect[0] == expected)]
        return sum(1 for o in pool if predicate(o)), len(pool)

    @property
    def correct(self) -> tuple[int, int]:
        return self._count(None, lambda o: o.passed)

    @property
    def clarified(self) -> tuple[int, int]:
        return self._count(None, lambda o: o.reply.kind == CLARIFY)

    @property
    def wrong(self) -> tuple[int, int]:
        return self._count(None, lambda o: o.reply.kind == ANSWER and not o.passed)

    @property
    def out_of_scope_answered(self) -> tuple[int, int]:
        return self._count(FALLBACK, lambda o: o.reply.kind == ANSWER)

    @property
    def out_of_scope_declined(self) -> tuple[int, int]:
        return self._count(FALLBACK, lambda o: o.reply.kind == FALLBACK)

    @property
    def urgent_recall(self) -> tuple[int, int]:
        return self._count(URGENT, lambda o: o.reply.kind == URGENT)

    @property
    def false_urgent(self) -> tuple[int, int]:
        pool = [o for o in self.outcomes if o.case.expect[0] != URGENT]
        return sum(1 for o in pool if o.reply.kind == URGENT), len(pool)

    @property
    def smalltalk(self) -> tuple[int, int]:
        return self._count(SMALLTALK, lambda o: o.reply.kind == SMALLTALK)

    @property
    def missing_disclaimer(self) -> tuple[int, int]:
        pool = [o for o in self.outcomes if o.reply.kind in HEALTH_KINDS]
        return sum(1 for o in pool if not o.reply.text.endswith(o.reply.disclaimer)
                   or not o.reply.disclaimer), len(pool)

    def lines(self) -> list[str]:
        def row(label: str, figures: tuple[int, int]) -> str:
            done, total = figures
            share = f"{100 * done / total:5.1f}%" if total else "    -"
            return f"{label:<26}{done:>4} / {total:<4} {share}"

        rows = [
            row("correct (in scope)", self.correct),
            row("clarified (in scope)", self.clarified),
            row("wrong (in scope)", self.wrong),
            row("out-of-scope answered", self.out_of_scope_answered),
            row("out-of-scope declined", self.out_of_scope_declined),
            row("urgent recall", self.urgent_recall),
            row("false urgent", self.false_urgent),
            row("smalltalk", self.smalltalk),
            row("disclaimer missing", self.missing_disclaimer),
        ]
        failures = [o.describe() for o in self.outcomes if not o.passed]
        return rows + ([f"failures ({len(failures)}):"] + [f"  {f}" for f in failures]
                       if failures else ["failures: none"])


def load_cases(path: Path) -> list[Case]:
    data = load_yaml(path, KnowledgeError)
    checker = Checker(path, KnowledgeError)
    root = checker.mapping(data, 1, "the evaluation file")
    cases_data = root.get("cases") if root is not None else None
    if not isinstance(cases_data, Sequence):
        raise KnowledgeError("the evaluation file needs a `cases:` list", path, 1,
                             fix="write `cases:` followed by `- {text: ..., expect: ...}` lines")
    cases = []
    for index, item in enumerate(cases_data):
        case = checker.mapping(item, cases_data.line_of(index), f"case {index + 1}")
        if case is None:
            continue
        text = checker.text(case, "text", f"case {index + 1}") or ""
        expect = case.get("expect")
        expected = tuple(expect) if isinstance(expect, list) else (expect,)
        if not expected or not all(isinstance(e, str) and e for e in expected):
            checker.fail(f"case {index + 1} has no usable `expect`", case.line,
                         "write an entry id, a list of ids, fallback, urgent or smalltalk")
            continue
        cases.append(Case(text, expected, case.line))
    if checker.errors:
        raise checker.errors[0]
    return cases


def check_expectations(cases: list[Case], entry_ids: set[str], path: Path) -> None:
    """An expected id the knowledge base lacks is a broken eval file, not a failed case."""
    for case in cases:
        for expected in case.expect:
            if expected not in SPECIAL and expected not in entry_ids:
                raise KnowledgeError(f"the case {case.text!r} expects the unknown id {expected!r}",
                                     path, case.line, fix="use an id from the knowledge base")


def evaluate(responder: Responder, cases: list[Case]) -> Report:
    return Report([Outcome(case, responder.respond(case.text)) for case in cases])
