"""Rasa's own checks, as the Rasa team's CI runs them:
data validate → (train) → story tests → NLU evaluation on the held-out set."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from scripts.environment import ROOT, VENV_BIN, service_env
from scripts.train import DATA, DOMAIN, ensure_model
from tests.conftest import report_figure

RESULTS = ROOT / "results"
MACRO_F1_TARGET = 0.95


def rasa(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(VENV_BIN / "rasa"), *args],
        cwd=ROOT,
        env=service_env(),
        capture_output=True,
        text=True,
        timeout=900,
    )


@pytest.fixture(scope="module")
def model() -> Path:
    return ensure_model()


def test_data_validate() -> None:
    result = rasa(
        "data",
        "validate",
        "--domain",
        str(DOMAIN),
        "--config",
        "config.yml",
        "--data",
        *map(str, DATA),
        "--fail-on-warnings",
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]


def test_stories(model: Path) -> None:
    out = RESULTS / "core"
    result = rasa(
        "test",
        "core",
        "--model",
        str(model),
        "--stories",
        "tests/stories",
        "--fail-on-prediction-errors",
        "--out",
        str(out),
    )
    failed = out / "failed_test_stories.yml"
    detail = failed.read_text() if failed.exists() else ""
    assert result.returncode == 0, result.stderr[-3000:] + detail[-3000:]


@pytest.mark.parametrize("held_out", ["holdout", "holdout_fresh"])
def test_nlu_on_held_out_set(model: Path, held_out: str) -> None:
    """Intent macro-F1 on sentences never used for training. `holdout_fresh`
    was written independently after the last tuning round and never inspected."""
    out = RESULTS / "nlu" / held_out
    result = rasa(
        "test",
        "nlu",
        "--model",
        str(model),
        "--nlu",
        f"tests/nlu/{held_out}.yml",
        "--out",
        str(out),
    )
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads((out / "intent_report.json").read_text())
    macro_f1 = report["macro avg"]["f1-score"]
    weak = {
        name: round(r["f1-score"], 2)
        for name, r in report.items()
        if isinstance(r, dict) and "f1-score" in r and r["f1-score"] < 0.9
    }
    report_figure(f"NLU {held_out}: intent macro-F1 {macro_f1:.3f} ({out}/intent_report.json)")
    assert macro_f1 >= MACRO_F1_TARGET, f"macro-F1 {macro_f1:.3f}; weak intents: {weak}"
