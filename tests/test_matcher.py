"""Normalising makes typos, contractions and lay words read like the knowledge base."""

from __future__ import annotations

from bot.knowledge import Knowledge
from bot.matcher import Matcher


def test_typos_slang_and_contractions_normalise_alike(knowledge: Knowledge) -> None:
    matcher = Matcher(knowledge)
    same = matcher.normaliser.normalise
    assert same("whats a butt cramp") == same("what is a gluteal cramp")
    assert same("glutes crampin") == same("gluteal cramping")
    assert same("buttcramps") == same("butt cramps")
    assert same("charley horse in my bum") == same("cramp in my buttock")


def test_real_words_are_not_repaired_into_knowledge_words(knowledge: Knowledge) -> None:
    matcher = Matcher(knowledge)
    assert matcher.normaliser.repair("liver") == ["liver"]
    assert matcher.normaliser.repair("crmaps") == ["cramps"]


def test_typos_reach_the_word_they_stand_for(knowledge: Knowledge) -> None:
    normaliser = Matcher(knowledge).normaliser
    # "magnesuim" is a misspelling vocabulary.yaml lists itself, so repair leaves it to the vocabulary;
    # "magnesum" is listed nowhere and is repaired by edit distance. Both end as "magnesium".
    assert normaliser.repair("magnesuim") == ["magnesuim"]
    assert normaliser.repair("magnesum") == ["magnesium"]
    assert normaliser.normalise("low magnesuim") == normaliser.normalise("low magnesium")
    assert normaliser.normalise("low magnesum") == normaliser.normalise("low magnesium")


def test_unknown_words_lower_coverage(knowledge: Knowledge) -> None:
    matcher = Matcher(knowledge)
    assert matcher.match("what causes glute cramps").coverage == 1.0
    assert matcher.match("what causes migraines").coverage < 0.5
    assert not matcher.match("what causes migraines").in_domain


def test_candidates_are_ranked_best_first(knowledge: Knowledge) -> None:
    match = Matcher(knowledge).match("can low magnesium cause cramps")
    scores = [candidate.score for candidate in match.candidates]
    assert scores == sorted(scores, reverse=True)
    assert match.best is not None and match.best.entry_id == "cause-minerals"


def test_a_word_named_with_the_cramp_is_another_subject_but_one_after_it_is_not(knowledge: Knowledge) -> None:
    matcher = Matcher(knowledge)

    def conflicts(text: str) -> tuple[str, ...]:
        best = matcher.match(text).best
        assert best is not None
        return best.conflicts

    assert conflicts("cramp in my wrist") == conflicts("wrist cramp") == ("wrist",)
    assert conflicts("why would it cramp though") == conflicts("why does it cramp so easily") == ()
