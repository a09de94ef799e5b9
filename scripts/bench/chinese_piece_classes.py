#!/usr/bin/env python3
"""Splits the Chinese part of the bench corpus (bench-part-chinese.txt) into three texts by piece class, so each
class can be timed on its own with `embedkit tokens bench --file`:

    $(scripts/peers-venv) scripts/bench/chinese_piece_classes.py [ENCODING] [OUT_PREFIX]
    # writes OUT_PREFIX-box.txt       pieces holding a box-drawing character (U+2500-U+257F): table rules
    #        OUT_PREFIX-nonascii.txt  other pieces with a non-ASCII byte: CJK runs, full-width punctuation
    #        OUT_PREFIX-ascii.txt     ASCII pieces: ANSI colour codes, commands, spaces

Pieces come from tiktoken's own pattern for ENCODING (default cl100k_base); each text is its class's pieces
joined in order (joining can merge a few neighbours into one piece when re-scanned; the split is for timing).
"""
import collections
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "python"))
import peers  # noqa: E402
import regex  # noqa: E402

encoding = sys.argv[1] if len(sys.argv) > 1 else "cl100k_base"
prefix = sys.argv[2] if len(sys.argv) > 2 else "/tmp/chinese"
peers.offline()
enc = peers.tiktoken_encoding(encoding)
corpus = Path.home() / ".cache/embedkit/corpus/bench-part-chinese.txt"
text = corpus.read_text(encoding="utf-8")
classes = collections.defaultdict(list)
for m in regex.finditer(enc._pat_str, text):
    p = m.group(0)
    if any("\u2500" <= c <= "\u257f" for c in p):
        classes["box"].append(p)
    elif any(ord(c) >= 0x80 for c in p):
        classes["nonascii"].append(p)
    else:
        classes["ascii"].append(p)
for name, pieces in classes.items():
    joined = "".join(pieces)
    Path(f"{prefix}-{name}.txt").write_text(joined, encoding="utf-8")
    print(f"{prefix}-{name}.txt: {len(pieces)} pieces, {len(joined.encode())} bytes")
