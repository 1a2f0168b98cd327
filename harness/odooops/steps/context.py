"""The run as a step sees it: environment variables the worker sets, and how a step reports."""

from __future__ import annotations

import os
from pathlib import Path


class StepError(Exception):
    """A step failure with a message for the log; the step exits 1."""


def env(name: str, default: str | None = None) -> str:
    value = os.environ.get(name, default)
    if value is None or value == "":
        raise StepError(f"{name} is not set: run this step through the worker, or export it")
    return value


def workdir() -> Path:
    return Path(os.environ.get("ODOOOPS_WORKDIR") or os.getcwd())


def source_dir() -> Path:
    return Path(os.environ.get("ODOOOPS_SOURCE_DIR") or workdir() / "src")


def artifacts_dir() -> Path:
    d = Path(os.environ.get("ODOOOPS_ARTIFACTS_DIR") or workdir() / "artifacts")
    d.mkdir(parents=True, exist_ok=True)
    return d


def say(msg: str) -> None:
    print(msg, flush=True)


def require_source() -> Path:
    src = source_dir()
    if not src.is_dir():
        raise StepError(f"no source in {src}: run the checkout step first")
    return src
