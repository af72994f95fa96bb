#!/usr/bin/env bash
# Load bench: the app under gunicorn (2 workers) on PostgreSQL with 100k claims; wrk for
# 60 s each against the queue page, a claim page (random ids) and GET /api/v1/claims, all
# on 127.0.0.1. Prints requests/s, client p50/p95/p99 (wrk), server-side p50/p95/p99
# (gunicorn access log, %(D)s) and errors per endpoint as a table, then, as its LAST line,
# one JSON object with every figure.
#
# Usage: bench/load.sh        (from anywhere; needs PostgreSQL on 127.0.0.1:5432 and wrk)
# Env:   BENCH_DB=claimdesk_bench CLAIMS=100000 DURATION=60 CONNECTIONS=8 WRK_THREADS=2
#        WORKERS=2 THREADS=1 PORT=5077 PYTHON=.venv/bin/python BENCH_REFILL=1 (fill again)
#        OUT=bench/out/load-<time>
# The bench database is its own (dropped and refilled only with BENCH_REFILL=1).
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-$([ -x .venv/bin/python ] && echo .venv/bin/python || command -v python3)}
BENCH_DB=${BENCH_DB:-claimdesk_bench}
CLAIMS=${CLAIMS:-100000}
DURATION=${DURATION:-60}
CONNECTIONS=${CONNECTIONS:-8}
WRK_THREADS=${WRK_THREADS:-2}
WORKERS=${WORKERS:-2}
THREADS=${THREADS:-1}
PORT=${PORT:-5077}
OUT=${OUT:-bench/out/load-$(date +%Y%m%d-%H%M%S)}
BASE=http://127.0.0.1:$PORT

command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 2; }
pg_isready -h 127.0.0.1 -p 5432 -q || { echo "PostgreSQL is not answering on 127.0.0.1:5432" >&2; exit 2; }
mkdir -p "$OUT"
export DATABASE_URL=postgresql://postgres@127.0.0.1:5432/$BENCH_DB
export SECRET_KEY=load-bench-only HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1
export CLAIMDESK_LOGIN_LIMIT="1000 per minute"

# 1. A migrated database with $CLAIMS claims (reused when already filled).
if ! psql -h 127.0.0.1 -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$BENCH_DB'" | grep -q 1; then
  psql -h 127.0.0.1 -U postgres -qc "CREATE DATABASE $BENCH_DB"
fi
echo "== migrating $BENCH_DB" >&2
"$PYTHON" -m flask --app app db upgrade >&2
echo "== filling $CLAIMS claims (bulk COPY)" >&2
"$PYTHON" bench/load_fill.py --claims "$CLAIMS" ${BENCH_REFILL:+--force} | tail -1 > "$OUT/fill.json"
field() { "$PYTHON" -c "import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])" "$OUT/fill.json" "$1"; }
TOKEN=$(field token); EMAIL=$(field email); PASSWORD=$(field password)
CLAIM_MIN=$(field min_claim_id); CLAIM_MAX=$(field max_claim_id)
echo "== building the related-claims index (once; the workers map it)" >&2
rm -rf "$OUT/ann"
CLAIMDESK_ANN_DIR="$OUT/ann" "$PYTHON" -m flask --app app reindex --if-missing >&2
export CLAIMDESK_ANN_DIR="$OUT/ann"

# 2. gunicorn as `make run` starts it, with an access log of path, status and microseconds.
echo "== starting gunicorn: $WORKERS workers x $THREADS threads on $BASE" >&2
"$PYTHON" -m gunicorn --bind "127.0.0.1:$PORT" --workers "$WORKERS" --threads "$THREADS" --timeout 180 \
  --access-logfile "$OUT/access.log" --access-logformat '%(U)s %(s)s %(D)s' \
  --error-logfile "$OUT/gunicorn.log" "app:create_app()" &
GUNICORN=$!
trap 'kill "$GUNICORN" 2>/dev/null || true; wait "$GUNICORN" 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do
  [ "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/auth/login")" = 200 ] && break
  sleep 0.5
done

# 3. Sign in like a browser (CSRF token from the form) for the session cookie.
JAR=$OUT/cookies.txt
CSRF=$(curl -s -c "$JAR" "$BASE/auth/login" | sed -n 's/.*name="csrf_token" type="hidden" value="\([^"]*\)".*/\1/p' | head -1)
STATUS=$(curl -s -b "$JAR" -c "$JAR" -o /dev/null -w '%{http_code}' --data-urlencode "csrf_token=$CSRF" \
  --data-urlencode "email=$EMAIL" --data-urlencode "password=$PASSWORD" "$BASE/auth/login")
[ "$STATUS" = 302 ] || { echo "sign-in failed ($STATUS)" >&2; exit 1; }
SESSION=$(awk '$6 == "session" {print $7}' "$JAR")

# 4. Warm up both workers (their first claim pages map the related-claims index).
echo "== warming up" >&2
CLAIM_MIN=$CLAIM_MIN CLAIM_MAX=$CLAIM_MAX wrk -t2 -c8 -d20s --timeout 60s -s bench/wrk_stats.lua \
  -H "Cookie: session=$SESSION" "$BASE/claims/1" >/dev/null
wrk -t2 -c8 -d5s -H "Cookie: session=$SESSION" "$BASE/queue" >/dev/null
wrk -t2 -c8 -d5s -H "Authorization: Bearer $TOKEN" "$BASE/api/v1/claims" >/dev/null

# 5. The measured runs, one endpoint at a time.
run() {
  local name=$1; shift
  local offset; offset=$(stat -c %s "$OUT/access.log")
  cut -d' ' -f1-3 /proc/loadavg > "$OUT/$name.load"
  echo "== $name: wrk -t$WRK_THREADS -c$CONNECTIONS -d${DURATION}s" >&2
  wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency -s bench/wrk_stats.lua "$@" > "$OUT/$name.wrk.txt"
  sleep 1
  tail -c +"$((offset + 1))" "$OUT/access.log" > "$OUT/$name.access.log"
}
run queue -H "Cookie: session=$SESSION" "$BASE/queue"
CLAIM_MIN=$CLAIM_MIN CLAIM_MAX=$CLAIM_MAX run claim -H "Cookie: session=$SESSION" "$BASE/claims/1"
run api -H "Authorization: Bearer $TOKEN" "$BASE/api/v1/claims"

"$PYTHON" bench/load_report.py "$OUT" --workers "$WORKERS" --threads "$THREADS" --connections "$CONNECTIONS" \
  --duration "$DURATION"
