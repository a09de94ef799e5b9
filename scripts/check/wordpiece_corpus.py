"""Checks EmbedKit's WordPiece ids against HF `tokenizers` with all-MiniLM-L6-v2's tokenizer.json on a large
real corpus: the seed reviews, Debian package descriptions, Chinese poems (fortunes-zh), and synthetic text
(emoji/ZWJ, accents, controls, long words, random scalars from every plane).

    swift build -c release --product embedkit
    .venv-peers/bin/python scripts/check/wordpiece_corpus.py [--embedkit .build/release/embedkit]

Compares both `encode(text, add_special_tokens=False)` and framed ids truncated to 256; exits 1 on any mismatch.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "python"))
import model_corpus  # noqa: E402
import peers  # noqa: E402
from tokenizer_parity import compare_ids  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--embedkit", default=str(Path(__file__).resolve().parents[2] / ".build/release/embedkit"))
    ap.add_argument("--random-strings", type=int, default=20000)
    args = ap.parse_args()
    peers.offline()
    from tokenizers import Tokenizer

    path = peers.asset_folder("all-MiniLM-L6-v2") / "tokenizer.json"
    tok = Tokenizer.from_file(str(path))
    tok.no_truncation()
    tok.no_padding()
    corpus = {
        "reviews": model_corpus.reviews(),
        "debian": model_corpus.debian_descriptions(limit=100000),
        "chinese": model_corpus.chinese(),
        "synthetic": model_corpus.synthetic(seed=1, random_strings=args.random_strings),
    }
    failures = 0
    for name, texts in corpus.items():
        failures += compare_ids(name, texts, tok, args.embedkit, path, max_length=256)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
