"""`embedkit dataset embed` driven from Python, read back with pandas (issue 5's acceptance lines).

Run by scripts/test-python with the peers venv; EMBEDKIT_BIN points at the built binary.
"""
from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = os.environ.get("EMBEDKIT_BIN", str(ROOT / ".build" / "release" / "embedkit"))
sys.path.insert(0, str(ROOT / "scripts" / "python"))


def seed_csv() -> Path:
    for base in [os.environ.get("EMBEDKIT_SHARED", "/nonexistent"), str(ROOT.parent / "shared"), "/work/shared"]:
        path = Path(base) / "data" / "fine_food_reviews_1k.csv"
        if path.exists():
            return path
    pytest.fail("fine_food_reviews_1k.csv not found (set EMBEDKIT_SHARED)")


def embedkit(*args: str) -> dict:
    result = subprocess.run([BIN, *args, "--json"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def expected_rows() -> pd.DataFrame:
    return pd.read_csv(ROOT / "Tests" / "Fixtures" / "dataset" / "cookbook_reviews_expected.csv")


def test_dry_run_counts_match_tiktoken():
    summary = embedkit("dataset", "embed", str(seed_csv()), "--preset", "cookbook-reviews", "--dry-run")
    counts = summary["counts"]
    assert counts["kept"] == 1000
    assert counts["tokensTotal"] == 95_895 == int(expected_rows().n_tokens.sum())
    assert (counts["tokensMin"], counts["tokensMedian"], counts["tokensMax"]) == (28, 71, 645)
    costs = {c["model"]: c["usd"] for c in summary["costs"]}
    assert costs["text-embedding-3-small"] == pytest.approx(95_895 * 0.02 / 1e6)


def test_pandas_reads_the_preset_output(tmp_path):
    out = tmp_path / "reviews_embedded.csv"
    started = time.perf_counter()
    summary = embedkit("dataset", "embed", str(seed_csv()), "--output", str(out), "--preset", "cookbook-reviews")
    job_seconds = time.perf_counter() - started
    assert summary["counts"]["kept"] == 1000
    df = pd.read_csv(out, index_col=0)
    assert list(df.columns) == ["ProductId", "UserId", "Score", "Summary", "Text", "combined", "n_tokens", "embedding"]
    expected = expected_rows()
    assert list(df.index) == list(expected["index"])
    assert list(df.n_tokens) == list(expected.n_tokens)
    assert df.n_tokens.iloc[0] == 52 and df.n_tokens.iloc[297] == 178
    vectors = np.array(df.embedding.apply(json.loads).tolist())
    assert vectors.shape == (1000, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    literal = np.array(df.embedding.head(20).apply(ast.literal_eval).tolist())
    assert np.array_equal(literal, vectors[:20])

    # The same texts through `embedkit embed` give the same vectors (batching may differ, so allow float noise).
    texts = tmp_path / "combined.jsonl"
    texts.write_text("".join(json.dumps(t) + "\n" for t in df.combined))
    started = time.perf_counter()
    subprocess.run([BIN, "embed", "--jsonl", str(texts), "--output", str(tmp_path / "alone.npy")], check=True)
    alone_seconds = time.perf_counter() - started
    print(f"dataset embed {job_seconds:.2f} s, embed alone {alone_seconds:.2f} s, ratio {job_seconds / alone_seconds:.3f}")
    alone = np.load(tmp_path / "alone.npy")
    assert alone.shape == (1000, 384)
    difference = np.abs(alone.astype(np.float64) - vectors.astype(np.float32).astype(np.float64)).max()
    print(f"max |dataset - embed| = {difference:.3g}")
    assert difference < 1e-5


def test_csv_floats_read_back_exactly_as_the_npy_float32(tmp_path):
    common = ["--preset", "cookbook-reviews", "--keep-last", "48", "--batch-size", "16"]
    embedkit("dataset", "embed", str(seed_csv()), "--output", str(tmp_path / "small.csv"), *common)
    embedkit("dataset", "embed", str(seed_csv()), "--output", str(tmp_path / "small.npy"), *common)
    from_csv = np.array(pd.read_csv(tmp_path / "small.csv", index_col=0).embedding.apply(json.loads).tolist(),
                        dtype=np.float32)
    from_npy = np.load(tmp_path / "small.npy")
    assert from_npy.dtype == np.float32 and from_npy.shape == (48, 384)
    assert np.array_equal(from_csv, from_npy)
    ids = (tmp_path / "small.ids.txt").read_text().split()
    assert ids == [str(i) for i in expected_rows()["index"].tail(48)]


def test_jsonl_output_matches_csv(tmp_path):
    common = ["--preset", "cookbook-reviews", "--keep-last", "16"]
    embedkit("dataset", "embed", str(seed_csv()), "--output", str(tmp_path / "a.csv"), *common)
    embedkit("dataset", "embed", str(seed_csv()), "--output", str(tmp_path / "a.jsonl"), *common)
    csv_df = pd.read_csv(tmp_path / "a.csv", index_col=0)
    json_df = pd.read_json(tmp_path / "a.jsonl", lines=True).set_index("index")
    assert list(json_df.Score) == list(csv_df.Score)
    assert list(json_df.combined) == list(csv_df.combined)
    # pandas' read_json parses floats imprecisely by default; compare vectors through the json module.
    records = [json.loads(line) for line in (tmp_path / "a.jsonl").read_text().splitlines()]
    assert [r["embedding"] for r in records] == [json.loads(v) for v in csv_df.embedding]
    assert [r["n_tokens"] for r in records] == list(csv_df.n_tokens)


def test_missing_column_names_it_and_lists_the_header(tmp_path):
    result = subprocess.run([BIN, "dataset", "embed", str(seed_csv()), "--dry-run", "--columns", "Time,Nope",
                             "--template", "{Nope}"], capture_output=True, text=True)
    assert result.returncode != 0
    assert "Nope" in result.stderr and "ProductId, UserId, Score, Summary, Text" in result.stderr


def test_five_sigkills_then_resume_is_byte_identical():
    env = dict(os.environ, EMBEDKIT_BIN=BIN,
               DATASET_ARGS="--preset cookbook-reviews --keep-last 400 --batch-size 16")
    result = subprocess.run(["bash", str(ROOT / "scripts" / "checks" / "dataset-resume.sh"), "11"],
                            capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "byte-identical" in result.stdout
