"""Paired A/B of `embedkit tokens bench` binaries on document sets only (no files): every round runs each
binary once per encoding and document set, in a shuffled order, and keeps its best-of-3 thread-CPU time for
the cold pass (caches emptied first) and the warm pass after it. The table gives the median MB/s over rounds
and, in brackets, the median over rounds of the per-round ratio to the first binary. About three times
faster per round than scripts/bench/tokens_paired.py, whose file workloads it leaves out, so more rounds fit
in the same minutes (per-round ratios of one binary move by ±5-10 % on this shared host).

    python3 scripts/bench/tokens_docs_paired.py ROUNDS ENCODINGS DOCSETS base=/tmp/ek-base new=/tmp/ek-new
    python3 scripts/bench/tokens_docs_paired.py 12 cl100k_base,o200k_base \
        /tmp/spread-debian.jsonl,~/.cache/embedkit/corpus/bench-docs-spread.jsonl base=… new=…

DOCSETS are JSONL files of strings (comma-separated): bench-docs-spread.jsonl is the acceptance line's short
docs, bench-docs.jsonl the one-line docs, /tmp/spread-<group>.jsonl one group of the short docs (see
docs/performance-history.md, Eighth session → doc8, for the snippet that writes them).
"""
import json
import os
import random
import subprocess
import sys

from paired_stats import paired_cells

rounds = int(sys.argv[1])
encodings = sys.argv[2].split(",")
docsets = [os.path.expanduser(d) for d in sys.argv[3].split(",")]
binaries = [a.split("=", 1) for a in sys.argv[4:]]
results: dict = {}
random.seed(2)
for _ in range(rounds):
    for encoding in encodings:
        for docs in docsets:
            order = binaries[:]
            random.shuffle(order)
            for name, path in order:
                command = [path, "tokens", "bench", "--json", "--encoding", encoding, "--repeat", "3", "--threads", "1",
                           "--docs", docs]
                run = json.loads(subprocess.run(command, capture_output=True, check=True).stdout)
                mb = run["docsBytes"] / 1e6
                results.setdefault((encoding, docs, name), []).append(
                    (mb / min(run["docsCPUSeconds"]), mb / min(run["docsWarmCPUSeconds"])))
print(f"thread-CPU MB/s, best of 3 per run, median of {rounds} rounds [median per-round ratio to {binaries[0][0]}]")
for encoding in encodings:
    for docs in docsets:
        reference = results[(encoding, docs, binaries[0][0])]
        for name, _ in binaries:
            cold, warm = paired_cells(results[(encoding, docs, name)], reference, 2, "6.1f")
            cells = [f"cold {cold}", f"warm {warm}"]
            print(f"{encoding:12s} {os.path.basename(docs):26s} {name:8s} " + "  ".join(cells))
