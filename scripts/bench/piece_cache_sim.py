"""Simulates EmbedKit's BPE piece cache (BPEPieceCache: 3–16-byte pieces, ≤ 3 ids kept, same slot hash) over
a text pre-tokenized by tiktoken's own regex, for several slot counts and associativities, and prints the cold
misses (every cacheable piece not answered by the cache) and the misses that need a merge (not one token).
Used to choose the slot count (docs/performance-history.md, fifth session, miss5).

    .venv-peers/bin/python scripts/bench/piece_cache_sim.py cl100k_base ~/.cache/embedkit/corpus/bench-real.txt
"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "python"))
import peers  # noqa: E402
import regex  # noqa: E402

M = (1 << 64) - 1


def key(b: bytes):
    b = b + bytes(16 - len(b))
    return int.from_bytes(b[:8], "little"), int.from_bytes(b[8:], "little")


def slot(k0: int, k1: int, n: int, bits: int) -> int:
    """BPEPieceCache.slot (the same multiplications, wrapping at 64 bits)."""
    h = (((k0 + n) & M) * 0x9E3779B97F4A7C15 & M) ^ ((k1 * 0xBF58476D1CE4E5B9) & M)
    return (((h ^ (h >> 31)) * 0x94D049BB133111EB) & M) >> (64 - bits)


def main():
    name, path = sys.argv[1], sys.argv[2]
    enc = peers.tiktoken_encoding(name)
    pattern = regex.compile(enc._pat_str)
    text = Path(path).read_text(encoding="utf-8")
    pieces = [m.group(0).encode() for m in pattern.finditer(text)]
    cacheable = [p for p in pieces if 3 <= len(p) <= 16]
    ids = {u: len(enc.encode_ordinary(u.decode())) for u in set(cacheable)}
    print(f"{len(pieces)} pieces, {len(cacheable)} of 3-16 bytes, {len(ids)} distinct, "
          f"{sum(1 for u in ids if ids[u] > 1)} distinct need a merge")
    for bits in (14, 15, 16, 17):
        for ways in (1, 2, 4):
            sets, misses, merges = {}, 0, 0
            for p in cacheable:
                if ids[p] > 3:          # never cached
                    misses += 1; merges += 1
                    continue
                k0, k1 = key(p)
                entries = sets.setdefault(slot(k0, k1, len(p), bits - (ways.bit_length() - 1)), [])
                if p in entries:
                    entries.remove(p); entries.insert(0, p)
                else:
                    misses += 1; merges += ids[p] > 1
                    entries.insert(0, p); del entries[ways:]
            print(f"{1 << bits:6d} slots, {ways}-way: {misses} misses, {merges} need a merge")


if __name__ == "__main__":
    main()
