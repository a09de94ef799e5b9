"""Simulates how the 2-thread batch splits a document set (scripts/bench/batch_split_sim.py DOCS.jsonl [encoding]):
equal-count vs equal-byte regions, fixed vs shrinking chunks; cost model: 15 ns per byte plus 200 ns per piece
(3-16 bytes) a worker sees for the first time (its own cache; tiktoken's regex gives the pieces). Prints the
speedup over one thread and the first-seen pieces of both workers (duplicated misses)."""
import sys, json; sys.path[:0] = ['scripts', 'scripts/python']
import peers, regex
docs = [json.loads(l) for l in open(sys.argv[1])]
enc = peers.tiktoken_encoding(sys.argv[2] if len(sys.argv) > 2 else "cl100k_base"); pat = regex.compile(enc._pat_str)
P = [[p.encode() for p in pat.findall(d) if 3 <= len(p.encode()) <= 16] for d in docs]
B = [len(d.encode()) for d in docs]
n = len(docs); c_byte, c_miss = 15.0, 200.0
def cost_one():
    s = set(); t = 0
    for i in range(n):
        t += B[i] * c_byte
        for p in P[i]:
            if p not in s: s.add(p); t += c_miss
    return t, len(s)
def simulate(fronts, backs, size_fn):
    caches = [set(), set()]; clock = [0.0, 0.0]; misses = [0, 0]
    fronts = fronts[:]; backs = backs[:]
    def work(w, rng):
        for i in rng:
            clock[w] += B[i] * c_byte
            for p in P[i]:
                if p not in caches[w]: caches[w].add(p); clock[w] += c_miss; misses[w] += 1
    while True:
        w = 0 if clock[0] <= clock[1] else 1
        left = sum(backs[r] - fronts[r] for r in range(2))
        if left == 0: break
        size = size_fn(left)
        if fronts[w] < backs[w]:
            s = fronts[w]; e = min(backs[w], s + size); fronts[w] = e; work(w, range(s, e)); continue
        v = max(range(2), key=lambda r: backs[r] - fronts[r])
        e = backs[v]; s = max(fronts[v], e - size); backs[v] = s; work(w, range(s, e))
    return max(clock), clock, misses
t1, d = cost_one()
print("one thread", round(t1 / 1e6, 2), "ms-eq, distinct", d)
fixed = lambda left: 156
for name, k in [("count split", n // 2), ("byte split", next(i for i in range(n) if sum(B[:i]) >= sum(B) / 2))]:
    for sname, sf in [("fixed156", fixed), ("guided", lambda left: max(8, min(156, left // 16)))]:
        wall, clock, misses = simulate([0, k], [k, n], sf)
        print(f"{name:12s} k={k} {sname}: speedup {t1 / wall:.3f} clocks {[round(c/1e6,2) for c in clock]} misses {misses} total {sum(misses)} (+{sum(misses)/d-1:.1%})")
