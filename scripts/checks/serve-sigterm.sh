#!/usr/bin/env bash
# SIGTERM drains in-flight requests: start `embedkit serve`, send a 200-input request, SIGTERM the server while
# it is being answered, then check that the request still got all 200 vectors, new connections were refused,
# and the server exited.      scripts/checks/serve-sigterm.sh [path/to/embedkit]
set -euo pipefail
bin=${1:-.build/release/embedkit}
port=${EMBEDKIT_CHECK_PORT:-18181}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$bin" serve --port "$port" --log-level warning 2>"$tmp/serve.log" &
server=$!
for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.5; done
python3 -c "import json; print(json.dumps({'model':'all-MiniLM-L6-v2','input':['review %d: the beans, the coffee and the shipping were all fine, thanks' % i for i in range(200)]}))" > "$tmp/body.json"
curl -s -o "$tmp/out.json" -w "%{http_code}" -X POST "http://127.0.0.1:$port/v1/embeddings" \
  -H 'Content-Type: application/json' -d @"$tmp/body.json" > "$tmp/status" &
client=$!
sleep 0.3
kill -TERM "$server"
sleep 0.2
if curl -s -m 2 "http://127.0.0.1:$port/health" >/dev/null; then refused=no; else refused=yes; fi
wait "$client"
wait "$server"; code=$?
vectors=$(python3 -c "import json,sys; print(len(json.load(open(sys.argv[1]))['data']))" "$tmp/out.json")
echo "in-flight request: HTTP $(cat "$tmp/status"), $vectors vectors; new connections refused after SIGTERM: $refused; server exit code $code"
[[ "$(cat "$tmp/status")" == 200 && "$vectors" == 200 && "$refused" == yes && "$code" == 0 ]]
