"""(The lead's script, session 9.) Ideal 2-thread scaling on this host: one `tokens bench` process alone vs two identical processes at once
(no shared state, no duplicated work between them). Per round: solo run (also times the real 2-thread batch),
then the pair; prints per-round ratios and their medians."""
import json, statistics, subprocess, sys, random
binary, rounds = sys.argv[1], int(sys.argv[2])
encs = sys.argv[3].split(","); docs = sys.argv[4]
def bench(threads):
    return subprocess.Popen([binary, "tokens", "bench", "--json", "--encoding", enc, "--docs", docs, "--repeat", "3",
                             "--threads", str(threads)], stdout=subprocess.PIPE)
def result(p):
    r = json.loads(p.communicate()[0]); b = r["docsBytes"]
    return (b / min(r["docsCPUSeconds"]) / 1e6, b / min(r["docsWarmCPUSeconds"]) / 1e6,
            b / min(r["docsSeconds"]) / 1e6, b / statistics.median(r["batchSeconds"]) / 1e6)
for enc in encs:
    rows = []
    for _ in range(rounds):
        solo = result(bench(2))
        a, b = bench(1), bench(1)
        pa, pb = result(a), result(b)
        ideal_cold = (pa[0] + pb[0]) / solo[0]; ideal_warm = (pa[1] + pb[1]) / solo[1]
        batch = solo[3] / solo[2]
        rows.append((ideal_cold, ideal_warm, batch, solo[0]))
    med = lambda k: statistics.median(r[k] for r in rows)
    print(f"{enc} {docs.split('/')[-1]}: two independent processes / one, cold CPU {med(0):.2f}x "
          f"[{min(r[0] for r in rows):.2f}-{max(r[0] for r in rows):.2f}], warm {med(1):.2f}x; "
          f"real 2-thread batch / 1 thread (wall) {med(2):.2f}x [{min(r[2] for r in rows):.2f}-{max(r[2] for r in rows):.2f}]; "
          f"solo cold {med(3):.1f} MB/s", flush=True)
