"""Builds the cold-miss micro-benchmark inputs and prints the merge statistics behind docs/performance-history.md (sixth session, cold6).

From the bench corpus (the 20,000 short docs, the real file and the mixed file) it collects, per encoding, the
distinct pieces of 3–16 bytes of the form " word" (lower-case letters after one space), in order of first
appearance, and writes two texts whose pre-tokenization gives back exactly those pieces, once each:
- `merge-<encoding>.txt`: only the pieces that are not one token (every piece is a piece-cache miss AND a merge);
- `distinct-<encoding>.txt`: all of them (the cold-miss mix: whole-token probes and merges).
Encoding one of them cold (`embedkit tokens bench --file …`) then measures the cost of a piece seen for the first
time, with no per-call overhead and no hits; the warm line of the same run is the scan-and-hit floor.

It also prints, for the short docs, the distinct non-token pieces by length with their merge steps and the number
of their substrings (3 bytes or more) that are tokens, and the share of the merge's pair probes whose two ids are
both below T (what a "hot pair" table restricted to low ids would answer).

    .venv-peers/bin/python scripts/bench/cold_miss_pieces.py OUT_DIR [cl100k_base,o200k_base]
"""
import collections
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "python"))
import peers  # noqa: E402
import regex  # noqa: E402

corpus = peers.embedkit_home() / "corpus"
out = Path(sys.argv[1])
out.mkdir(parents=True, exist_ok=True)
names = sys.argv[2].split(",") if len(sys.argv) > 2 else ["cl100k_base", "o200k_base"]
docs = [json.loads(line) for line in open(corpus / "bench-docs.jsonl", encoding="utf-8")]
texts = docs + [(corpus / f).read_text(encoding="utf-8") for f in ("bench-real.txt", "bench-mixed.txt")]
word = regex.compile(r" [a-z]+")


def merge_probes(piece: bytes, ranks: dict, by_id: dict):
    """tiktoken's merge on ids; returns (steps, the (a, b) id pairs asked after each merge)."""
    parts = [ranks[bytes([c])] for c in piece]
    steps, probes = 0, []
    while True:
        best = None
        for k in range(len(parts) - 1):
            r = ranks.get(by_id[parts[k]] + by_id[parts[k + 1]])
            if r is not None and (best is None or r < best[0]):
                best = (r, k)
        if best is None:
            return steps, probes
        r, k = best
        parts[k:k + 2] = [r]
        steps += 1
        if k + 1 < len(parts):
            probes.append((parts[k], parts[k + 1]))
        if k > 0:
            probes.append((parts[k - 1], parts[k]))


for name in names:
    enc = peers.tiktoken_encoding(name)
    ranks = enc._mergeable_ranks
    by_id = {v: k for k, v in ranks.items()}
    pattern = regex.compile(enc._pat_str)
    seen, merge, distinct = set(), [], []
    for t in texts:
        for m in pattern.findall(t):
            b = m.encode()
            if 3 <= len(b) <= 16 and word.fullmatch(m) and b not in seen:
                seen.add(b)
                distinct.append(m)
                if b not in ranks:
                    merge.append(m)
    for label, pieces in (("merge", merge), ("distinct", distinct)):
        text = "".join(pieces)
        assert pattern.findall(text) == pieces, "pieces must pre-tokenize back to themselves"
        (out / f"{label}-{name}.txt").write_text(text, encoding="utf-8")
    print(f"{name}: {len(merge)} merge pieces, {len(distinct)} distinct pieces written to {out}")

    # Statistics over the short docs.
    doc_pieces = {m.encode() for t in docs for m in pattern.findall(t)}
    missing = [b for b in doc_pieces if 3 <= len(b) <= 16 and b not in ranks]
    by_length = collections.defaultdict(lambda: [0, 0, 0])
    probes = []
    for b in missing:
        steps, asked = merge_probes(b, ranks, by_id)
        probes += asked
        n = len(b)
        subs = sum(1 for i in range(n) for j in range(i + 3, n) if b[i:j] in ranks)
        row = by_length[n]
        row[0] += 1
        row[1] += steps
        row[2] += subs
    print(f"  short docs: {len(missing)} distinct non-token pieces of 3–16 bytes, "
          f"{sum(r[1] for r in by_length.values())} merge steps, {len(probes)} pair probes")
    print("  bytes  pieces  steps/piece  token substrings/piece")
    for n in sorted(by_length):
        c, s, t = by_length[n]
        print(f"  {n:5d}  {c:6d}  {s / c:11.2f}  {t / c:22.2f}")
    for limit in (384, 512, 1024, 4096):
        share = sum(1 for a, b in probes if max(a, b) < limit) / max(1, len(probes))
        print(f"  pair probes with both ids < {limit}: {share:.2f}")
