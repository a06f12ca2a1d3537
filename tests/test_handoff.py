"""Talk to a person: whole cases through the real Application and the fake Bot API's forum topics."""

from __future__ import annotations

import datetime
import logging
import re
import sqlite3
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import pytest
from telegram.ext import Application

from bot.config import DEFAULT_EMERGENCY, Config, Handoff
from bot.handoff import (AFTER_THUMBS_DOWN, ALREADY_CONNECTED, CLOSED, DECLINED, NOT_AVAILABLE, PRIVATE_ONLY,
                         URGENT_MARK)
from bot.rendering import TALK_LABEL
from bot.responder import Responder
from bot.store import Store
from bot.telegram_bot import FORGOTTEN, build_application

from .fake_bot_api import TOKEN, FakeBotAPI, button_update, eventually, message, team_update, text_update
from .test_telegram_bot import PERSON, api, config_for, start_polling, stop_polling  # noqa: F401

TEAM = -1001234567890
NURSE, DOCTOR = 7001, 7002
OTHER = PERSON + 1
EMERGENCY = "my butt cramps and I can't control my bladder"
PHOTO = {"photo": [{"file_id": "p", "file_unique_id": "p", "width": 1, "height": 1}]}
TEXTS = Handoff().texts


def handoff_config(api: FakeBotAPI, **handoff: object) -> Config:  # noqa: F811
    settings: dict[str, object] = {"chat_id": TEAM, "wait_minutes": 0, **handoff}
    return replace(config_for(api), handoff=Handoff(**settings))  # type: ignore[arg-type]


class Bots:
    """Start (and restart) the bot on one store, as `python -m bot run` would."""

    def __init__(self, api: FakeBotAPI, responder: Responder, path: Path) -> None:  # noqa: F811
        self.api, self.responder, self.path = api, responder, path
        self.application: Application | None = None
        self.store: Store | None = None

    async def start(self, config: Config) -> Application:
        self.store = Store(self.path, 90, key=b"test-key")
        self.application = build_application(self.responder, config, TOKEN, self.store)
        await start_polling(self.application)
        return self.application

    async def stop(self) -> None:
        if self.application is not None:
            await stop_polling(self.application)
            self.application = None


@pytest.fixture
async def bots(api: FakeBotAPI, responder: Responder, tmp_path: Path) -> AsyncIterator[Bots]:  # noqa: F811
    api.forum_chats.add(TEAM)
    started = Bots(api, responder, tmp_path / "bot.sqlite3")
    yield started
    await started.stop()


def sent_to(api: FakeBotAPI, chat_id: int, method: str = "sendMessage") -> list[str]:  # noqa: F811
    return [call.text for call in api.sent(method, chat_id)]


async def next_message(api: FakeBotAPI, chat_id: int, method: str = "sendMessage") -> dict:  # noqa: F811
    """Wait for one more call to `chat_id` than there is now; its params."""
    count = api.counts[(method, chat_id)] + 1
    return (await api.wait_for(method, count, chat_id))[count - 1].params


async def connect(api: FakeBotAPI, person: int) -> tuple[str, int]:  # noqa: F811
    """/human, then "Yes, connect me": the case code and its topic."""
    await api.add_update(text_update(person, "/human"))
    consent = await next_message(api, person)
    buttons = {button["text"]: button["callback_data"] for row in consent["reply_markup"]["inline_keyboard"]
               for button in row}
    connected = next_message(api, person)
    await api.add_update(button_update(person, buttons["Yes, connect me"]))
    text = (await connected)["text"]
    code = re.search(r"case ([A-Z0-9]{6})", text).group(1)  # type: ignore[union-attr]
    thread = next(thread for thread, topic in api.topics.items() if topic["name"] == f"Case {code}")
    return code, thread


def copies(api: FakeBotAPI, to: int) -> list[dict]:  # noqa: F811
    return [call.params for call in api.sent("copyMessage", to)]


async def test_a_whole_case_from_a_fallback_to_close(api: FakeBotAPI, bots: Bots,  # noqa: F811
                                                     caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    await bots.start(handoff_config(api))
    await api.add_update(text_update(PERSON, "what causes migraines"))
    fallback = (await api.wait_for("sendMessage", 1, PERSON))[0]
    assert dict(fallback.buttons).get(TALK_LABEL) and dict(fallback.buttons).get("Causes")

    await api.add_update(button_update(PERSON, dict(fallback.buttons)[TALK_LABEL]))
    consent = (await api.wait_for("sendMessage", 2, PERSON))[-1]
    assert "not an emergency service" in consent.text and "112" in consent.text
    assert "share no more than they need" in consent.text and "a member of our team" in consent.text
    assert [label for label, _ in consent.buttons] == ["Yes, connect me", "No"]

    await api.add_update(button_update(PERSON, dict(consent.buttons)["Yes, connect me"]))
    connected = (await api.wait_for("sendMessage", 3, PERSON))[-1]
    code = re.search(r"case ([A-Z0-9]{6})", connected.text).group(1)  # type: ignore[union-attr]
    topic = (await api.wait_for("createForumTopic", 1))[0]
    assert topic.params["name"] == f"Case {code}" and int(topic.params["chat_id"]) == TEAM
    intro = (await api.wait_for("sendMessage", 1, TEAM))[0]
    thread = int(intro.params["message_thread_id"])
    assert f"Case {code}" in intro.text and "what causes migraines" in intro.text and "can't answer" in intro.text
    assert f"Person{PERSON}" not in intro.text and str(PERSON) not in intro.text
    assert (await api.wait_for("editMessageReplyMarkup", 1))[0].params.get("reply_markup") in (None, "")

    # The person's words and photos go to the topic, and the bot does not answer them itself.
    await api.add_update(text_update(PERSON, "is it normal to cramp every night"))
    await api.add_update({"message": message(PERSON, **PHOTO)})
    relayed = await api.wait_for("copyMessage", 2, TEAM)
    assert all(int(call.params["from_chat_id"]) == PERSON and int(call.params["message_thread_id"]) == thread
               for call in relayed)

    # Two team members answer in the topic: the person reads both, introduced once, without names.
    await api.add_update(team_update(NURSE, TEAM, "Hello, I'm a nurse. How long do they last?", thread))
    await api.wait_for("copyMessage", 1, PERSON)
    await api.add_update(team_update(DOCTOR, TEAM, None, thread, **PHOTO))
    back = await api.wait_for("copyMessage", 2, PERSON)
    assert all(int(call.params["from_chat_id"]) == TEAM for call in back)
    assert sent_to(api, PERSON)[3:] == [f"You're now talking with {TEXTS.team}:"]

    await api.add_update(team_update(NURSE, TEAM, "/close", thread))
    await api.wait_for("closeForumTopic", 1)
    ended = (await api.wait_for("sendMessage", 5, PERSON))[-1]
    assert ended.text == TEXTS.ended
    assert CLOSED["team"].format(code=code) in sent_to(api, TEAM)
    assert api.topics[thread]["closed"]

    # Back with the bot.
    await api.add_update(text_update(PERSON, "why do my glutes cramp"))
    answer = (await api.wait_for("sendMessage", 6, PERSON))[-1]
    assert answer.text.startswith("<b>What causes gluteal cramps?</b>")
    assert len(api.sent("copyMessage", TEAM)) == 2 and len(api.sent("sendMessage", TEAM)) == 2
    db = sqlite3.connect(bots.path)
    await eventually(lambda: db.execute("SELECT closed_at FROM handoff_cases").fetchone()[0] is not None)
    route, first_reply = db.execute("SELECT route, first_reply_at FROM handoff_cases").fetchone()
    assert route is None and first_reply is not None
    assert str(PERSON) not in "\n".join(db.iterdump())
    logged = "\n".join(record.getMessage() for record in caplog.records if record.name.startswith("bot"))
    assert f"hand-off case {code} opened" in logged and f"hand-off case {code} closed (team)" in logged
    assert "cramp every night" not in logged and "nurse" not in logged and str(PERSON) not in logged


async def test_two_people_and_two_team_members_at_once_never_cross(api: FakeBotAPI, bots: Bots) -> None:  # noqa: F811
    await bots.start(handoff_config(api))
    (code_a, thread_a), (code_b, thread_b) = await connect(api, PERSON), await connect(api, OTHER)
    assert code_a != code_b and thread_a != thread_b
    written: dict[int, set[int]] = {thread_a: set(), thread_b: set()}
    for number in range(3):
        for member, thread in ((NURSE, thread_a), (DOCTOR, thread_b), (DOCTOR, thread_a), (NURSE, thread_b)):
            update = team_update(member, TEAM, f"to {thread} {number}", thread)
            written[thread].add(update["message"]["message_id"])
            await api.add_update(update)
        await api.add_update(text_update(PERSON, f"from A {number}"))
        await api.add_update(text_update(OTHER, f"from B {number}"))
    await api.wait_for("copyMessage", 6, PERSON)
    await api.wait_for("copyMessage", 6, OTHER)
    relayed = await api.wait_for("copyMessage", 6, TEAM)
    # Each person reads what was written in their topic, and only that.
    assert {int(params["message_id"]) for params in copies(api, PERSON)} == written[thread_a]
    assert {int(params["message_id"]) for params in copies(api, OTHER)} == written[thread_b]
    for call in relayed:
        expected = thread_a if int(call.params["from_chat_id"]) == PERSON else thread_b
        assert int(call.params["message_thread_id"]) == expected

    await api.add_update(team_update(DOCTOR, TEAM, "/close", thread_b))
    await api.wait_for("closeForumTopic", 1)
    await api.add_update(text_update(PERSON, "still there?"))
    await api.wait_for("copyMessage", 7, TEAM)
    assert int(api.sent("copyMessage", TEAM)[-1].params["message_thread_id"]) == thread_a
    assert not api.topics[thread_a]["closed"] and api.topics[thread_b]["closed"]


async def test_a_red_flag_during_a_case_gets_the_urgent_reply_and_the_team_sees_it_marked(
        api: FakeBotAPI, bots: Bots) -> None:  # noqa: F811
    await bots.start(handoff_config(api))
    code, thread = await connect(api, PERSON)
    await api.add_update(text_update(PERSON, EMERGENCY))
    mark = (await api.wait_for("sendMessage", 2, TEAM))[-1]
    urgent = api.sent("sendMessage", PERSON)[-1]
    assert urgent.text.startswith(DEFAULT_EMERGENCY[:60])
    copy = api.sent("copyMessage", TEAM)[-1]
    assert api.calls.index(urgent) < api.calls.index(copy) < api.calls.index(mark)
    assert mark.text.startswith(URGENT_MARK.split("{")[0]) and code in mark.text
    assert int(mark.params["message_thread_id"]) == thread
    assert mark.params["reply_parameters"]["message_id"] > 0

    # Words after a command count too: "/done" with a red flag stays connected and is marked.
    await api.add_update(text_update(PERSON, "/done i want to end my life"))
    await api.wait_for("sendMessage", 3, TEAM)
    assert api.sent("closeForumTopic") == [] and len(api.sent("copyMessage", TEAM)) == 2


async def test_out_of_hours_says_when_the_team_is_back_and_takes_a_message(
        api: FakeBotAPI, bots: Bots) -> None:  # noqa: F811
    application = await bots.start(handoff_config(api, hours="Mon-Fri 09:00-17:00", time_zone="Europe/London",
                                                  wait_minutes=1.0))
    saturday_night = datetime.datetime(2026, 11, 28, 22, 0, tzinfo=datetime.timezone.utc)
    application.bot_data["handoff"].clock = lambda: saturday_night
    await api.add_update(text_update(PERSON, "/human"))
    consent = (await api.wait_for("sendMessage", 1, PERSON))[0]
    assert "back on Monday at 09:00 (Europe/London time)" in consent.text
    assert [label for label, _ in consent.buttons] == ["Yes, leave a message", "No"]
    await api.add_update(button_update(PERSON, dict(consent.buttons)["Yes, leave a message"]))
    left = (await api.wait_for("sendMessage", 2, PERSON))[-1]
    assert "when they are back, on Monday at 09:00" in left.text
    intro = (await api.wait_for("sendMessage", 1, TEAM))[0]
    assert "outside your hours" in intro.text
    await api.add_update(text_update(PERSON, "my cramps wake me up, can someone call me monday"))
    await api.wait_for("copyMessage", 1, TEAM)
    # The wait is counted from Monday 09:00: no "nobody has answered" on a Saturday night.
    jobs = lambda: [job for job in application.job_queue.jobs() if job.name.startswith("hand-off wait")]  # noqa: E731
    await eventually(lambda: len(jobs()) == 1)
    assert jobs()[0].next_t > datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=30)


async def test_nobody_answered_yet_is_said_once(api: FakeBotAPI, bots: Bots) -> None:  # noqa: F811
    await bots.start(handoff_config(api, wait_minutes=0.005))
    await connect(api, PERSON)
    waiting = (await api.wait_for("sendMessage", 3, PERSON))[-1]
    assert waiting.text == TEXTS.waiting.format(emergency_line=TEXTS.emergency_line)
    code, _ = await connect(api, OTHER)
    thread = next(t for t, topic in api.topics.items() if topic["name"] == f"Case {code}")
    await api.add_update(team_update(NURSE, TEAM, "hi, I'm here", thread))
    await api.wait_for("copyMessage", 1, OTHER)
    await api.add_update(text_update(PERSON, "ok"))
    await api.wait_for("copyMessage", 1, TEAM)
    assert TEXTS.waiting.format(emergency_line=TEXTS.emergency_line) not in sent_to(api, OTHER)
    assert sent_to(api, PERSON).count(waiting.text) == 1


async def test_a_person_who_blocked_the_bot_ends_the_case_and_the_team_is_told(
        api: FakeBotAPI, bots: Bots) -> None:  # noqa: F811
    await bots.start(handoff_config(api))
    code, thread = await connect(api, PERSON)
    api.blocked_chats.add(PERSON)
    await api.add_update(team_update(NURSE, TEAM, "are you still there?", thread))
    await api.wait_for("closeForumTopic", 1)
    assert CLOSED["blocked"].format(code=code) in sent_to(api, TEAM)
    await api.add_update(team_update(NURSE, TEAM, "hello?", thread))
    await api.add_update(text_update(OTHER, "/help"))
    await api.wait_for("sendMessage", 1, OTHER)  # the bot goes on
    assert len(api.sent("failed:sendMessage", PERSON)) == 1 and api.sent("copyMessage", PERSON) == []


async def test_forget_in_the_middle_ends_and_deletes_the_case(api: FakeBotAPI, bots: Bots) -> None:  # noqa: F811
    await bots.start(handoff_config(api))
    code, thread = await connect(api, PERSON)
    await connect(api, OTHER)
    await api.add_update(text_update(PERSON, "/forget"))
    await api.wait_for("closeForumTopic", 1)
    assert (await api.wait_for("sendMessage", 3, PERSON))[-1].text == FORGOTTEN
    assert CLOSED["forget"].format(code=code) in sent_to(api, TEAM)
    assert api.topics[thread]["closed"]
    db = sqlite3.connect(bots.path)
    assert db.execute("SELECT COUNT(*) FROM handoff_cases").fetchone()[0] == 1  # the other person's
    await api.add_update(text_update(PERSON, "why do my glutes cramp"))
    answer = (await api.wait_for("sendMessage", 4, PERSON))[-1]
    assert answer.text.startswith("<b>What causes gluteal cramps?</b>")
    assert len(api.sent("copyMessage", TEAM)) == 0


async def test_a_restart_in_the_middle_keeps_the_open_case(api: FakeBotAPI, bots: Bots) -> None:  # noqa: F811
    config = handoff_config(api)
    await bots.start(config)
    code, thread = await connect(api, PERSON)
    await bots.stop()
    await bots.start(config)
    await api.add_update(team_update(NURSE, TEAM, "sorry for the wait", thread))
    reply = (await api.wait_for("copyMessage", 1, PERSON))[0]
    assert int(reply.params["from_chat_id"]) == TEAM
    await api.add_update(text_update(PERSON, "thanks, it still hurts"))
    relayed = (await api.wait_for("copyMessage", 1, TEAM))[0]
    assert int(relayed.params["message_thread_id"]) == thread
    await api.add_update(text_update(PERSON, "/done"))
    await api.wait_for("closeForumTopic", 1)
    assert CLOSED["person"].format(code=code) in sent_to(api, TEAM)


async def test_a_plain_group_answers_by_replying(api: FakeBotAPI, bots: Bots) -> None:  # noqa: F811
    api.forum_chats.discard(TEAM)
    await bots.start(handoff_config(api))
    await api.add_update(text_update(PERSON, "/human"))
    consent = (await api.wait_for("sendMessage", 1, PERSON))[0]
    await api.add_update(button_update(PERSON, dict(consent.buttons)["Yes, connect me"]))
    intro = (await api.wait_for("sendMessage", 1, TEAM))[0]
    assert "Reply to this message" in intro.text and "message_thread_id" not in intro.params
    await api.add_update(text_update(PERSON, "hello team"))
    copy = (await api.wait_for("copyMessage", 1, TEAM))[0]
    # Replies to the bot's first message or to the copy of theirs reach the person; other talk does not.
    await api.add_update(team_update(NURSE, TEAM, "not for anyone"))
    await api.add_update(team_update(NURSE, TEAM, "hello from the team", reply_to=intro.result["message_id"]))
    await api.wait_for("copyMessage", 1, PERSON)
    await api.add_update(team_update(DOCTOR, TEAM, "and from me", reply_to=copy.result["message_id"]))
    await api.wait_for("copyMessage", 2, PERSON)
    await api.add_update(team_update(DOCTOR, TEAM, "/close", reply_to=copy.result["message_id"]))
    ended = (await api.wait_for("sendMessage", 4, PERSON))[-1]
    assert ended.text == TEXTS.ended and api.sent("closeForumTopic") == []
    assert len(api.sent("copyMessage", PERSON)) == 2


async def test_the_team_chat_is_never_answered_by_the_faq(api: FakeBotAPI, bots: Bots) -> None:  # noqa: F811
    await bots.start(handoff_config(api))
    await api.add_update(team_update(NURSE, TEAM, "a patient says crushing chest pain, who takes it?"))
    await api.add_update(team_update(NURSE, TEAM, "/close"))
    not_a_case = (await api.wait_for("sendMessage", 1, TEAM))[0]
    assert not_a_case.text.startswith("This is not an open case")
    await api.add_update(text_update(PERSON, "/human", chat_id=-100200))
    assert (await api.wait_for("sendMessage", 1, -100200))[0].text == PRIVATE_ONLY
    assert len(api.sent("sendMessage", TEAM)) == 1


async def test_no_and_connected_twice_and_privacy(api: FakeBotAPI, bots: Bots) -> None:  # noqa: F811
    await bots.start(handoff_config(api))
    await api.add_update(text_update(PERSON, "/human"))
    consent = (await api.wait_for("sendMessage", 1, PERSON))[0]
    await api.add_update(button_update(PERSON, dict(consent.buttons)["No"]))
    assert (await api.wait_for("sendMessage", 2, PERSON))[-1].text == DECLINED
    assert api.sent("createForumTopic") == []
    api.fail_next("createForumTopic", 403, "Forbidden: bot is not a member of the supergroup chat")
    await api.add_update(text_update(PERSON, "/human"))
    consent = (await api.wait_for("sendMessage", 3, PERSON))[-1]
    await api.add_update(button_update(PERSON, dict(consent.buttons)["Yes, connect me"]))
    assert (await api.wait_for("sendMessage", 4, PERSON))[-1].text.startswith("Sorry, I can't reach the team")
    code, _ = await connect(api, PERSON)
    await api.add_update(text_update(PERSON, "/human"))
    assert (await api.wait_for("sendMessage", 7, PERSON))[-1].text == ALREADY_CONNECTED.format(code=code)
    await api.add_update(text_update(PERSON, "/privacy"))
    privacy = (await api.wait_for("sendMessage", 8, PERSON))[-1]
    assert "Talking to a person (/human)" in privacy.text and "without your name" in privacy.text
    commands = [command["command"] for command in api.sent("setMyCommands")[0].params["commands"]]
    assert commands[-2:] == ["human", "done"]


async def test_thumbs_down_and_none_of_these_offer_a_person(api: FakeBotAPI, bots: Bots) -> None:  # noqa: F811
    await bots.start(handoff_config(api))
    await api.add_update(text_update(PERSON, "why do my glutes cramp"))
    answer = (await api.wait_for("sendMessage", 1, PERSON))[0]
    assert TALK_LABEL not in dict(answer.buttons)
    await api.add_update(button_update(PERSON, dict(answer.buttons)["\U0001F44E"]))
    offer = (await api.wait_for("sendMessage", 2, PERSON))[-1]
    assert offer.text == AFTER_THUMBS_DOWN and [label for label, _ in offer.buttons] == [TALK_LABEL]
    await api.add_update(text_update(PERSON, "glute cramp info"))
    clarify = (await api.wait_for("sendMessage", 3, PERSON))[-1]
    await api.add_update(button_update(PERSON, dict(clarify.buttons)["None of these"]))
    none = (await api.wait_for("sendMessage", 4, PERSON))[-1]
    assert dict(none.buttons).get(TALK_LABEL)
    await api.add_update(text_update(PERSON, "i have crushing chest pain"))
    urgent = (await api.wait_for("sendMessage", 5, PERSON))[-1]
    assert urgent.buttons == []


async def test_without_configuration_human_says_it_is_not_available(
        api: FakeBotAPI, bots: Bots) -> None:  # noqa: F811
    await bots.start(config_for(api))
    await api.add_update(text_update(PERSON, "/human"))
    assert (await api.wait_for("sendMessage", 1, PERSON))[0].text == NOT_AVAILABLE
    await api.add_update(text_update(PERSON, "what causes migraines"))
    fallback = (await api.wait_for("sendMessage", 2, PERSON))[-1]
    assert TALK_LABEL not in dict(fallback.buttons)
