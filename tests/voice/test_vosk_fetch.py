"""`fetch_vosk` against a real HTTP server on 127.0.0.1: a real Vosk model
zip goes through download → sha256 → unpack → load, and everything that
should be refused (a wrong checksum, a zip-slip member, no network) is,
leaving nothing a recogniser could load."""

from __future__ import annotations

import functools
import hashlib
import os
import socket
import subprocess
import sys
import threading
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from scripts.environment import ROOT
from tests.voice.conftest import KOREAN_MODEL
from voice.asr import VoskRecognizer
from voice.audio import SAMPLE_RATE
from voice.models import VOSK_CN, VOSK_CN_SHA256, ModelError, fetch_vosk, is_vosk_model, main

KOREAN = "vosk-model-small-ko-0.22"


@dataclass
class Server:
    root: Path
    url: str
    requests: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    root = tmp_path_factory.mktemp("served")
    seen: list[str] = []

    class Handler(SimpleHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (the base class names it)
            seen.append(self.path)
            if self.path == "/cut.zip":  # promises more than it sends, then hangs up
                self.send_response(200)
                self.send_header("Content-Length", "100000")
                self.end_headers()
                self.wfile.write(b"PK" * 500)
                return
            super().do_GET()

        def log_message(self, format: str, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=root))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield Server(root, f"http://127.0.0.1:{httpd.server_address[1]}", seen)
    httpd.shutdown()
    httpd.server_close()


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def make_zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as zipped:
        for name, data in members.items():
            zipped.writestr(name, data)
    return path


def fake_model(top: str, extra: dict[str, bytes] | None = None) -> dict[str, bytes]:
    """The files `is_vosk_model` looks for, under one top folder like the real zips."""
    return {
        f"{top}/am/final.mdl": b"not really a model",
        f"{top}/conf/model.conf": b"--min-active=200\n",
        f"{top}/graph/phones.txt": b"SIL 1\n",
        **(extra or {}),
    }


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def korean_zip(server: Server) -> Path:
    """The real Korean model zipped as the publisher does (one top folder)."""
    archive = server.root / f"{KOREAN}.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_STORED) as zipped:
        for file in sorted(KOREAN_MODEL.rglob("*")):
            if file.is_file():
                zipped.write(file, f"{KOREAN}/{file.relative_to(KOREAN_MODEL).as_posix()}")
    return archive


@pytest.fixture(scope="module")
def fetched(server: Server, korean_zip: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    dest = tmp_path_factory.mktemp("models")
    return fetch_vosk(
        dest,
        f"{server.url}/{KOREAN}.zip",
        sha256(korean_zip),
        korean_zip.stat().st_size,
    )


def test_a_real_model_is_fetched_checked_unpacked_and_loads(fetched: Path) -> None:
    assert fetched.name == KOREAN and is_vosk_model(fetched)
    assert [child.name for child in fetched.parent.iterdir()] == [KOREAN]  # nothing left over
    recognizer = VoskRecognizer(fetched)  # the path the server takes
    silence = recognizer.transcribe(bytes(2 * SAMPLE_RATE))
    assert silence.engine == "vosk" and silence.text == "" and silence.audio_s == 1.0


def test_a_model_already_there_is_not_fetched_again(server: Server, fetched: Path) -> None:
    before = list(server.requests)
    assert before.count(f"/{KOREAN}.zip") == 1
    again = fetch_vosk(fetched.parent, f"{server.url}/{KOREAN}.zip", "0" * 64)
    assert again == fetched and server.requests == before


def test_a_folder_that_is_not_a_model_is_not_overwritten(server: Server, tmp_path: Path) -> None:
    (tmp_path / "half" / "am").mkdir(parents=True)
    with pytest.raises(ModelError, match="not a whole Vosk model: remove it"):
        fetch_vosk(tmp_path, f"{server.url}/half.zip", "0" * 64)
    assert (tmp_path / "half" / "am").is_dir() and "/half.zip" not in server.requests


@pytest.mark.parametrize(
    ("wrong", "says"),
    [("sha256", "has sha256 .* expected"), ("size", "bytes, expected")],
)
def test_a_wrong_checksum_or_size_is_refused_and_leaves_nothing(
    server: Server, tmp_path: Path, wrong: str, says: str
) -> None:
    archive = make_zip(server.root / f"small-{wrong}.zip", fake_model(f"small-{wrong}"))
    url, digest, size = f"{server.url}/{archive.name}", sha256(archive), archive.stat().st_size
    dest = tmp_path / "models"
    with pytest.raises(ModelError, match=says):
        if wrong == "sha256":
            fetch_vosk(dest, url, hashlib.sha256(b"another file").hexdigest(), size)
        else:
            fetch_vosk(dest, url, digest, size + 1)
    assert list(dest.iterdir()) == []  # no model, no .partial, no unpacking folder
    # The same archive with the right figures is accepted: the refusal was the checksum.
    assert is_vosk_model(fetch_vosk(dest, url, digest, size))


@pytest.mark.parametrize("evil", ["../evil.txt", "/tmp/evil.txt", "model/../../evil.txt"])
def test_a_zip_slip_member_is_refused(server: Server, tmp_path: Path, evil: str) -> None:
    archive = make_zip(server.root / "slip.zip", fake_model("slip", {evil: b"owned"}))
    dest = tmp_path / "deep" / "models"
    with pytest.raises(ModelError, match="unsafe member"):
        fetch_vosk(dest, f"{server.url}/slip.zip", sha256(archive))
    assert list(dest.iterdir()) == []
    assert not list(tmp_path.rglob("evil.txt")) and not Path("/tmp/evil.txt").exists()


def test_an_archive_without_a_model_is_refused(server: Server, tmp_path: Path) -> None:
    archive = make_zip(server.root / "notes.zip", {"notes/README": b"just text"})
    with pytest.raises(ModelError, match="holds no Vosk model"):
        fetch_vosk(tmp_path, f"{server.url}/notes.zip", sha256(archive))
    assert list(tmp_path.iterdir()) == []


def test_a_missing_file_names_the_server_answer(server: Server, tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="answered 404"):
        fetch_vosk(tmp_path, f"{server.url}/gone.zip", "0" * 64)
    assert list(tmp_path.iterdir()) == []


def test_a_download_cut_short_leaves_nothing(server: Server, tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="stopped at 1000 of 100000 bytes"):
        fetch_vosk(tmp_path, f"{server.url}/cut.zip", "0" * 64)
    assert list(tmp_path.iterdir()) == []


def test_no_network_says_what_to_do_instead(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{closed_port()}/{VOSK_CN}.zip"
    with pytest.raises(ModelError) as refused:
        fetch_vosk(tmp_path, url)
    message = str(refused.value)
    assert "no internet access" in message and f"sha256sum {VOSK_CN}.zip" in message
    assert VOSK_CN_SHA256 in message and f"VOSK_MODEL_PATH={tmp_path / VOSK_CN}" in message
    assert list(tmp_path.iterdir()) == []


def test_a_server_that_never_answers_times_out(tmp_path: Path) -> None:
    with socket.socket() as silent:  # accepts connections (backlog) but never replies
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/{VOSK_CN}.zip"
        with pytest.raises(ModelError, match="timed out"):
            fetch_vosk(tmp_path, url, timeout=0.5)
    assert list(tmp_path.iterdir()) == []


def test_the_fetch_command_offline_exits_non_zero_without_a_traceback(tmp_path: Path) -> None:
    env = os.environ | {"VOSK_MODEL_URL": f"http://127.0.0.1:{closed_port()}/{VOSK_CN}.zip"}
    env.pop("VOSK_MODEL_SHA256", None)
    done = subprocess.run(
        [sys.executable, "-m", "voice.models", "--fetch-vosk", "--dest", str(tmp_path)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "no internet access" in done.stderr and "sha256sum" in done.stderr
    assert "VOSK_MODEL_PATH=" in done.stderr and list(tmp_path.iterdir()) == []


def test_the_fetch_command_takes_a_mirror_or_a_local_zip_from_the_environment(
    server: Server,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    archive = make_zip(tmp_path / "carried.zip", fake_model("carried"))
    monkeypatch.setenv("VOSK_MODEL_URL", archive.as_uri())  # a zip carried over by hand
    monkeypatch.setenv("VOSK_MODEL_SHA256", sha256(archive).upper())
    assert main(["--fetch-vosk", "--dest", str(tmp_path / "models")]) == 0
    folder = tmp_path / "models" / "carried"
    assert capsys.readouterr().out.splitlines()[-1] == f"VOSK_MODEL_PATH={folder}"
    assert is_vosk_model(folder) and archive.is_file()

    monkeypatch.setenv("VOSK_MODEL_SHA256", "not-a-checksum")
    assert main(["--fetch-vosk", "--dest", str(tmp_path / "other")]) == 1
    assert "64 hex digits" in capsys.readouterr().err
