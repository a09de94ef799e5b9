"""Paired A/B of the pre-tokenizer alone (`embedkit tokens bench`'s "pre-tokenize only" pass, scanCPUSeconds):
every round runs each binary once per encoding (shuffled order) on the given files and takes its best-of-REPEAT
thread-CPU scan time per file; the table gives the median MB/s over rounds and, in brackets, the median over
rounds of the per-round ratio to the first binary.

    python3 scripts/bench/scan_paired.py ROUNDS REPEAT cl100k_base,o200k_base base=/tmp/ek-base new=/tmp/ek-new [--files a.txt,b.txt]

Files default to the real file's parts in ~/.cache/embedkit/corpus (chinese, reviews, debian, python).
"""
import json
import os
import subprocess
import sys
from pathlib import Path

from paired_stats import print_table, shuffled_runs

corpus = Path(os.environ.get("EMBEDKIT_HOME", Path.home() / ".cache" / "embedkit")) / "corpus"
args = sys.argv[1:]
files = ["bench-part-chinese.txt", "bench-part-reviews.txt", "bench-part-debian.txt", "bench-part-python.txt"]
if "--files" in args:
    k = args.index("--files")
    files = args[k + 1].split(",")
    del args[k:k + 2]
rounds, repeat, encodings = int(args[0]), args[1], args[2].split(",")
binaries = [a.split("=", 1) for a in args[3:]]
paths = [f if os.path.isabs(f) else str(corpus / f) for f in files]
results: dict = {}
for encoding, name, command in shuffled_runs(rounds, encodings, binaries):
    command += ["--repeat", repeat]
    for p in paths:
        command += ["--file", p]
    run = json.loads(subprocess.run(command, capture_output=True, check=True).stdout)
    row = [f["bytes"] / 1e6 / min(f["scanCPUSeconds"]) for f in run["files"]]
    row += [f["bytes"] / 1e6 / min(f["cpuSeconds"]) for f in run["files"]]
    results.setdefault((encoding, name), []).append(row)
columns = [f"scan {Path(f).stem.replace('bench-part-', '')}" for f in files]
columns += [f"cold {Path(f).stem.replace('bench-part-', '')}" for f in files]
print(f"thread-CPU MB/s, best of {repeat} per run, median of {rounds} rounds [median per-round ratio to {binaries[0][0]}]")
print_table(results, encodings, binaries, columns, width=17)
