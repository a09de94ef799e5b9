"""Assembles the large real corpus the tokenizer check and benchmark use (not committed: built from this
machine's files). Documents, one JSON string per line, in $EMBEDKIT_HOME/corpus/tokenizers.jsonl:

- Debian package descriptions (/var/lib/apt/lists/*Packages*, decompressed with apt-helper),
- Python sources from the peers venv,
- Chinese text: Debian's fortunes-zh (apt-get install fortunes-zh): chinese, song100, tang300,
- the seed dataset's reviews,
- seeded synthetic documents: emoji and ZWJ sequences, whitespace runs, CRLF, long digit runs,
  `<|endoftext|>` and friends as plain text, mixed scripts, long pieces without spaces.
"""
from __future__ import annotations

import csv
import glob
import json
import os
import random
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "python"))
import peers  # noqa: E402

FORTUNES = ["/usr/share/games/fortunes/chinese.u8", "/usr/share/games/fortunes/song100.u8",
            "/usr/share/games/fortunes/tang300.u8"]


def debian_descriptions(limit: int) -> list[str]:
    docs: list[str] = []
    for path in sorted(glob.glob("/var/lib/apt/lists/*Packages*")):
        raw = subprocess.run(["/usr/lib/apt/apt-helper", "cat-file", path], capture_output=True).stdout
        current: list[str] | None = None
        for line in raw.decode("utf-8", "replace").split("\n"):
            if line.startswith("Description:"):
                current = [line[len("Description:"):].strip()]
            elif current is not None and line.startswith(" "):
                current.append(line[1:])
            elif current is not None:
                docs.append("\n".join(current))
                current = None
                if len(docs) >= limit:
                    return docs
    return docs


def python_sources(limit_bytes: int) -> list[str]:
    docs, total = [], 0
    root = Path(sys.prefix) / "lib"
    for path in sorted(root.rglob("*.py")):
        try:
            text = path.read_text("utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        if not text or len(text) > 400_000:
            continue
        docs.append(text)
        total += len(text.encode())
        if total >= limit_bytes:
            break
    return docs


def chinese() -> list[str]:
    docs = []
    for path in FORTUNES:
        if not os.path.exists(path):
            raise SystemExit(f"{path} is missing: apt-get install fortunes-zh")
        text = Path(path).read_text("utf-8", "replace")
        docs += [d.strip("\n") for d in text.split("\n%\n") if d.strip()]
    return docs


def reviews() -> list[str]:
    shared = Path(os.environ.get("EMBEDKIT_SHARED", "/work/shared"))
    with open(shared / "data/fine_food_reviews_1k.csv", newline="", encoding="utf-8") as f:
        return ["Title: " + r["Summary"].strip() + "; Content: " + r["Text"].strip() for r in csv.DictReader(f)]


PIECES = ["👨‍👩‍👧‍👦", "🏳️‍🌈", "❤️‍🔥", "🧑🏿‍💻", "👋🏽", "🇫🇷", "😀", "\u200d", "\ufe0f", " ", "  ", "    ", "\t",
          "\n", "\r\n", "\r\n\r\n", "\u3000", "\u00a0", " \n ", "<|endoftext|>", "<|fim_prefix|>", "<|endofprompt|>",
          "I'm", "WE'LL", "it's", "don'T", "Hello", "WORLD", "naïve", "Ωμέγα", "Привет", "中文", "日本語", "한국어",
          "١٢٣", "e\u0301", "\u0301", "/", "//", "...", "!?", "'", "ſ"]


def synthetic(count: int, seed: int = 1234) -> list[str]:
    rng = random.Random(seed)
    docs = []
    for i in range(count):
        parts = []
        for _ in range(rng.randint(5, 200)):
            r = rng.random()
            if r < 0.1:
                parts.append("".join(rng.choice("0123456789") for _ in range(rng.randint(1, 40))))
            elif r < 0.15:
                parts.append(rng.choice([" ", "\t", "\n", "\r\n"]) * rng.randint(1, 30))
            elif r < 0.17:
                parts.append("".join(rng.choice("abcxyzABC") for _ in range(rng.randint(50, 400))))
            else:
                parts.append(rng.choice(PIECES))
        docs.append("".join(parts))
    return docs


def build(path: Path) -> Path:
    if path.exists():
        return path
    groups = {
        "debian": debian_descriptions(40_000),
        "python": python_sources(12_000_000),
        "chinese": chinese(),
        "reviews": reviews(),
        "synthetic": synthetic(3000),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with tmp.open("w") as f:
        for docs in groups.values():
            for d in docs:
                f.write(json.dumps(d) + "\n")
    tmp.rename(path)
    groups_path(path).write_text(json.dumps({k: len(v) for k, v in groups.items()}))
    summary = {k: (len(v), sum(len(d.encode()) for d in v)) for k, v in groups.items()}
    print(f"corpus {path}: " + ", ".join(f"{k} {n} docs {b / 1e6:.1f} MB" for k, (n, b) in summary.items()),
          file=sys.stderr)
    return path


def corpus_path() -> Path:
    return peers.embedkit_home() / "corpus" / "tokenizers.jsonl"


def groups_path(path: Path) -> Path:
    return path.with_suffix(".groups.json")


def load_groups() -> dict[str, list[str]]:
    """The corpus split back into its parts (debian, python, chinese, reviews, synthetic), in corpus order."""
    docs = load()
    sidecar = groups_path(corpus_path())
    if not sidecar.exists():
        # A corpus built before the sidecar existed: Debian is the first 40,000 documents, Chinese, reviews and
        # synthetic are regenerated and must match the tail; Python sources are what lies between.
        zh, rv, syn = chinese(), reviews(), synthetic(3000)
        counts = {"debian": 40_000, "python": len(docs) - 40_000 - len(zh) - len(rv) - len(syn),
                  "chinese": len(zh), "reviews": len(rv), "synthetic": len(syn)}
        if counts["python"] <= 0 or docs[len(docs) - len(syn) - len(rv) - len(zh):] != zh + rv + syn:
            raise SystemExit(f"cannot split {corpus_path()} into its parts: delete it to rebuild")
        sidecar.write_text(json.dumps(counts))
    counts = json.loads(sidecar.read_text())
    out, start = {}, 0
    for name, n in counts.items():
        out[name] = docs[start:start + n]
        start += n
    return out


def load() -> list[str]:
    with build(corpus_path()).open() as f:
        return [json.loads(line) for line in f]
