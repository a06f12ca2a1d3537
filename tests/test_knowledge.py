"""Knowledge files load into entries; every mistake an editor can make names its file and line."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.errors import KnowledgeErrors
from bot.knowledge import TOPICS, Knowledge, load_knowledge

from .conftest import SHARED_SOURCE, need_shared

REQUIRED_IDS = {
    "what-is-gluteal-cramp", "gluteus-maximus", "gluteus-function", "symptoms", "quick-relief",
    "causes", "cause-exercise", "cause-circulation", "cause-nerve", "cause-minerals", "prevention",
    "hydration", "diet", "see-doctor", "when-cramps-happen",
}


def test_shipped_knowledge_base_has_the_agreed_entries(knowledge: Knowledge) -> None:
    assert set(knowledge.entries) == REQUIRED_IDS
    for entry in knowledge.entries.values():
        assert entry.topic in TOPICS
        assert len(entry.questions) >= 6
        assert all(q == q.lower() and not re.search(r"[?.!,]", q) for q in entry.questions)
        assert 1 <= len(re.findall(r"[.!?](?:\s|$)", entry.answer)) <= 4, entry.id
        assert entry.source and entry.related
    article = knowledge.articles[0]
    assert article.reviewed is not None and article.source_title


def test_answers_do_not_copy_the_article(knowledge: Knowledge) -> None:
    article = " ".join(need_shared(SHARED_SOURCE).read_text(encoding="utf-8").lower().split())
    for entry in knowledge.entries.values():
        words = entry.answer.lower().split()
        for start in range(len(words) - 7):
            run = " ".join(words[start:start + 8])
            assert run not in article, f"{entry.id} copies the article: {run!r}"


def load_errors(folder: Path) -> list[str]:
    with pytest.raises(KnowledgeErrors) as caught:
        load_knowledge(folder)
    return [str(error) for error in caught.value.errors]


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def line_of(path: Path, needle: str) -> int:
    """The last line holding the needle: an edit that duplicates text makes the later copy."""
    return max(n for n, line in enumerate(path.read_text().splitlines(), 1) if needle.strip() in line)


@pytest.mark.parametrize("old, new, needle, message", [
    ("  - id: causes\n", "  - id: symptoms\n", "  - id: symptoms\n", "is already used"),
    ("topic: causes", "topic: reasons", "topic: reasons", "unknown topic 'reasons'"),
    ("related: [cause-exercise, cause-circulation", "related: [cause-exercize, cause-circulation",
     "cause-exercize", "'cause-exercize', which does not exist"),
    ("    source: Causes of gluteal cramping\n    questions:\n      - what causes gluteal cramps",
     "    source: Causes of gluteal cramping\n    colour: red\n    questions:\n      - what causes gluteal cramps",
     "colour: red", "unknown key 'colour'"),
    ("reviewed: 2026-11-24", "reviewed: yesterday", "reviewed: yesterday", "`reviewed` should be a date"),
    ("reviewed: 2026-11-24", "reviewed: 2026-02-30", "reviewed: 2026-02-30", "'2026-02-30' is not a valid value"),
    ("    questions:\n      - what should i eat to avoid cramps", "    questions: what should i eat",
     "questions: what should i eat", "'questions' in entry 'diet' should be a list"),
    ("    examples:\n", "    examples: a story\n    colour:\n", "examples: a story",
     "'examples' in entry 'what-is-gluteal-cramp' should be a list"),
    ("    follow_ups:\n      cause-nerve:\n", "    follow_ups:  # edited\n      reasons:\n", "follow_ups:  # edited",
     "lists follow-ups after 'reasons', which does not exist"),
    ("      - what are the signs of a buttock cramp", "      - what causes gluteal cramps",
     "      - what causes gluteal cramps", "is under both"),
])
def test_editing_mistakes_name_file_and_line(knowledge_copy: Path, old: str, new: str,
                                             needle: str, message: str) -> None:
    path = knowledge_copy / "gluteal-cramps.yaml"
    edit(path, old, new)
    errors = load_errors(knowledge_copy)
    matching = [e for e in errors if message in e]
    assert matching, errors
    assert matching[0].startswith(f"{path}:")
    reported = int(matching[0].split(":")[1])
    assert reported == line_of(path, needle)
    assert "Fix:" in matching[0]
    # A mistake in one entry is reported once, not again as broken links to it.
    if "should be a list" in message:
        assert not any("which does not exist" in error for error in errors), errors


def test_empty_answer_is_reported(knowledge_copy: Path) -> None:
    path = knowledge_copy / "gluteal-cramps.yaml"
    text = path.read_text()
    start = text.index("    answer: >-\n      A gluteal cramp is")
    end = text.index("    related: [symptoms, causes, gluteus-maximus]")
    path.write_text(text[:start] + '    answer: ""\n' + text[end:])
    assert any("'answer' in entry 'what-is-gluteal-cramp' is empty" in e for e in load_errors(knowledge_copy))


def test_same_question_under_two_entries_is_reported(knowledge_copy: Path) -> None:
    path = knowledge_copy / "gluteal-cramps.yaml"
    edit(path, "      - what are the signs of a buttock cramp", "      - what causes gluteal cramps")
    assert any("under both" in e for e in load_errors(knowledge_copy))


def test_invalid_yaml_names_the_line(knowledge_copy: Path) -> None:
    path = knowledge_copy / "gluteal-cramps.yaml"
    edit(path, "  - id: diet\n", "  - id: diet\n   topic: [unclosed\n")
    errors = load_errors(knowledge_copy)
    assert len(errors) == 1 and "invalid YAML" in errors[0] and errors[0].startswith(f"{path}:")


def test_ids_are_unique_across_files(knowledge_copy: Path) -> None:
    second = knowledge_copy / "second.yaml"
    second.write_text(
        "title: Second\nsource: {title: Other, covers: other things}\nreviewed: 2026-11-24\n"
        "entries:\n  - id: causes\n    topic: causes\n    source: Intro\n"
        "    questions: [why other things]\n    answer: Because.\n")
    assert any("'causes' is already used" in e for e in load_errors(knowledge_copy))


def test_broken_red_flags_file_is_reported(knowledge_copy: Path) -> None:
    edit(knowledge_copy / "red-flags.yaml", "kind: crisis", "kind: panic")
    assert any("unknown kind 'panic'" in e for e in load_errors(knowledge_copy))


def test_a_setting_rule_without_its_signs_is_reported(knowledge_copy: Path) -> None:
    edit(knowledge_copy / "red-flags.yaml", '    across_sentences:\n      - "scuba | dive | dived | diving | surfaced + ',
         '    across_sentences:\n      - "scuba | dive | dived | diving | surfaced | ')
    assert any("a rule of `across_sentences` in red flag 'sudden-leg-weakness' has one group" in e
               for e in load_errors(knowledge_copy))


def test_missing_knowledge_folder(tmp_path: Path) -> None:
    errors = load_errors(tmp_path / "nowhere")
    assert errors == [f"{tmp_path / 'nowhere'}: the knowledge path does not exist. "
                      "Fix: point `knowledge_path` in the config at the knowledge folder"]
