"""Paired A/B of the 2-thread batch of `embedkit tokens bench` binaries: every round runs each binary once per
encoding and document set (shuffled order), one process each as scripts/bench-tokenizers does; a process times
REPEAT repetitions of (cold 1-thread loop, cold 2-thread batch[, cold 1-thread batch]). Per process: the median
over repetitions of loop / batch (wall; the acceptance figure), of 1-thread batch / 2-thread batch (the call's
own parallel speedup; binaries that report `batch1Seconds`) and the CPU-bound estimate 2 × loop CPU / batch
all-thread CPU. The table gives medians over rounds, [min–max], and the load average.

    python3 scripts/bench/batch_paired.py ROUNDS REPEAT cl100k_base,o200k_base base=/tmp/ek-base new=/tmp/ek-new
    (--docs a.jsonl,b.jsonl to choose document sets; default: both of ~/.cache/embedkit/corpus. The first set
    is timed after the file workloads, as scripts/bench-tokenizers does; --no-files times it alone)
"""
import json, os, random, statistics, subprocess, sys
from pathlib import Path

corpus = Path(os.environ.get("EMBEDKIT_HOME", Path.home() / ".cache" / "embedkit")) / "corpus"
docsets = ["bench-docs-spread.jsonl", "bench-docs.jsonl"]
files = ["bench-mixed.txt", "bench-real.txt", "bench-part-debian.txt", "bench-part-python.txt",
         "bench-part-chinese.txt", "bench-part-reviews.txt", "bench-part-synthetic.txt"]
flags = []
while sys.argv[1].startswith("--"):
    if sys.argv[1] == "--docs":
        docsets = sys.argv[2].split(","); del sys.argv[1:3]
    else:
        flags.append(sys.argv[1]); del sys.argv[1]
rounds, repeat = int(sys.argv[1]), sys.argv[2]
encodings = sys.argv[3].split(",")
binaries = [a.split("=", 1) for a in sys.argv[4:]]
med = statistics.median
res, loads = {}, []
for _ in range(rounds):
    runs = [(e, d, b) for e in encodings for d in docsets for b in binaries]
    random.shuffle(runs)
    for enc, docs, (name, path) in runs:
        path_docs = docs if "/" in docs else str(corpus / docs)
        command = [path, "tokens", "bench", "--json", "--encoding", enc, "--docs", path_docs, "--repeat", repeat,
                   "--threads", "2"]
        if docs == docsets[0] and "--no-files" not in flags:
            # As scripts/bench-tokenizers runs its first document set: after the file workloads, so the loop is
            # not the process's first full encode (that one pays first-touch costs the batch then does not).
            for f in files:
                command += ["--file", str(corpus / f)]
        r = json.loads(subprocess.run(command, capture_output=True, check=True).stdout)
        loop, b2 = r["docsSeconds"], r["batchSeconds"]
        row = [med([a / b for a, b in zip(loop, b2)]),
               med([a / b for a, b in zip(r.get("batch1Seconds", []), b2)]) if r.get("batch1Seconds") else float("nan"),
               med([2 * a / b for a, b in zip(r["docsCPUSeconds"], r["batchProcessCPUSeconds"])]),
               r["docsBytes"] / med(b2) / 1e6]
        res.setdefault((enc, docs, name), []).append(row)
        loads.append(os.getloadavg()[0])
print(f"load average during the run: {min(loads):.2f}–{max(loads):.2f}")
print("| encoding | documents | binary | 2-thread batch / 1-thread loop | 2-thread / 1-thread batch | CPU-bound estimate | batch MB/s |")
print("|---|---|---|---:|---:|---:|---:|")
for enc in encodings:
    for docs in docsets:
        for name, _ in binaries:
            rows = res[(enc, docs, name)]
            cell = lambda k: (f"{med([x[k] for x in rows]):.2f} [{min(x[k] for x in rows):.2f}–{max(x[k] for x in rows):.2f}]"
                              if rows[0][k] == rows[0][k] else "–")
            print(f"| {enc} | {docs} | {name} | {cell(0)} | {cell(1)} | {cell(2)} | {med([x[3] for x in rows]):.1f} |", flush=True)
