"""Ablation driver (gap9): runs one `embedkit tokens bench` binary built with the EK_GAP9 ablation bits under
several EK_GAP9 values, interleaved in shuffled order per round, and prints the median over rounds of the best-of-
REPEAT warm thread-CPU ns per piece (real file) or per doc piece (docs), plus the scan-only ns/piece.

    python3 scripts/bench/gap9/ablate.py BIN ENCODING ROUNDS REPEAT MODE[,MODE…] [--docs]
"""
import json, os, random, statistics, subprocess, sys
from pathlib import Path

corpus = Path.home() / ".cache" / "embedkit" / "corpus"
binary, enc, rounds, repeat, modes = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5].split(",")
docs = "--docs" in sys.argv
res = {m: {"warm": [], "cold": [], "scan": []} for m in modes}
pieces_real = None
for r in range(rounds):
    order = modes[:]
    random.Random(r).shuffle(order)
    for m in order:
        args = [binary, "tokens", "bench", "--json", "--encoding", enc, "--repeat", repeat, "--threads", "1"]
        args += ["--docs", str(corpus / "bench-docs-spread.jsonl")] if docs else ["--file", str(corpus / "bench-real.txt")]
        out = json.loads(subprocess.run(args, env={**os.environ, "EK_GAP9": m}, capture_output=True, text=True, check=True).stdout)
        if docs:
            n = out["docsBytes"]
            res[m]["warm"].append(min(out["docsWarmCPUSeconds"]) * 1e9 / n)
            res[m]["cold"].append(min(out["docsCPUSeconds"]) * 1e9 / n)
        else:
            f = out["files"][0]
            p = f["pieces"]
            res[m]["warm"].append(min(f["warmCPUSeconds"]) * 1e9 / p)
            res[m]["cold"].append(min(f["cpuSeconds"]) * 1e9 / p)
            res[m]["scan"].append(min(f["scanCPUSeconds"]) * 1e9 / p)
unit = "ns/byte" if docs else "ns/piece"
base = modes[0]
print(f"{enc} {'docs' if docs else 'real'} ({unit}), {rounds} rounds, load {os.getloadavg()[0]:.2f}")
for m in modes:
    w = statistics.median(res[m]["warm"]); c = statistics.median(res[m]["cold"])
    ratio = statistics.median(a / b for a, b in zip(res[m]["warm"], res[base]["warm"]))
    s = f" scan {statistics.median(res[m]['scan']):.1f}" if res[m]["scan"] else ""
    print(f"  mode {m:>4}: warm {w:6.2f} (x{ratio:.2f} of mode {base})  cold {c:6.2f}{s}")
