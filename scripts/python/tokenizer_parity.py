"""Compares a Hugging Face tokenizer with `embedkit models tokenize` on a list of texts (used by the WordPiece and
Unigram corpus checks)."""
from __future__ import annotations

import json
import subprocess
import tempfile
import time
from pathlib import Path


def compare_ids(name: str, texts: list[str], tok, embedkit: str, tokenizer_json: Path, max_length: int) -> int:
    """Ids of HF `tok` vs `embedkit models tokenize` on `texts`, plain and framed (truncated to `max_length`);
    prints one line per mode and the first mismatches, returns the number of mismatching texts."""
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False, encoding="utf-8") as f:
        for t in texts:
            f.write(json.dumps(t) + "\n")
    failures = 0
    for framed in (False, True):
        t0 = time.perf_counter()
        expected = [e.ids for e in tok.encode_batch(texts, add_special_tokens=framed)]
        if framed:
            expected = [ids if len(ids) <= max_length else ids[:max_length - 1] + [ids[-1]] for ids in expected]
        hf = time.perf_counter() - t0
        cmd = [embedkit, "models", "tokenize", "--tokenizer", str(tokenizer_json), "--jsonl", f.name]
        if framed:
            cmd += ["--framed", "--max-length", str(max_length)]
        t0 = time.perf_counter()
        out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout.splitlines()
        ours_s = time.perf_counter() - t0
        got = [json.loads(line) for line in out]
        bad = [i for i, (a, b) in enumerate(zip(expected, got)) if a != b]
        if len(got) != len(expected):
            bad.append(-1)
        failures += len(bad)
        tokens = sum(len(e) for e in expected)
        size = sum(len(t.encode()) for t in texts)
        print(f"{name:18s} framed={framed!s:5s} texts={len(texts):7d} bytes={size / 1e6:7.2f}M tokens={tokens:9d} "
              f"mismatches={len(bad)}  (HF {hf:.2f}s, embedkit process {ours_s:.2f}s)", flush=True)
        for i in bad[:5]:
            if i >= 0:
                print("   text:", repr(texts[i][:200]))
                print("   hf:  ", expected[i][:40])
                print("   ours:", got[i][:40])
    Path(f.name).unlink()
    return failures
