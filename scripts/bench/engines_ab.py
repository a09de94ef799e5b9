"""EmbedKit's linear-layer engines against each other only (no Python peers, so more repeats fit): the same
workloads as scripts/bench/models.py, `embedkit embed --threads 2 --timing` with each engine forced
(EMBEDKIT_GEMM=NAME; amx-int8 = --int8), interleaved `--repeats` times; medians and ratios vs OpenBLAS.

    swift build -c release --product embedkit
    .venv-peers/bin/python scripts/bench/engines_ab.py [--repeats 5] [--long-count 300] [--short-count 1000]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "python"))
import models  # noqa: E402
import peers  # noqa: E402

ENGINES = ["openblas", "amx-bf16x6", "amx-bf16x3", "amx-int8"]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--embedkit", default=str(models.ROOT / ".build/release/embedkit"))
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--long-count", type=int, default=300)
    ap.add_argument("--short-count", type=int, default=1000)
    args = ap.parse_args()
    peers.offline()
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(peers.asset_folder("all-MiniLM-L6-v2") / "tokenizer.json"))
    tok.enable_truncation(256)
    tok.no_padding()
    with tempfile.TemporaryDirectory() as tmp:
        for name, texts in models.workloads(tok).items():
            texts = texts[:args.long_count if name.startswith("long") else args.short_count]
            runs = {e: [] for e in ENGINES}
            for _ in range(args.repeats):
                for e in ENGINES:
                    runs[e].append(models.run_embedkit(args.embedkit, texts, Path(tmp), gemm=e)[0])
            base = statistics.median(runs["openblas"])
            print(f"{name}, {len(texts)} texts")
            for e in ENGINES:
                m = statistics.median(runs[e])
                print(f"  {e:11s} median {m:7.1f} texts/s  {m / base:.2f}× OpenBLAS   runs {runs[e]}")


if __name__ == "__main__":
    main()
