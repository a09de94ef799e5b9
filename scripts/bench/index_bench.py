"""Side-by-side vector-index benchmark: EmbedKit vs hnswlib, FAISS (Flat, HNSW), USearch and numpy.

    .venv-peers/bin/python scripts/bench/index_bench.py \
        --embedkit .build/release/embedkit [--base ~/.cache/embedkit/bench/minilm_base.npy] [--quick]

Reports build time (2 threads each), index size, single-thread QPS at recall@10 0.90 / 0.95 / 0.99 (sweeping
ef; the QPS at the smallest ef reaching the target, median of --repeat runs), and exact-search throughput.
Recall is measured against numpy's exact top-10 (inner product on normalized vectors, ties by row).
Timing: the machine is shared, so single-thread search throughput is measured in process CPU time
(time.process_time for the Python peers, the CLI's cpuSeconds for EmbedKit); wall times are kept too.
Writes a JSON summary (--json-out) and prints a Markdown table.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# Single-threaded BLAS for every peer (numpy, FAISS Flat) unless a step sets threads explicitly.
for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(var, "1")

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "python"))
import peers  # noqa: E402

EFS = [10, 12, 16, 20, 24, 32, 40, 48, 64, 80, 96, 128, 160, 200, 256, 320, 400, 512]
TARGETS = [0.90, 0.95, 0.99]


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


HNSWLIB_RSS = """
import sys, numpy as np, hnswlib
def rss():
    return int(open('/proc/self/statm').read().split()[1]) * 4096 / 2**20
path, d, n, ef, queries = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
q = np.load(queries)
before = rss()
index = hnswlib.Index(space='ip', dim=d)
index.load_index(path, max_elements=n)
index.set_ef(ef)
index.set_num_threads(1)
index.knn_query(q, k=10, num_threads=1)
print(rss() - before)
"""


def hnswlib_rss(path: Path, d: int, n: int, ef: int, queries: Path) -> float:
    """Resident MiB a fresh process gains by loading the saved hnswlib index and answering the queries."""
    out = subprocess.run([sys.executable, "-c", HNSWLIB_RSS, str(path), str(d), str(n), str(ef), str(queries)],
                         check=True, capture_output=True, text=True)
    return float(out.stdout.strip().split()[-1])


def exact_topk(base: np.ndarray, queries: np.ndarray, k: int) -> np.ndarray:
    """numpy's top-k by inner product, ties broken by the smaller row."""
    out = np.empty((len(queries), k), dtype=np.int64)
    for s in range(0, len(queries), 100):
        scores = queries[s:s + 100] @ base.T
        part = np.argpartition(-scores, k + 20, axis=1)[:, :k + 20]
        for i in range(len(part)):
            cand = part[i]
            order = np.lexsort((cand, -scores[i, cand]))
            out[s + i] = cand[order][:k]
    return out


CONTEXT: dict = {}


def recall(found: np.ndarray, truth: np.ndarray) -> float:
    """recall@k by score, as ann-benchmarks does: a returned row counts if it scores at least the true k-th best
    (minus 1e-6), so exact duplicates in the data (ties) count whichever copy a library returns. Without the
    context (base, queries) set, falls back to id overlap."""
    if "kth" not in CONTEXT:
        hits = sum(len(set(f[f >= 0].tolist()) & set(t.tolist())) for f, t in zip(found, truth))
        return hits / truth.size
    base, queries, kth = CONTEXT["base"], CONTEXT["queries"], CONTEXT["kth"]
    hits = 0
    for i, f in enumerate(found):
        f = np.unique(f[f >= 0])
        if len(f):
            hits += int(np.sum(base[f] @ queries[i] >= kth[i] - 1e-6))
    return min(hits, truth.size) / truth.size


def id_recall(found: np.ndarray, truth: np.ndarray) -> float:
    return sum(len(set(f[f >= 0].tolist()) & set(t.tolist())) for f, t in zip(found, truth)) / truth.size


def timed(fn, repeat: int):
    """Median process-CPU seconds of fn() over repeat runs (single-threaded work)."""
    times, result = [], None
    for _ in range(repeat):
        t = time.process_time()
        result = fn()
        times.append(time.process_time() - t)
    return float(np.median(times)), result


def sweep(name: str, search_at, truth: np.ndarray, nq: int, repeat: int) -> dict:
    """search_at(ef) -> (seconds, found[nq, k]); returns recall/QPS per ef and QPS at each target."""
    points = []
    for ef in EFS:
        secs, found = search_at(ef)
        r = recall(found, truth)
        points.append({"ef": ef, "recall": r, "id_recall": id_recall(found, truth), "qps": nq / secs})
        print(f"  {name} ef={ef} recall={r:.4f} qps={nq / secs:.0f}", flush=True)
        if r >= 0.995:
            break
    at = {}
    for target in TARGETS:
        hit = next((p for p in points if p["recall"] >= target), None)
        if hit is None:
            at[str(target)] = None
            continue
        secs = []
        for _ in range(repeat):
            s, _ = search_at(hit["ef"])
            secs.append(s)
        at[str(target)] = {"ef": hit["ef"], "recall": hit["recall"], "qps": nq / float(np.median(secs))}
    return {"sweep": points, "at": at}


def main() -> None:
    home = peers.embedkit_home() / "bench"
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", type=Path, default=home / "minilm_base.npy")
    parser.add_argument("--queries", type=Path, default=home / "minilm_queries.npy")
    parser.add_argument("--embedkit", type=Path, default=Path(".build/release/embedkit"))
    parser.add_argument("--limit", type=int, default=0, help="use only the first N base vectors")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip", default="", help="comma list of: numpy,faiss,faiss-hnsw,hnswlib,usearch,embedkit,"
                        "embedkit-flat,embedkit-hnsw")
    parser.add_argument("--json-out", type=Path, default=home / "index_bench.json")
    parser.add_argument("--workdir", type=Path, default=home / "work")
    parser.add_argument("--ek-variants", default="none,int8",
                        help="EmbedKit HNSW variants (--quantize values): none, int8, f16")
    args = parser.parse_args()
    skip = set(filter(None, args.skip.split(",")))
    args.workdir.mkdir(parents=True, exist_ok=True)

    base = np.load(args.base)
    if args.limit:
        base = np.ascontiguousarray(base[:args.limit])
    queries = np.load(args.queries)
    n, d = base.shape
    nq = len(queries)
    k = 10
    print(f"base {n}x{d}, queries {nq}", flush=True)
    truth = exact_topk(base, queries, k)
    CONTEXT.update(base=base, queries=queries,
                   kth=np.einsum("ij,ij->i", base[truth[:, -1]], queries))
    base_path = args.workdir / f"base_{n}.npy"
    if not base_path.exists() or np.load(base_path, mmap_mode="r").shape != base.shape:
        np.save(base_path, base)
    queries_path = args.workdir / "queries.npy"
    np.save(queries_path, queries)
    summary: dict = {"n": n, "d": d, "nq": nq, "k": k, "results": {}}
    res = summary["results"]

    import faiss
    faiss.omp_set_num_threads(1)

    # ---- exact search ----
    if "numpy" not in skip:
        def np_batch():
            scores = queries @ base.T
            return np.argpartition(-scores, k, axis=1)[:, :k]
        secs, _ = timed(np_batch, args.repeat)
        def np_single():
            for q in queries[:200]:
                s = base @ q
                np.argpartition(-s, k)[:k]
        s1, _ = timed(np_single, args.repeat)
        res["numpy"] = {"batch_qps": nq / secs, "single_qps": 200 / s1}
        print("numpy", res["numpy"], flush=True)
    if "faiss" not in skip:
        flat = faiss.IndexFlatIP(d)
        flat.add(base)
        secs, (_, found) = timed(lambda: flat.search(queries, k), args.repeat)
        s1, _ = timed(lambda: [flat.search(queries[i:i + 1], k) for i in range(200)], args.repeat)
        res["faiss_flat"] = {"batch_qps": nq / secs, "single_qps": 200 / s1, "recall": recall(found, truth)}
        print("faiss flat", res["faiss_flat"], flush=True)
        del flat

    def embedkit(*cmd) -> dict:
        out = subprocess.run([str(args.embedkit), "index", *cmd, "--json"], check=True, capture_output=True, text=True)
        return json.loads(out.stdout)

    if "embedkit" not in skip and "embedkit-flat" not in skip:
        flat_path = args.workdir / "flat.ekx"
        embedkit("build", "--vectors", str(base_path), "--type", "flat", "--metric", "dot", "--out", str(flat_path))
        out_path = args.workdir / "out.npy"
        def ek_search(*extra):
            rep = embedkit("search", "--index", str(flat_path), "--queries", str(queries_path), "-k", str(k),
                           "--output", str(out_path), *extra)
            return rep["cpuSeconds"], np.load(out_path)
        batch = [ek_search() for _ in range(args.repeat)]
        secs = float(np.median([b[0] for b in batch]))
        exact_ok = recall(batch[0][1], truth)
        same = float(np.mean(np.all(batch[0][1] == truth, axis=1)))
        single = [ek_search("--single") for _ in range(args.repeat)]
        s1 = float(np.median([s[0] for s in single]))
        res["embedkit_flat"] = {"batch_qps": nq / secs, "single_qps": nq / s1, "recall": exact_ok,
                                "identical_rows_fraction": same}
        print("embedkit flat", res["embedkit_flat"], flush=True)
        for quant in ["int8", "binary"]:
            qpath = args.workdir / f"flat_{quant}.ekx"
            embedkit("build", "--vectors", str(base_path), "--type", "flat", "--metric", "dot", "--quantize", quant,
                     "--out", str(qpath))
            info = embedkit("info", str(qpath))
            rep = embedkit("search", "--index", str(qpath), "--queries", str(queries_path), "-k", str(k),
                           "--output", str(out_path))
            res[f"embedkit_{quant}"] = {"qps": nq / rep["cpuSeconds"], "recall": recall(np.load(out_path), truth),
                                        "vector_bytes": info["vectorBytes"], "code_bytes": info["quantizedBytes"],
                                        "compression": info["vectorBytes"] / max(1, info["quantizedBytes"])}
            print(f"embedkit {quant}", res[f"embedkit_{quant}"], flush=True)

    # ---- HNSW ----
    if "hnswlib" not in skip:
        import hnswlib
        before = rss_mb()
        index = hnswlib.Index(space="ip", dim=d)
        index.init_index(max_elements=n, M=16, ef_construction=200, random_seed=42)
        t, c = time.perf_counter(), time.process_time()
        index.add_items(base, np.arange(n), num_threads=2)
        build, build_cpu = time.perf_counter() - t, time.process_time() - c
        mem = rss_mb() - before
        path = args.workdir / "hnswlib.bin"
        index.save_index(str(path))
        index.set_num_threads(1)
        def at(ef):
            index.set_ef(ef)
            t = time.process_time()
            labels, _ = index.knn_query(queries, k=k, num_threads=1)
            return time.process_time() - t, labels.astype(np.int64)
        result = sweep("hnswlib", at, truth, nq, args.repeat)
        hit = result["at"].get("0.95") or result["at"].get("0.9")
        res["hnswlib"] = {"build_s": build, "build_cpu_s": build_cpu, "build_rss_mb": mem,
                          "rss_mb": hnswlib_rss(path, d, n, hit["ef"] if hit else 64, queries_path),
                          "file_mb": path.stat().st_size / 2**20, **result}
        print("hnswlib build", build, "mem", mem, flush=True)
        del index

    if "faiss-hnsw" not in skip:
        faiss.omp_set_num_threads(2)
        before = rss_mb()
        hn = faiss.IndexHNSWFlat(d, 16, faiss.METRIC_INNER_PRODUCT)
        hn.hnsw.efConstruction = 200
        t, c = time.perf_counter(), time.process_time()
        hn.add(base)
        build, build_cpu = time.perf_counter() - t, time.process_time() - c
        mem = rss_mb() - before
        faiss.omp_set_num_threads(1)
        def at(ef):
            hn.hnsw.efSearch = ef
            t = time.process_time()
            _, labels = hn.search(queries, k)
            return time.process_time() - t, labels
        res["faiss_hnsw"] = {"build_s": build, "build_cpu_s": build_cpu, "rss_mb": mem, **sweep("faiss-hnsw", at, truth, nq, args.repeat)}
        del hn

    if "usearch" not in skip:
        from usearch.index import Index
        before = rss_mb()
        us = Index(ndim=d, metric="ip", dtype="f32", connectivity=16, expansion_add=200)
        t, c = time.perf_counter(), time.process_time()
        us.add(np.arange(n), base, threads=2)
        build, build_cpu = time.perf_counter() - t, time.process_time() - c
        mem = rss_mb() - before
        def at(ef):
            us.expansion_search = ef
            t = time.process_time()
            m = us.search(queries, k, threads=1)
            return time.process_time() - t, np.asarray(m.keys, dtype=np.int64)
        res["usearch"] = {"build_s": build, "build_cpu_s": build_cpu, "rss_mb": mem, **sweep("usearch", at, truth, nq, args.repeat)}
        del us

    if "embedkit" not in skip and "embedkit-hnsw" not in skip:
        # Baseline RSS of the search command itself (binary, runtime, queries) on a tiny index.
        tiny_path, tiny_vectors = args.workdir / "tiny.ekx", args.workdir / "tiny.npy"
        np.save(tiny_vectors, base[:64])
        embedkit("build", "--vectors", str(tiny_vectors), "--type", "flat", "--metric", "dot", "--out", str(tiny_path))
        out_path = args.workdir / "out.npy"
        baseline = embedkit("search", "--index", str(tiny_path), "--queries", str(queries_path), "-k", str(k),
                            "--single", "--output", str(out_path))["residentMB"]
        for quant in args.ek_variants.split(","):
            label = "embedkit_hnsw" if quant == "none" else f"embedkit_hnsw_{quant}"
            path = args.workdir / f"hnsw_{quant}.ekx"
            rep = embedkit("build", "--vectors", str(base_path), "--type", "hnsw", "--metric", "dot", "--m", "16",
                           "--ef-construction", "200", "--threads", "2", "--quantize", quant, "--seed", "42",
                           "--out", str(path))
            info = embedkit("info", str(path))
            last: dict = {}
            def at(ef, path=path, last=last):
                r = embedkit("search", "--index", str(path), "--queries", str(queries_path), "-k", str(k),
                             "--ef", str(ef), "--threads", "1", "--output", str(out_path))
                last[ef] = r
                return r["cpuSeconds"], np.load(out_path)
            result = sweep(label, at, truth, nq, args.repeat)
            # Memory: resident set of a fresh search process after all queries at the ef reaching 0.95, minus the
            # same command's resident set on a tiny index (int8/f16: float32 rows stay in the mapped file and
            # only the rescored ones page in; they are counted when touched).
            hit = result["at"].get("0.95") or result["at"].get("0.9")
            mem = last[hit["ef"]]["residentMB"] - baseline if hit else None
            res[label] = {"build_s": rep["buildSeconds"], "build_cpu_s": rep["buildCPUSeconds"],
                          "file_mb": path.stat().st_size / 2**20, "rss_mb": mem,
                          "index_mb": (info["vectorBytes"] + info["graphBytes"] + info["quantizedBytes"]) / 2**20,
                          "in_memory_mb": ((info["quantizedBytes"] if quant != "none" else info["vectorBytes"])
                                           + info["graphBytes"]) / 2**20,
                          **result}
            print(label, {k2: v for k2, v in res[label].items() if k2 != "sweep"}, flush=True)

    args.json_out.write_text(json.dumps(summary, indent=1))
    print("\n| library | build wall s (2 thr) | build CPU s | memory MB | QPS@0.90 | QPS@0.95 | QPS@0.99 |")
    print("|---|---|---|---|---|---|---|")
    for name in ["hnswlib", "faiss_hnsw", "usearch", "embedkit_hnsw", "embedkit_hnsw_int8", "embedkit_hnsw_f16"]:
        r = res.get(name)
        if not r:
            continue
        cells = []
        for tgt in TARGETS:
            a = r["at"].get(str(tgt))
            cells.append(f"{a['qps']:.0f} (ef {a['ef']})" if a else "—")
        mem = r.get("rss_mb")
        mem_cell = f"{mem:.0f}" if mem is not None else "—"
        print(f"| {name} | {r['build_s']:.1f} | {r['build_cpu_s']:.1f} | {mem_cell} | " + " | ".join(cells) + " |")
    print(json.dumps({k: v for k, v in res.items() if "sweep" not in v}, indent=1))


if __name__ == "__main__":
    main()
