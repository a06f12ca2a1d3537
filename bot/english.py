"""How common an English word is, from the word-frequency list that ships with symspellpy.

Two questions need it: is an unknown word a real word (then it is not a typo to repair: "liver"
must not become "liter"), and how much a word says (a message's "best" or "make" says little,
"migraine" a lot), so that common filler neither sways the match nor makes a question look
out of scope.
"""

from __future__ import annotations

import importlib.resources
import math
from functools import cache

_DICTIONARY = "frequency_dictionary_en_82_765.txt"
# log10 of a word's count in the list: at or above _COMMON a word says little, at or below
# _RARE it says as much as a word can; in between its weight falls in a straight line.
_COMMON = 9.0
_RARE = 6.5
_LEAST_SPECIFIC = 0.2
# Below this log10 count a listed word is too rare to trust as a real word rather than a typo.
_REAL_WORD = 4.5


@cache
def _counts() -> dict[str, float]:
    text = (importlib.resources.files("symspellpy") / _DICTIONARY).read_text(encoding="utf-8")
    counts = {}
    for line in text.splitlines():
        word, _, count = line.partition(" ")
        if count:
            counts[word] = math.log10(int(count))
    return counts


def frequency(word: str) -> float:
    """log10 of how often the word is written in English; 0 for words not in the list."""
    return _counts().get(word, 0.0)


def is_real_word(word: str) -> bool:
    return frequency(word) >= _REAL_WORD


def specificity(word: str) -> float:
    """1.0 for rare or unlisted words, down to 0.2 for the most common ones."""
    frequency = _counts().get(word)
    if frequency is None or frequency <= _RARE:
        return 1.0
    share = (_COMMON - frequency) / (_COMMON - _RARE)
    return max(_LEAST_SPECIFIC, min(1.0, share))


# A run of letters this long that is no word is words typed without spaces ("chestpainhelp");
# past the longest, it is noise, not a message.
_GLUED = 14
_LONGEST_GLUED = 80
# A run from this long to _GLUED is split only into common words (log10 count at least
# _COMMON_PART; of one or two letters, only these) of which one tells something. "...in" is a
# dropped g ("bleedin", "drinkin"), not two words.
_SHORT_GLUED = 7
_COMMON_PART = 6.0
_SHORT_PARTS = frozenset({"my", "me", "is", "in", "on", "up", "to", "of", "it", "no", "so", "im", "go", "do",
                          "be", "he", "an", "at", "am"})


@cache
def _segmenter():  # type: ignore[no-untyped-def]
    """symspellpy's word segmentation over the same list; loaded (a fraction of a second) on first need."""
    from symspellpy import SymSpell

    class Segmenter(SymSpell):
        """Without the index of deletes that only spelling correction reads: at edit distance 0 a
        lookup reads the word list alone, and the index would cost some 60 MB."""

        def _edits_prefix(self, key: str) -> set[str]:
            return set()

    segmenter = Segmenter(max_dictionary_edit_distance=0, prefix_length=7)
    path = importlib.resources.files("symspellpy") / _DICTIONARY
    segmenter.load_dictionary(str(path), term_index=0, count_index=1)
    return segmenter


def split_glued(words: list[str]) -> list[str]:
    """Words typed without spaces, split apart; every other word as it is."""
    if not any(_is_glued(word) for word in words):
        return words
    return [part for word in words for part in (
        _segmenter().word_segmentation(word).corrected_string.split() if _is_glued(word) else [word])]


def split_short_glued(word: str, telling: frozenset[str]) -> list[str]:
    """A shorter run typed without spaces ("legsnumb", "cantfeelmybum") as its words, when they
    are all common words and one of them is `telling`; otherwise the word as it is. Shorter runs
    are mostly names and misspellings ("maximus" is not "maxim us"), so only a telling part counts."""
    if not (_SHORT_GLUED <= len(word) < _GLUED and word.isalpha() and word not in _counts()):
        return [word]
    parts = _segmenter().word_segmentation(word).corrected_string.split()
    common = all(part in _SHORT_PARTS if len(part) <= 2 else frequency(part) >= _COMMON_PART for part in parts)
    if 2 <= len(parts) <= 4 and common and not telling.isdisjoint(parts) and parts[-1] != "in":
        return parts
    return [word]


def _is_glued(word: str) -> bool:
    return _GLUED <= len(word) <= _LONGEST_GLUED and word.isalpha() and word not in _counts()


def load_segmenter() -> None:
    """Load the word list now, so the first glued message is not the one that waits for it."""
    _segmenter()
