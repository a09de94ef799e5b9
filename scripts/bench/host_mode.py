"""Does our ratio to tiktoken move with the host's memory latency? Each round: the 8 MiB pointer-chase latency
(scripts/bench/memory_latency.c), then `embedkit tokens bench` cold on the real file and tiktoken's
`encode_ordinary` on the same file (best of REPEAT thread-CPU times each, back to back), then the latency again.
Prints one line per round and the rank correlation of our rate, tiktoken's rate and the ratio with the latency.

    python3 scripts/bench/host_mode.py BIN ROUNDS REPEAT [ENCODING]   (run with .venv-peers/bin/python)
"""
import json, os, subprocess, sys, time
from pathlib import Path

here = Path(__file__).resolve().parent
sys.path[:0] = [str(here.parent), str(here.parent / "python")]
import peers

binary, rounds, repeat = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
encoding = sys.argv[4] if len(sys.argv) > 4 else "o200k_base"
corpus = Path(os.environ.get("EMBEDKIT_HOME", Path.home() / ".cache" / "embedkit")) / "corpus"
path = corpus / "bench-real.txt"
text = path.read_text()
size = len(text.encode())
probe = Path(os.environ.get("TMPDIR", "/tmp")) / "embedkit-memory-latency"
subprocess.run(["cc", "-O2", str(here / "memory_latency.c"), "-o", str(probe)], check=True)
enc = peers.tiktoken_encoding(encoding)
enc.encode_ordinary("warm up")


def latency():
    out = subprocess.run([str(probe), "8"], capture_output=True, text=True, check=True).stdout
    return float(out.split(":")[1].split()[0])


def ours():
    out = subprocess.run([binary, "tokens", "bench", "--json", "--encoding", encoding, "--threads", "1",
                          "--repeat", str(repeat), "--file", str(path)], capture_output=True, text=True, check=True)
    return size / min(json.loads(out.stdout)["files"][0]["cpuSeconds"]) / 1e6


def theirs():
    best = 1e9
    for _ in range(repeat):
        t = time.thread_time()
        enc.encode_ordinary(text)
        best = min(best, time.thread_time() - t)
    return size / best / 1e6


def ranks(xs):
    order = sorted(range(len(xs)), key=lambda i: xs[i])
    r = [0] * len(xs)
    for k, i in enumerate(order):
        r[i] = k
    return r


def spearman(a, b):
    ra, rb = ranks(a), ranks(b)
    n = len(a)
    return 1 - 6 * sum((x - y) ** 2 for x, y in zip(ra, rb)) / (n * (n * n - 1))


rows = []
print(f"{encoding}, real file {size / 1e6:.2f} MB, best of {repeat} thread-CPU times, load {os.getloadavg()[0]:.2f}")
print("round  8MiB ns  ours MB/s  tiktoken MB/s  ratio")
for r in range(rounds):
    before = latency()
    a, b = (ours(), theirs()) if r % 2 == 0 else (lambda t: (ours(), t))(theirs())
    lat = (before + latency()) / 2
    rows.append((lat, a, b, a / b))
    print(f"{r:5d}  {lat:7.1f}  {a:9.1f}  {b:13.1f}  {a / b:5.2f}", flush=True)
lat, a, b, q = zip(*rows)
print(f"spread: ours {min(a):.1f}–{max(a):.1f} ({max(a) / min(a):.2f}×), tiktoken {min(b):.1f}–{max(b):.1f} "
      f"({max(b) / min(b):.2f}×), ratio {min(q):.2f}–{max(q):.2f}")
print(f"Spearman with the 8 MiB latency: ours {spearman(lat, a):+.2f}, tiktoken {spearman(lat, b):+.2f}, "
      f"ratio {spearman(lat, q):+.2f}")
