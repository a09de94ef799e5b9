"""Builds the real-text vector set for the index benchmark and caches it as .npy.

Texts: Debian package descriptions (apt lists on this machine, split into paragraphs) plus docstrings of the
Python modules in the peers venv. Embedded with sentence-transformers all-MiniLM-L6-v2 (384-d, normalized), texts truncated to --max-seq tokens.
Output (default ~/.cache/embedkit/bench/): minilm_base.npy [n,384], minilm_queries.npy [1000,384] (held-out
texts, never in base), texts.txt (one text per line, base then queries).

    .venv-peers/bin/python scripts/bench/index_corpus.py --count 110000
"""
from __future__ import annotations

import argparse
import ast
import glob
import random
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "python"))
import peers  # noqa: E402


def unique_texts(texts: list[str]) -> list[str]:
    """Stripped texts of ≥ 12 characters, capped at 600 (the model truncates at 256 tokens anyway), first
    occurrence kept, in order."""
    seen: set[str] = set()
    unique: list[str] = []
    for t in texts:
        t = t.strip()[:600]
        if len(t) >= 12 and t not in seen:
            seen.add(t)
            unique.append(t)
    return unique

def debian_paragraphs() -> list[str]:
    out: list[str] = []
    for path in sorted(glob.glob("/var/lib/apt/lists/*_Packages*")):
        if path.endswith(".lz4"):
            raw = subprocess.run(["lz4cat", path], check=True, capture_output=True).stdout.decode("utf-8", "replace")
        else:
            raw = Path(path).read_text(errors="replace")
        for stanza in raw.split("\n\n"):
            desc: list[str] = []
            in_desc = False
            for line in stanza.split("\n"):
                if line.startswith("Description:"):
                    in_desc = True
                    desc.append(line[len("Description:"):].strip())
                elif in_desc and line.startswith(" "):
                    desc.append(line[1:])
                elif in_desc:
                    break
            if not desc:
                continue
            summary, body = desc[0], desc[1:]
            out.append(summary)
            para: list[str] = []
            for line in body + ["."]:
                if line.strip() == ".":
                    if para:
                        out.append(" ".join(s.strip() for s in para))
                    para = []
                else:
                    para.append(line)
    return out


def python_docstrings(root: Path) -> list[str]:
    out: list[str] = []
    for path in sorted(root.rglob("*.py")):
        try:
            tree = ast.parse(path.read_text(errors="replace"))
        except (SyntaxError, ValueError, RecursionError):
            continue
        for node in ast.walk(tree):
            if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
                doc = ast.get_docstring(node)
                if doc:
                    for para in doc.split("\n\n"):
                        text = " ".join(para.split())
                        if len(text) >= 20:
                            out.append(text)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=110_000, help="base vectors")
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--out", type=Path, default=peers.embedkit_home() / "bench")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--max-seq", type=int, default=16, help="tokens per text (speed on a shared 2-core box)")
    args = parser.parse_args()
    peers.offline()
    args.out.mkdir(parents=True, exist_ok=True)

    texts = debian_paragraphs()
    print(f"debian paragraphs: {len(texts)}", flush=True)
    venv = Path(sys.prefix) / "lib"
    texts += python_docstrings(venv)
    unique = unique_texts(texts)
    print(f"unique texts: {len(unique)}", flush=True)
    rng = random.Random(args.seed)
    rng.shuffle(unique)
    need = args.count + args.queries
    if len(unique) < need:
        raise SystemExit(f"only {len(unique)} texts, need {need}")
    chosen = unique[:need]
    (args.out / "texts.txt").write_text("\n".join(t.replace("\n", " ") for t in chosen) + "\n")

    import numpy as np
    import torch
    from sentence_transformers import SentenceTransformer

    torch.set_num_threads(2)
    model = SentenceTransformer(str(peers.asset_folder("all-MiniLM-L6-v2")), device="cpu")
    model.max_seq_length = args.max_seq
    start = time.time()
    # Sort by length so batches pad little; restore order afterwards.
    order = sorted(range(need), key=lambda i: len(chosen[i]))
    emb = np.zeros((need, 384), dtype=np.float32)
    step = 4096
    partial = args.out / "partial.npy"
    done = 0
    if partial.exists():
        saved = np.load(partial)
        if saved.shape == emb.shape:
            emb = saved
            done = int((np.abs(emb).sum(axis=1) > 0).sum()) // step * step
            print(f"resuming at {done}", flush=True)
    for s in range(done, need, step):
        idx = order[s:s + step]
        emb[idx] = model.encode([chosen[i] for i in idx], batch_size=128, normalize_embeddings=True,
                                convert_to_numpy=True)
        print(f"{s + len(idx)}/{need} {time.time() - start:.0f}s", flush=True)
        np.save(partial, emb)
    np.save(args.out / "minilm_base.npy", np.ascontiguousarray(emb[:args.count]))
    np.save(args.out / "minilm_queries.npy", np.ascontiguousarray(emb[args.count:]))
    print(f"done in {time.time() - start:.0f}s -> {args.out}", flush=True)


if __name__ == "__main__":
    main()
