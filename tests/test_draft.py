"""`draft` turns articles in three formats into knowledge files that pass `check`."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import PROJECT_DIR
from bot.draft import decode, detect_format, draft_article, heading_question, merge, render, subject_of
from bot.knowledge import Knowledge, load_knowledge

from .conftest import SHARED_SOURCE, need_shared

FIXTURES = Path(__file__).parent / "fixtures"
ARTICLES = sorted((FIXTURES / "articles").iterdir())


def draft_text(path: Path, knowledge: Knowledge) -> str:
    return render(draft_article(decode(path.read_bytes()), knowledge.vocabulary), path.name)


def passes_check(text: str, tmp_path: Path) -> Knowledge:
    folder = tmp_path / "knowledge"
    folder.mkdir(exist_ok=True)
    for name in ("vocabulary.yaml", "red-flags.yaml", "smalltalk.yaml"):
        shutil.copy(PROJECT_DIR / "knowledge" / name, folder / name)
    (folder / "draft.yaml").write_text(text, encoding="utf-8")
    return load_knowledge(folder, include_drafts=True)


@pytest.mark.parametrize("article", ARTICLES, ids=[path.name for path in ARTICLES])
def test_draft_matches_its_golden_file_and_passes_check(article: Path, knowledge: Knowledge,
                                                        tmp_path: Path) -> None:
    text = draft_text(article, knowledge)
    golden = FIXTURES / "drafts" / f"{article.stem}.yaml"
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8"), f"regenerate with UPDATE_GOLDEN=1 and review {golden}"
    drafted = passes_check(text, tmp_path)
    assert drafted.articles[0].reviewed is None
    for phrase in ("Leave a", "email address", "Fact Checked", "newsletter", "click here",
                   "Share on", "strict sourcing", "educational purposes", "informational purposes"):
        assert phrase not in text


def test_formats_are_told_apart_by_content() -> None:
    assert [detect_format(decode(path.read_bytes())) for path in ARTICLES] == ["text", "html", "text", "markdown"]
    assert detect_format("Title\n=====\n\nText.") == "markdown"


def test_odd_encodings_are_read() -> None:
    text = decode((FIXTURES / "articles" / "neck-strain.txt").read_bytes())
    assert "\u201cstrain\u201d" in text and "caf\u00e9" in text
    assert decode("\ufeffhello".encode("utf-8")) == "hello"


@pytest.mark.parametrize("heading, question", [
    ("Causes of shin splints", "What causes shin splints?"),
    ("Treatment for gluteal cramping", "How is gluteal cramping treated?"),
    ("Symptoms of shin splints", "What are the symptoms of shin splints?"),
    ("What are the indications of muscle cramping?", "What are the indications of muscle cramping?"),
    ("Prevention of heel pain", "How can heel pain be prevented?"),
    ("When to see a doctor", "When should I see a doctor about neck strain?"),
    ("Common Causes", "What causes neck strain?"),
    ("Introduction", "What is neck strain?"),
    ("How to stop a neck strain", "How do I stop a neck strain?"),
])
def test_headings_become_questions(heading: str, question: str) -> None:
    assert heading_question(heading, "neck strain") == question


@pytest.mark.parametrize("heading, question", [
    ("Introduction", "What are calf cramps?"),
    ("Treatment for calf cramps", "How are calf cramps treated?"),
    ("When to see a doctor", "When should I see a doctor about calf cramps?"),
])
def test_questions_agree_with_a_plural_subject(heading: str, question: str) -> None:
    assert heading_question(heading, "calf cramps") == question


@pytest.mark.parametrize("title, subject", [
    ("Calf cramps: what they are and what to do", "calf cramps"),
    ("Heel Pain - Causes And Treatment", "heel pain"),
    ("Shin splints", "shin splints"),
])
def test_the_subject_is_the_title_before_its_subtitle(title: str, subject: str) -> None:
    assert subject_of(title) == subject


def test_bylines_and_review_lines_are_dropped(knowledge: Knowledge) -> None:
    draft = draft_article(decode((FIXTURES / "articles" / "calf-cramps.txt").read_bytes()), knowledge.vocabulary)
    assert draft.sections[0] == "Introduction" and "Last updated on March 3, 2026" not in draft.sections
    assert {"By Jordan Ellis", "Medically reviewed by Dr. Sam Patel, MD", "Fact Checked",
            "Last updated on March 3, 2026"} <= set(draft.removed)
    text = render(draft, "calf-cramps.txt")
    assert "Jordan" not in text and "Patel" not in text and "What is calf cramps" not in text
    assert draft.entries[0]["title"] == "What are calf cramps?"
    assert draft.entries[0]["answer"].startswith("A calf cramp is a sudden, painful tightening")


def test_ids_other_files_use_get_the_article_slug(knowledge: Knowledge) -> None:
    text = decode((FIXTURES / "articles" / "calf-cramps.txt").read_bytes())
    draft = draft_article(text, knowledge.vocabulary, frozenset(knowledge.entries),
                          frozenset(q for entry in knowledge.entries.values() for q in entry.questions))
    ids = [entry["id"] for entry in draft.entries]
    assert "calf-cramps-see-doctor" in ids and not set(ids) & set(knowledge.entries)
    assert all(related in ids for entry in draft.entries for related in entry["related"])


def test_merge_keeps_the_editors_work_and_flags_changes(knowledge: Knowledge, tmp_path: Path) -> None:
    article = FIXTURES / "articles" / "shin-splints.md"
    first = draft_text(article, knowledge)
    edited = (first.replace("reviewed: null", "reviewed: 2026-11-20")
              .replace("  - id: causes-shin-splints", "  - id: shin-causes")
              .replace("- causes-shin-splints", "- shin-causes")
              .replace("    - what causes shin splints\n", "    - what causes shin splints\n    - why do my shins hurt\n")
              .replace("answer: Repeated stress", "answer: Edited by the editor. Repeated stress"))
    newer = (article.read_text()
             .replace("Rest from the activity", "Stop the activity")
             .replace("## When to see a doctor", "## Diagnosis of shin splints\n\nA doctor examines the leg.\n\n## When to see a doctor")
             .replace("## Causes of shin splints\n", "## Causes of shin splints\n\n"))
    draft, notes, reviewed = merge(draft_article(newer, knowledge.vocabulary), edited, tmp_path / "x.yaml")
    merged = render(draft, article.name, notes, reviewed)
    assert "id: shin-causes" in merged and "why do my shins hurt" in merged
    assert "Edited by the editor. Repeated stress" in merged
    assert notes["treatment-shin-splints"].startswith("this section of the article changed")
    assert "shin-causes" not in notes
    assert notes["diagnosis-shin-splints"] == "a new section of the article"
    assert reviewed is None and "# REVIEW: this section of the article changed" in merged
    passes_check(merged, tmp_path)


def test_merge_flags_sections_gone_from_the_article(knowledge: Knowledge, tmp_path: Path) -> None:
    article = FIXTURES / "articles" / "shin-splints.md"
    first = draft_text(article, knowledge)
    shorter = article.read_text().split("## When to see a doctor")[0]
    draft, notes, _ = merge(draft_article(shorter, knowledge.vocabulary), first, tmp_path / "x.yaml")
    assert notes == {"see-doctor": "this section is no longer in the article"}
    passes_check(render(draft, article.name, notes), tmp_path)


def test_drafts_are_checked_but_not_served(knowledge: Knowledge, knowledge_copy: Path) -> None:
    text = draft_text(FIXTURES / "articles" / "heel-pain.html", knowledge)
    (knowledge_copy / "heel-pain.yaml").write_text(text, encoding="utf-8")
    article = knowledge_copy / "gluteal-cramps.yaml"
    article.write_text(article.read_text().replace(
        "related: [cause-exercise, cause-circulation", "related: [causes-heel-pain, cause-exercise, cause-circulation"))
    served = load_knowledge(knowledge_copy)
    assert "causes-heel-pain" not in served.entries and "causes" in served.entries
    assert "causes-heel-pain" not in served.entries["causes"].related
    assert "causes-heel-pain" in load_knowledge(knowledge_copy, include_drafts=True).entries


def test_draft_command_writes_a_checked_file(tmp_path: Path) -> None:
    target = tmp_path / "heel-pain.yaml"
    result = subprocess.run([sys.executable, "-m", "bot", "draft", str(FIXTURES / "articles" / "heel-pain.html"),
                             "-o", str(target)], capture_output=True, text=True, cwd=PROJECT_DIR,
                            env={**os.environ, "PYTHONPATH": str(PROJECT_DIR)}, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "html, title 'Heel pain', 4 sections" in result.stderr
    assert "disclaimer was recognised" in result.stderr
    assert target.read_text().startswith("# Drafted by `python -m bot draft`")
    check = subprocess.run([sys.executable, "-m", "bot", "check", str(target)], capture_output=True,
                           text=True, cwd=PROJECT_DIR, env={**os.environ, "PYTHONPATH": str(PROJECT_DIR)},
                           timeout=60)
    assert check.returncode == 0, check.stderr


def test_the_real_article_drafts_close_to_the_hand_made_file(knowledge: Knowledge, tmp_path: Path) -> None:
    draft = draft_article(decode(need_shared(SHARED_SOURCE).read_bytes()), knowledge.vocabulary)
    hand_made_sections = {part.strip() for entry in knowledge.entries.values() for part in entry.source.split(";")}
    assert set(draft.sections) == hand_made_sections
    assert draft.disclaimer and "educational purposes" in draft.disclaimer
    assert {entry["topic"] for entry in draft.entries} == {"about", "symptoms", "causes", "treatment"}
    text = render(draft, SHARED_SOURCE.name)
    assert "Leave a Comment" not in text and "click here" not in text
    passes_check(text, tmp_path)


def test_merge_never_loses_an_editors_entry(knowledge: Knowledge, tmp_path: Path) -> None:
    """Editors split sections into several entries and join others; every entry stays."""
    article = FIXTURES / "articles" / "shin-splints.md"
    first = draft_text(article, knowledge)
    split = first.replace("  - id: causes-shin-splints\n", (
        "  - id: shin-overuse\n    topic: causes\n    source: Causes of shin splints\n"
        "    questions: [can running too much give me shin splints]\n    answer: Often, yes.\n"
        "  - id: shin-history\n    topic: about\n    source: History of shin splints; Introduction\n"
        "    questions: [who named shin splints]\n    answer: Nobody knows.\n"
        "  - id: causes-shin-splints\n"))
    edited = split.replace("reviewed: null", "reviewed: 2026-11-20")
    draft, notes, reviewed = merge(draft_article(article.read_text(), knowledge.vocabulary), edited, tmp_path / "x.yaml")
    ids = [entry["id"] for entry in draft.entries]
    old_ids = [line.split("id: ")[1] for line in edited.splitlines() if line.startswith("  - id: ")]
    assert ids == old_ids
    # Only the editor's new entries, which have no digest of their section yet, are flagged.
    assert set(notes) == {"shin-overuse", "shin-history"} and reviewed is None
    passes_check(render(draft, article.name, notes, reviewed), tmp_path)


def test_merge_flags_entries_with_no_digest_yet(knowledge: Knowledge, tmp_path: Path) -> None:
    article = FIXTURES / "articles" / "shin-splints.md"
    first = "\n".join(line for line in draft_text(article, knowledge).splitlines() if "source_digest" not in line)
    draft, notes, reviewed = merge(draft_article(article.read_text(), knowledge.vocabulary), first, tmp_path / "x.yaml")
    assert len(draft.entries) == len(notes) and reviewed is None
    assert all("no digest" in note for note in notes.values())
