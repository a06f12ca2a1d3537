"""The CLI as other tools and editors use it, through a real subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path


from bot.config import PROJECT_DIR

from .conftest import SHARED_EVAL, need_shared


def run_bot(*args: str, stdin: str = "", cwd: Path | None = None,
            env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("TELEGRAM_")}
    environment["PYTHONPATH"] = str(PROJECT_DIR)
    environment.update(env or {})
    return subprocess.run([sys.executable, "-m", "bot", *args], input=stdin, capture_output=True,
                          text=True, cwd=cwd or PROJECT_DIR / "tests", env=environment, timeout=60)


def test_ask_prints_the_reply_as_a_person_reads_it() -> None:
    result = run_bot("ask", "why", "does", "my", "bum", "cramp")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("What causes gluteal cramps?")
    assert "You might also ask:" in result.stdout
    assert result.stdout.rstrip().endswith("contact a medical professional.")


def test_ask_json_contract() -> None:
    result = run_bot("ask", "--json", "what causes glute cramps")
    assert result.returncode == 0
    reply = json.loads(result.stdout)
    assert set(reply) == {"kind", "id", "ids", "score", "suggestions", "text", "candidates"}
    assert reply["kind"] == "answer" and reply["id"] == "causes" and reply["ids"] == ["causes"]
    assert isinstance(reply["score"], float) and reply["suggestions"] == []
    assert reply["text"].endswith("contact a medical professional.")


def test_ask_json_conversation_reads_the_lines_as_one_chat() -> None:
    lines = "why do my glutes cramp\nwhat about at night?\nglute cramp info\n2\n"
    alone = [json.loads(line) for line in run_bot("ask", "--json", "-", stdin=lines).stdout.splitlines()]
    chat = [json.loads(line) for line in
            run_bot("ask", "--json", "--conversation", "-", stdin=lines).stdout.splitlines()]
    assert [reply["kind"] for reply in chat] == ["answer", "answer", "clarify", "answer"]
    assert chat[1]["id"] == "when-cramps-happen"
    assert chat[3]["id"] == chat[2]["suggestions"][1]
    assert alone[3]["kind"] != "answer"


def test_ask_json_reads_one_message_per_line_in_order() -> None:
    messages = ["hi", "glute cramp info", "what causes migraines", "my chest hurts", "", "how much water a day"]
    result = run_bot("ask", "--json", "-", stdin="\n".join(messages) + "\n")
    assert result.returncode == 0, result.stderr
    replies = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["kind"] for r in replies] == ["smalltalk", "clarify", "fallback", "urgent", "fallback", "answer"]
    assert replies[1]["id"] is None and len(replies[1]["suggestions"]) >= 2
    assert replies[5]["id"] == "hydration"


def test_check_passes_on_the_shipped_knowledge() -> None:
    result = run_bot("check")
    assert result.returncode == 0
    assert result.stdout.startswith("ok: 15 entries")


def test_check_reports_a_broken_file_in_one_line(tmp_path: Path) -> None:
    broken = tmp_path / "knowledge"
    broken.mkdir()
    for name in ("vocabulary.yaml", "red-flags.yaml", "smalltalk.yaml"):
        (broken / name).write_text((PROJECT_DIR / "knowledge" / name).read_text())
    (broken / "article.yaml").write_text("title: x\nentries:\n  - id: Bad Id\n    topic: gossip\n")
    result = run_bot("check", str(broken))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert all(line.startswith(f"{broken / 'article.yaml'}:") for line in lines)
    assert any("unknown topic 'gossip'" in line for line in lines)
    assert any(":3: the id 'Bad Id'" in line for line in lines)


def test_bad_config_exits_2_without_traceback(tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text("matching:\n  answer_score: lots\n")
    result = run_bot("--config", str(config), "ask", "hi")
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "config.yaml:2:" in result.stderr and "Traceback" not in result.stderr


def test_malformed_token_exits_2_and_is_not_echoed() -> None:
    result = run_bot("run", env={"TELEGRAM_BOT_TOKEN": "secret-but-wrong"})
    assert result.returncode == 2
    assert "does not look like a bot token" in result.stderr
    assert "secret-but-wrong" not in result.stderr + result.stdout


def test_run_without_token_and_without_terminal_explains_the_token() -> None:
    result = run_bot("run")
    assert result.returncode == 2
    assert "TELEGRAM_BOT_TOKEN is not set" in result.stderr and "@BotFather" in result.stderr


def test_chat_holds_a_conversation_until_quit() -> None:
    result = run_bot("chat", stdin="hello\nglute cramp info\n1\nquit\nnever read\n")
    assert result.returncode == 0, result.stderr
    assert "Health FAQ bot" in result.stdout
    assert "Hello!" in result.stdout and "Did you mean" in result.stdout
    assert "never read" not in result.stdout


def test_eval_on_the_project_set_meets_its_bounds() -> None:
    result = run_bot("eval", str(PROJECT_DIR / "tests" / "eval.yaml"), "--max-wrong", "3",
                     "--max-out-of-scope-answered", "0", "--min-urgent-recall", "100",
                     "--max-false-urgent", "0", "--min-smalltalk", "100")
    assert result.returncode == 0, result.stdout
    assert "correct (in scope)" in result.stdout


def test_eval_exits_1_when_a_bound_is_missed() -> None:
    result = run_bot("eval", str(PROJECT_DIR / "tests" / "eval.yaml"), "--min-correct", "100.1")
    assert result.returncode == 1
    assert "missed: correct" in result.stdout


def test_eval_on_the_shared_dev_set_meets_the_targets() -> None:
    result = run_bot("eval", str(need_shared(SHARED_EVAL)), "--min-correct", "95", "--max-wrong", "2",
                     "--max-out-of-scope-answered", "0", "--min-urgent-recall", "100",
                     "--max-false-urgent", "0", "--min-smalltalk", "100")
    assert result.returncode == 0, result.stdout
