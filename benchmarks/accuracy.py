"""Counting what the bot (or a baseline) did with messages whose right answer is known."""

from __future__ import annotations

from dataclasses import dataclass, field

from benchmarks.library import Message

OUTCOMES = ("right", "clarified", "wrong", "fallback", "urgent")
OUT_OF_SCOPE_OUTCOMES = ("answered", "clarified", "fallback", "urgent")


@dataclass
class Tally:
    """Outcomes of messages that reword a known question (in scope) and of messages about things
    nothing covers (out of scope). Small talk counts as a fallback: no health answer was given."""

    in_scope: dict[str, int] = field(default_factory=lambda: dict.fromkeys(OUTCOMES, 0))
    out_of_scope: dict[str, int] = field(default_factory=lambda: dict.fromkeys(OUT_OF_SCOPE_OUTCOMES, 0))
    examples: dict[str, list[str]] = field(default_factory=dict)

    def add(self, message: Message, kind: str, entry_id: str | None) -> str:
        """Count one reply; returns the outcome's name."""
        if message.expect is None:
            outcome = {"answer": "answered", "clarify": "clarified", "urgent": "urgent"}.get(kind, "fallback")
            self.out_of_scope[outcome] += 1
            key = f"out of scope {outcome}"
        else:
            if kind == "answer":
                outcome = "right" if entry_id == message.expect else "wrong"
            else:
                outcome = {"clarify": "clarified", "urgent": "urgent"}.get(kind, "fallback")
            self.in_scope[outcome] += 1
            key = outcome
        if key in ("wrong", "out of scope answered"):
            expected = message.expect or "nothing: no article covers it"
            self.examples.setdefault(key, []).append(f"{message.text!r} -> {entry_id} (expected {expected})")
        return outcome

    def share(self, outcome: str) -> float:
        total = sum(self.in_scope.values())
        return self.in_scope[outcome] / total if total else 0.0

    @property
    def out_of_scope_answered(self) -> float:
        total = sum(self.out_of_scope.values())
        return self.out_of_scope["answered"] / total if total else 0.0

    def as_dict(self) -> dict:
        return {"in_scope": dict(self.in_scope), "out_of_scope": dict(self.out_of_scope),
                "right_share": round(self.share("right"), 4), "wrong_share": round(self.share("wrong"), 4),
                "out_of_scope_answered_share": round(self.out_of_scope_answered, 4),
                "examples": {key: values[:10] for key, values in self.examples.items()}}
