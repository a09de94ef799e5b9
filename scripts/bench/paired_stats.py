"""The statistics the paired A/B drivers (tokens_paired.py, tokens_docs_paired.py, scan_paired.py) print: for
each measure, the median over rounds and, in brackets, the median over rounds of the per-round ratio to the
reference binary (per-round ratios cancel most of the minute-to-minute drift of a shared machine)."""
import random
import statistics


def paired_cells(rows, reference, count, value_format="7.1f"):
    """`count` cells "value [ratio]" for the rows of one binary against the reference binary's rows (same rounds)."""
    cells = []
    for i in range(count):
        value = statistics.median(r[i] for r in rows)
        ratio = statistics.median(r[i] / b[i] for r, b in zip(rows, reference))
        cells.append(f"{value:{value_format}} [{ratio:4.2f}]")
    return cells


def shuffled_runs(rounds, encodings, binaries, seed=1):
    """(encoding, name, base command) for every round, encoding and binary, the binaries of one round and
    encoding in a shuffled order; the command is `tokens bench --json` on one thread, to be given workloads."""
    random.seed(seed)
    for _ in range(rounds):
        for encoding in encodings:
            order = binaries[:]
            random.shuffle(order)
            for name, path in order:
                yield encoding, name, [path, "tokens", "bench", "--json", "--encoding", encoding, "--threads", "1"]


def print_table(results, encodings, binaries, columns, width=16):
    """One row per encoding and binary of `results[(encoding, name)]` (a list of per-round rows), against the
    first binary."""
    print(" " * 24 + "".join(f"{c:>{width}s}" for c in columns))
    for encoding in encodings:
        reference = results[(encoding, binaries[0][0])]
        for name, _ in binaries:
            cells = paired_cells(results[(encoding, name)], reference, len(columns))
            print(f"{encoding:12s} {name:11s}" + "".join(f"{c:>{width}s}" for c in cells))
