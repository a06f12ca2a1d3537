"""The Dockerfile, compose.yaml, .dockerignore, .env and the systemd unit, as far as a machine
without a Docker engine allows: the build context holds what the image copies and nothing secret;
the image's filesystem is laid out from its COPY lines, the package is built and installed from
those copies, and the image's own CMD and HEALTHCHECK run there against the fake Bot API; the
systemd unit passes `systemd-analyze verify` and its ExecStart runs the same way."""

from __future__ import annotations

import asyncio
import configparser
import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml
from docker.utils.build import exclude_paths
from dockerfile_parse import DockerfileParser
from dotenv import dotenv_values

from bot.config import PROJECT_DIR

from .fake_bot_api import TOKEN, FakeBotAPI, text_update
from .test_telegram_bot import PERSON, api  # noqa: F401

DOCKERFILE = PROJECT_DIR / "Dockerfile"
UNIT = PROJECT_DIR / "deploy" / "health-faq-bot.service"
# What must never reach the build: secrets, the operator's config and store, the venv, the tests.
KEPT_OUT = (".env", "config.yaml", "data/bot.sqlite3", "data/bot.sqlite3.key", ".venv/bin/python",
           "tests/test_cli.py", ".git/config")


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, value) of every line of the Dockerfile, as Docker reads them."""
    parser = DockerfileParser(path=str(DOCKERFILE))
    return [(item["instruction"], item["value"]) for item in parser.structure]


def values_of(name: str) -> list[str]:
    return [value for instruction, value in instructions() if instruction == name]


def exec_form(value: str) -> list[str]:
    """A CMD written as a JSON list, as the image runs it (no shell in between)."""
    command = json.loads(value)
    assert isinstance(command, list) and all(isinstance(part, str) for part in command)
    return command


def context_of(root: Path) -> set[str]:
    """The files `docker build` sends for `root`, by docker-py's reading of .dockerignore."""
    patterns = [line.strip() for line in (root / ".dockerignore").read_text().splitlines()
                if line.strip() and not line.startswith("#")]
    return set(exclude_paths(str(root), patterns, dockerfile="Dockerfile"))


def tracked_files() -> list[str]:
    listed = subprocess.run(["git", "ls-files", "-z"], capture_output=True, text=True, cwd=PROJECT_DIR,
                            check=True).stdout.split("\0")
    return [name for name in listed if name and (PROJECT_DIR / name).is_file()]


@pytest.fixture(scope="module")
def checkout(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the committed files plus what an operator's folder also holds: secrets, a store."""
    root = tmp_path_factory.mktemp("checkout")
    for name in tracked_files():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(PROJECT_DIR / name, root / name)
    for name in KEPT_OUT:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text("secret")
    return root


def copies() -> Iterator[tuple[list[str], str, str]]:
    """(sources, destination, working directory) of every COPY, in order."""
    workdir = "/"
    for instruction, value in instructions():
        if instruction == "WORKDIR":
            workdir = value if value.startswith("/") else f"{workdir.rstrip('/')}/{value}"
        elif instruction in ("COPY", "ADD"):
            assert instruction == "COPY", "ADD fetches and unpacks; the image uses COPY only"
            parts = [part for part in shlex.split(value) if not part.startswith("--")]
            yield parts[:-1], parts[-1], workdir


def test_the_image_is_python_3_11_slim_and_runs_as_a_user(checkout: Path) -> None:
    assert DockerfileParser(path=str(DOCKERFILE)).baseimage == "python:3.11-slim"
    users = values_of("USER")
    assert users and users[-1] not in ("root", "0")
    assert any("useradd" in run and users[-1] in run.split() for run in values_of("RUN"))
    volumes = [path for value in values_of("VOLUME") for path in json.loads(value)]
    assert volumes == ["/app/knowledge", "/app/data"]
    assert exec_form(values_of("CMD")[-1]) == ["health-faq-bot", "run"]
    health = values_of("HEALTHCHECK")[-1]
    assert exec_form(health.split(" CMD ", 1)[1]) == ["health-faq-bot", "health"]


def test_every_copy_source_is_in_the_build_context_and_no_secret_is(checkout: Path) -> None:
    context = context_of(checkout)
    for sources, _, _ in copies():
        for source in sources:
            assert (checkout / source).exists(), f"COPY {source}: not in the repository"
            assert source.rstrip("/") in context, f"COPY {source}: left out by .dockerignore"
            if (checkout / source).is_dir():
                inside = [p for p in tracked_files() if p.startswith(source.rstrip("/") + "/")]
                assert inside and all(p in context for p in inside), f"{source}: files left out"
    for name in KEPT_OUT:
        assert name not in context, f"{name} would be sent to the Docker build"


def test_compose_builds_this_image_with_the_secrets_file_and_the_volumes() -> None:
    compose = yaml.safe_load((PROJECT_DIR / "compose.yaml").read_text())
    service = compose["services"]["bot"]
    assert service["build"] == "." and service["env_file"] == ".env"
    assert service["restart"] == "unless-stopped"
    mounts = {volume.split(":")[1]: volume.split(":")[0] for volume in service["volumes"]}
    volumes = [path for value in values_of("VOLUME") for path in json.loads(value)]
    assert sorted(mounts) == sorted(volumes)
    assert mounts["/app/knowledge"] == "./knowledge" and mounts["/app/data"] in compose["volumes"]


def test_env_files_stay_out_of_git_and_the_example_names_the_secrets() -> None:
    ignored = subprocess.run(["git", "check-ignore", "-q", ".env"], cwd=PROJECT_DIR)
    assert ignored.returncode == 0, ".env is not in .gitignore"
    assert set(dotenv_values(PROJECT_DIR / ".env.example")) == {"TELEGRAM_BOT_TOKEN", "BOT_PRIVACY_KEY"}


@dataclass
class Image:
    """The image's filesystem under `root`, and the environment its commands run with."""

    root: Path
    workdir: Path
    env: dict[str, str] = field(default_factory=dict)


def lay_out_image(checkout: Path, root: Path) -> Image:
    """Do what `docker build` does, but RUN: COPY from the build context, build and install the
    package from the copied sources (`pip install .`), make the VOLUME folders."""
    context = context_of(checkout)
    for sources, destination, workdir in copies():
        target = root / (destination if destination.startswith("/") else f"{workdir}/{destination}").lstrip("/")
        for source in sources:
            place = target / Path(source).name if destination.endswith("/") else target
            if (checkout / source).is_dir():
                shutil.copytree(checkout / source, place, ignore=lambda folder, names: [
                    n for n in names if os.path.relpath(Path(folder, n), checkout) not in context
                    and not Path(folder, n).is_dir()])
            else:
                place.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(checkout / source, place)
    for value in values_of("VOLUME"):
        for path in json.loads(value):
            (root / path.lstrip("/")).mkdir(parents=True, exist_ok=True)
    source, site = root / "src", root / "site"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(root / "wheel"),
                    str(source)], check=True, capture_output=True, timeout=240)
    wheel = next((root / "wheel").glob("*.whl"))
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(site),
                    str(wheel)], check=True, capture_output=True, timeout=120)
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("TELEGRAM_", "BOT_", "PYTHON"))}
    env.update(DockerfileParser(path=str(DOCKERFILE)).envs)
    # The package as the image installed it (not this checkout), on this interpreter's libraries.
    env.update({"PYTHONPATH": str(site), "PATH": f"{site / 'bin'}{os.pathsep}{env.get('PATH', '')}"})
    return Image(root, root / values_of("WORKDIR")[-1].lstrip("/"), env)


async def run_in(image: Image, command: list[str], env: dict[str, str]) -> asyncio.subprocess.Process:
    program = shutil.which(command[0], path=image.env["PATH"])
    assert program and Path(program).is_relative_to(image.root), f"{command[0]} is not the image's"
    return await asyncio.create_subprocess_exec(program, *command[1:], cwd=image.workdir,
                                                env={**image.env, **env}, stdout=asyncio.subprocess.PIPE,
                                                stderr=asyncio.subprocess.PIPE)


async def health_check(image: Image, env: dict[str, str]) -> tuple[int, str]:
    process = await run_in(image, exec_form(values_of("HEALTHCHECK")[-1].split(" CMD ", 1)[1]), env)
    stdout, stderr = await asyncio.wait_for(process.communicate(), 30)
    return process.returncode or 0, (stdout + stderr).decode()


async def test_the_images_cmd_and_healthcheck_run_against_the_fake_bot_api(
        api: FakeBotAPI, checkout: Path, tmp_path: Path, unused_tcp_port: int) -> None:  # noqa: F811
    image = await asyncio.to_thread(lay_out_image, checkout, tmp_path / "image")
    config = image.workdir / "config.yaml"
    assert "port: 9090" in config.read_text() and values_of("EXPOSE") == ["9090"]
    config.write_text(config.read_text().replace("port: 9090", f"port: {unused_tcp_port}"))
    secrets = {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_BASE_URL": api.base_url}  # as from .env

    code, said = await health_check(image, {})
    assert code == 1 and said.startswith("not alive: no answer from"), said

    process = await run_in(image, exec_form(values_of("CMD")[-1]), secrets)
    try:
        await api.wait_for("setMyCommands", 1, timeout=30)
        deadline = time.monotonic() + 20
        while (result := await health_check(image, {}))[0] != 0 and time.monotonic() < deadline:
            await asyncio.sleep(0.2)
        assert result == (0, "ok: polling\n"), result
        await api.add_update(text_update(PERSON, "why do my glutes cramp"))
        reply = (await api.wait_for("sendMessage", 1, PERSON, timeout=20))[0]
        assert reply.text.startswith("<b>What causes gluteal cramps?</b>")
        process.send_signal(signal.SIGTERM)
        stdout, stderr = await asyncio.wait_for(process.communicate(), 40)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    output = (stdout + stderr).decode()
    assert process.returncode == 0, output
    assert "Traceback" not in output and TOKEN.split(":")[1] not in output
    data = image.root / "app" / "data"  # the store and its key are on the data volume
    assert (data / "bot.sqlite3").exists() and (data / "bot.sqlite3.key").exists()
    assert sorted(path.name for path in image.workdir.iterdir()) == ["config.yaml", "data", "knowledge"]


def read_unit() -> configparser.ConfigParser:
    unit = configparser.ConfigParser(interpolation=None, strict=False)
    unit.optionxform = str  # type: ignore[assignment,method-assign]
    unit.read(UNIT)
    return unit


def test_the_systemd_unit_restarts_on_failure_reads_secrets_and_logs_to_the_journal() -> None:
    service = read_unit()["Service"]
    assert service["Restart"] == "on-failure" and service["RestartPreventExitStatus"] == "2"
    assert service["EnvironmentFile"] == "/etc/health-faq-bot/env"
    assert service["StandardOutput"] == service["StandardError"] == "journal"
    assert service["User"] != "root" and service["ExecStart"].endswith("/.venv/bin/health-faq-bot run")
    assert service["ReadWritePaths"] == f"{service['WorkingDirectory']}/data"


def installed_unit(folder: Path) -> tuple[Path, Path, Path]:
    """The unit as installed with the project in `folder`: (unit file, env file, working directory)."""
    home = folder / "opt" / "health-faq-bot"
    home.mkdir(parents=True)
    (home / ".venv").symlink_to(Path(sys.executable).parent.parent)
    environment_file = folder / "env"
    text = UNIT.read_text().replace("/opt/health-faq-bot", str(home)) \
        .replace("/etc/health-faq-bot/env", str(environment_file))
    unit = folder / UNIT.name
    unit.write_text(text)
    return unit, environment_file, home


async def test_the_systemd_units_command_runs_against_the_fake_bot_api(
        api: FakeBotAPI, tmp_path: Path) -> None:  # noqa: F811
    unit, environment_file, home = installed_unit(tmp_path)
    environment_file.write_text(f"TELEGRAM_BOT_TOKEN={TOKEN}\nTELEGRAM_BASE_URL={api.base_url}\n"
                                "BOT_PRIVACY_KEY=from-the-environment-file\n")
    if shutil.which("systemd-analyze") is None:
        pytest.fail("systemd-analyze is missing: install Debian's systemd package (.ci/run does)",
                    pytrace=False)
    verify = subprocess.run(["systemd-analyze", "verify", str(unit)], capture_output=True, text=True,
                            timeout=60)
    assert verify.returncode == 0 and not verify.stderr.strip(), verify.stderr
    (home / "config.yaml").write_text("store:\n  path: data/bot.sqlite3\n")

    service = read_unit()["Service"]
    command = shlex.split(unit.read_text().split("ExecStart=", 1)[1].splitlines()[0])
    environment = {key: value for key, value in os.environ.items() if not key.startswith(("TELEGRAM_", "BOT_"))}
    environment.update({key: value or "" for key, value in dotenv_values(environment_file).items()})
    process = await asyncio.create_subprocess_exec(*command, cwd=home, env=environment,
                                                   stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    try:
        await api.wait_for("setMyCommands", 1, timeout=30)
        await api.add_update(text_update(PERSON, "how much water a day"))
        assert "64 ounces" in (await api.wait_for("sendMessage", 1, PERSON, timeout=20))[0].text
        process.send_signal(getattr(signal, service.get("KillSignal", "SIGTERM")))
        stdout, stderr = await asyncio.wait_for(process.communicate(), 40)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert process.returncode == 0, stderr.decode()  # a clean stop: systemd does not restart it
    assert "outcome=answer" in stderr.decode() and "Traceback" not in stderr.decode()
    assert not (home / "data" / "bot.sqlite3.key").exists()  # the key came from the environment file
