"""Train the Rasa model when, and only when, its inputs changed.

Rasa's own change detection fingerprints the tokenizer's *settings*, not the
jieba dictionary files, so an edited dictionary would silently keep the old
model. We hash every input file ourselves and force a full retrain when the
dictionary changed.

Usage: python -m scripts.train [--force]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import time
from pathlib import Path

from scripts.environment import MODEL_PATH, ROOT, VENV_BIN, service_env

DOMAIN = ROOT / "bot" / "domain"
NLU = ROOT / "nlu_data"
NLU_DATA = [NLU / "nlu", NLU / "lookups", NLU / "synonyms", NLU / "regexes.yml"]
DATA = [ROOT / "bot" / "stories", ROOT / "bot" / "rules", *NLU_DATA]
JIEBA = NLU / "jieba"  # read by the tokenizer (config.yml), not a training file
STAMP = ROOT / "models" / "yinling.inputs.json"


def _hash(paths: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in paths:
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for file in files:
            digest.update(str(file.relative_to(ROOT)).encode())
            digest.update(file.read_bytes())
    return digest.hexdigest()


def fingerprint() -> dict[str, str]:
    return {
        "all": _hash([ROOT / "config.yml", DOMAIN, *DATA]),
        "jieba": _hash([JIEBA]),
    }


def train_command(force: bool) -> list[str]:
    command = [
        str(VENV_BIN / "rasa"),
        "train",
        "--config",
        str(ROOT / "config.yml"),
        "--domain",
        str(DOMAIN),
        "--data",
        *map(str, DATA),
        "--out",
        str(MODEL_PATH.parent),
        "--fixed-model-name",
        MODEL_PATH.name.removesuffix(".tar.gz"),
    ]
    return command + (["--force"] if force else [])


def ensure_model(force: bool = False) -> Path:
    """Return the model path, training first if any input changed."""
    current = fingerprint()
    previous = json.loads(STAMP.read_text()) if STAMP.exists() else {}
    if MODEL_PATH.exists() and previous == current and not force:
        print(f"model is up to date: {MODEL_PATH.relative_to(ROOT)}")
        return MODEL_PATH
    force = force or previous.get("jieba") != current["jieba"]
    print("training the Rasa model" + (" from scratch" if force else ""), flush=True)
    started = time.monotonic()
    subprocess.run(train_command(force), cwd=ROOT, env=service_env(), check=True)
    if not MODEL_PATH.exists():
        raise SystemExit("rasa train finished without writing " + str(MODEL_PATH))
    STAMP.write_text(json.dumps(current))
    print(f"trained in {time.monotonic() - started:.0f} s", flush=True)
    return MODEL_PATH


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--force", action="store_true", help="retrain from scratch")
    ensure_model(parser.parse_args(argv).force)
    return 0


if __name__ == "__main__":
    sys.exit(main())
