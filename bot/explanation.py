"""Why the bot replied as it did, for editors (`ask --json` candidates, `chat --debug`).

The decision is the responder's; this shows what it decided from: the matcher's figures for the
message and its best entries, set against the thresholds of `matching` in the config.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from .config import Config, Matching
from .conversation import Conversation
from .intent import NOT_ANSWERED, Intent
from .knowledge import Knowledge
from .matcher import Match
from .questions import split_questions
from .responder import ANSWER, CLARIFY, FALLBACK, MAX_MESSAGE_CHARS, SMALLTALK, URGENT, Reply, Responder
from .vocabulary import split_words


@dataclass(frozen=True)
class Explanation:
    """A reply and the match behind it; `uncovered`: the topic not-covered.yaml says no article
    covers, when the message asks about one (it is declined before matching)."""

    reply: Reply
    match: Match
    uncovered: str | None = None
    intent: Intent | None = None  # the intent model's reading of the whole message
    subject_only: bool = False  # the message is an article's subject and nothing else


def match_of(responder: Responder, text: str) -> Match:
    """The match the responder decides a message from (a greeting in front dropped, as it does)."""
    words = responder.knowledge.smalltalk.strip_opening(split_words(text[:MAX_MESSAGE_CHARS]))
    return responder.matcher.match_stems(responder.matcher.stems_of(words))


def uncovered_of(responder: Responder, text: str) -> str | None:
    """The topic not-covered.yaml declines this message as, looked for as the responder does."""
    text = text[:MAX_MESSAGE_CHARS]
    asked = " . ".join(" ".join(part.words) for part in split_questions(text) if part.asks) or text
    found = responder.knowledge.scope.find_uncovered(text, asked, responder.knowledge.vocabulary)
    return found.topic if found else None


def explain(responder: Responder, text: str, conversation: Conversation | None = None) -> Explanation:
    """The reply to a message, and the match the responder decided it from."""
    return _explanation_of(responder, text, responder.respond(text, conversation), conversation)


def _explanation_of(responder: Responder, text: str, reply: Reply, conversation: Conversation | None) -> Explanation:
    return Explanation(reply, match_of(responder, text), uncovered_of(responder, text),
                       responder.intents.read(text[:MAX_MESSAGE_CHARS]),
                       responder.names_only_the_subject(text, conversation))


class ExplainingResponder(Responder):
    """A responder that writes, before each reply, why it replied so (`chat --debug`)."""

    def __init__(self, knowledge: Knowledge, config: Config, write: Callable[[str], None]) -> None:
        super().__init__(knowledge, config)
        self.write = write

    def respond(self, text: str, conversation: Conversation | None = None) -> Reply:
        reply = super().respond(text, conversation)
        explanation = _explanation_of(self, text, reply, conversation)
        best = explanation.match.best
        related = self.knowledge.entries[best.entry_id].related if best else ()
        self.write("\n".join(f"  [debug] {line}" for line in describe(explanation,
                                                                       self.config.matching, related)))
        return reply


def candidates_json(match: Match) -> list[dict]:
    """The best entries with their figures, best first, for `ask --json`."""
    return [{"id": candidate.entry_id, "score": candidate.score, "coverage": candidate.coverage,
             "recall": candidate.recall, "conflicts": list(candidate.conflicts)}
            for candidate in match.candidates]


def _check(passed: bool, text: str) -> str:
    return f"{'ok ' if passed else 'NO '} {text}"


def describe(explanation: Explanation, settings: Matching, related: tuple[str, ...] = ()) -> list[str]:
    """Lines for `chat --debug`: the reply, the candidates and the checks behind the decision.
    `related`: the best entry's related ids (a close rival among them does not stop an answer)."""
    reply, match = explanation.reply, explanation.match
    got = reply.kind + (f" {reply.entry_id}" if reply.entry_id else "")
    if reply.suggestions:
        got += " [" + ", ".join(suggestion.entry_id for suggestion in reply.suggestions) + "]"
    lines = [f"reply: {got}"]
    if reply.kind == URGENT:
        return lines + [f"why: the red flag {reply.red_flag!r} was found; red flags are checked before anything else"]
    if reply.kind == SMALLTALK:
        return lines + ["why: the whole message is small talk (knowledge/smalltalk.yaml)"]
    lines.append("words read: " + (" ".join(match.stems) or "(none)"))
    subject = ", ".join(match.subject)
    lines.append(_check(match.in_domain, "in scope: " + (f"it names {subject}" if subject else
                                                          "it says a whole question of the best entry"
                                                          if match.in_domain else
                                                          "no word of any article's subject")))
    lines.append(_check(match.coverage >= settings.min_coverage,
                        f"the knowledge knows {match.coverage:.2f} of the message "
                        f"(min_coverage {settings.min_coverage})"))
    if not match.candidates:
        lines.append("candidates: none share a word with the message")
        return lines + ([f"why: it asks about {explanation.uncovered!r}, which not-covered.yaml says no article "
                         "covers"] if explanation.uncovered else [])
    lines.append("candidates:")
    best = match.candidates[0]
    for rank, candidate in enumerate(match.candidates, 1):
        behind = f"  {best.score - candidate.score:.2f} behind" if rank > 1 else ""
        conflicts = f"  other subject: {', '.join(candidate.conflicts)}" if candidate.conflicts else ""
        lines.append(f"  {rank}. {candidate.entry_id:<28} score {candidate.score:.2f}  coverage "
                     f"{candidate.coverage:.2f}  recall {candidate.recall:.2f}{behind}{conflicts}")
    if reply.kind == FALLBACK and explanation.uncovered:
        return lines + [f"why: it asks about {explanation.uncovered!r}, which not-covered.yaml says no article "
                        "covers; that is declined before matching"]
    intent = explanation.intent
    if intent is not None:
        lines.append(f"intent model: {intent.entry_id} {intent.probability:.2f} "
                     f"(no article: {intent.not_answered:.2f})")
    if reply.kind == ANSWER and explanation.subject_only:
        return lines + ["why: the message names only an article's subject, so its opening entry is answered"]
    if reply.kind == ANSWER and intent is not None and reply.entry_id == intent.entry_id != best.entry_id:
        return lines + ["why: matching was unsure; the intent model's reading of the whole message was answered"]
    if reply.kind == FALLBACK and intent is not None and intent.entry_id == NOT_ANSWERED:
        lines.append("why: the intent model reads it as a message no article answers")
    if reply.kind == FALLBACK:
        lines.append(_check(best.score >= settings.clarify_score,
                            f"best score {best.score:.2f} (clarify_score {settings.clarify_score})"))
        return lines
    rivals = [candidate for candidate in match.candidates[1:] if best.score - candidate.score < settings.answer_margin]
    unlinked = [rival.entry_id for rival in rivals if rival.entry_id not in related]
    lines += [
        _check(best.score >= settings.answer_score,
               f"best score {best.score:.2f} (answer_score {settings.answer_score})"),
        _check(best.coverage >= settings.min_entry_coverage,
               f"the best entry explains {best.coverage:.2f} of the message (min_entry_coverage "
               f"{settings.min_entry_coverage})" + (f"; {', '.join(best.conflicts)} names another subject"
                                                    if best.conflicts else "")),
        _check(best.recall >= settings.min_recall,
               f"the message says {best.recall:.2f} of one of its questions (min_recall {settings.min_recall})"),
        _check(match.evidence >= settings.min_evidence,
               f"the message says {match.evidence:.2f} (min_evidence {settings.min_evidence})"),
        _check(not unlinked, f"no unrelated entry within {settings.answer_margin} of the best"
               + (f" ({', '.join(unlinked)} {'is' if len(unlinked) == 1 else 'are'})" if unlinked else "")),
    ]
    failed = not match.in_domain or any(line.startswith("NO ") for line in lines)
    if reply.kind == ANSWER and (reply.entry_id != best.entry_id or failed):
        lines.append("why: the message alone " + ("fails a check" if failed else "points at another entry")
                     + "; read with what it is taken to be about (the conversation before it, the only "
                       "article, or one question of several), it was answered")
    elif reply.kind == ANSWER:
        lines.append("why: every check passed, so the best entry is answered")
    elif reply.kind == CLARIFY:
        lines.append("why: a check failed, so the closest entries are offered as \"Did you mean\"")
    return lines
