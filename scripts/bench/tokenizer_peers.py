"""Every exact BPE encoder we could install from PyPI, side by side with tiktoken on one thread (wall clock,
interleaved rounds, medians), on the bench files that `scripts/bench-tokenizers` writes (run it once first).
Each peer's ids are checked against tiktoken on every workload before it is timed; a peer that fails or differs
is reported and left out of that workload. Peers that are not installed are skipped.

    python scripts/bench/tokenizer_peers.py [ROUNDS] [ENCODINGS]

Peers: quicktok-v1 0.4.0 (C++, backtracking BPE) through its per-text `encode_ordinary` (a Python list, like
tiktoken) and through `encode_batch(texts, threads=1)` (one call, ids in a uint32 array: its near-native speed);
bpe-openai 0.1.4 (Python binding of GitHub's bpe-openai Rust crate; refuses texts over its length limit);
rs-bpe 0.1.0 (Rust). In a scratch venv:

    python3 -m venv /tmp/pv2 && /tmp/pv2/bin/pip install tiktoken==0.14.0 quicktok-v1==0.4.0 bpe-openai==0.1.4 rs-bpe==0.1.0
"""
import json, statistics, sys, time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "python"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import peers, tokenizers_corpus  # noqa: E402

rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 5
encodings = sys.argv[2].split(",") if len(sys.argv) > 2 else ["cl100k_base", "o200k_base"]
folder = tokenizers_corpus.corpus_path().parent
workloads = {"real file": [(folder / "bench-real.txt").read_text()],
             "short docs": [json.loads(line) for line in (folder / "bench-docs-spread.jsonl").open()]}


def per_text(encode):
    """A workload as one call per text, as tiktoken's `encode_ordinary` is used (timed), and how to read every id
    of its result in order (for the check, untimed)."""
    return (lambda texts: [encode(t) for t in texts]), (lambda result: [i for ids in result for i in ids])


def peer_encoders(name):
    out = {}
    try:
        import quicktok
        q = quicktok.get_encoding(name)
        out["quicktok"] = per_text(q.encode_ordinary)
        out["quicktok, one batch call, 1 thread"] = ((lambda texts: q.encode_batch(texts, threads=1)),
                                                     (lambda result: result[0].tolist()))
    except Exception:
        pass
    try:
        import bpe_openai
        out["bpe-openai"] = per_text(bpe_openai.get_encoding(name).encode_ordinary)
    except Exception:
        pass
    try:
        import rs_bpe
        out["rs-bpe"] = per_text(getattr(rs_bpe.openai, name)().encode)
    except Exception:
        pass
    return out


for name in encodings:
    tiktoken, tiktoken_ids = per_text(peers.tiktoken_encoding(name).encode_ordinary)
    expected = {k: tiktoken_ids(tiktoken(texts)) for k, texts in workloads.items()}
    timed = {("tiktoken", k): tiktoken for k in workloads}
    for peer, (encode, ids) in peer_encoders(name).items():
        for k, texts in workloads.items():
            try:
                same = ids(encode(texts)) == expected[k]
            except Exception as error:
                print(f"{name}: {peer} fails on {k} ({error}); left out", flush=True)
                continue
            if not same:
                print(f"{name}: {peer} differs from tiktoken on {k}; left out", flush=True)
                continue
            timed[(peer, k)] = encode
    seconds = {key: [] for key in timed}
    for _ in range(rounds):
        for (peer, k), encode in timed.items():
            start = time.perf_counter(); encode(workloads[k]); seconds[(peer, k)].append(time.perf_counter() - start)
    for k, texts in workloads.items():
        size = sum(len(t.encode()) for t in texts) / 1e6
        base = statistics.median(seconds[("tiktoken", k)])
        cells = "; ".join(f"{peer} {size / statistics.median(s):.1f} MB/s ({base / statistics.median(s):.2f}×)"
                          for (peer, kk), s in seconds.items() if kk == k)
        print(f"{name} | {k} | {cells}", flush=True)
