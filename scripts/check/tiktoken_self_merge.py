"""Checks that every token of the four tiktoken vocabularies is its own byte-pair merge result.

The encoder cuts long pieces where no token can straddle (BPECutFilter) and encodes each part whole-token
first. That equals merging the part byte by byte only if every token, merged from its own bytes by rank,
comes back as itself (a token no merge path reaches would otherwise be produced where tiktoken gives its
pieces). This script merges every token of cl100k, o200k, p50k and r50k by rank, exactly as tiktoken's
byte_pair_merge does, and prints the tokens that do not come back as themselves (none, as of tiktoken 0.14).

    scripts/peers-venv >/dev/null && .venv-peers/bin/python scripts/check/tiktoken_self_merge.py
"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "python"))
import peers  # noqa: E402


def merge_by_rank(ranks, data):
    """tiktoken's merge: repeatedly join the adjacent pair whose concatenation has the lowest rank."""
    parts = [data[i:i + 1] for i in range(len(data))]
    while len(parts) > 1:
        best = None
        for i in range(len(parts) - 1):
            rank = ranks.get(parts[i] + parts[i + 1])
            if rank is not None and (best is None or rank < best[0]):
                best = (rank, i)
        if best is None:
            break
        i = best[1]
        parts[i:i + 2] = [parts[i] + parts[i + 1]]
    return parts


failed = 0
for name in ["cl100k_base", "o200k_base", "p50k_base", "r50k_base"]:
    ranks = peers.tiktoken_encoding(name)._mergeable_ranks
    unreachable = [t for t in ranks if len(t) > 1 and merge_by_rank(ranks, t) != [t]]
    print(f"{name}: {len(ranks)} tokens, {len(unreachable)} not their own merge result {unreachable[:10]}")
    failed += len(unreachable)
sys.exit(1 if failed else 0)
