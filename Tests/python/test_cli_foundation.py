"""The foundation's promises checked through the real `embedkit` binary (issue «Foundation»):
`doctor --json` is valid JSON with every field, `assets verify` names a corrupted file and fails,
and `assets fetch` repairs it (offline, from the cached r50k vocabulary p50k is derived from).

Run by scripts/test-python with the peers venv; EMBEDKIT_BIN points at the built binary.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = os.environ.get("EMBEDKIT_BIN", str(ROOT / ".build" / "release" / "embedkit"))


def real_home() -> Path:
    if os.environ.get("EMBEDKIT_HOME"):
        return Path(os.environ["EMBEDKIT_HOME"])
    return Path.home() / ".cache" / "embedkit"


def run(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([BIN, *args], capture_output=True, text=True, env={**os.environ, **(env or {})})


def test_doctor_json_has_every_field():
    result = run("doctor", "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    for key in ("embedkitVersion", "swiftVersion", "platform", "blas", "sqlite", "cacheDirectory", "assets", "healthy"):
        assert key in report, key
    assert report["blas"]["found"] and report["blas"]["sgemmCheck"]
    assert report["sqlite"]["fts5"] is True and report["sqlite"]["version"].startswith("3.")
    names = {asset["name"] for asset in report["assets"]}
    assert {"cl100k_base", "o200k_base", "r50k_base", "p50k_base", "all-MiniLM-L6-v2"} <= names
    assert all(asset["verified"] for asset in report["assets"])
    assert report["healthy"] is True


def test_verify_names_a_corrupted_file_and_fetch_repairs_it(tmp_path):
    home = tmp_path / "home"
    shutil.copytree(real_home() / "tiktoken", home / "tiktoken")
    env = {"EMBEDKIT_HOME": str(home), "EMBEDKIT_OFFLINE": "1"}
    assert run("assets", "verify", "r50k_base", "p50k_base", env=env).returncode == 0

    target = home / "tiktoken" / "p50k_base.tiktoken"
    data = bytearray(target.read_bytes())
    data[12345] ^= 0x01
    target.write_bytes(bytes(data))

    broken = run("assets", "verify", "p50k_base", env=env)
    assert broken.returncode != 0
    assert "p50k_base.tiktoken" in broken.stderr and "corrupt" in broken.stderr

    repaired = run("assets", "fetch", "p50k_base", "--json", env=env)
    assert repaired.returncode == 0, repaired.stderr
    assert json.loads(repaired.stdout)[0]["verified"] is True
    assert run("assets", "verify", "p50k_base", env=env).returncode == 0


def test_unknown_asset_lists_the_known_ones():
    result = run("assets", "verify", "no-such-asset")
    assert result.returncode != 0
    assert "cl100k_base" in result.stderr and "all-MiniLM-L6-v2" in result.stderr
