"""Checks EmbedKit's WordPiece ids against HF `tokenizers` with all-MiniLM-L6-v2's tokenizer.json on a large
real corpus: the seed reviews, Debian package descriptions, Chinese poems (fortunes-zh), and synthetic text
(emoji/ZWJ, accents, controls, long words, random scalars from every plane).

    swift build -c release --product embedkit
    /work/main/.venv-peers/bin/python scripts/check/wordpiece_corpus.py [--embedkit .build/release/embedkit]

Compares both `encode(text, add_special_tokens=False)` and framed ids truncated to 256; exits 1 on any mismatch.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "python"))
import model_corpus  # noqa: E402
import peers  # noqa: E402


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
        with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False, encoding="utf-8") as f:
            for t in texts:
                f.write(json.dumps(t) + "\n")
        for framed in (False, True):
            t0 = time.perf_counter()
            expected = [e.ids for e in tok.encode_batch(texts, add_special_tokens=framed)]
            if framed:
                expected = [ids if len(ids) <= 256 else ids[:255] + [ids[-1]] for ids in expected]
            hf = time.perf_counter() - t0
            cmd = [args.embedkit, "models", "tokenize", "--tokenizer", str(path), "--jsonl", f.name]
            if framed:
                cmd += ["--framed", "--max-length", "256"]
            t0 = time.perf_counter()
            out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout.splitlines()
            ours_s = time.perf_counter() - t0
            got = [json.loads(line) for line in out]
            bad = [i for i, (a, b) in enumerate(zip(expected, got)) if a != b]
            if len(got) != len(expected):
                bad.append(-1)
            failures += len(bad)
            tokens = sum(len(e) for e in expected)
            print(f"{name:10s} framed={framed!s:5s} texts={len(texts):6d} tokens={tokens:8d} mismatches={len(bad)}"
                  f"  (HF {hf:.2f}s, embedkit process {ours_s:.2f}s)")
            for i in bad[:5]:
                if i >= 0:
                    print("   text:", repr(texts[i][:200]))
                    print("   hf:  ", expected[i][:40])
                    print("   ours:", got[i][:40])
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
