"""Published addon wheels, fetched with pip and checked against pinned sha256 digests.

One helper for everything that reads real OCA addons as published: the
end-to-end tests of the build steps and ``odooops bench upgrade-scan``. pip does
the fetching (``pip download --no-deps --only-binary=:all: --require-hashes``),
so the registry is reached the ordinary way and a wheel whose bytes differ from
its pin is refused. Nothing is installed: the wheels are zip files whose
``odoo/addons/<name>/`` folder is the addon.
"""

from __future__ import annotations

import hashlib
import re
import subprocess
import sys
import zipfile
from collections.abc import Mapping
from pathlib import Path


class DownloadError(RuntimeError):
    """pip could not fetch the wheels (offline, an unknown version, a digest that differs)."""


def normalise(dist: str) -> str:
    """A distribution name as wheel file names spell it: odoo-addon-date-range -> odoo_addon_date_range."""
    return re.sub(r"[-_.]+", "_", dist).lower()


def wheel_key(path: Path) -> tuple[str, str]:
    """(normalised distribution, version) of a wheel file name."""
    name, version = path.name.split("-")[:2]
    return normalise(name), version


def sha256(path: Path) -> str:
    with path.open("rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def download(pins: Mapping[str, str], dest: Path, timeout: float = 600) -> dict[str, Path]:
    """Fetch every ``"dist==version"`` of ``pins`` (requirement -> sha256) into ``dest``; return
    requirement -> wheel file. Wheels already in ``dest`` with the pinned digest are kept.

    pip resolves each call as one environment, so two versions of one distribution go in
    separate calls: the n-th call asks for the n-th pinned version of each distribution.
    Raises :class:`DownloadError` with pip's last line when a call fails.
    """
    dest.mkdir(parents=True, exist_ok=True)
    wanted: dict[tuple[str, str], str] = {}
    for req in pins:
        dist, sep, version = req.partition("==")
        if not sep or not version:
            raise ValueError(f"not an exact pin: {req!r} (expected dist==version)")
        wanted[(normalise(dist), version)] = req

    def present() -> dict[tuple[str, str], Path]:
        return {wheel_key(w): w for w in dest.glob("*.whl")}

    have = present()
    missing = [req for key, req in wanted.items() if key not in have or sha256(have[key]) != pins[req]]
    rounds: list[list[str]] = []
    for req in missing:
        dist = normalise(req.partition("==")[0])
        for batch in rounds:
            if all(normalise(r.partition("==")[0]) != dist for r in batch):
                batch.append(req)
                break
        else:
            rounds.append([req])
    for n, batch in enumerate(rounds):
        reqs = dest / f".requirements-{n}.txt"
        reqs.write_text("".join(f"{req} --hash=sha256:{pins[req]}\n" for req in batch))
        cmd = [sys.executable, "-m", "pip", "download", "--quiet", "--disable-pip-version-check", "--no-deps",
               "--only-binary=:all:", "--ignore-requires-python", "--require-hashes", "-r", str(reqs),
               "-d", str(dest)]
        try:
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            raise DownloadError(f"pip download took longer than {timeout:.0f}s") from None
        finally:
            reqs.unlink(missing_ok=True)
        if done.returncode != 0:
            lines = [ln for ln in done.stderr.strip().splitlines() if "is ignored" not in ln]
            raise DownloadError((lines or [f"exit status {done.returncode}"])[-1])
    have = present()
    out = {}
    for key, req in wanted.items():
        if key not in have:
            raise DownloadError(f"pip reported success but left no wheel for {req}")
        out[req] = have[key]
    return out


def unpack_addons(wheel: Path, dest: Path) -> None:
    """Extract the ``odoo/addons/`` folder of an addon wheel under ``dest``."""
    with zipfile.ZipFile(wheel) as z:
        z.extractall(dest, [n for n in z.namelist() if n.startswith("odoo/addons/")])
