"""A small fake Telegram Bot API server on 127.0.0.1, for driving the real Application over HTTP.

It keeps what a test needs to see: the updates it hands out (with real long polling and offsets)
and every call the bot makes. It enforces Telegram's limits, so a reply Telegram would reject
fails here too, and it can be told to fail the next calls of a method. Groups in `forum_chats`
have topics (createForumTopic, closeForumTopic, message_thread_id); a person in `blocked_chats`
has blocked the bot, so sending them anything fails with 403 as in Telegram.
"""

from __future__ import annotations

import asyncio
import html
import itertools
import json
import re
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Callable

from aiohttp import web

TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0"
BOT_ID = 123456789
BOT_USERNAME = "glute_faq_bot"
_TAG = re.compile(r"<[^>]+>")
_JSON_FIELDS = ("reply_markup", "results", "commands", "allowed_updates", "entities", "reply_parameters")


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    # What the fake answered (a sent message, a topic, ...), once it has.
    result: Any = None

    @property
    def text(self) -> str:
        return str(self.params.get("text", ""))

    @property
    def buttons(self) -> list[tuple[str, str]]:
        """(label, callback data) of every inline button, row by row."""
        markup = self.params.get("reply_markup") or {}
        return [(button["text"], button.get("callback_data", ""))
                for row in markup.get("inline_keyboard", []) for button in row]


@dataclass
class Failure:
    """An injected fault: after `delay` seconds, answer `status` (0: do the call, answer it late)."""

    status: int
    description: str
    retry_after: int | None = None
    delay: float = 0.0


@dataclass
class FakeBotAPI:
    token: str = TOKEN
    updates: list[dict[str, Any]] = field(default_factory=list)
    calls: list[Call] = field(default_factory=list)
    failures: dict[str, list[Failure]] = field(default_factory=dict)
    webhook_url: str = ""
    webhook_secret: str = ""
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))
    _message_ids: itertools.count = field(default_factory=lambda: itertools.count(1000))
    _changed: asyncio.Condition | None = None
    _runner: web.AppRunner | None = None
    _site: web.TCPSite | None = None
    base_url: str = ""
    port: int = 0
    fail_every_nth: int = 0
    # Another bot polls with the same token: getUpdates answers 409 Conflict, as Telegram does.
    another_bot_polling: bool = False
    # Connections with a request being answered, so refusing connections closes only idle ones at once.
    _busy: set = field(default_factory=set)
    _stopping: bool = False
    # Long polls waiting for an update right now.
    polls_waiting: int = 0
    requests: int = 0
    faults: int = 0
    # Calls counted by (method, chat id or None), so waiting for the 10,000th reply stays cheap.
    counts: Counter = field(default_factory=Counter)
    # Supergroups with topics turned on, their topics by thread id, and people who blocked the bot.
    forum_chats: set[int] = field(default_factory=set)
    topics: dict[int, dict[str, Any]] = field(default_factory=dict)
    blocked_chats: set[int] = field(default_factory=set)
    _thread_ids: itertools.count = field(default_factory=lambda: itertools.count(500))

    async def start(self) -> str:
        self._changed = asyncio.Condition()
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app, access_log=None, handler_cancellation=False)
        await self._runner.setup()
        await self._listen()
        self.base_url = f"http://127.0.0.1:{self.port}/bot"
        return self.base_url

    async def _listen(self) -> None:
        assert self._runner is not None
        self._site = web.TCPSite(self._runner, "127.0.0.1", self.port, reuse_address=True)
        await self._site.start()
        self.port = self._site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def refuse_connections(self, seconds: float) -> None:
        """Stop listening for a while: new connections are refused, as when the API is down.

        Idle keep-alive connections are closed too, so the next request must connect anew.
        """
        assert self._site is not None and self._runner is not None
        await self._site.stop()
        for connection in self._runner.server.connections if self._runner.server else []:
            if connection.transport in self._busy:
                connection.close()  # once its answer has gone
            else:
                connection.force_close()
        await asyncio.sleep(seconds)
        await self._listen()

    def refuse_connections_for(self, seconds: float) -> asyncio.Task[None]:
        """refuse_connections in the background; the task ends when connections are taken again."""
        return asyncio.create_task(self.refuse_connections(seconds))

    async def stop(self) -> None:
        """Stop serving; long polls still waiting (a stopped bot's last one) end at once."""
        self._stopping = True
        if self._changed is not None:
            async with self._changed:
                self._changed.notify_all()
        if self._runner is not None:
            await self._runner.cleanup()

    # What tests do

    async def add_update(self, update: dict[str, Any]) -> int:
        update_id = next(self._ids)
        self.updates.append({"update_id": update_id, **update})
        assert self._changed is not None
        async with self._changed:
            self._changed.notify_all()
        return update_id

    def fail_next(self, method: str, status: int, description: str, times: int = 1,
                  retry_after: int | None = None, delay: float = 0.0) -> None:
        self.failures.setdefault(method, []).extend(
            Failure(status, description, retry_after, delay) for _ in range(times))

    def answer_late(self, method: str, seconds: float) -> None:
        """The next call of `method` is carried out, but answered only after `seconds`."""
        self.fail_next(method, 0, "", delay=seconds)

    def fail_every(self, n: int) -> None:
        """Fail every n-th request with a 500, 502 or 429 in turn, whatever the method."""
        self.fail_every_nth = n

    def sent(self, method: str = "sendMessage", chat_id: int | None = None) -> list[Call]:
        return [call for call in self.calls if call.method == method
                and (chat_id is None or int(call.params.get("chat_id", 0)) == chat_id)]

    async def wait_for(self, method: str, count: int, chat_id: int | None = None,
                       timeout: float = 10.0) -> list[Call]:
        """The calls of a method once there are `count` of them (to that chat)."""
        deadline = time.monotonic() + timeout
        assert self._changed is not None
        async with self._changed:
            while self.counts[(method, chat_id)] < count:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"{self.counts[(method, chat_id)]} of {count} {method} "
                                         f"calls after {timeout}s: {self.calls[-5:]}")
                try:
                    await asyncio.wait_for(self._changed.wait(), remaining)
                except asyncio.TimeoutError:
                    pass
        return self.sent(method, chat_id)

    # The Bot API

    async def _handle(self, request: web.Request) -> web.Response:
        self._busy.add(request.transport)
        try:
            return await self._answer(request)
        finally:
            self._busy.discard(request.transport)

    async def _answer(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return self._error(401, "Unauthorized")
        method = request.match_info["method"]
        params = await self._read_params(request)
        self.requests += 1
        failure = None
        pending = self.failures.get(method)
        if pending:
            failure = pending.pop(0)
        elif self.fail_every_nth and self.requests % self.fail_every_nth == 0:
            self.faults += 1
            failure = [Failure(500, "Internal Server Error"), Failure(502, "Bad Gateway"),
                       Failure(429, "Too Many Requests: retry after 1", retry_after=1)][self.faults % 3]
        late = 0.0
        if failure is not None and failure.status:
            if failure.delay:
                await asyncio.sleep(failure.delay)
            self._record(Call(f"failed:{method}", params))
            extra = {"parameters": {"retry_after": failure.retry_after}} if failure.retry_after else {}
            return self._error(failure.status, failure.description, **extra)
        if failure is not None:
            late = failure.delay  # done at once, as Telegram would, but answered late
        handler = getattr(self, f"_api_{method}", None)
        if handler is None:
            return self._error(404, "Not Found: method not found")
        if method.startswith(("send", "copy", "forward")) and int(params.get("chat_id") or 0) in self.blocked_chats:
            self._record(Call(f"failed:{method}", params))
            return self._error(403, "Forbidden: bot was blocked by the user")
        call = Call(method, params)
        if method != "getUpdates":
            self._record(call)
        result = await handler(params)
        if isinstance(result, web.Response):
            return result
        call.result = result
        assert self._changed is not None
        async with self._changed:
            self._changed.notify_all()
        if late:
            await asyncio.sleep(late)
        return web.json_response({"ok": True, "result": result})

    def _record(self, call: Call) -> None:
        self.calls.append(call)
        self.counts[(call.method, None)] += 1
        if "chat_id" in call.params:
            self.counts[(call.method, int(call.params["chat_id"]))] += 1

    async def _read_params(self, request: web.Request) -> dict[str, Any]:
        if request.content_type == "application/json":
            return dict(await request.json())
        form = await request.post()
        params: dict[str, Any] = {}
        for key, value in form.items():
            if isinstance(value, str) and key in _JSON_FIELDS:
                params[key] = json.loads(value)
            else:
                params[key] = value
        return params

    @staticmethod
    def _error(status: int, description: str, **extra: Any) -> web.Response:
        return web.json_response({"ok": False, "error_code": status, "description": description,
                                  **extra}, status=status)

    def _bad_request(self, description: str) -> web.Response:
        return self._error(400, f"Bad Request: {description}")

    async def _api_getMe(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"id": BOT_ID, "is_bot": True, "first_name": "Glute FAQ", "username": BOT_USERNAME,
                "can_join_groups": True, "can_read_all_group_messages": False,
                "supports_inline_queries": True}

    async def _api_deleteWebhook(self, params: dict[str, Any]) -> bool:
        self.webhook_url = ""
        return True

    async def _api_setWebhook(self, params: dict[str, Any]) -> bool | web.Response:
        if not params.get("url"):
            return self._bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        self.webhook_url = str(params["url"])
        self.webhook_secret = str(params.get("secret_token", ""))
        return True

    async def _api_setMyCommands(self, params: dict[str, Any]) -> bool | web.Response:
        commands = params.get("commands") or []
        if not commands or len(commands) > 100:
            return self._bad_request("commands must be 1 to 100")
        return True

    async def _api_getUpdates(self, params: dict[str, Any]) -> list[dict[str, Any]] | web.Response:
        if self.another_bot_polling:
            return self._error(409, "Conflict: terminated by other getUpdates request; make sure that "
                                    "only one bot instance is running")
        offset = int(params.get("offset") or 0)
        timeout = float(params.get("timeout") or 0)
        if offset:
            # Confirmed updates are gone for good, as in Telegram.
            self.updates = [u for u in self.updates if u["update_id"] >= offset]
        deadline = time.monotonic() + timeout
        assert self._changed is not None
        async with self._changed:
            self.polls_waiting += 1
            try:
                while not self.updates and time.monotonic() < deadline and not self._stopping:
                    try:
                        await asyncio.wait_for(self._changed.wait(), deadline - time.monotonic())
                    except asyncio.TimeoutError:
                        break
            finally:
                self.polls_waiting -= 1
        limit = int(params.get("limit") or 100)
        return self.updates[:limit]

    def _check_text(self, text: str, parse_mode: str | None) -> str | None:
        shown = html.unescape(_TAG.sub("", text)) if parse_mode == "HTML" else text
        if not shown.strip():
            return "message text is empty"
        if len(shown) > 4096:
            return "message is too long"
        return None

    def _check_markup(self, markup: dict[str, Any] | None) -> str | None:
        for row in (markup or {}).get("inline_keyboard", []):
            for button in row:
                data = button.get("callback_data")
                if data is not None and not 1 <= len(data.encode()) <= 64:
                    return "BUTTON_DATA_INVALID"
                if not button.get("text"):
                    return "button text is empty"
        return None

    def _chat(self, chat_id: int) -> dict[str, Any]:
        if chat_id > 0:
            return {"id": chat_id, "type": "private"}
        if chat_id in self.forum_chats:
            return {"id": chat_id, "type": "supergroup", "title": "Team", "is_forum": True}
        return {"id": chat_id, "type": "group", "title": "Team"}

    def _message(self, params: dict[str, Any], message_id: int | None = None) -> dict[str, Any]:
        chat_id = int(params["chat_id"])
        message: dict[str, Any] = {
            "message_id": message_id or next(self._message_ids), "date": int(time.time()),
            "chat": self._chat(chat_id),
            "from": {"id": BOT_ID, "is_bot": True, "first_name": "Glute FAQ", "username": BOT_USERNAME},
            "text": html.unescape(_TAG.sub("", str(params["text"]))),
        }
        if params.get("message_thread_id"):
            message.update(message_thread_id=int(params["message_thread_id"]), is_topic_message=True)
        if params.get("reply_markup"):
            message["reply_markup"] = params["reply_markup"]
        return message

    def _check_thread(self, params: dict[str, Any]) -> str | None:
        """A message into a topic: the topic must be open and in that chat, as in Telegram."""
        thread_id = params.get("message_thread_id")
        if not thread_id:
            return None
        topic = self.topics.get(int(thread_id))
        if topic is None or topic["chat_id"] != int(params["chat_id"]):
            return "message thread not found"
        return "TOPIC_CLOSED" if topic["closed"] else None

    async def _api_sendMessage(self, params: dict[str, Any]) -> dict[str, Any] | web.Response:
        problem = self._check_text(str(params.get("text", "")), params.get("parse_mode")) or \
            self._check_markup(params.get("reply_markup")) or self._check_thread(params)
        if problem:
            return self._bad_request(problem)
        return self._message(params)

    async def _api_copyMessage(self, params: dict[str, Any]) -> dict[str, Any] | web.Response:
        if not params.get("from_chat_id") or not params.get("message_id"):
            return self._bad_request("message to copy not found")
        problem = self._check_thread(params)
        if problem:
            return self._bad_request(problem)
        return {"message_id": next(self._message_ids)}

    async def _api_createForumTopic(self, params: dict[str, Any]) -> dict[str, Any] | web.Response:
        chat_id = int(params["chat_id"])
        if chat_id not in self.forum_chats:
            return self._bad_request("the chat is not a forum")
        name = str(params.get("name", ""))
        if not 1 <= len(name) <= 128:
            return self._bad_request("TOPIC_NAME_INVALID")
        thread_id = next(self._thread_ids)
        self.topics[thread_id] = {"chat_id": chat_id, "name": name, "closed": False}
        return {"message_thread_id": thread_id, "name": name, "icon_color": 7322096}

    async def _api_closeForumTopic(self, params: dict[str, Any]) -> bool | web.Response:
        topic = self.topics.get(int(params.get("message_thread_id") or 0))
        if topic is None or topic["chat_id"] != int(params["chat_id"]):
            return self._bad_request("TOPIC_ID_INVALID")
        if topic["closed"]:
            return self._bad_request("TOPIC_NOT_MODIFIED")
        topic["closed"] = True
        return True

    async def _api_editMessageReplyMarkup(self, params: dict[str, Any]) -> bool | web.Response:
        problem = self._check_markup(params.get("reply_markup"))
        return self._bad_request(problem) if problem else True

    async def _api_editMessageText(self, params: dict[str, Any]) -> dict[str, Any] | web.Response:
        problem = self._check_text(str(params.get("text", "")), params.get("parse_mode")) or \
            self._check_markup(params.get("reply_markup"))
        if problem:
            return self._bad_request(problem)
        return self._message(params, int(params["message_id"]))

    async def _api_answerCallbackQuery(self, params: dict[str, Any]) -> bool | web.Response:
        if len(str(params.get("text", ""))) > 200:
            return self._bad_request("MESSAGE_TOO_LONG")
        return True

    async def _api_answerInlineQuery(self, params: dict[str, Any]) -> bool | web.Response:
        results = params.get("results") or []
        if len(results) > 50:
            return self._bad_request("RESULTS_TOO_MUCH")
        for result in results:
            if not 1 <= len(str(result.get("id", "")).encode()) <= 64:
                return self._bad_request("RESULT_ID_INVALID")
            content = result.get("input_message_content", {})
            problem = self._check_text(str(content.get("message_text", "")), content.get("parse_mode"))
            if problem:
                return self._bad_request(problem)
        return True


async def eventually(check: Callable[[], bool], timeout: float = 15.0) -> None:
    """Wait until `check()` holds, for things that happen in the background (a reload)."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"still not true after {timeout}s")
        await asyncio.sleep(0.02)


# Updates as Telegram sends them

_messages = itertools.count(1)


def user(user_id: int) -> dict[str, Any]:
    return {"id": user_id, "is_bot": False, "first_name": f"Person{user_id}", "language_code": "en"}


def message(user_id: int, text: str | None = None, chat_id: int | None = None,
            **extra: Any) -> dict[str, Any]:
    chat = chat_id if chat_id is not None else user_id
    body: dict[str, Any] = {
        "message_id": next(_messages), "date": int(time.time()), "from": user(user_id),
        "chat": {"id": chat, "type": "private" if chat > 0 else "supergroup",
                 **({"title": "Running club"} if chat < 0 else {"first_name": f"Person{user_id}"})},
    }
    if text is not None:
        body["text"] = text
        if text.startswith("/"):
            command = text.split()[0]
            body["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
    body.update(extra)
    return body


def text_update(user_id: int, text: str, chat_id: int | None = None, **extra: Any) -> dict[str, Any]:
    return {"message": message(user_id, text, chat_id, **extra)}


def team_update(member_id: int, chat_id: int, text: str | None = None, thread_id: int | None = None,
                reply_to: int | None = None, **extra: Any) -> dict[str, Any]:
    """A team member's message in the team's group: in a forum topic, or replying to the bot's message."""
    body = message(member_id, text, chat_id, **extra)
    body["chat"]["is_forum"] = thread_id is not None
    if thread_id is not None:
        body.update(message_thread_id=thread_id, is_topic_message=True)
    if reply_to is not None:
        body["reply_to_message"] = {"message_id": reply_to, "date": int(time.time()), "chat": body["chat"],
                                    "from": {"id": BOT_ID, "is_bot": True, "first_name": "Glute FAQ",
                                             "username": BOT_USERNAME}, "text": "..."}
    return {"message": body}


def button_update(user_id: int, data: str, message_id: int = 1000) -> dict[str, Any]:
    bot_message = {"message_id": message_id, "date": int(time.time()),
                   "chat": {"id": user_id, "type": "private", "first_name": f"Person{user_id}"},
                   "from": {"id": BOT_ID, "is_bot": True, "first_name": "Glute FAQ",
                            "username": BOT_USERNAME},
                   "text": "..."}
    return {"callback_query": {"id": str(next(_messages)), "from": user(user_id),
                               "chat_instance": "1", "data": data, "message": bot_message}}


def inline_update(user_id: int, query: str) -> dict[str, Any]:
    return {"inline_query": {"id": str(next(_messages)), "from": user(user_id), "query": query,
                             "offset": ""}}
