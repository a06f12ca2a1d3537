"""The benchmark's library stays loadable, the bot stays right on it at 1,000 entries, and the
benchmark says plainly which targets a run missed without touching tracked files."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.__main__ import DEFAULT_OUTPUT, PROJECT_DIR, missed_targets
from benchmarks.accuracy import Tally
from benchmarks.library import make_messages, uncovered_conditions, write_library
from bot.config import Config
from bot.knowledge import load_knowledge
from bot.responder import Responder


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Responder:
    folder = write_library(tmp_path_factory.mktemp("library") / "knowledge", 1000, PROJECT_DIR / "knowledge")
    return Responder(load_knowledge(folder), Config(knowledge_path=folder))


def test_reworded_questions_are_answered_right_at_1000_entries(library: Responder) -> None:
    knowledge = library.knowledge
    assert len(knowledge.entries) == 1000 and len(knowledge.articles) == 67
    entries = {entry.id: entry.questions for entry in knowledge.entries.values()}
    tally = Tally()
    for message in make_messages(entries, 800, uncovered_conditions(1000), seed=5):
        reply = library.respond(message.text)
        tally.add(message, reply.kind, reply.entry_id)
    assert tally.share("right") >= 0.95, tally.as_dict()
    assert tally.share("wrong") <= 0.01, tally.as_dict()
    assert tally.out_of_scope["answered"] == 0, tally.as_dict()
    assert sum(tally.out_of_scope.values()) >= 50


@pytest.mark.parametrize("text, expected", [
    ("what causes knee bursitis", "knee-bursitis-causes"),
    ("what causes heel bursitis", "heel-bursitis-causes"),
    ("WHAT CAUSES HEEL BURSITIS?", "heel-bursitis-causes"),
    ("hi, how is knee bursitis treated", "knee-bursitis-treatment"),
])
def test_look_alike_entries_of_two_articles_are_told_apart(tmp_path: Path, text: str, expected: str) -> None:
    responder = two_bursitis_articles(tmp_path)
    reply = responder.respond(text)
    assert (reply.kind, reply.entry_id) == ("answer", expected)


@pytest.mark.parametrize("text", ["what causes elbow bursitis", "how is knee tendinitis treated",
                                  "what causes migraines", "what causes heel spurs"])
def test_conditions_no_article_covers_are_not_answered(tmp_path: Path, text: str) -> None:
    reply = two_bursitis_articles(tmp_path).respond(text)
    assert reply.kind in ("fallback", "clarify"), (text, reply.kind, reply.entry_id)


def two_bursitis_articles(folder: Path) -> Responder:
    for name in ("vocabulary.yaml", "red-flags.yaml", "smalltalk.yaml"):
        (folder / name).write_text((PROJECT_DIR / "knowledge" / name).read_text())
    for part in ("heel", "knee"):
        (folder / f"{part}-bursitis.yaml").write_text(
            f"title: {part.title()} bursitis\nsource: {{title: {part.title()} bursitis, covers: all}}\n"
            "reviewed: 2026-11-24\nentries:\n"
            f"  - id: {part}-bursitis-causes\n    topic: causes\n    source: Causes\n"
            f"    questions: [what causes {part} bursitis, why do i get {part} bursitis]\n"
            "    answer: Overuse.\n"
            f"  - id: {part}-bursitis-treatment\n    topic: treatment\n    source: Treatment\n"
            f"    questions: [how is {part} bursitis treated, treatment for {part} bursitis]\n"
            "    answer: Rest.\n")
    return Responder(load_knowledge(folder), Config(knowledge_path=folder))


def test_missed_targets_are_named() -> None:
    row = {"entries": 10000, "right_share": 0.93, "wrong_share": 0.004, "out_of_scope_answered_share": 0.0,
           "p99_ms": 3.5, "speedup_p50": 29.0, "load_seconds": 1.0, "peak_rss_mb": 100.0}
    missed = missed_targets({"matcher": [row], "end_to_end": []})
    assert missed == ["right_share at 10000 entries is 0.93, the target is >= 0.95",
                      "p99_ms at 10000 entries is 3.5, the target is <= 2.0",
                      "speedup_p50 at 10000 entries is 29.0, the target is >= 30.0"]


def test_results_go_outside_the_source_tree_by_default() -> None:
    assert PROJECT_DIR not in DEFAULT_OUTPUT.resolve().parents
    assert not (PROJECT_DIR / "benchmarks" / "results.json").exists()
