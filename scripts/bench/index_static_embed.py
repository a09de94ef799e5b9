"""Fast fallback for the index benchmark's vector set: *static* MiniLM embeddings of the same real texts.

The contextual run (index_corpus.py) needs ~110k forward passes of all-MiniLM-L6-v2; on the shared 2-core
benchmark box it ran at ~20 texts/s, far too slow. This script embeds the same texts (texts.txt written by
index_corpus.py: Debian package descriptions + venv docstrings) as the mean of all-MiniLM-L6-v2's input token
embeddings (WordPiece via the model's tokenizer.json, [CLS]/[SEP] excluded), L2-normalized — a real, text-derived
384-d embedding (the "static embedding" family), computed in seconds. Output: static_base.npy, static_queries.npy.

    .venv-peers/bin/python scripts/bench/index_static_embed.py
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "python"))
import peers  # noqa: E402


def main() -> None:
    home = peers.embedkit_home() / "bench"
    parser = argparse.ArgumentParser()
    parser.add_argument("--texts", type=Path, default=home / "texts.txt")
    parser.add_argument("--queries", type=int, default=1000, help="last N texts are the held-out queries")
    parser.add_argument("--out", type=Path, default=home)
    args = parser.parse_args()
    peers.offline()
    from safetensors.numpy import load_file
    from tokenizers import Tokenizer

    folder = peers.asset_folder("all-MiniLM-L6-v2")
    table = load_file(str(folder / "model.safetensors"))
    key = next(k for k in table if k.endswith("word_embeddings.weight"))
    words = table[key].astype(np.float32)
    tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
    tokenizer.no_padding()
    tokenizer.no_truncation()
    texts = args.texts.read_text().split("\n")
    texts = [t for t in texts if t]
    encodings = tokenizer.encode_batch(texts, add_special_tokens=False)
    emb = np.zeros((len(texts), words.shape[1]), dtype=np.float32)
    for i, e in enumerate(encodings):
        ids = e.ids[:256]
        if ids:
            emb[i] = words[ids].mean(axis=0)
    emb /= np.maximum(np.linalg.norm(emb, axis=1, keepdims=True), 1e-12)
    n = len(texts) - args.queries
    np.save(args.out / "static_base.npy", np.ascontiguousarray(emb[:n]))
    np.save(args.out / "static_queries.npy", np.ascontiguousarray(emb[n:]))
    print(f"{n} base + {args.queries} queries, dim {emb.shape[1]} -> {args.out}")


if __name__ == "__main__":
    main()
