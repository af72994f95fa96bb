#!/usr/bin/env bash
# `make run`: gunicorn and $CONSUMERS queue consumers (`flask worker`) side by side.
# Ctrl-C (or TERM) stops them all; so does any one of them exiting.
set -u
BIN=${BIN:-.venv/bin}
pids=()
stop() {
  trap - INT TERM EXIT
  kill -TERM "${pids[@]}" 2>/dev/null
  wait
}
trap stop INT TERM EXIT
for _ in $(seq 1 "${CONSUMERS:-1}"); do
  "$BIN/flask" --app app worker &
  pids+=($!)
done
"$BIN/gunicorn" --bind "${HOST:-127.0.0.1}:${PORT:-5000}" --workers "${WORKERS:-2}" --threads "${THREADS:-1}" \
  --timeout 180 --access-logfile - "app:create_app()" &
pids+=($!)
wait -n
