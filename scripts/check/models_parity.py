"""Parity of `embedkit embed` with sentence-transformers on real texts.

Texts: the seed's 1,000 review summaries and 1,000 review texts, 300 Debian package descriptions longer than
256 tokens (truncation), 300 Chinese poems (fortunes-zh), empty strings and the synthetic hand-picked texts.

    swift build -c release --product embedkit
    .venv-peers/bin/python scripts/check/models_parity.py [--model all-MiniLM-L6-v2 | --model /path/to/hf-folder]
        [--gemm openblas|amx-bf16x6|amx-bf16x3] [--int8]

Prints min cosine and max |Δ|; exits 1 unless min cosine ≥ 0.99999 and max |Δ| ≤ 1e-4 — with --int8 (the
dynamically quantized AMX int8 linear layers, `embedkit embed --int8`) the bound is issue 4's int8 line instead:
min cosine ≥ 0.99 (mean cosine printed too).
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "python"))
import model_corpus  # noqa: E402
import peers  # noqa: E402


def corpus(tokenizer) -> list[str]:
    texts = model_corpus.reviews()
    long_debian = [t for t in model_corpus.debian_descriptions(limit=100000)
                   if len(tokenizer.encode(t, add_special_tokens=False)) > 256]
    texts += long_debian[:300]
    texts += model_corpus.chinese()[:300]
    texts += ["", "", " ", "\n"] + model_corpus.HANDPICKED
    return texts


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--embedkit", default=str(Path(__file__).resolve().parents[2] / ".build/release/embedkit"))
    ap.add_argument("--model", default="all-MiniLM-L6-v2")
    ap.add_argument("--gemm", choices=["amx", "openblas", "amx-bf16x6", "amx-bf16x3"],
                    help="force the linear-layer engine through EMBEDKIT_GEMM (default: what embedkit picks)")
    ap.add_argument("--int8", action="store_true", help="run `embedkit embed --int8`; bound: min cosine ≥ 0.99")
    args = ap.parse_args()
    peers.offline()
    from sentence_transformers import SentenceTransformer

    folder = peers.asset_folder(args.model) if "/" not in args.model else Path(args.model)
    st = SentenceTransformer(str(folder), device="cpu")
    texts = corpus(st.tokenizer)
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "texts.jsonl"
        src.write_text("".join(json.dumps(t) + "\n" for t in texts), encoding="utf-8")
        out = Path(tmp) / "ours.npy"
        env = dict(os.environ, **({"EMBEDKIT_GEMM": args.gemm} if args.gemm else {}))
        subprocess.run([args.embedkit, "embed", "--model", args.model, "--jsonl", "--output", str(out), str(src)]
                       + (["--int8"] if args.int8 else []),
                       check=True, env=env)
        ours = np.load(out)
    ref = st.encode(texts, batch_size=32, convert_to_numpy=True)
    lengths = [len(st.tokenizer.encode(t)) for t in texts]
    cos = (ours * ref).sum(1) / np.maximum(np.linalg.norm(ours, axis=1) * np.linalg.norm(ref, axis=1), 1e-30)
    delta = np.abs(ours - ref).max(1)
    print(f"model {args.model}: {len(texts)} texts ({sum(1 for n in lengths if n > st.max_seq_length)} over "
          f"{st.max_seq_length} tokens, {sum(1 for t in texts if t == '')} empty, dimension {ref.shape[1]})")
    print(f"min cosine {cos.min():.8f}   mean cosine {cos.mean():.8f}   max |Δ| {delta.max():.3e}   "
          f"mean |Δ| {np.abs(ours - ref).mean():.3e}")
    worst = int(np.argmin(cos))
    print(f"worst text #{worst} ({lengths[worst]} tokens): {texts[worst][:80]!r}")
    ok = cos.min() >= 0.99 if args.int8 else (cos.min() >= 0.99999 and delta.max() <= 1e-4)
    print("PASS" if ok else "FAIL")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
