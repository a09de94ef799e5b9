"""Makes a large reviews CSV by repeating the seed's 1000 rows with new ids (index, ProductId, UserId, Time).

Usage: python3 scripts/benchmarks/make_large_reviews.py ROWS OUT.csv [SEED_CSV]
Standard library only. Row i copies seed row i % 1000 with index i, Time + (i // 1000) days (so sorting by Time
has real work), and ids suffixed with the repetition number.
"""
import csv
import os
import sys
from pathlib import Path


def seed_csv() -> Path:
    if len(sys.argv) > 3:
        return Path(sys.argv[3])
    root = Path(__file__).resolve().parents[2]
    for candidate in [Path(os.environ.get("EMBEDKIT_SHARED", "/nonexistent")) / "data",
                      root.parent / "shared" / "data", Path("/work/shared/data")]:
        path = candidate / "fine_food_reviews_1k.csv"
        if path.exists():
            return path
    raise SystemExit("fine_food_reviews_1k.csv not found")


def main() -> None:
    rows, out = int(sys.argv[1]), Path(sys.argv[2])
    with seed_csv().open(newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        header = next(reader)
        seed = list(reader)
    with out.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(header)
        for i in range(rows):
            rep, src = divmod(i, len(seed))
            _, time, product, user, score, summary, text = seed[src]
            writer.writerow([i, int(time) + rep * 86400, f"{product}-{rep}", f"{user}-{rep}", score, summary, text])
    print(f"{rows} rows -> {out} ({out.stat().st_size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
