#!/usr/bin/env python3
"""The official `openai` Python SDK (pinned in the peers venv) against a running `embedkit serve`.

    .venv-peers/bin/python scripts/checks/openai_sdk_server.py --base-url http://127.0.0.1:PORT/v1 \
        --api-key KEY --model all-MiniLM-L6-v2 --expected expected.json [--max-body-bytes N]

`expected.json` holds {"texts": [...], "vectors": [[...], ...]}: the same texts embedded in-process by EmbedKit.
Checks every input form (string, [string], [int], [[int]] as cl100k ids from the official tiktoken), float vs
base64, dimensions=128, /v1/models, and that each error case arrives as the SDK's exception class with the
right status and error.type. Prints one JSON summary line; exits 1 on the first failed check.
The Swift test `OpenAI SDK against embedkit serve` starts the server and runs this script.
"""
from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "python"))
import peers  # noqa: E402

import numpy as np  # noqa: E402
import openai  # noqa: E402
from openai import OpenAI  # noqa: E402

checks: list[str] = []


def check(name: str, ok: bool, detail: str = "") -> None:
    if not ok:
        print(json.dumps({"ok": False, "failed": name, "detail": detail, "passed": checks}))
        sys.exit(1)
    checks.append(name)


def cosine(a, b) -> float:
    dot = sum(x * y for x, y in zip(a, b))
    na = math.sqrt(sum(x * x for x in a))
    nb = math.sqrt(sum(y * y for y in b))
    return dot / (na * nb)


def expect_error(name: str, cls, status: int, error_type: str, call) -> None:
    try:
        call()
    except cls as e:  # the SDK's own exception class
        body = e.body if isinstance(e.body, dict) else {}
        # the SDK hands over the `error` object as body
        etype = body.get("type") if "type" in body else (body.get("error") or {}).get("type")
        check(name, e.status_code == status and etype == error_type,
              f"status {e.status_code}, type {etype}, body {e.body}")
        return
    except Exception as e:  # noqa: BLE001
        check(name, False, f"raised {type(e).__name__}: {e}")
    check(name, False, "no error raised")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--base-url", required=True)
    ap.add_argument("--api-key", required=True)
    ap.add_argument("--model", required=True)
    ap.add_argument("--expected", required=True)
    ap.add_argument("--max-body-bytes", type=int, default=0)
    args = ap.parse_args()
    expected = json.loads(Path(args.expected).read_text())
    texts, vectors = expected["texts"], expected["vectors"]
    client = OpenAI(base_url=args.base_url, api_key=args.api_key, max_retries=0, timeout=120)
    model = args.model
    worst = 1.0

    def same(name: str, got, want) -> None:
        nonlocal worst
        for g, w in zip(got, want):
            c = cosine(g, w)
            worst = min(worst, c)
            check(name, len(g) == len(w) and c >= 0.999999, f"cosine {c}, len {len(g)} vs {len(w)}")
        check(name + " count", len(got) == len(want), f"{len(got)} vs {len(want)}")

    # string
    r = client.embeddings.create(model=model, input=texts[0])
    same("input: string", [r.data[0].embedding], vectors[:1])
    check("usage", r.usage.prompt_tokens > 0 and r.usage.total_tokens == r.usage.prompt_tokens, str(r.usage))
    check("response model", r.model == model, r.model)
    # [string], float vs base64 (the SDK asks for base64 by default and decodes it)
    r64 = client.embeddings.create(model=model, input=texts)
    same("input: [string] (base64)", [d.embedding for d in r64.data], vectors)
    check("indexes", [d.index for d in r64.data] == list(range(len(texts))))
    rf = client.embeddings.create(model=model, input=texts, encoding_format="float")
    same("input: [string] (float)", [d.embedding for d in rf.data], vectors)
    # JSON floats are float32 printed shortest-round-trip: equal once read back as float32.
    check("base64 == float", all(np.array_equal(np.asarray(a.embedding, dtype=np.float32), np.asarray(b.embedding, dtype=np.float32))
                                 for a, b in zip(r64.data, rf.data)), "base64 and float vectors differ")
    # token arrays: cl100k ids from the official tiktoken
    enc = peers.tiktoken_encoding("cl100k_base")
    ids = [enc.encode(t) for t in texts]
    r = client.embeddings.create(model=model, input=ids[0])
    same("input: [int]", [r.data[0].embedding], vectors[:1])
    r = client.embeddings.create(model=model, input=ids)
    same("input: [[int]]", [d.embedding for d in r.data], vectors)
    # dimensions
    r = client.embeddings.create(model=model, input=texts[:4], dimensions=128)
    for d in r.data:
        norm = math.sqrt(sum(x * x for x in d.embedding))
        check("dimensions=128", len(d.embedding) == 128 and abs(norm - 1) < 1e-5, f"len {len(d.embedding)}, norm {norm}")
    # models
    ids_listed = [m.id for m in client.models.list()]
    check("/v1/models", model in ids_listed, str(ids_listed))

    # errors, as the SDK's classes
    expect_error("400 empty string", openai.BadRequestError, 400, "invalid_request_error",
                 lambda: client.embeddings.create(model=model, input=""))
    expect_error("400 empty string in list", openai.BadRequestError, 400, "invalid_request_error",
                 lambda: client.embeddings.create(model=model, input=["ok", ""]))
    expect_error("400 > 2048 inputs", openai.BadRequestError, 400, "invalid_request_error",
                 lambda: client.embeddings.create(model=model, input=["x"] * 2049))
    expect_error("400 over-long input", openai.BadRequestError, 400, "invalid_request_error",
                 lambda: client.embeddings.create(model=model, input="word " * 9000))
    expect_error("400 dimensions=0", openai.BadRequestError, 400, "invalid_request_error",
                 lambda: client.embeddings.create(model=model, input="x", dimensions=0))
    expect_error("400 dimensions too big", openai.BadRequestError, 400, "invalid_request_error",
                 lambda: client.embeddings.create(model=model, input="x", dimensions=100000))
    expect_error("404 model_not_found", openai.NotFoundError, 404, "invalid_request_error",
                 lambda: client.embeddings.create(model="no-such-model", input="x"))
    try:
        client.embeddings.create(model="no-such-model", input="x")
    except openai.NotFoundError as e:
        check("404 code", e.code == "model_not_found", str(e.code))
    wrong = OpenAI(base_url=args.base_url, api_key="sk-wrong", max_retries=0)
    expect_error("401 wrong key", openai.AuthenticationError, 401, "invalid_request_error",
                 lambda: wrong.embeddings.create(model=model, input="x"))
    if args.max_body_bytes:
        big = "a" * (args.max_body_bytes + 1024)
        expect_error("413 body too large", openai.APIStatusError, 413, "invalid_request_error",
                     lambda: client.embeddings.create(model=model, input=big))
    print(json.dumps({"ok": True, "passed": checks, "worst_cosine": worst, "openai": openai.__version__}))


if __name__ == "__main__":
    main()
