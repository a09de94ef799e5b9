"""1M-vector set for the index benchmark: ~1M real texts from this machine, *static* MiniLM embeddings.

Contextual all-MiniLM-L6-v2 embeddings of a million texts are out of reach on the shared 2-core box, so this set
is labelled **static MiniLM**: each text is the L2-normalized mean of all-MiniLM-L6-v2's input token embeddings
(WordPiece from the model's tokenizer.json, no [CLS]/[SEP], at most 256 tokens), as in index_static_embed.py.

Texts (deduplicated, 12–600 characters, shuffled with --seed):
- Debian package descriptions from the apt lists: summaries, paragraphs and their sentences;
- Python files of the peers venv: docstring paragraphs and sentences, and `#` comments;
- English man pages (/usr/share/man/man*/): text lines with roff requests stripped, joined into paragraphs.

Output: static1m_base.npy [--count, 384] float32, static1m_queries.npy [--queries, 384] (held out),
static1m_texts.txt (one text per line, base then queries).

    .venv-peers/bin/python scripts/bench/index_static_1m.py
"""
from __future__ import annotations

import argparse
import ast
import gzip
import random
import re
import sys
import time
from pathlib import Path

import numpy as np

from index_corpus import unique_texts  # same directory

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "python"))
import peers  # noqa: E402
from index_corpus import debian_paragraphs  # noqa: E402

SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")


def sentences(text: str) -> list[str]:
    parts = SENTENCE.split(text)
    return parts if len(parts) > 1 else []


def python_texts(root: Path) -> list[str]:
    out: list[str] = []
    for path in sorted(root.rglob("*.py")):
        try:
            source = path.read_text(errors="replace")
        except OSError:
            continue
        for line in source.split("\n"):
            s = line.strip()
            if s.startswith("#") and not s.startswith("#!"):
                comment = s.lstrip("#").strip()
                if len(comment) >= 20:
                    out.append(comment)
        try:
            tree = ast.parse(source)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            continue
        for node in ast.walk(tree):
            if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
                doc = ast.get_docstring(node)
                if not doc:
                    continue
                for para in doc.split("\n\n"):
                    text = " ".join(para.split())
                    if len(text) >= 20:
                        out.append(text)
                        out.extend(sentences(text))
    return out


ROFF_ESCAPE = re.compile(r"\\f[BIRP1-4]|\\f\(..|\\\(..|\\[&e|^%-]|\\s[+-]?\d")


def man_texts(root: Path) -> list[str]:
    out: list[str] = []
    for path in sorted(root.glob("man*/*.gz")):
        try:
            raw = gzip.decompress(path.read_bytes()).decode("utf-8", "replace")
        except (OSError, EOFError):
            continue
        para: list[str] = []
        for line in raw.split("\n") + [".PP"]:
            if line.startswith((".", "'")):
                if line[:3] in (".PP", ".SH", ".SS", ".TP", ".IP", ".LP", ".P", ".br", ".sp") or line.startswith(".P"):
                    if para:
                        text = " ".join(" ".join(para).split())
                        out.append(text)
                        out.extend(sentences(text))
                    para = []
                continue
            line = ROFF_ESCAPE.sub("", line).replace("\\-", "-").replace("\\", "")
            if line.strip():
                para.append(line)
    return out


def main() -> None:
    home = peers.embedkit_home() / "bench"
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=1_000_000, help="base vectors")
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--out", type=Path, default=home)
    args = parser.parse_args()
    peers.offline()
    start = time.time()
    texts: list[str] = []
    for para in debian_paragraphs():
        texts.append(para)
        texts.extend(sentences(para))
    print(f"debian: {len(texts)}", flush=True)
    texts += python_texts(Path(sys.prefix) / "lib")
    print(f"+ python: {len(texts)}", flush=True)
    texts += man_texts(Path("/usr/share/man"))
    print(f"+ man: {len(texts)}", flush=True)
    unique = unique_texts(texts)
    print(f"unique texts: {len(unique)} ({time.time() - start:.0f}s)", flush=True)
    need = args.count + args.queries
    if len(unique) < need:
        raise SystemExit(f"only {len(unique)} texts, need {need}")
    random.Random(args.seed).shuffle(unique)
    chosen = unique[:need]
    (args.out / "static1m_texts.txt").write_text("\n".join(chosen) + "\n")

    from safetensors.numpy import load_file
    from tokenizers import Tokenizer

    folder = peers.asset_folder("all-MiniLM-L6-v2")
    table = load_file(str(folder / "model.safetensors"))
    words = table[next(k for k in table if k.endswith("word_embeddings.weight"))].astype(np.float32)
    tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
    tokenizer.no_padding()
    tokenizer.no_truncation()
    emb = np.zeros((need, words.shape[1]), dtype=np.float32)
    step = 50_000
    for s in range(0, need, step):
        for i, e in enumerate(tokenizer.encode_batch(chosen[s:s + step], add_special_tokens=False)):
            ids = e.ids[:256]
            if ids:
                emb[s + i] = words[ids].mean(axis=0)
        print(f"embedded {min(s + step, need)}/{need} ({time.time() - start:.0f}s)", flush=True)
    emb /= np.maximum(np.linalg.norm(emb, axis=1, keepdims=True), 1e-12)
    np.save(args.out / "static1m_base.npy", np.ascontiguousarray(emb[:args.count]))
    np.save(args.out / "static1m_queries.npy", np.ascontiguousarray(emb[args.count:]))
    print(f"{args.count} base + {args.queries} queries -> {args.out} ({time.time() - start:.0f}s)", flush=True)


if __name__ == "__main__":
    main()
