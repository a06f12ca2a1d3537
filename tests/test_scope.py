"""What is in scope comes from the knowledge itself: articles' titles, the words most of their
entries use and their own vocabulary files, so a second article is answered as soon as it is added."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.config import Config
from bot.errors import KnowledgeErrors
from bot.evaluation import evaluate, load_cases
from bot.knowledge import Knowledge, knowledge_files, load_knowledge
from bot.matcher import Matcher
from bot.responder import Responder

CALF = Path(__file__).parent / "fixtures" / "calf"


def with_calf(knowledge_copy: Path) -> Responder:
    """The knowledge with the calf cramps article added as the README says: its file, its own
    words, and what it now covers taken out of not-covered.yaml."""
    for path in CALF.iterdir():
        shutil.copy(path, knowledge_copy / path.name)
    not_covered = knowledge_copy / "not-covered.yaml"
    text = not_covered.read_text()
    assert "calf | calves | foot | feet | toe | toes | hamstring* | quad | quads | leg | legs |" in text
    not_covered.write_text(text.replace("calf | calves | foot", "foot").replace("quads | leg | legs |", "quads |"))
    return Responder(load_knowledge(knowledge_copy), Config(knowledge_path=knowledge_copy))


def test_no_hand_written_domain_list(knowledge: Knowledge) -> None:
    assert not knowledge.vocabulary.domain_words
    matcher = Matcher(knowledge)
    assert {"glute", "cramp", "water", "magnesium"} <= matcher.subject_stems
    assert not {"what", "caus", "treat", "migrain"} & matcher.subject_stems


@pytest.mark.parametrize("text, expected", [
    ("charley horse in my leg", "calf-cramps"),
    ("Hi! why do my legs cramp at night?", "calf-causes"),
    ("how do i stop a cramp in my calf", "calf-relief"),
    ("my calf muscle just locked up, how do i make it stop", "calf-relief"),
    ("why do my glutes cramp", "causes"),
    ("how much water a day", "hydration"),
])
def test_a_second_article_is_answered_once_added(knowledge_copy: Path, text: str, expected: str) -> None:
    reply = with_calf(knowledge_copy).respond(text)
    assert (reply.kind, reply.entry_id) == ("answer", expected)


@pytest.mark.parametrize("text", ["charley horse in my leg", "what causes calf cramps", "how to stop foot cramps"])
def test_without_the_article_the_same_questions_are_not_answered(responder: Responder, text: str) -> None:
    assert responder.respond(text).kind in ("fallback", "clarify")


def test_a_question_both_articles_could_answer_is_clarified(knowledge_copy: Path) -> None:
    reply = with_calf(knowledge_copy).respond("what causes cramps")
    assert reply.kind == "clarify" and {"causes", "calf-causes"} <= {s.entry_id for s in reply.suggestions}


def test_out_of_scope_stays_out_with_two_articles(knowledge_copy: Path) -> None:
    responder = with_calf(knowledge_copy)
    for text in ("what causes migraines", "how much sleep do i need", "how do i treat a cold", "what causes foot cramps"):
        assert responder.respond(text).kind == "fallback", text


def test_an_articles_vocabulary_without_its_article_is_reported(knowledge_copy: Path) -> None:
    shutil.copy(CALF / "calf-cramps.vocabulary.yaml", knowledge_copy / "calf-cramps.vocabulary.yaml")
    with pytest.raises(KnowledgeErrors) as caught:
        load_knowledge(knowledge_copy)
    assert any("there is no article calf-cramps.yaml beside this vocabulary file" in str(e) for e in caught.value.errors)


def test_two_files_reading_a_word_differently_are_both_named(knowledge_copy: Path) -> None:
    with_calf(knowledge_copy)
    vocabulary = knowledge_copy / "calf-cramps.vocabulary.yaml"
    vocabulary.write_text(vocabulary.read_text().replace("shin muscle]", "shin muscle, bum]"))
    with pytest.raises(KnowledgeErrors) as caught:
        load_knowledge(knowledge_copy)
    [error] = [str(e) for e in caught.value.errors]
    gluteal = knowledge_copy / "gluteal-cramps.vocabulary.yaml"
    line = next(n for n, row in enumerate(gluteal.read_text().splitlines(), 1) if " bum," in row)
    assert error == (f"{gluteal}:{line}: 'bum' is a synonym of 'glute' here but 'calf' in {vocabulary}:4. "
                     "Fix: keep one reading of the word, in one of the two files")


def test_a_synonym_that_a_filler_word_hides_is_reported(knowledge_copy: Path) -> None:
    vocabulary = knowledge_copy / "gluteal-cramps.vocabulary.yaml"
    vocabulary.write_text(vocabulary.read_text().replace("lumps, bump,", "lumps, like a rock, bump,"))
    with pytest.raises(KnowledgeErrors) as caught:
        load_knowledge(knowledge_copy)
    [error] = [str(e) for e in caught.value.errors]
    assert error.startswith(f"{vocabulary}:") and ("the synonym 'like a rock' never matches: 'like' is a filler word"
                                                     in error) and error.endswith("Fix: write it without 'like'")


def test_shared_keys_belong_in_the_shared_vocabulary(knowledge_copy: Path) -> None:
    with_calf(knowledge_copy)
    vocabulary = knowledge_copy / "calf-cramps.vocabulary.yaml"
    vocabulary.write_text(vocabulary.read_text() + "stop_words: [calfy]\n")
    with pytest.raises(KnowledgeErrors) as caught:
        load_knowledge(knowledge_copy)
    assert "`stop_words` belongs in the shared vocabulary.yaml" in str(caught.value)


def test_live_reload_watches_the_articles_vocabularies(knowledge_copy: Path) -> None:
    with_calf(knowledge_copy)
    files = {path.name for path in knowledge_files(knowledge_copy)}
    assert {"calf-cramps.yaml", "calf-cramps.vocabulary.yaml", "gluteal-cramps.vocabulary.yaml",
            "vocabulary.yaml", "red-flags.yaml", "smalltalk.yaml"} <= files


def test_a_stray_support_file_in_the_folder_is_named(knowledge_copy: Path) -> None:
    shutil.copy(knowledge_copy / "red-flags.yaml", knowledge_copy / "red-flags-old.yaml")
    with pytest.raises(KnowledgeErrors) as caught:
        load_knowledge(knowledge_copy)
    assert str(caught.value) == (f"{knowledge_copy / 'red-flags-old.yaml'}:1: this is a red flags file, not an "
                                 "article, and only red-flags.yaml is read as one. Fix: rename it to red-flags.yaml "
                                 "or move it out of the folder")


def test_the_walkthroughs_eval_cases_pass(knowledge_copy: Path) -> None:
    report = evaluate(with_calf(knowledge_copy), load_cases(Path(__file__).parent / "fixtures" / "calf-eval.yaml"))
    assert report.correct[0] == report.correct[1] and report.wrong[0] == 0
    assert report.out_of_scope_answered[0] == 0 and report.urgent_recall[0] == report.urgent_recall[1]
