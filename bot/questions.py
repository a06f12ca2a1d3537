"""Finding the questions in a message: a long post tells a story, then asks ("any ideas?"); one
line may ask two things ("what causes it and how do I stop it?")."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .vocabulary import NEGATIONS, split_words

_JOIN_SIGNS = re.compile(r"\s[+&]\s")
_SENTENCE = re.compile(r"(?:[^.!?\n]|(?<=\d)\.(?=\d))+[.!?\n]*")
# "Bum cramps: what causes them": a colon before a question word ends what comes before it.
_COLON_QUESTION = re.compile(r":\s+(?=(?:what|how|why|when|where|which|who|is|are|can|could|should|do|does)\b)",
                             re.IGNORECASE)
# Words that open a question, and phrases that ask without opening one ("any ideas").
_OPENINGS = frozenset({
    "what", "whats", "what's", "how", "hows", "how's", "why", "when", "where", "which", "who", "can", "could",
    "should", "shall", "is", "are", "do", "does", "did", "will", "would", "am", "any", "anything", "wat",
    "wht", "y", "hw", "cn", "shud", "tell", "explain", "best",
})
_ASKING = ("any ideas", "any idea", "any advice", "any tips", "any help", "help me", "please help", "advice",
           "what do i do", "what should i do", "what can i do", "i wonder", "wondering", "want to know",
           "like to know", "need to know", "can you tell me", "please tell me", "thoughts", "best way to",
           "how to", "ways to", "tips for", "tips on", "how do i", "how can i", "how should i", "how do you",
           # A question run on from the story without a stop: "locked up mid delivery what is this".
           "what is this", "what is that", "what was that", "what was this", "what is it", "what to do",
           "why this", "why is this", "why is it",
           # A question reported or doubted in a story is asked too: "he keeps asking me what a
           # cramp actually is", "I've no idea why it happens".
           *(f"{frame} {wh}" for frame in ("asking me", "asked me", "asks me", "no idea", "not sure", "don't know",
                                           "dont know", "do not know") for wh in ("what", "why", "how")))
# A question word that ends a sentence asks ("glute cramps during squats - why"); inside a story
# it may be told ("she asked me why her glutes cramp").
_ASKING_LAST = frozenset({"why", "y", "how"})
# Inside a sentence, these start a second question when a question word follows them.
_JOINS = frozenset({"and", "n", "also", "plus", "or", "then", "but"})
# Topics named as a search names them: "glute cramp symptoms and causes", "meaning + when to see doc".
# A part ending in one asks for it; two joined by "and" are two questions.
_TOPIC_NOUNS = frozenset({"causes", "cause", "symptoms", "signs", "treatment", "treatments", "prevention", "remedies",
                          "remedy", "relief", "meaning", "definition", "diet", "function"})
_SEARCH_WORDS = 6
# A question may open with one of these before its question word: "...and at what point should I",
# "please what is the gluteus maximus", "sir why does it cramp".
_LEADING = frozenset({"at", "in", "on", "for", "by", "from", "to", "so", "please", "pls", "plz", "kindly", "sir",
                      "madam", "doctor", "ok", "okay", "hi", "hello", "hey", "well", "now", "anyway", "first",
                      "firstly", "second", "secondly", "third", "thirdly", "lastly", "finally", "also", "next"})
# The words of a condition that only points back at the question before it.
_POINTING_BACK = frozenset({"so", "not", "it", "they", "one", "this", "that", "them", "do", "does", "did", "happens",
                            "happen", "comes", "come", "on", "anyway", "still", "again", "starts", "hits"})
_LONGEST_CONDITION = 5
# A numbered list ("1) how do I stop it 2) how do I avoid it"): each item is a sentence of its own.
_LIST_ITEM = re.compile(r"(?:^|(?<=[\s:]))\(?\d{1,2}\)\s")


# What a person says they are not asking ("not asking what causes it, just what IS a glute
# cramp", "I don't care why it happens, I just need it to stop"): up to where the real question starts.
_UNASKED = re.compile(
    r"\b(?:i'?m |i am )?(?:not asking|not interested in|not looking for|(?:i )?(?:do not|don'?t|dont) care)\b"
    r".*?(?=[,;.!?]|\b(?:just|only|but|i want|i need|i'?d like|asking|rather|literally)\b|$)",
    re.IGNORECASE)


# What a person sets aside to ask about the rest: "ok forget the pregnancy bit, in general what
# causes them", "ignoring the meds, what are the common causes", "outside my period they happen too".
_SET_ASIDE = re.compile(r"\b(?:forget(?:ting)? (?:about|the)|ignor(?:e|ing) (?:the|my|that)|apart from|aside from"
                        r"|leaving aside|outside (?:of )?(?:my|the|her)|besides (?:the|my)|other than|not counting)"
                        r"\b[^,.;:!?\n]{0,40}", re.IGNORECASE)


# A tag that doubts the question rather than asking another ("...or am I making that up?", "is it
# the training or is something wrong with me?"): it asks nothing the articles answer.
_TAG = re.compile(r"\bor (?:am i|is it just me|is that just me|not|is (?:there )?something (?:else )?wrong|something (?:is )?wrong)\b"
                  r"[^,;.!?]*", re.IGNORECASE)


_WHATEVER_DONE = re.compile(r"\b(?:no matter what|whatever) (?:i|we|you|he|she|they) (?:do|does|try|tries)\b",
                            re.IGNORECASE)


# What a person says of advice that has not stopped the cramps: "I already drink loads", "more
# water hasn't helped", "tried everything", "still cramping".
_KEEPS_ON = re.compile(r"\b(?:still|keeps? (?:coming|happening)|nothing (?:helps|works|has helped)"
                       r"|(?:has ?n[o']?t|does ?n[o']?t|did ?n[o']?t|not) help(?:ed)?|no matter (?:how|what)"
                       r"|even (?:though|tho|after)|despite|already|tried|not working|(?:has|have) ?n[o']?t worked)\b")


def says_it_keeps_on(words: list[str]) -> bool:
    """Whether the message tells that something was tried, or is done, and the trouble goes on."""
    return _KEEPS_ON.search(" ".join(words)) is not None


# A story that ends in a bare "why" ("cramp in my bum after sprints, why") asks why it happens.
_TRAILING_WHY = re.compile(r"\s*[-,:]?\s*\b(?:why|y)\s*(?:tho|though)?\s*[?!.]*\s*$", re.IGNORECASE)
_STORY_BEFORE_WHY = 3


def spell_out_why(text: str) -> str:
    """A story's trailing bare "why" as the question it asks ("...why does it happen?")."""
    why = _TRAILING_WHY.search(text)
    if why is None or len(split_words(text[:why.start()])) < _STORY_BEFORE_WHY:
        return text
    return f"{text[:why.start()]}. why does it happen?"


# "Do you think it's the training load or something else?", "is it because I don't drink enough?":
# whether that is the cause.
_IS_IT_THE = re.compile(
    r"\b(?P<asks>do you think |you think |could |might )?(?:it'?s|it is|(?P<inverted>is it|is this|is that)) (?:just |all )?"
    r"(?P<why>because (?:of )?|due to |down to |from |caused by )?(?:(?P<whose>the|my|his|her|their|all that|that) )?"
    r"(?!(?:same|right|normal|only|one|first|second|third|last|worst|best|end|case|point|answer|reason)\b)"
    r"(?P<what>[^?.!,;]+?)(?: or (?:something|anything) else| or not)?\s*(?P<end>[?.!]*)\s*$", re.IGNORECASE)


def spell_out_cause(text: str) -> tuple[str, str]:
    """A closing "is it the X?" as "is it caused by X?", and the X ("" when there is none)."""
    asked = _IS_IT_THE.search(text)
    if (asked is None or not (asked["why"] or asked["whose"])
            or not (asked["asks"] or asked["inverted"] or "?" in asked["end"])):
        return text, ""
    what = f"{asked['whose']} {asked['what']}" if asked["whose"] else asked["what"]
    return f"{text[:asked.start()]}is it caused by {what}{asked['end'] or '?'}", what


def drop_unasked(text: str) -> str:
    """The message without what it says it does not ask or sets aside, nor a doubting tag; "no
    matter what I do" says only that it goes on, and asks no "what do"."""
    return _WHATEVER_DONE.sub(" still ", _TAG.sub(" ", _SET_ASIDE.sub(" ", _UNASKED.sub(" ", text))))


@dataclass(frozen=True)
class Part:
    """A sentence or half of one; `asks` when it is a question rather than part of the story."""

    words: list[str]
    asks: bool


def split_questions(text: str) -> list[Part]:
    """The message in parts, in order. A one-sentence message with one question is one part."""
    parts: list[Part] = []
    # "symptoms + when to see a doctor", "causes & treatment": a sign between two questions.
    text = _COLON_QUESTION.sub("\n", _LIST_ITEM.sub("\n", _JOIN_SIGNS.sub(" and ", text)))
    for sentence in _SENTENCE.findall(text):
        words = split_words(sentence)
        if not words:
            continue
        asked = sentence.rstrip().endswith("?")
        for piece in _split_at_joins(words):
            parts.append(Part(piece, asked or _asks(piece)))
    return parts or [Part(split_words(text), True)]


def _split_at_joins(words: list[str]) -> list[list[str]]:
    """ "what causes it and how do i stop it" -> two questions; "pain and cramps" stays whole."""
    pieces: list[list[str]] = [[]]
    skipped = 0
    for index, word in enumerate(words):
        if skipped:
            skipped -= 1
            continue
        # "...and if so, what should I eat", "and if they do how do i release them": the condition
        # is no part of the second question.
        condition = _condition_length(words[index + 1:])
        follows = words[index + 1 + condition] if index + 1 + condition < len(words) else ""
        if follows in _LEADING and index + condition + 2 < len(words):
            follows = words[index + condition + 2]
        topics = follows in _TOPIC_NOUNS and bool(pieces[-1]) and pieces[-1][-1] in _TOPIC_NOUNS
        if word in _JOINS and len(pieces[-1]) >= 2 and (
                (follows in _OPENINGS and index + condition + 2 < len(words)) or topics):
            pieces.append([])
            skipped = condition
            continue
        pieces[-1].append(word)
    return [piece for piece in pieces if piece]


def _condition_length(words: list[str]) -> int:
    """How many words an "if" that only points back takes ("if so", "if it does", "if one
    comes on anyway"), when a question word follows it; 0 for any other."""
    if words[:1] != ["if"]:
        return 0
    for length in range(2, _LONGEST_CONDITION + 2):
        if words[length - 1:length] and words[length - 1] not in _POINTING_BACK:
            return length - 1 if length > 2 and words[length - 1] in _OPENINGS else 0
    return 0


def _asks(words: list[str]) -> bool:
    text = " ".join(words)
    start = next((index for index, word in enumerate(words) if word not in _JOINS and word not in _LEADING), 0)
    opening = words[start] if start < len(words) else ""
    # "am I dehydrated" asks; "am 40 years old, desk job" tells.
    opens = opening in _OPENINGS and (opening != "am" or words[start + 1:start + 2] == ["i"])
    # A short search ("glute cramp symptoms", "signs of a glute cramp"); "no other symptoms"
    # denies, it does not ask.
    named_topic = (len(words) <= _SEARCH_WORDS and (words[-1] in _TOPIC_NOUNS or words[start] in _TOPIC_NOUNS)
                   and NEGATIONS.isdisjoint(words))
    return (opens or words[-1] in _ASKING_LAST or named_topic
            or any(f" {phrase} " in f" {text} " for phrase in _ASKING))
