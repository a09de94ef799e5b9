"""Paired A/B of `embedkit tokens bench` binaries on the cold workloads: every round runs each binary once (in a
shuffled order) and takes its best-of-REPEAT thread-CPU time per workload; the table gives the median MB/s over
rounds and, in brackets, the median over rounds of the per-round ratio to the first binary. Per-round ratios
cancel most of the minute-to-minute drift of a shared machine (docs/performance-history.md, sixth session, cold6).

    python3 scripts/bench/tokens_paired.py ROUNDS REPEAT cl100k_base,o200k_base base=/tmp/ek-base new=/tmp/ek-new
    python3 scripts/bench/tokens_paired.py --file merge-cl100k_base.txt ROUNDS REPEAT cl100k_base base=… new=…
    python3 scripts/bench/tokens_paired.py --docs bench-docs.jsonl ROUNDS REPEAT …   (the one-line docs)

With `--file`, only that text is encoded and the table gives ns per pre-tokenized piece, cold and warm (for the
texts of scripts/bench/cold_miss_pieces.py: the cost of a piece seen for the first time).

Workloads: the real file and its reviews / Debian / Chinese parts (cold and, for the real file, warm) and 20,000
documents (cold and warm): by default the short docs of the acceptance line (bench-docs-spread.jsonl), with
`--docs bench-docs.jsonl` the one-line docs; all from ~/.cache/embedkit/corpus (written by
scripts/bench-tokenizers).
"""
import json
import os
import subprocess
import sys
from pathlib import Path

from paired_stats import print_table, shuffled_runs

corpus = Path(os.environ.get("EMBEDKIT_HOME", Path.home() / ".cache" / "embedkit")) / "corpus"
single = None
docs = "bench-docs-spread.jsonl"
while sys.argv[1] in ("--file", "--docs"):
    if sys.argv[1] == "--file":
        single = sys.argv[2]
    else:
        docs = sys.argv[2]
    del sys.argv[1:3]
rounds, repeat = int(sys.argv[1]), sys.argv[2]
encodings = sys.argv[3].split(",")
binaries = [a.split("=", 1) for a in sys.argv[4:]]
files = ["bench-real.txt", "bench-part-reviews.txt", "bench-part-debian.txt", "bench-part-chinese.txt"]
columns = ["real", "reviews", "debian", "chinese", "docs", "real warm", "docs warm"]
results: dict = {}
for encoding, name, command in shuffled_runs(rounds, encodings, binaries):
    command += ["--repeat", repeat]
    if single:
        command += ["--file", single]
        run = json.loads(subprocess.run(command, capture_output=True, check=True).stdout)
        f = run["files"][0]
        row = [min(f["cpuSeconds"]) / f["pieces"] * 1e9, min(f["warmCPUSeconds"]) / f["pieces"] * 1e9]
        results.setdefault((encoding, name), []).append(row)
        continue
    command += ["--docs", str(corpus / docs)]
    for f in files:
        command += ["--file", str(corpus / f)]
    run = json.loads(subprocess.run(command, capture_output=True, check=True).stdout)
    docs_mb = run["docsBytes"] / 1e6
    row = [f["bytes"] / 1e6 / min(f["cpuSeconds"]) for f in run["files"]]
    row.append(docs_mb / min(run["docsCPUSeconds"]))
    row.append(run["files"][0]["bytes"] / 1e6 / min(run["files"][0]["warmCPUSeconds"]))
    row.append(docs_mb / min(run["docsWarmCPUSeconds"]))
    results.setdefault((encoding, name), []).append(row)
if single:
    columns = ["cold ns/piece", "warm ns/piece"]
unit = "ns per piece" if single else "MB/s"
print(f"thread-CPU {unit}, best of {repeat} per run, median of {rounds} rounds [median per-round ratio to {binaries[0][0]}]"
      + ("" if single else f"; docs = {docs}"))
print_table(results, encodings, binaries, columns)
