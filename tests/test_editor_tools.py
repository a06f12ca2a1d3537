"""The editors' tools through the real CLI: `ask --json` candidates, `chat --debug`, `check` on any
file, and `draft` on every kind of input, each mistake one line and exit code 2."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import PROJECT_DIR

KNOWLEDGE = PROJECT_DIR / "knowledge"
ARTICLES = Path(__file__).parent / "fixtures" / "articles"


def run_bot(*args: str, stdin: str = "", cwd: Path = PROJECT_DIR) -> subprocess.CompletedProcess[str]:
    environment = {key: value for key, value in os.environ.items() if not key.startswith("TELEGRAM_")}
    environment["PYTHONPATH"] = str(PROJECT_DIR)
    return subprocess.run([sys.executable, "-m", "bot", *args], input=stdin, capture_output=True, text=True,
                          cwd=cwd, env=environment, timeout=60)


def one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 2, result
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1, result.stderr
    return result.stderr.strip()


def test_ask_json_gives_candidates_for_every_kind_of_reply() -> None:
    messages = ["why do my glutes cramp", "glute cramp info", "what causes migraines", "hi", "my chest hurts"]
    result = run_bot("ask", "--json", "-", stdin="\n".join(messages) + "\n")
    replies = [json.loads(line) for line in result.stdout.splitlines()]
    assert [reply["kind"] for reply in replies] == ["answer", "clarify", "fallback", "smalltalk", "urgent"]
    best = replies[0]["candidates"][0]
    assert set(best) == {"id", "score", "coverage", "recall", "conflicts"}
    assert best["id"] == "causes" and best["score"] == replies[0]["score"]
    assert len(replies[1]["candidates"]) >= 3
    assert [c["score"] for c in replies[1]["candidates"]] == sorted((c["score"] for c in replies[1]["candidates"]),
                                                                   reverse=True)
    assert replies[2]["candidates"][0]["id"] == "causes"
    assert all(isinstance(reply["candidates"], list) for reply in replies)


def test_ask_json_names_the_word_of_another_subject() -> None:
    reply = json.loads(run_bot("ask", "--json", "how do i get rid of foot cramps").stdout)
    assert reply["kind"] != "answer"
    assert reply["candidates"][0]["conflicts"] == ["foot"]


def test_chat_debug_shows_candidates_and_why() -> None:
    result = run_bot("chat", "--debug", stdin="glute cramp info\nwhy do my glutes cramp\nwhat causes migraines\n"
                                                "glute cramp\n")
    out = result.stdout
    assert result.returncode == 0, result.stderr
    assert "[debug] reply: clarify [prevention, what-is-gluteal-cramp" in out
    assert "[debug]   1. prevention" in out and "score 0.73" in out
    assert "NO  no unrelated entry within 0.06 of the best" in out
    assert "[debug] reply: answer causes" in out and "why: every check passed" in out
    assert "NO  in scope: no word of any article's subject" in out
    assert "why: the message names only an article's subject, so its opening entry is answered" in out
    assert out.index("[debug] reply: answer causes") < out.index("What causes gluteal cramps?")


def test_chat_debug_says_when_a_follow_up_was_read_with_what_came_before() -> None:
    out = run_bot("chat", "--debug", stdin="why do my glutes cramp\nis that serious\n").stdout
    follow_up = out[out.index("you>", out.index("[debug] reply: answer causes")):]
    assert "[debug] reply: answer see-doctor" in follow_up
    assert "why: the message alone fails a check; read with what it is taken to be about" in follow_up


@pytest.mark.parametrize("name, summary", [
    ("red-flags.yaml", "ok: red flags file, 22 red flags"),
    ("smalltalk.yaml", "ok: small talk file, 5 small talk intents"),
    ("vocabulary.yaml", "ok: vocabulary file"),
    ("gluteal-cramps.vocabulary.yaml", "ok: article vocabulary file"),
    ("gluteal-cramps.yaml", "ok: 15 entries"),
])
def test_check_tells_files_apart_by_content(name: str, summary: str, tmp_path: Path) -> None:
    copy = tmp_path / f"renamed-{name}"
    shutil.copy(KNOWLEDGE / name, copy)
    result = run_bot("check", str(copy))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(summary)


def test_check_a_broken_red_flags_file_points_at_its_line(tmp_path: Path) -> None:
    broken = tmp_path / "red-flags.yaml"
    text = (KNOWLEDGE / "red-flags.yaml").read_text()
    broken.write_text(text.replace("kind: crisis", "kind: panic", 1))
    line = next(number for number, row in enumerate(broken.read_text().splitlines(), 1) if "kind: panic" in row)
    assert one_line_error(run_bot("check", str(broken))).startswith(f"{broken}:{line}: red flag")


def test_check_names_a_missing_path_as_given(tmp_path: Path) -> None:
    error = one_line_error(run_bot("check", str(tmp_path / "nowhere")))
    assert error == f"{tmp_path / 'nowhere'}: this path does not exist. Fix: check the path given to `check`"


@pytest.mark.parametrize("content, message", [
    (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj", "binary data"),
    (b"PK\x03\x04\x14\x00\x06\x00word/document.xml", "binary data"),
    (b"title: x\nreviewed: 2026-02-30\nentries: []\n", "'2026-02-30' is not a valid value"),
    (b"title: [unclosed\n", "invalid YAML"),
    (b"\xff\xfe\xfa not utf-8", "not UTF-8"),
    (b"- just\n- a list\n", "should be a mapping"),
])
def test_check_never_prints_a_traceback(content: bytes, message: str, tmp_path: Path) -> None:
    path = tmp_path / "odd.yaml"
    path.write_bytes(content)
    result = run_bot("check", str(path))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert message in result.stderr and result.stderr.startswith(str(path))


def test_check_names_both_files_when_an_id_is_used_twice(tmp_path: Path) -> None:
    draft = tmp_path / "calf.yaml"
    draft.write_text("title: Calf cramps\nsource: {title: Calf, covers: all}\nreviewed: null\nentries:\n"
                     "  - id: see-doctor\n    topic: see-a-doctor\n    source: Doctor\n"
                     "    questions: [when should i see a doctor about calf cramps]\n    answer: Soon.\n")
    error = one_line_error(run_bot("check", str(draft)))
    assert error.startswith(f"{draft}:5: the id 'see-doctor' is already used at {KNOWLEDGE / 'gluteal-cramps.yaml'}:")
    assert "calf-see-doctor" in error


def test_draft_writes_into_missing_folders_with_ids_that_do_not_clash(tmp_path: Path) -> None:
    target = tmp_path / "drafts" / "new" / "calf-cramps.yaml"
    result = run_bot("draft", str(ARTICLES / "calf-cramps.txt"), "-o", str(target))
    assert result.returncode == 0, result.stderr
    text = target.read_text()
    assert "id: calf-cramps-see-doctor" in text and "id: see-doctor\n" not in text
    assert "Jordan Ellis" not in text and "title: What are calf cramps?" in text
    assert "By Jordan Ellis" in result.stderr
    assert run_bot("check", str(target)).returncode == 0


def test_draft_input_mistakes_are_one_line(tmp_path: Path) -> None:
    article = str(ARTICLES / "calf-cramps.txt")
    empty = tmp_path / "empty.txt"
    empty.write_text("  \n")
    pdf = tmp_path / "article.pdf"
    pdf.write_bytes(b"%PDF-1.7\n\x00\x01binary")
    assert "the article does not exist" in one_line_error(run_bot("draft", str(tmp_path / "none.txt")))
    assert "the article is empty" in one_line_error(run_bot("draft", str(empty)))
    assert "binary data" in one_line_error(run_bot("draft", str(pdf)))
    assert "the file to merge into does not exist" in one_line_error(
        run_bot("draft", article, "--merge", str(tmp_path / "none.yaml")))
    assert "the file to merge into is empty" in one_line_error(run_bot("draft", article, "--merge", str(empty)))
    assert "binary data" in one_line_error(run_bot("draft", article, "--merge", str(pdf)))


def test_merge_into_the_shipped_file_keeps_all_its_entries(tmp_path: Path) -> None:
    shipped = tmp_path / "gluteal-cramps.yaml"
    shutil.copy(KNOWLEDGE / "gluteal-cramps.yaml", shipped)
    article = tmp_path / "gluteal-cramps.txt"
    article.write_text("Cramping of the gluteus\n\nA cramp is a sudden tightening.\n\n"
                       "Causes of gluteal cramping\n\nHard exercise.\n\nTreatment for gluteal cramping\n\nDrink water.\n")
    result = run_bot("draft", str(article), "--merge", str(shipped))
    assert result.returncode == 0, result.stderr
    ids = [line.split("id: ")[1] for line in shipped.read_text().splitlines() if line.startswith("  - id: ")]
    original = [line.split("id: ")[1] for line in (KNOWLEDGE / "gluteal-cramps.yaml").read_text().splitlines()
                if line.startswith("  - id: ")]
    assert ids[:len(original)] == original
    assert "this section is no longer in the article" in shipped.read_text()
    assert (tmp_path / "gluteal-cramps.yaml.bak").read_text() == (KNOWLEDGE / "gluteal-cramps.yaml").read_text()


def test_check_warns_of_questions_the_matcher_reads_alike(tmp_path: Path) -> None:
    folder = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, folder)
    article = folder / "gluteal-cramps.yaml"
    article.write_text(article.read_text().replace("      - what should i eat to avoid cramps\n",
                                                   "      - what should i eat to avoid cramps\n      - how much h2o a day\n"))
    line = next(n for n, row in enumerate(article.read_text().splitlines(), 1) if "how much h2o a day" in row)
    result = run_bot("check", str(folder))
    assert result.returncode == 0
    assert (f"warning: {article}:{line}: 'how much h2o a day' (diet) reads the same as 'how much water a day' "
            "(hydration) once typos, synonyms and little words are set aside. Fix: reword one so the entries "
            "differ") in result.stdout.splitlines()


def test_check_warns_of_a_not_covered_topic_an_entry_answers(tmp_path: Path) -> None:
    folder = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, folder)
    scope = folder / "not-covered.yaml"
    scope.write_text(scope.read_text().replace("how many (bananas/banana/", "how many (bananas/banana/glasses/"))
    result = run_bot("check", str(folder))
    assert result.returncode == 0
    assert (f"warning: {scope}: the topic 'how much of a food to eat or drink' is answered, not declined: the "
            "question 'how many glasses of water a day' asks it. Fix: narrow the topic's `match` if the rest "
            "should still be declined") in result.stdout.splitlines()
