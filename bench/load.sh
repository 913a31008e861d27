#!/usr/bin/env bash
# Load test: the site served by gunicorn on 127.0.0.1, a browsing mix (bench/wrk.lua),
# 64 connections for 30 seconds by default. Fails on any error; appends the figures to
# docs/benchmarks.md. Usage: bench/load.sh [connections] [seconds]
set -euo pipefail
cd "$(dirname "$0")/.."
CONNECTIONS=${1:-64}
SECONDS_RUN=${2:-30}
WORKERS=${WORKERS:-4}
PORT=${PORT:-8031}
export DJANGO_SECRET_KEY="${DJANGO_SECRET_KEY:-$(cat .secret-key)}"


.venv/bin/gunicorn leaderboard.wsgi -c python:leaderboard.gunicorn_conf --bind "127.0.0.1:$PORT" --workers "$WORKERS" \
  --log-level warning &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null || true' EXIT
for _ in $(seq 50); do
  curl -fso /dev/null "http://127.0.0.1:$PORT/" && break
  sleep 0.2
done

if command -v wrk >/dev/null; then
  generator=wrk
  output=$(wrk -t2 -c"$CONNECTIONS" -d"${SECONDS_RUN}s" --timeout 10s -s bench/wrk.lua \
    "http://127.0.0.1:$PORT")
else
  generator="bench/pyload.py (wrk is missing)"
  output=$(.venv/bin/python bench/pyload.py -c "$CONNECTIONS" -d "$SECONDS_RUN" \
    "http://127.0.0.1:$PORT")
fi
echo "$output"
result=$(echo "$output" | grep '^RESULT')
errors=$(echo "$result" | grep -oE '(connect_errors|read_errors|write_errors|timeouts|non_2xx_3xx)=[0-9]+' \
  | cut -d= -f2 | awk '{ total += $1 } END { print total + 0 }')

database=${DATABASE_URL:-"SQLite (db.sqlite3)"}
cache=${REDIS_URL:-"each worker's memory"}
models=$(.venv/bin/python manage.py shell --no-imports \
  -c "from leaderboard.models import AIModel; print(AIModel.objects.count())" | tail -n 1)
{
  echo
  echo "### Load: $(date -u +%Y-%m-%d), $CONNECTIONS connections, ${SECONDS_RUN} s, $WORKERS gunicorn workers"
  echo
  echo "Machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; database: $database; cache: $cache; $models models."
  echo "Command: \`make load\` (bench/load.sh $CONNECTIONS $SECONDS_RUN); load generator: $generator"
  echo
  echo "| requests/s | p50 (ms) | p90 (ms) | p99 (ms) | requests | errors |"
  echo "| --- | --- | --- | --- | --- | --- |"
  echo "$result" | sed -E 's/.*rps=([0-9.]+) p50_ms=([0-9.]+) p90_ms=([0-9.]+) p99_ms=([0-9.]+).*/\1 \2 \3 \4/' \
    | { read -r rps p50 p90 p99; requests=$(echo "$result" | grep -oE 'requests=[0-9]+' | cut -d= -f2); \
        echo "| $rps | $p50 | $p90 | $p99 | $requests | $errors |"; }
} >> docs/benchmarks.md

if [ "$errors" != "0" ]; then
  echo "Load test FAILED: $errors errors" >&2
  exit 1
fi
echo "Load test passed: no errors. Figures appended to docs/benchmarks.md"
