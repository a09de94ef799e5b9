"""Real and synthetic texts for checking tokenizers and local models against their Python peers.

    import model_corpus
    texts = model_corpus.reviews()              # seed reviews (summaries and texts)
    texts = model_corpus.debian_descriptions()  # package descriptions from /var/lib/apt/lists/*Packages*
    texts = model_corpus.chinese()              # Debian fortunes-zh poems (apt-get download fortunes-zh)
    texts = model_corpus.synthetic(seed=0)      # emoji/ZWJ, accents, controls, long words, random scalars

Nothing here is committed data: everything is read from the machine or generated from a seed.
"""
from __future__ import annotations

import csv
import glob
import os
import random
import subprocess
import tempfile
from pathlib import Path


def shared_data() -> Path:
    here = Path(__file__).resolve()
    for candidate in (os.environ.get("EMBEDKIT_SHARED"), here.parents[2].parent / "shared", "/work/shared"):
        if candidate and (Path(candidate) / "data").exists():
            return Path(candidate) / "data"
    raise SystemExit("seed data not found: set EMBEDKIT_SHARED to the folder holding data/fine_food_reviews_1k.csv")


def reviews() -> list[str]:
    with open(shared_data() / "fine_food_reviews_1k.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    return [r["Summary"] for r in rows] + [r["Text"] for r in rows]


def review_texts() -> list[str]:
    with open(shared_data() / "fine_food_reviews_1k.csv", newline="", encoding="utf-8") as f:
        return [r["Text"] for r in csv.DictReader(f)]


def debian_descriptions(limit: int = 20000) -> list[str]:
    out: list[str] = []
    for path in sorted(glob.glob("/var/lib/apt/lists/*_Packages*")):
        if path.endswith(".lz4"):
            data = subprocess.run(["lz4cat", path], check=True, capture_output=True).stdout.decode("utf-8", "replace")
        elif path.endswith("Packages"):
            data = Path(path).read_text(encoding="utf-8", errors="replace")
        else:
            continue
        current: list[str] | None = None
        for line in data.split("\n"):
            if line.startswith("Description:"):
                current = [line[len("Description:"):].strip()]
            elif current is not None and line.startswith(" "):
                current.append(line[1:])
            elif current is not None:
                out.append("\n".join(current))
                current = None
                if len(out) >= limit:
                    return out
    return out


def chinese() -> list[str]:
    folder = Path(tempfile.gettempdir()) / "embedkit-fortunes-zh"
    files = sorted(folder.glob("x/usr/share/games/fortunes/*"))
    if not files:
        folder.mkdir(parents=True, exist_ok=True)
        subprocess.run(["apt-get", "download", "fortunes-zh"], cwd=folder, check=True, capture_output=True)
        deb = next(folder.glob("fortunes-zh_*.deb"))
        subprocess.run(["dpkg-deb", "-x", str(deb), str(folder / "x")], check=True)
        files = sorted(folder.glob("x/usr/share/games/fortunes/*"))
    out: list[str] = []
    for f in files:
        if f.suffix == ".dat" or f.is_dir():
            continue
        for chunk in f.read_text(encoding="utf-8", errors="replace").split("\n%\n"):
            if chunk.strip():
                out.append(chunk)
    return out


HANDPICKED = [
    "", " ", "\n", "Hello, world!", "HÉLLO Wörld — naïve café résumé", "Ἀθῆναι ΣΊΣΥΦΟΣ", "İstanbul ıı",
    "東京は日本の首都です。", "我爱自然语言处理！", "한국어 텍스트 처리", "ภาษาไทย", "العربية", "עברית",
    "emoji 😀👍🏽 👨‍👩‍👧‍👦 🏳️‍🌈 ❤️", "tab\tnew\nline\r\nCR", "zero\u200bwidth\u200djoiner\ufeffBOM",
    "ctrl\x00\x01\x7f\x1b[31mred\x1b[0m", "\ufffdreplacement", "a" * 99, "b" * 100, "c" * 101, "x" * 250 + " end",
    "[CLS] inside [SEP] text [MASK] [PAD] [UNK] [cls]", "don't won't it's", "e-mail: a.b@c.org, https://x.y/z?q=1&r=2",
    "Price: $12.99 (20% off) #1 ~tilde~ ^caret^ `tick` |pipe| {brace} <angle>", "ﬁﬂ ligatures Ⅻ ① ²³ ½",
    "ﾊﾝｶｸ ｶﾀｶﾅ full-width ＡＢＣ１２３", "e\u0301 o\u0308 n\u0303 combining", "\u0130\u0049\u0307",
    "𝐁𝐨𝐥𝐝 𝕄𝕒𝕥𝕙 𝔉𝔯𝔞𝔨", "Ω Å K ≠ ≤ ∑ ∫", "a\u00a0b\u2003c\u3000d\u2028e", "UPPER lower MiXeD",
    "supercalifragilisticexpialidocious antidisestablishmentarianism", "1234567890 3.14159 1,000,000",
    "¿Qué tal? ¡Muy bien!", "«guillemets» „quotes“ ‘single’ “double”", "§¶†‡•…‰′″", "Ǆ ǅ ǆ ǈ ẞ ß",
    "\U00020000\U0002A700\U0002F800 CJK ext", "\uf900\ufa0e compat ideographs", "ℌ𝔢𝔩𝔩𝔬 ＷＯＲＬＤ",
]


def synthetic(seed: int = 0, random_strings: int = 2000) -> list[str]:
    rng = random.Random(seed)
    out = list(HANDPICKED)

    def scalar() -> str:
        while True:
            kind = rng.random()
            if kind < 0.4:
                c = rng.randrange(0x20, 0x3000)
            elif kind < 0.7:
                c = rng.randrange(0x3000, 0x10000)
            elif kind < 0.9:
                c = rng.randrange(0x10000, 0x30000)
            else:
                c = rng.randrange(0x30000, 0x110000)
            if not 0xD800 <= c <= 0xDFFF:
                return chr(c)

    for _ in range(random_strings):
        parts = []
        for _ in range(rng.randrange(1, 30)):
            r = rng.random()
            parts.append(scalar() if r < 0.6 else (" " if r < 0.8 else rng.choice(["a", "é", "##", "[SEP]", "。", "\t"])))
        out.append("".join(parts))
    return out


def everything(seed: int = 0) -> list[str]:
    return reviews() + debian_descriptions() + chinese() + synthetic(seed)
