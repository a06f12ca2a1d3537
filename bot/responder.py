"""The decision for one message (answer, clarify, fallback, urgent, smalltalk) and its reply.

Pure and synchronous: a message in, a Reply out. Every channel renders the same Reply.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field, replace

from .config import Config
from .conversation import Conversation
from .english import is_real_word, specificity
from .intent import NOT_ANSWERED, Intent, IntentModel
from .knowledge import TOPICS, Entry, Knowledge
from .matcher import Match, Matcher
from .questions import (
    Part,
    drop_unasked,
    says_it_keeps_on,
    spell_out_cause,
    spell_out_why,
    split_questions,
)
from .scope import Uncovered
from .triage import Triage
from .vocabulary import NEGATIONS, split_words

ANSWER, CLARIFY, FALLBACK, URGENT, SMALLTALK = "answer", "clarify", "fallback", "urgent", "smalltalk"
KINDS = (ANSWER, CLARIFY, FALLBACK, URGENT, SMALLTALK)
# Kinds that speak about health and so end with the disclaimer.
HEALTH_KINDS = (ANSWER, CLARIFY, FALLBACK, URGENT)
# A message longer than this is not read whole: matching a page of text helps nobody.
MAX_MESSAGE_CHARS = 4096
# A reply answers at most this many questions of one message.
_MOST_ANSWERS = 2
# Picking from a "Did you mean": "2", "the first one", "yes the second please".
_ORDINALS = {"1": 1, "first": 1, "1st": 1, "2": 2, "two": 2, "second": 2, "2nd": 2, "3": 3,
             "three": 3, "third": 3, "3rd": 3, "4": 4, "four": 4, "fourth": 4, "5": 5, "five": 5, "fifth": 5,
             "last": 0}
_YES = frozenset({"yes", "yeah", "yep", "yup", "ya", "y", "sure", "correct", "right", "exactly", "thats it"})
_PICK_WORDS = frozenset({"the", "number", "no", "option", "choice", "please", "pls", "plz", "ok", "okay", "i",
                         "mean", "meant", "want", "that", "that's", "thats", "it", "is", "one", "yes", "yeah",
                         "yep", "yup", "ya", "y", "sure", "correct", "right", "exactly", "pick", "go", "with",
                         "a", "about", "what", "whats", "what's", "tell", "me", "so", "and", "id", "like",
                         "thanks", "thank", "you", "then"})
_LONGEST_PICK = 7
# Asking to hear more of the answer just given, or whether it is so ("really?", "more on that",
# "example?", "how so"): the article has nothing more than that answer, so it comes again, saying so.
# Read without the fillers: "can you tell me more please" is "tell more", "are you sure" "are sure".
_HEAR_MORE = frozenset({
    "really", "seriously", "for real", "fr", "are sure", "sure", "is that true", "is that right",
    "is it true", "true", "more", "more on that", "tell more", "say more", "more info", "more information",
    "more details", "details", "go on", "explain", "explain that", "explain more", "elaborate", "example",
    "examples", "for example", "for instance", "like what", "such as", "how", "how so", "in what way",
    "what do mean", "what does that mean", "meaning"})
# Asking for the answer in short: the answers are short already, so it is given again.
_IN_SHORT = frozenset({"tldr", "tl dr", "in short", "short version", "the short version", "too long", "too long tldr",
                       "too long didnt read", "summary", "sum up", "sum it up", "summarise", "summarize", "in a nutshell",
                       "short answer", "the short answer", "in brief", "briefly", "in one line", "simpler"})
_HEAR_MORE_FILLERS = frozenset({"ok", "okay", "so", "and", "hmm", "oh", "wait", "please", "pls", "plz", "can", "could",
                                "would", "you", "u", "me", "a", "bit", "little", "then", "um", "uh", "lol", "but",
                                "give", "an", "any", "some", "bot"})
# "i do not even exercise", "have not been training": a cause denied, within this many words.
_DENIALS = frozenset({"not", "never", "no"})
_DENIAL_REACH = 3
# A question without a subject is read as about the conversation's subject only if every word of
# it is known and it points back: a referring word, or a very short follow-up ("why?").
_ALL_KNOWN = 0.99
_SHORT_FOLLOW_UP = 3
# A follow-up that names a time: "and after the gym?", "what about right after a run", "only at night?".
_TIME_LEADS = frozenset({"and", "what", "about", "only", "just", "right", "so", "or", "even", "also"})
_TIME_WORDS = frozenset({"after", "during", "before", "while", "at", "in", "when", "mid", "overnight", "straight"})
# Small words that ask something of the subject, so that a message of them and the subject is
# more than the subject: "can I keep my butt from cramping", "how to stop glute cramp".
_ASKING_SMALL_WORDS = frozenset({"from", "stop", "stopping", "avoid", "without", "away", "off", "never", "not", "no",
                                 "how", "why", "when", "where", "which", "who"})
# Words that add a message to the answer before it ("ok and in the glute specifically?").
_ADDING = frozenset({"and", "also", "too", "specifically"})
# Unknown words more common than this (english.specificity) are everyday words, not a topic.
_EVERYDAY = 0.7
# Words that point back. A pronoun points back only to something said before ("what time is it"
# on its own points at nothing); "the symptoms?" points at the subject.
_PRONOUNS = frozenset({"it", "its", "it's", "this", "that", "thats", "that's", "them", "they", "these", "those"})
_REFERRING = frozenset({"the", "then", "and", "also", "about"})
# Asking what the thing just told was: "what even was that", "is that just a cramp?".
_WHAT_WAS = re.compile(r"(?:^| )what (?:even |the heck |the hell |on earth |exactly )?(?:is|was) (?:that|this)"
                       r"(?: even| exactly)?$")
_IS_IT_A_CRAMP = re.compile(r"(?:^| )(?:is|was) (?:that|this|it) (?:just |really |actually |normal |a normal )?"
                            r"(?:a |an )?(?:cramp|muscle cramp|glute cramp)$")
# Words that correct what was asked before: "sorry, I meant my bum", "no, in my glute, not my calf".
_CORRECTING = frozenset({"meant", "mean", "sorry", "oops", "typo"})
# Words that point back at advice as followed: "tried that", "doing all that", "despite this".
_TRIED = frozenset({"tried", "try", "trying", "do", "done", "did", "doing", "followed", "following", "despite"})
# Words that ask for another thing than the one just said: "what else can cause it?", "other causes?".
_ANOTHER = frozenset({"else", "other", "others", "another", "besides"})
# Advice told as a whole: "self care not working", "tried everything".
_ALL_ADVICE = re.compile(r"\b(?:self ?care|home remed(?:y|ies)|everything|all the (?:tips|advice)|(?:the|your) advice)\b")
# Words of a question about the advice itself ("what else should I eat", "should I drink more?").
_ABOUT_ADVICE = frozenset({"else", "more", "much", "enough", "instead"})
# The probabilities the intent model must give: to answer one of the entries a "Did you mean"
# offered (_ANSWER), another entry instead (_SURE), an entry after a fallback (_FALLBACK); to
# decline an answer as one no article gives (_DECLINE); to turn an answer into a choice between it
# and the model's entry (_DISPUTE). A matching score of _MATCHING_SURE or more (the message says
# one of the entry's questions nearly word for word) is not disputed. Chosen on the blind batch
# real-4 and messages-2 (README, Accuracy).
_INTENT_ANSWER = 0.5
_INTENT_SURE = 0.6
_INTENT_FALLBACK = 0.7
_INTENT_DECLINE = 0.8
_INTENT_DISPUTE = 0.7
# ...and of a story's answer, where matching is less sure of what was asked (stop 21, read batches).
_STORY_DISPUTE = 0.6
_MATCHING_SURE = 0.9
# ...unless the message is a story this long, in words (chosen on the read batches at stop 21).
_STORY_WORDS = 20
# Of two answers, the one the intent model gives this much comes first (stop 21, read batches).
_LEAD_SURE = 0.5
# A first message of this many words or more is answered as the intent model reads it when it
# gives its entry this much (chosen on the read batches at stop 21; README, Accuracy). 0.95 until
# stop 23: 0.92 gave +17 right, +3 wrong on the read batches and +4 right, no more wrong, on the
# unread ones; 0.9 added two wrong answers there.
_MODEL_WORDS = 6
_MODEL_SURE = 0.92
# A follow-up matching answered is given the model's entry instead when the model, reading it
# after the answer before, gives that entry at least this; one it could not answer, in words of its
# own ("what can i do in the van when it kicks off"), is answered so too (stop 22, the read batches'
# follow-ups matching fell back on: at 0.8, the model was right on 29 of 31).
_FOLLOW_UP_SURE = 0.8
# ...and a follow-up is about the article just answered when the knowledge knows at least this share
# of its words, or its other words are everyday English.
_FOLLOW_UP_COVERAGE = 0.4


@dataclass(frozen=True)
class Suggestion:
    entry_id: str
    title: str


@dataclass(frozen=True)
class Section:
    """A second answer in one reply, when a message asks two things."""

    entry_id: str
    heading: str
    body: str


@dataclass(frozen=True)
class Reply:
    """What the bot says, in parts, so each channel can lay it out in its own way."""

    kind: str
    body: str
    heading: str = ""
    entry_id: str | None = None
    score: float = 0.0
    suggestions: tuple[Suggestion, ...] = ()
    related: tuple[Suggestion, ...] = ()
    show_topics: bool = False
    disclaimer: str = ""
    red_flag: str | None = None
    topics: tuple[str, ...] = field(default=(), repr=False)
    conversation: Conversation = field(default=Conversation(), repr=False)
    more: tuple[Section, ...] = ()
    # What the message also asked that no article answers, said after the answers.
    note: str = ""

    @property
    def entry_ids(self) -> tuple[str, ...]:
        return ((self.entry_id,) if self.entry_id else ()) + tuple(section.entry_id for section in self.more)

    @property
    def paragraphs(self) -> list[tuple[str, bool]]:
        """The said paragraphs in order as (text, is a heading): each answer's question and
        answer, then the note."""
        parts = [(self.heading, True), (self.body, False)]
        for section in self.more:
            parts += [(section.heading, True), (section.body, False)]
        parts.append((self.note, False))
        return [(text, heading) for text, heading in parts if text]

    @property
    def text(self) -> str:
        """The whole reply as plain text, disclaimer last."""
        parts = [text for text, _ in self.paragraphs]
        if self.suggestions:
            parts.append("\n".join(f"- {suggestion.title}" for suggestion in self.suggestions))
        if self.show_topics and self.topics:
            parts.append("Topics: " + ", ".join(self.topics))
        parts.append(self.disclaimer)
        return "\n\n".join(part for part in parts if part)


class Responder:
    """Turns a message into a Reply; build once, call `respond` for every message."""

    def __init__(self, knowledge: Knowledge, config: Config) -> None:
        self.knowledge = knowledge
        self.config = config
        self.matcher = Matcher(knowledge)
        self.triage = Triage(knowledge)
        self.intents = IntentModel(knowledge, self.matcher)
        self._scope = knowledge.scope.without_covered(
            [question for entry in knowledge.entries.values() for question in entry.questions], knowledge.vocabulary)
        self.topics = tuple(TOPICS[topic] for topic in TOPICS if knowledge.entries_of_topic(topic))
        self.subject = " and ".join(article.title[:1].lower() + article.title[1:]
                                    for article in knowledge.articles)
        question_stems = frozenset(self.matcher.stems_of(sorted(knowledge.vocabulary.question_words)))
        self._question_stems = question_stems
        # What each article is about, in stems: a follow-up ("and at night?") or a question at
        # the end of a story ("what could be causing this?") is read as about it.
        self._subjects = {article.key: tuple(stem for stem in dict.fromkeys(
            self.matcher.stems_of(split_words(article.title))) if stem not in question_stems)
            for article in knowledge.articles}
        self._subject_stems = frozenset(stem for stems in self._subjects.values() for stem in stems)
        # A subject's word that no other article's subject shares names that article ("glute"; "cramp"
        # may be the calf article's too).
        sharing = Counter(stem for stems in self._subjects.values() for stem in set(stems))
        self._article_named_by = {stem: key for key, stems in self._subjects.items() for stem in stems
                                  if sharing[stem] == 1}
        self._known_content = frozenset(stem for stem in self.matcher.stems_of(sorted(
            {word for entry in knowledge.entries.values() for q in entry.questions for word in split_words(q)}))
            if stem not in question_stems)
        # A word that at most two entries use names a thing rather than a question's intent.
        self._rare_weight = math.log(1 + len(knowledge.entries) / 2)
        self._article_of = {entry.id: article.key for article in knowledge.articles for entry in article.entries}
        self._topic_names = {" ".join(split_words(label)): topic for topic, label in TOPICS.items()}
        # Each article's first entry of each topic: its overview ("what causes gluteal cramps").
        first_of_topic: dict[tuple[str, str], str] = {}
        for entry in knowledge.entries.values():
            first_of_topic.setdefault((entry.path.stem, entry.topic), entry.id)
        self._overviews = frozenset(first_of_topic.values())
        self._overview_of = first_of_topic
        # What each article advises, in the words of its treatment entries' titles ("water",
        # "drink", "diet").
        self._advice_of = {article.key: frozenset(
            stem for entry in article.entries if entry.topic == "treatment"
            for stem in self._title_stems(entry) - self._subject_stems) for article in knowledge.articles}
        # The cause (article, entry) each word names beside its overview's words ("exercis" for "Can
        # exercise cause glute cramps?"): "i dont even exercise" rules that one out.
        self._cause_named_by = {stem: (entry.path.stem, entry.id) for entry in knowledge.entries.values()
                                if entry.topic == "causes" and entry.id not in self._overviews
                                for stem in self._title_stems(entry)
                                - self._title_stems(knowledge.entries[first_of_topic[(entry.path.stem, "causes")]])}
        # "why?", "how does that happen?", "how come": asking for the reason, in no words of its own.
        self._why = frozenset(self.matcher.stems_of(["why", "cause"]))
        self._how_so = (frozenset(self.matcher.stems_of(["how"])), frozenset(self.matcher.stems_of(["happen", "come"])))
        self._doubting = frozenset(self.matcher.stems_of(["though", "tho"]))
        self._lump = next(iter(self.matcher.stems_of(["lump"])), "lump")
        self._cramping = frozenset(self.matcher.stems_of(["cramp", "tight"]))
        self._doctor = frozenset(self.matcher.stems_of(["doctor"]))
        # "what else?", "anything else could do it": another one of the same kind, in no words of its own.
        self._another = frozenset(self.matcher.stems_of([*_ANOTHER, "anything", "could", "be", "it", "do"]))

    def respond(self, text: str, conversation: Conversation | None = None) -> Reply:
        """The reply to a message; `conversation` is what this chat was told last, if recent."""
        text = text[:MAX_MESSAGE_CHARS]
        conversation = conversation or Conversation()
        safety = self.triage.assess(text)
        texts = self.config.texts
        if safety.flag is not None:
            body = texts.crisis if safety.flag.kind == "crisis" else texts.emergency
            return Reply(URGENT, body, red_flag=safety.flag.id, disclaimer=texts.disclaimer,
                         conversation=Conversation(urgent=safety.flag.kind, red_flag=safety.flag.id))
        reply = self._carry(self._respond_calmly(text, conversation), conversation)
        if safety.mentioned is not None:
            # A question about a sign ("what are the signs of a stroke"): the usual reply, and
            # what to do if it is happening after all. It is about the sign, not the articles'
            # subject, unless it names that: no follow-up reading makes it one about cramp symptoms.
            if reply.kind != SMALLTALK and self._subject_stems.isdisjoint(self.matcher.stems_of(split_words(text))):
                reply = replace(self._fallback("Sorry, I can't answer that one."), conversation=conversation)
            note = texts.crisis_note if safety.mentioned.kind == "crisis" else texts.sign_note
            reply = replace(reply, body=f"{reply.body}\n\n{note}",
                            kind=FALLBACK if reply.kind == SMALLTALK else reply.kind, disclaimer=texts.disclaimer)
        if conversation.urgent is not None:
            if self._doubts_the_emergency(text, reply):
                # "is it serious though?", "should I worry?" right after the emergency reply asks
                # about that emergency, not about cramps that keep coming back: it is told again.
                body = texts.crisis if conversation.urgent == "crisis" else texts.emergency
                return Reply(URGENT, body, red_flag=conversation.red_flag, disclaimer=texts.disclaimer,
                             conversation=Conversation(urgent=conversation.urgent, red_flag=conversation.red_flag))
            # Whatever else is asked, what to do if it is still happening comes with the answer,
            # as long as the chat is remembered.
            note = texts.crisis_note if conversation.urgent == "crisis" else texts.sign_note
            body = reply.body if note in reply.body else f"{reply.body}\n\n{note}"
            reply = replace(reply, body=body, disclaimer=texts.disclaimer,
                            conversation=replace(reply.conversation, urgent=conversation.urgent,
                                                 red_flag=conversation.red_flag))
        return reply

    def _doubts_the_emergency(self, text: str, reply: Reply) -> bool:
        """A question that names no subject of the articles and that the bot would not understand,
        or would answer only with when to see a doctor; not one about a thing no article covers
        ("can I take ibuprofen"), nor a statement ("he is 67")."""
        if (reply.kind not in (FALLBACK, ANSWER) or reply.note or reply.conversation.declined
                or not any(part.asks for part in split_questions(text))):
            return False
        if reply.kind == ANSWER and any(self.knowledge.entries[entry_id].topic != "see-a-doctor"
                                        for entry_id in reply.entry_ids):
            return False
        return self._subject_stems.isdisjoint(self.matcher.stems_of(split_words(text)))

    def _respond_calmly(self, text: str, conversation: Conversation) -> Reply:
        words = split_words(text)
        if not words:
            return self._fallback("I didn't catch a question there.")
        picked = self._pick_suggestion(words, conversation)
        if picked is not None:
            return self.answer(picked)
        intent = self.knowledge.smalltalk.find_intent(words)
        spelt_out = self.knowledge.vocabulary.expand_contractions(words)
        if intent is None and spelt_out != words:
            # Chat spellings read as the phrases are written: "thx m8", "k", "can u help me".
            intent = self.knowledge.smalltalk.find_intent(spelt_out)
        thanks = self.knowledge.smalltalk.find_thanks(spelt_out) if intent is None else None
        if thanks is not None and self._says_nothing_but_thanks(text, spelt_out):
            intent = thanks
        if intent is not None:
            return Reply(SMALLTALK, intent.reply, show_topics=intent.show_topics, topics=self.topics)
        if conversation.declined and self._corrects_to_subject(spelt_out):
            return self._respond_calmly(self._corrected(conversation.declined, text, spelt_out),
                                        replace(conversation, declined=""))
        ruled_out = self._rules_out_a_cause(spelt_out) if not conversation.is_empty else None
        if ruled_out is not None:
            return self.answer(ruled_out)
        if self._asks_another_time(spelt_out, conversation):
            return self.answer(conversation.entry_ids[0])
        bare = _without_hear_more_fillers(spelt_out)
        if conversation.entry_ids and (bare in _IN_SHORT or bare in _HEAR_MORE):
            again = self._combine([self.answer(entry_id) for entry_id in conversation.entry_ids[:_MOST_ANSWERS]])
            # "tldr?" gets the short answer as it is; "tell me more" learns that it is all there is.
            return again if bare in _IN_SHORT else replace(
                again, note="That is all the article I answer from says on this; a doctor or pharmacist can "
                            "tell you more.")
        asked_only = drop_unasked(text)
        text = asked_only if split_words(asked_only) else text
        # A sentence of small talk around a question ("ok. and can it come from overtraining",
        # "Help. Night shift nurse...") is no part of it.
        parts = split_questions(text)
        parts = [part for part in parts if self.knowledge.smalltalk.find_intent(part.words) is None] or parts
        asked = " . ".join(" ".join(part.words) for part in parts if part.asks) or text
        if not self._says_what(split_words(asked)):
            # A vague question ("is that safe?", "can it?") asks about what was said just before it,
            # not about every detail of a long story (the standing desk a cramp story opened with).
            first = next((index for index, part in enumerate(parts) if part.asks), 0)
            before = " ".join(" ".join(part.words) for part in parts[max(0, first - 1):])
            asked = before if first and self._says_what(split_words(before)) else text
        uncovered = (self._scope.find_uncovered(text, asked, self.knowledge.vocabulary)
                     or self._uncovered_after(words, asked, conversation))
        if uncovered is not None:
            reply = self._answer_covered_part(parts, uncovered.topic) or replace(
                self._not_covered(uncovered.topic), conversation=Conversation(declined=text))
            # "can kids get butt cramps" named the subject: "what causes it, then?" follows on from it.
            return self._with_article_named(words, reply)
        topic = self._topic_named(words)
        if topic is not None:
            return self.answer(self.knowledge.entries_of_topic(topic)[0].id)
        spelt_cause, cause = spell_out_cause(text)
        cause_stems = set(self.matcher.stems_of(split_words(cause)))
        if cause_stems & self._known_content and self._subject_stems.isdisjoint(cause_stems):
            # A cause the knowledge knows words of ("the MS" it does not); not "is it my glute or
            # my hamstring", which asks which muscle.
            text = spelt_cause
            parts = split_questions(text)
        identified = self._identify_what_was_told(words, parts)
        if identified is not None:
            return self.answer(identified)
        article = self._subject_alone(words, conversation)
        if article is not None:
            # "glute cramp", "bum cramps?": the subject alone asks what it is, the article's opening.
            opening = self.knowledge.article(article)
            if opening is not None and opening.entries:
                return self.answer(opening.entries[0].id)
        reply = self._weigh_intent(text, self._answer_questions(text, parts, conversation), conversation)
        if reply.kind == FALLBACK and self._subject_stems <= set(self.matcher.stems_of(words)):
            # "cramp in my bum after sprints, why": read as "...why does it happen?" when it names
            # the whole subject; not "eye twitching for a week, why", nor "glutes so sore, why".
            spelt_why = spell_out_why(text)
            if spelt_why != text:
                return self._respond_calmly(spelt_why, conversation)
        reply = self._why_is_a_cause(parts, reply)
        return self._with_article_named(words, self._after_advice_tried(words, parts, reply, conversation))

    def _why_is_a_cause(self, parts: list[Part], reply: Reply) -> Reply:
        """"Why would it happen when I'm resting?" asks a cause: the entry on when cramps come does
        not answer it; the article's causes do. (Why a knot comes up is the symptoms' to say.)"""
        asked = [part for part in parts if part.asks]
        if (reply.kind != ANSWER or len(asked) != 1 or asked[0].words[:1] != ["why"]
                or any(self.knowledge.entries[entry_id].topic != "symptoms" or entry_id in self._overviews
                       for entry_id in reply.entry_ids)):
            return reply
        overview = self._overview_of.get((self._article_of[reply.entry_ids[0]], "causes"))
        return self.answer(overview, reply.score) if overview else reply

    def _after_advice_tried(self, words: list[str], parts: list[Part], reply: Reply,
                            conversation: Conversation) -> Reply:
        """Advice followed and the cramps go on ("I drink 3 litres and eat well, still cramping.
        What now?", "i already drink loads of water" after the prevention answer) meets the
        article's reason to see a doctor: not the advice again. Unless a question asks about the
        advice itself ("I already drink 2 litres, should I drink more?"), the cause or something
        new. At stop 23: +10 right, -2 wrong on the read batches; the unread ones unchanged."""
        # A story with no question ("It happens most nights and the water has not helped.") is
        # told for the advice that failed, whatever entry its words match.
        if reply.kind == ANSWER and any(part.asks for part in parts) and any(
                self.knowledge.entries[entry_id].topic != "treatment" for entry_id in reply.entry_ids):
            return reply
        told_on = [part for part in parts if says_it_keeps_on(part.words)]
        if reply.kind not in (ANSWER, CLARIFY, FALLBACK) or not told_on:
            return reply
        offered = conversation.suggestions[:1]
        article = (self._article_answered(conversation) or next(map(self._article_of.get, offered), None)
                   or conversation.article or self._article_named(words))
        doctor = self._overview_of.get((article or "", "see-a-doctor"))
        if article is None or doctor is None:
            return reply
        advice = self._advice_of[article]
        # The advice and that it did not help, told together ("more water hasn't helped"), or
        # pointing back at the advice just given ("tried that", but not "it's still going").
        advised = bool(conversation.entry_ids) and all(
            self.knowledge.entries[entry_id].topic == "treatment" for entry_id in conversation.entry_ids)
        if not any(advice.intersection(self.matcher.stems_of(part.words)) or (advised and _points_back_at_advice(part))
                   or _ALL_ADVICE.search(" ".join(part.words)) for part in told_on):
            return reply
        # ...and no question about the advice itself, the cause ("...still get them, why?") or
        # something new ("how do I stop hamstring cramps?").
        question_words = self.knowledge.vocabulary.question_words
        for part in parts:
            if not (part.asks or not question_words.isdisjoint(part.words)):
                continue
            stems = self.matcher.stems_of(part.words)
            if self._doctor.intersection(stems):
                # "...and still get butt cramps, is it worth seeing a doctor?" asks just that.
                continue
            if (not _ABOUT_ADVICE.isdisjoint(part.words) or not (advice | self._why).isdisjoint(stems)
                    or self._names_something_new(part.words, stems)):
                return reply
        return self.answer(doctor)

    def _says_nothing_but_thanks(self, text: str, words: list[str]) -> bool:
        """No question, no denial ("thanks but it didn't help") and no subject ("thanks, my glute
        still cramps") beside the thanks: then the rest is chat ("my friend", "that worked")."""
        return ("?" not in text and self.knowledge.vocabulary.question_words.isdisjoint(words)
                and NEGATIONS.isdisjoint(words) and self._subject_stems.isdisjoint(self.matcher.stems_of(words)))

    def _with_article_named(self, words: list[str], reply: Reply) -> Reply:
        """A reply that answers nothing remembers the article whose subject the message named."""
        article = self._article_named(words) if reply.kind != ANSWER else None
        return replace(reply, conversation=replace(reply.conversation, article=article)) if article else reply

    def _uncovered_after(self, words: list[str], asked: str, conversation: Conversation) -> Uncovered | None:
        """A follow-up that points back at the entry just answered asks about its subject: "how do
        they treat that?" after narrowed arteries is about treating them, which no article covers.
        The subject is the title's words without its question ("poor blood flow glute cramps"), so
        "is that serious?" after "Can a pinched nerve cause…" does not ask "is that a pinched nerve"."""
        if not conversation.entry_ids or _PRONOUNS.isdisjoint(words) or self._subject_stems.intersection(
                self.matcher.stems_of(words)):
            return None
        vocabulary = self.knowledge.vocabulary
        title = split_words(self.knowledge.entries[conversation.entry_ids[0]].title)
        subject = " ".join(word for word in title
                           if word not in vocabulary.stop_words and word not in vocabulary.question_words)
        return self._scope.find_uncovered(f"{asked} {subject}", f"{asked} {subject}", vocabulary)

    def _weigh_intent(self, text: str, reply: Reply, conversation: Conversation) -> Reply:
        """The intent model's say on what matching made of the whole message (see intent.py)."""
        # After a "Did you mean", its first choice stands for the answer before: "is that bad?"
        # after a story the bot was unsure of asks about the story (stop 23: +12 right, -4 wrong
        # on the read batches; the unread ones unchanged).
        after = next((entry_id for entry_id in (*conversation.entry_ids, *conversation.suggestions[:1])
                      if self.intents.knows(entry_id)), None)
        intent = self.intents.read(text, after)
        if intent is None:
            return reply
        # Two answers to a first message the model is sure asks a third thing ("...I'd rather prevent
        # them. What are the basics - water, food?") are its to replace (stop 26: read batches +5
        # right, -5 wrong; unread +2, -2).
        sure = (after is None and not (reply.more and intent.entry_id in reply.entry_ids)
                and self._is_model_sure(text, reply, intent))
        if reply.more and not sure:
            return self._lead_with(reply, intent)
        if sure:
            return self.answer(intent.entry_id, intent.probability)
        if reply.kind == ANSWER and after is not None:
            return self._check_follow_up(reply, intent)
        if reply.kind == ANSWER:
            return self._check_answer(reply, intent, conversation, self._is_story(text))
        if reply.kind in (CLARIFY, FALLBACK):
            return self._settle(text, reply, intent, conversation)
        return reply

    def _lead_with(self, reply: Reply, intent: Intent) -> Reply:
        """Of two answers, the one the model reads the message as asking comes first: a story's
        side question ("is that normal?") should not open the reply to its real one."""
        if intent.entry_id not in reply.entry_ids[1:] or intent.probability < _LEAD_SURE:
            return reply
        order = (intent.entry_id, *(entry_id for entry_id in reply.entry_ids if entry_id != intent.entry_id))
        return self._combine([self.answer(entry_id, reply.score) for entry_id in order])

    def _is_model_sure(self, text: str, reply: Reply, intent: Intent) -> bool:
        """A first message the model is sure of is its to answer, not a "Did you mean" or a
        fallback: it learnt from whole messages, where matching weighs every word of a story
        (stop 21, the first messages of the held-out batches with one expected answer: the model
        alone was right on 95.8%, matching and model together on 90.3%; on their long posts 92%
        and 80%). Not when the message names another subject ("my hamstring cramps...") or not
        the article's, and not for a few words, which matching reads well."""
        if (len(split_words(text)) < _MODEL_WORDS or intent.probability < _MODEL_SURE
                or intent.entry_id in (NOT_ANSWERED, reply.entry_id) or not self.intents.knows(intent.entry_id)
                or reply.kind not in (ANSWER, CLARIFY, FALLBACK)):
            return False
        match = self._match_in_story(split_words(text))
        return match is not None and self._about_article_of(match, intent.entry_id)

    def _is_story(self, text: str) -> bool:
        """A long post, or a story whose question says nothing of its own ("...won't let go for
        ages. What is that?"): matching scores the question with the story's words, however sure,
        not what the story tells. A bare "why?" says what it asks: the causes."""
        if len(split_words(text)) >= _STORY_WORDS:
            return True
        parts = split_questions(text)
        asked = [part for part in parts if part.asks]
        return (len(parts) > len(asked) == 1 and not self._says_what(asked[0].words)
                and self._why.isdisjoint(self.matcher.stems_of(asked[0].words)))

    def _check_answer(self, reply: Reply, intent: Intent, conversation: Conversation,
                      story: bool = False) -> Reply:
        """Decline an answer when the model is sure no article answers the message; offer both
        when it is sure of another entry. A follow-up ("and at night?") means little on its own,
        and an entry the model never learnt (an article without examples) is not its to judge."""
        if (not conversation.is_empty or not self.intents.knows(reply.entry_id or "")
                or (reply.score >= _MATCHING_SURE and not story)):
            return reply
        if intent.not_answered >= _INTENT_DECLINE:
            return self._fallback("Sorry, I can't answer that one.")
        disputed = _STORY_DISPUTE if story else _INTENT_DISPUTE
        if intent.entry_id not in (reply.entry_id, NOT_ANSWERED) and intent.probability >= disputed:
            return self._offer((intent.entry_id, reply.entry_id or ""), reply.score)
        return reply

    def _check_follow_up(self, reply: Reply, intent: Intent) -> Reply:
        """A follow-up matching answered: the model, which learnt what people ask after each
        answer ("and if it doesn't stop?" after prevention means a doctor), may be surer of another."""
        if intent.entry_id in (reply.entry_id, NOT_ANSWERED) or intent.probability < _FOLLOW_UP_SURE:
            return reply
        return self.answer(intent.entry_id, intent.probability)

    def _settle(self, text: str, reply: Reply, intent: Intent, conversation: Conversation) -> Reply:
        """Answer what matching was unsure of when the model is sure enough: less sure when it
        agrees with one of the offered choices, more when matching offered nothing."""
        offered = {suggestion.entry_id for suggestion in reply.suggestions}
        if intent.entry_id == NOT_ANSWERED or not all(self.intents.knows(entry_id) for entry_id in offered):
            return reply
        words = split_words(text)
        match = self._match_unopposed(words)
        if match is None:
            return reply
        in_conversation = (not conversation.is_empty and intent.probability >= _FOLLOW_UP_SURE
                           and not self._names_something_new(words, list(match.stems)))
        if not (in_conversation or self._about_article_of(match, intent.entry_id)
                or self._follows_article_of(match, words, intent.entry_id, conversation)):
            return reply
        if reply.kind == FALLBACK:
            needed = _INTENT_FALLBACK
        else:
            needed = _INTENT_ANSWER if intent.entry_id in offered else _INTENT_SURE
        return self.answer(intent.entry_id, intent.probability) if intent.probability >= needed else reply

    def _match_unopposed(self, words: list[str]) -> Match | None:
        """The whole message matched, unless it names another subject ("hamstring cramps"): then
        what the model reads it as is not the model's to answer."""
        match = self.matcher.match_stems(self.matcher.stems_of(words))
        return None if match.best is not None and match.best.conflicts else match

    def _match_in_story(self, words: list[str]) -> Match | None:
        """As `_match_unopposed`, but in a long story an unknown word beside "cramp" is seldom
        another body part ("gets cramp", "a crump in my glutus"): a story that names the article
        is the model's to read (stop 23: +21 right, +1 wrong on the read batches)."""
        if len(words) < _STORY_WORDS:
            return self._match_unopposed(words)
        return self.matcher.match_stems(self.matcher.stems_of(words))

    def _article_answered(self, conversation: Conversation) -> str | None:
        """The article of the last answer the conversation gave, if any."""
        return next((self._article_of[entry_id] for entry_id in conversation.entry_ids
                     if entry_id in self._article_of), None)

    def _article_named(self, words: list[str]) -> str | None:
        """The article whose subject the message names by a word no other article's subject shares."""
        return next((self._article_named_by[stem] for stem in self.matcher.stems_of(words)
                     if stem in self._article_named_by), None)

    def _follows_article_of(self, match: Match, words: list[str], entry_id: str,
                            conversation: Conversation) -> bool:
        """A follow-up of an answer from the entry's article, in words the knowledge mostly knows
        ("what if i sweat loads at the gym") or that name nothing new ("is that bad"); "what causes
        migraines" asks about another thing."""
        article = self._article_of[entry_id]
        if conversation.article != article and not any(
                self._article_of.get(answered) == article for answered in conversation.entry_ids):
            return False
        stems = list(match.stems)
        unknown = [stem for stem in stems if stem not in self._known_content and stem not in self._question_stems]
        return match.coverage >= _FOLLOW_UP_COVERAGE or set(unknown) <= self._everyday_unknown(words, stems)

    def _about_article_of(self, match: Match, entry_id: str) -> bool:
        """Whether the message names the subject of the entry's article ("how much water is in
        the ocean" names none), by a word no other article's subject shares ("cramps" alone could
        be the calf article's)."""
        article = self._article_of[entry_id]
        return any(self._article_named_by.get(stem) == article for stem in match.stems)

    def _names_something_new(self, words: list[str], stems: list[str]) -> bool:
        """A rare English word the knowledge does not know ("what causes migraines"), in a message
        that does not point back at what was said ("what if he sweats loads at work, hes a roofer"
        names the man it asks about): the intent model, which never learnt the word, reads past it.
        A word its examples use ("i barely drink on shift") is not new to it."""
        if not (_PRONOUNS.isdisjoint(words) and _REFERRING.isdisjoint(words)):
            return False
        return any(is_real_word(word) and specificity(word) > _EVERYDAY and not self.intents.learnt(stem)
                   for stem, word in self._unknown(words, stems).items())

    def _everyday_unknown(self, words: list[str], stems: list[str]) -> set[str]:
        """The stems the knowledge does not know that are everyday English ("desk", "loads"): they
        name nothing new, where an unknown rare word ("migraines", "ibuprofen") does."""
        return {stem for stem, word in self._unknown(words, stems).items() if specificity(word) <= _EVERYDAY}

    def _unknown(self, words: list[str], stems: list[str]) -> dict[str, str]:
        """The stems the knowledge does not know, each with the word it came from."""
        word_of = {stem: word for word in words for stem in self.matcher.normaliser.stem([word])}
        return {stem: word_of.get(stem, stem) for stem in stems
                if stem not in self._known_content and stem not in self._question_stems}

    def _carry(self, reply: Reply, conversation: Conversation) -> Reply:
        """A reply that answers nothing keeps the entries answered before and the article named;
        a "Did you mean" adds its choices."""
        if reply.kind == ANSWER:
            return reply
        article = reply.conversation.article or conversation.article
        if reply.kind == CLARIFY:
            return replace(reply, conversation=Conversation(conversation.entry_ids, reply.conversation.suggestions,
                                                            article))
        return replace(reply, conversation=replace(conversation, article=article, related=(),
                                                   declined=reply.conversation.declined))

    def _corrected(self, declined: str, text: str, words: list[str]) -> str:
        """The declined question with what the correction takes back put right ("why do my calves
        cramp" and "I meant my glutes, not calves": "why do my glutes cramp"), else both together."""
        subject = next((word for word in words if not self._subject_stems.isdisjoint(self.matcher.stems_of([word]))),
                       None)
        denied = {following for index, word in enumerate(words) if word == "not"
                  for following in words[index + 1:index + 3]
                  if following not in self.knowledge.vocabulary.stop_words}
        pattern = re.compile(r"\b(?:" + "|".join(map(re.escape, sorted(denied))) + r")\b", re.IGNORECASE)
        if subject and denied and pattern.search(declined):
            return pattern.sub(subject, declined)
        return f"{text}\n{declined}"

    def _corrects_to_subject(self, words: list[str]) -> bool:
        """ "sorry, I meant my bum not my calf": a correction that names the articles' subject."""
        return not _CORRECTING.isdisjoint(words) and not self._subject_stems.isdisjoint(self.matcher.stems_of(words))

    def _pick_suggestion(self, words: list[str], conversation: Conversation) -> str | None:
        """ "2", "the first one", "yes" after a "Did you mean", or "the 2nd one" of the further
        questions listed under an answer: the entry picked, or None."""
        choices = conversation.suggestions or conversation.related
        if not choices or len(words) > _LONGEST_PICK:
            return None
        places = [_ORDINALS[word] for word in words if word in _ORDINALS]
        if not all(word in _ORDINALS or word in _PICK_WORDS for word in words) or len(set(places)) > 1:
            return None
        if not places:
            return conversation.suggestions[0] if conversation.suggestions and set(words) & _YES else None
        place = places[0]
        if place > len(choices):
            return None
        return choices[place - 1] if place > 0 else choices[-1]

    def _title_stems(self, entry: Entry) -> set[str]:
        return set(self.matcher.stems_of(split_words(entry.title))) - self._question_stems

    def _rules_out_a_cause(self, words: list[str]) -> str | None:
        """The causes overview, for a follow-up that says one cause cannot be it ("i dont even
        exercise", "not even training"): what else it could be. The "not" must come just before
        the cause: "how do i stop it without stopping my run" rules nothing out."""
        denied: set[tuple[str, str]] = set()
        for index, word in enumerate(words):
            if word in _DENIALS:
                stems = self.matcher.stems_of(words[index + 1:index + 1 + _DENIAL_REACH])
                denied |= {self._cause_named_by[stem] for stem in stems if stem in self._cause_named_by}
        if len(denied) != 1:
            return None
        article, _ = next(iter(denied))
        return self._overview_of.get((article, "causes"))

    def _asks_another_time(self, words: list[str], conversation: Conversation) -> bool:
        """After the entry on when cramps come, a short follow-up that names only a time ("and
        after the gym?", "only during exercise?") asks about that entry again, not the exercise cause."""
        if len(conversation.entry_ids) != 1 or len(words) > _SHORT_FOLLOW_UP + 3:
            return False
        last = self.knowledge.entries[conversation.entry_ids[0]]
        if last.topic != "symptoms" or last.id in self._overviews:
            return False
        said = [word for word in words if word not in _TIME_LEADS]
        return bool(said) and said[0] in _TIME_WORDS

    def _identify_what_was_told(self, words: list[str], parts: list[Part]) -> str | None:
        """A story of the subject that ends by asking what it was ("...my glute locked up mid set,
        what even is that") asks what a cramp is, not why this one came; one that asks "is that a
        cramp?" asks what one feels like. Its own question must be the message's only one."""
        article = self._article_named(words)
        if (article is None or [part for part in parts if part.asks] not in ([], parts[-1:])
                or self._lump in self.matcher.stems_of(words)):
            # "a hard lump comes up when it cramps, what is that" asks about the lump: the usual reading.
            return None
        said = " ".join(self.knowledge.vocabulary.expand_contractions(parts[-1].words))
        what_was, is_it_a_cramp = _WHAT_WAS.search(said), _IS_IT_A_CRAMP.search(said)
        told = what_was or is_it_a_cramp
        if told is None or (told.start() == 0 and len(parts) == 1):
            return None
        story = [word for part in parts[:-1] for word in part.words] + said[:told.start()].split()
        if self._cramping.isdisjoint(self.matcher.stems_of(story)):
            # The story must tell a cramp or a tightening: sore for days after leg day is not one.
            return None
        return self._overview_of.get((article, "about" if what_was else "symptoms"))

    def names_only_the_subject(self, text: str, conversation: Conversation | None = None) -> bool:
        """Whether the message is an article's subject and nothing else ("glute cramp"), for `chat --debug`."""
        return self._subject_alone(split_words(text[:MAX_MESSAGE_CHARS]), conversation or Conversation()) is not None

    def _subject_alone(self, words: list[str], conversation: Conversation) -> str | None:
        """The article whose subject is all the message says, in words that name it alone ("my
        glute cramps", "tell me about bum cramps"); not when a small word carries the question
        ("can I keep my butt from cramping", "how to stop glute cramp"), nor when it adds to the
        conversation ("ok and in the glute specifically?")."""
        stems = set(self.matcher.stems_of(words))
        if (not stems or not stems <= self._subject_stems or not _ASKING_SMALL_WORDS.isdisjoint(words)
                or not (conversation.is_empty or _ADDING.isdisjoint(words))):
            return None
        return self._article_named(words)

    def _topic_named(self, words: list[str]) -> str | None:
        """A topic's name on its own ("Causes", "when to see a doctor?")."""
        said = " ".join(words)
        named = " ".join(word for word in words if word not in _PICK_WORDS)
        topic = next((self._topic_names[name] for name in (said, named, named.rstrip("s"))
                      if name in self._topic_names), None)
        return topic if topic and self.knowledge.entries_of_topic(topic) else None

    def _answer_questions(self, text: str, parts: list[Part], conversation: Conversation) -> Reply:
        """Each question of the message against the story around it; up to two answers."""
        earlier = self._earlier_context(conversation)
        if len(parts) == 1:
            return self._answer_one(parts[0].words, earlier, bool(earlier) and not conversation.is_empty,
                                    conversation.entry_ids, offered=conversation.suggestions[:1])
        story = [stem for part in parts if not part.asks for stem in self.matcher.stems_of(part.words)]
        told = tuple(stem for stem in dict.fromkeys(story) if stem in self._subject_stems)
        # What the story says that the knowledge base knows: "any ideas?" after a story of
        # sweating all day and drinking little is a question about water.
        known = tuple(stem for stem in dict.fromkeys(story) if stem in self._known_content)
        asked = [part for part in parts if part.asks] or parts[-1:]
        # A question matching cannot read ("and how much water is actually enough") is the intent
        # model's to read when the message names the articles' subject: "what are the signs of a
        # stroke and what should I look for" does not.
        subject_named = not self._subject_stems.isdisjoint(self.matcher.stems_of(split_words(text)))
        replies, before = [], ()
        for part in asked:
            # A second question leans on the first: "where is the gluteus maximus and what does it do".
            contexts = [c for c in (before, told, known if known != told else (), *earlier) if c]
            answered = tuple(reply.entry_id for reply in replies if reply.entry_id)
            # The subject named in the story or in the question before ("can squats give you glute
            # cramps? and how do i get rid of one mid-set?") lets this one use words of its own.
            named = bool(told) or not self._subject_stems.isdisjoint(before)
            reply = self._answer_one(part.words, contexts, True, answered, story_told=named)
            # A question that points back at the story, or says nothing of its own ("...during lunges. why?").
            points_back = not _PRONOUNS.isdisjoint(part.words) or not self._says_what(part.words)
            if reply.kind == ANSWER and known and points_back:
                reply = self._narrow_to_story(part.words, known, reply)
            if (reply.kind == CLARIFY or (reply.kind == FALLBACK and subject_named)) and len(asked) > 1:
                reply = self._agree_on_part(part.words, reply, answered)
            elif reply.kind == ANSWER and answered and (reply.entry_id in answered or reply.score < _MATCHING_SURE):
                reply = self._ask_anew(part.words, reply, answered)
            replies.append(reply)
            before = self._subject_of(part.words)
        answers: list[Reply] = []
        for reply in replies:
            if reply.kind == ANSWER and reply.entry_id not in {a.entry_id for a in answers}:
                answers.append(reply)
        if answers:
            return self._combine(answers[:_MOST_ANSWERS])
        whole = self._answer_one(split_words(text), [c for c in (told, *earlier) if c], True)
        if whole.kind != FALLBACK:
            return whole
        return next((reply for reply in replies if reply.kind == CLARIFY), whole)

    def _answer_covered_part(self, parts: list[Part], topic: str) -> Reply | None:
        """Of two questions, one the articles answer and one they do not ("what causes glute cramps
        and is a massage gun worth buying?"): the answer, and a plain word that the rest is not
        covered. The answered question must say on its own what it asks about: "is this normal and
        when does it stop?" after a story of pregnancy is not answered from the story."""
        asked = [part for part in parts if part.asks]
        if len(asked) < 2:
            return None
        answers, uncovered_before = [], False
        for part in asked:
            said = " ".join(part.words)
            if self._scope.find_uncovered(said, said, self.knowledge.vocabulary) is not None:
                uncovered_before = True
                continue
            if uncovered_before and not _PRONOUNS.isdisjoint(part.words):
                # "is creatine safe, and does it cause cramps?": "it" is the thing not covered.
                continue
            reply = self._answer_one(part.words, [], False)
            if reply.kind == ANSWER and not self._subject_stems.isdisjoint(self.matcher.stems_of(part.words)):
                answers.append(reply)
        if not answers or len(answers) == len(asked):
            return None
        reply = self._combine(answers[:_MOST_ANSWERS])
        return replace(reply, note=f"I don't have information on {topic}, though: the article I answer from "
                                   "doesn't cover it, so please ask a doctor or pharmacist about that.")

    def _narrow_to_story(self, words: list[str], known: tuple[str, ...], reply: Reply) -> Reply:
        """A question that points back at the story ("the physio goes on about his seat muscles for
        walking. what do those muscles do?"): the entry the story's words make surer, if any."""
        story_read = self._decide_match(self.matcher.match_stems(self.matcher.stems_of(words) + list(known)))
        if story_read.kind == ANSWER and story_read.entry_id != reply.entry_id and story_read.score >= reply.score:
            return story_read
        # The overview of a topic gives way to the one entry of that topic the story points at ("a
        # trapped nerve, the bloke says. Can that even cause it?" is about the nerve, however sure
        # "cause" is).
        pointed = story_read.entry_id if story_read.kind == ANSWER else (
            story_read.suggestions[0].entry_id if story_read.kind == CLARIFY and len(story_read.suggestions) == 1
            else None)
        entry = self.knowledge.entries[reply.entry_id or ""]
        if (pointed and pointed != entry.id and entry.id in self._overviews
                and self.knowledge.entries[pointed].topic == entry.topic):
            return self.answer(pointed, story_read.score)
        return reply

    def _agree_on_part(self, words: list[str], reply: Reply, answered: tuple[str, ...]) -> Reply:
        """One of several questions that matching offered choices for ("...and is there a quick
        way to make it let go?"): the choice the intent model, reading the question alone, is sure
        of; or the one close choice an earlier question did not take, since a second question asks
        something new ("can running cause glute cramps, and do they start during the run or after?").
        The model may also be sure of an entry matching did not offer ("could it be my circulation?
        and what should I do when one starts?"), surest when matching offered nothing ("...and how
        much water is actually enough": at stop 22, 0.7 there added a wrong answer on the unread
        batches for each three right ones, 0.8 one for five)."""
        intent = self.intents.read(" ".join(words))
        offered = {suggestion.entry_id for suggestion in reply.suggestions}
        needed = _INTENT_ANSWER if intent is not None and intent.entry_id in offered else (
            _INTENT_FALLBACK if offered else _FOLLOW_UP_SURE)
        if intent is not None and intent.entry_id not in (*answered, NOT_ANSWERED) and intent.probability >= needed and (
                offered or self._match_unopposed(words) is not None):
            return self.answer(intent.entry_id, intent.probability)
        new = [suggestion for suggestion in reply.suggestions if suggestion.entry_id not in answered]
        if len(new) < len(reply.suggestions) and self._only_choice(replace(reply, suggestions=tuple(new))):
            return self.answer(new[0].entry_id, reply.score)
        return reply

    def _ask_anew(self, words: list[str], reply: Reply, answered: tuple[str, ...]) -> Reply:
        """A later question that matching reads as one already answered, by a word it repeats
        ("can squats cause them? how do I prevent them without quitting squats"), or is unsure of:
        a second question asks something new, so the intent model's reading of it alone is the
        answer if sure, and surer still to overrule a new answer ("...and what should I do when one
        starts?" is no question of when)."""
        intent = self.intents.read(" ".join(words))
        needed = _INTENT_SURE if reply.entry_id in answered else _FOLLOW_UP_SURE
        if (intent is not None and intent.entry_id not in (*answered, NOT_ANSWERED)
                and intent.probability >= needed):
            return self.answer(intent.entry_id, intent.probability)
        return reply

    def _says_what(self, words: list[str]) -> bool:
        """Whether a question names something the articles know, beyond their subject."""
        return any(stem in self._known_content and stem not in self._subject_stems
                   for stem in self.matcher.stems_of(words))

    def _subject_of(self, words: list[str]) -> tuple[str, ...]:
        """What a question is about, not what it asks: the subject's words and the rare words the
        knowledge base uses ("maximus"), not "symptoms" or "causes"."""
        return tuple(stem for stem in self.matcher.stems_of(words) if stem in self._subject_stems
                     or (stem in self._known_content and self.matcher.weight(stem) >= self._rare_weight))

    def _earlier_context(self, conversation: Conversation) -> list[tuple[str, ...]]:
        """What a question that names no subject may be about, most likely first: the entry last
        answered, the choices last offered, the article last answered from, the only article."""
        contexts = []
        for entry_id in conversation.entry_ids[:1] + conversation.suggestions[:1]:
            if entry_id in self.knowledge.entries:
                title = split_words(self.knowledge.entries[entry_id].title)
                contexts.append(tuple(s for s in self.matcher.stems_of(title) if s in self._known_content))
        last = self._article_answered(conversation) or conversation.article
        if last is not None:
            contexts.append(self._subjects[last])
        elif len(self._subjects) == 1:
            contexts.append(next(iter(self._subjects.values())))
        return [context for context in contexts if context]

    def _answer_one(self, words: list[str], contexts: list[tuple[str, ...]], follows_on: bool,
                    answered: tuple[str, ...] = (), story_told: bool = False,
                    offered: tuple[str, ...] = ()) -> Reply:
        """One question; if it names no subject, read against each context in turn. `offered`:
        the first choice of the "Did you mean" just given, which a question of its own ("what
        causes it?") does not pick any more than it repeats an answer."""
        asked = self.knowledge.smalltalk.strip_opening(words)
        stems = self.matcher.stems_of(asked)
        match = self.matcher.match_stems(stems)
        reply = self._decide_match(match)
        if not stems:
            return reply  # nothing but numbers and small words ("7", "and so?"): nothing to read in context
        if reply.kind == FALLBACK and story_told:
            # A question at the end of a story says it in everyday words the articles never use
            # ("explain in plain words what a glute cramp is"); read it without them. A rare word
            # ("migraines", "ibuprofen") stays and keeps the question out of scope.
            everyday = self._everyday_unknown(words, stems)
            plain = [stem for stem in stems if stem not in everyday]
            # ...if it still says what it asks about: "how much would i need to lose" says nothing.
            if plain != stems and not self._known_content.isdisjoint(plain):
                stems, match = plain, self.matcher.match_stems(plain)
                reply = self._decide_match(match)
        said = set(stems) - self._question_stems
        if (reply.kind != ANSWER and answered and said and said <= self._subject_stems and "if" not in words
                and not (_REFERRING.isdisjoint(words) and _PRONOUNS.isdisjoint(words))):
            # Only the subject, pointing back ("and in the buttocks specifically?", "can you get
            # them in your butt?"): the answer before, asked of it. "What if I still cramp" asks what
            # then; a bare "butt cramp" is a new, vague question.
            return self.answer(answered[0], reply.score)
        if reply.kind == ANSWER or not contexts or self._subject_stems.intersection(stems):
            return reply
        if answered and self._asks_what_else(words, stems):
            last = self.knowledge.entries[answered[0]]
            overview = self._overview_of.get((last.path.stem, "causes"))
            if last.topic == "causes" and overview is not None:
                # After one cause, the others: the overview names them all.
                return self.answer(overview, reply.score)
        if not answered and offered and self._asks_why(words, stems) and (
                self.knowledge.entries[offered[0]].topic == "causes"):
            # "how come?" after a "Did you mean" led by a cause: that cause.
            return self.answer(offered[0], reply.score)
        if answered and self._asks_why(words, stems):
            last = self.knowledge.entries[answered[0]]
            if last.topic == "causes":
                # "why?" after a cause was answered asks about that cause ("can a pinched nerve make my
                # bum cramp?" "y is that").
                return self.answer(answered[0], reply.score)
            if last.topic in ("about", "symptoms"):
                # ...and after what a cramp is or how it feels, why it happens: the causes overview.
                overview = self._overview_of.get((last.path.stem, "causes"))
                if overview is not None:
                    return self.answer(overview, reply.score)
        # No subject named ("is that serious?", "what about at night?"): read it against what came
        # before when every word of it is known and it points back, and take a reading only if it
        # is sure. "How much sleep do I need" points at nothing.
        points_back = (follows_on or len(asked) <= _SHORT_FOLLOW_UP or not _REFERRING.isdisjoint(words)
                       or (bool(answered) and not _PRONOUNS.isdisjoint(words)))
        said = set(stems) - self._question_stems
        # After a story that named the subject, a question may use words of its own ("at what
        # point should a doctor look at this"); otherwise every word must be known.
        known_enough = self.config.matching.min_coverage if story_told else _ALL_KNOWN
        if (said and match.coverage < known_enough) or not points_back:
            return reply
        first_clarify, again = None, None
        # A question that offers choices of its own ("how much should I be drinking?") keeps to them.
        own = {suggestion.entry_id for suggestion in reply.suggestions}
        for context in contexts:
            implied = self._decide_match(self.matcher.match_stems(stems + list(context)))
            if own and implied.kind == ANSWER and implied.entry_id not in own:
                continue
            # A follow-up asks something new: the answer just given comes back only if nothing else fits.
            if implied.kind == ANSWER and (implied.entry_id in answered or implied.entry_id in offered):
                again = again or implied
            elif implied.kind == ANSWER:
                return implied
            elif story_told and self._only_choice(implied):
                # After a story that named the subject, one close entry and no rival is the answer.
                return self.answer(implied.suggestions[0].entry_id, implied.score)
            first_clarify = first_clarify or (implied if implied.kind == CLARIFY else None)
        # ...unless another reading offers only other entries: the question asks for one of them
        # ("can low magnesium cause it? and what foods fix that").
        if again is not None and not (first_clarify and again.entry_id not in
                                      {suggestion.entry_id for suggestion in first_clarify.suggestions}):
            return again
        return first_clarify if reply.kind == FALLBACK and first_clarify else reply

    def _asks_what_else(self, words: list[str], stems: list[str]) -> bool:
        """Another one of what was said, in no words of its own ("what else?", "anything else
        could do it?"): a question that names what else ("what else should I eat") asks that."""
        said = set(stems) - self._question_stems - self._why
        return not _ANOTHER.isdisjoint(words) and said <= self._another

    def _asks_why(self, words: list[str], stems: list[str]) -> bool:
        """The reason for what was said, not another one ("what else can cause it?")."""
        how, so = self._how_so
        said = set(stems) - self._doubting  # "why though?", "why tho"
        asks = bool(self._why & said) or (bool(how & said) and bool(so & said))
        return asks and said <= self._why | so | self._question_stems and _ANOTHER.isdisjoint(words)

    def _only_choice(self, reply: Reply) -> bool:
        settings = self.config.matching
        return (reply.kind == CLARIFY and len(reply.suggestions) == 1
                and reply.score >= settings.answer_score - settings.answer_margin)

    def _combine(self, answers: list[Reply]) -> Reply:
        first, *others = answers
        more = tuple(Section(a.entry_id or "", a.heading, a.body) for a in others)
        related = tuple(s for s in first.related if s.entry_id not in {a.entry_id for a in answers})
        return replace(first, more=more, related=related,
                       conversation=Conversation(entry_ids=tuple(a.entry_id for a in answers if a.entry_id),
                                                 related=tuple(s.entry_id for s in related)))

    def _decide_match(self, match: Match) -> Reply:
        settings = self.config.matching
        best = match.best
        if best is None or not match.in_domain or match.coverage < settings.min_coverage or best.score < settings.clarify_score:
            return self._fallback("Sorry, I can't answer that one.")
        rivals = [candidate for candidate in match.candidates[1:]
                  if best.score - candidate.score < settings.answer_margin]
        # A close rival that the editors linked to the best entry is one tap away under the answer.
        linked = self.knowledge.entries[best.entry_id].related
        sure = (best.score >= settings.answer_score and best.coverage >= settings.min_entry_coverage
                and best.recall >= settings.min_recall and match.evidence >= settings.min_evidence)
        if sure and all(rival.entry_id in linked for rival in rivals):
            return self.answer(best.entry_id, best.score)
        close = [candidate for candidate in match.candidates
                 if candidate.score >= max(settings.clarify_score, best.score - 2 * settings.answer_margin)]
        return self._offer(tuple(candidate.entry_id for candidate in close[:settings.max_suggestions]),
                           best.score)

    def _offer(self, entry_ids: tuple[str, ...], score: float) -> Reply:
        """A "Did you mean" with these entries."""
        suggestions = tuple(self._suggest(entry_id) for entry_id in entry_ids)
        return Reply(CLARIFY, "I'm not sure I understood. Did you mean:", score=score,
                     suggestions=suggestions, disclaimer=self.config.texts.disclaimer,
                     conversation=Conversation(suggestions=entry_ids))

    def search(self, text: str, limit: int) -> list[Reply]:
        """Up to `limit` answers for a search box (Telegram's inline mode), by the chat's rules.

        An urgent message gives only the urgent reply; one the chat would decline gives nothing;
        an answer comes first with its related entries, a "Did you mean" gives its choices.
        """
        reply = self.respond(text)
        if reply.kind == URGENT:
            return [reply]
        if reply.kind == ANSWER:
            ids = list(reply.entry_ids) + [s.entry_id for s in reply.related if s.entry_id not in reply.entry_ids]
        elif reply.kind == CLARIFY:
            ids = [suggestion.entry_id for suggestion in reply.suggestions]
        else:
            return []
        return [self.answer(entry_id) for entry_id in ids[:limit]]

    def _suggest(self, entry_id: str) -> Suggestion:
        return Suggestion(entry_id, self.knowledge.entries[entry_id].title)

    def answer(self, entry_id: str, score: float = 1.0) -> Reply:
        """The reply for one entry; channels call it directly for a button press."""
        entry: Entry = self.knowledge.entries[entry_id]
        related = tuple(self._suggest(related) for related in entry.related)
        return Reply(ANSWER, entry.answer, heading=entry.title, entry_id=entry.id, score=score,
                     related=related, disclaimer=self.config.texts.disclaimer,
                     conversation=Conversation(entry_ids=(entry.id,), related=entry.related))

    def none_of_these(self) -> Reply:
        """After "None of these" under a "Did you mean": say what the bot covers."""
        return self._fallback("Sorry I couldn't find the right answer.")

    def _fallback(self, opening: str) -> Reply:
        body = (f"{opening} I can only answer questions about {self.subject}. "
                "Try asking in other words, or pick one of the topics.")
        return Reply(FALLBACK, body, show_topics=True, topics=self.topics,
                     disclaimer=self.config.texts.disclaimer)

    def _not_covered(self, topic: str) -> Reply:
        body = (f"I don't have information on {topic}: the article I answer from, on {self.subject}, "
                "doesn't cover it, so please ask a doctor or pharmacist. Pick a topic to see what I can answer.")
        return Reply(FALLBACK, body, show_topics=True, topics=self.topics,
                     disclaimer=self.config.texts.disclaimer)


def _without_hear_more_fillers(words: list[str]) -> str:
    """A short follow-up without its fillers: "ok so tldr pls" is "tldr"."""
    return " ".join(word for word in words if word not in _HEAR_MORE_FILLERS)


def _points_back_at_advice(part: Part) -> bool:
    """Whether a part tells the advice just given was followed: "tried that", "despite this"."""
    return not _PRONOUNS.isdisjoint(part.words) and not _TRIED.isdisjoint(part.words)
