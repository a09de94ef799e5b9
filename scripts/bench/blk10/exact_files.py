"""Ids of whole files (one document each) against tiktoken's encode_ordinary, all four encodings: the long-text
path (check-tokenizers' corpus is mostly short documents).

    .venv-peers/bin/python scripts/bench/blk10/exact_files.py /path/to/embedkit FILE...
"""
import json, subprocess, sys
sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parents[2] / "python"))
import peers
bin = sys.argv[1]
files = sys.argv[2:]
for name in ["cl100k_base", "o200k_base", "p50k_base", "r50k_base"]:
    enc = peers.tiktoken_encoding(name)
    for f in files:
        text = open(f, encoding="utf-8", newline="").read()
        exp = enc.encode_ordinary(text)
        ours = json.loads(subprocess.run([bin, "tokens", "encode", "--encoding", name, f], capture_output=True, check=True).stdout)
        print(name, f.split("/")[-1], "identical" if ours == exp else f"DIFFER ({len(ours)} vs {len(exp)})", flush=True)
