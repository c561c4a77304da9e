#!/usr/bin/env bash
# The contract's "Done when" on a real start: `npm start` on a fresh database answers /readyz, the
# CLI creates a tenant and an officer whose token reads /v1/audit-events, each process says where it
# listens, and SIGTERM stops all three processes cleanly, each saying so. Prints the start-up time.
# Needs PostgreSQL and Redis running.
set -euo pipefail
cd "$(dirname "$0")/../.."

db="rempart_smoke_$$"
export DATABASE_URL="postgres://postgres@127.0.0.1:5432/${db}"
export API_PORT="${SMOKE_API_PORT:-3710}" MDM_PORT="${SMOKE_MDM_PORT:-3711}" QUEUE_PREFIX="${db}"
export API_METRICS_PORT="${SMOKE_API_METRICS_PORT:-3712}" MDM_METRICS_PORT="${SMOKE_MDM_METRICS_PORT:-3713}" WORKER_METRICS_PORT="${SMOKE_WORKER_METRICS_PORT:-3714}"
log="$(mktemp)"
cleanup() {
  [ -n "${pid:-}" ] && kill -TERM -- "-${pid}" 2>/dev/null || true
  psql -h 127.0.0.1 -U postgres -d postgres -qc "DROP DATABASE IF EXISTS \"${db}\" WITH (FORCE)" >/dev/null 2>&1 || true
  redis-cli --scan --pattern "${db}:*" | xargs -r redis-cli del >/dev/null 2>&1 || true
}
trap cleanup EXIT

started=$(date +%s.%N)
setsid npm start >"$log" 2>&1 &
pid=$!
for _ in $(seq 1 180); do
  if curl -fsS "http://127.0.0.1:${API_PORT}/readyz" >/dev/null 2>&1 && curl -fsS "http://127.0.0.1:${MDM_PORT}/readyz" >/dev/null 2>&1; then
    break
  fi
  if ! kill -0 "$pid" 2>/dev/null; then echo "smoke: npm start exited early:"; tail -20 "$log"; exit 1; fi
  sleep 0.5
done
curl -fsS "http://127.0.0.1:${API_PORT}/readyz" >/dev/null || { echo "smoke: /readyz not 200 after 90 s"; tail -20 "$log"; exit 1; }
curl -fsS "http://127.0.0.1:${API_METRICS_PORT}/metrics" | grep -q rempart_http_request_duration_seconds || { echo "smoke: no api /metrics on ${API_METRICS_PORT}"; exit 1; }
curl -fsS "http://127.0.0.1:${MDM_METRICS_PORT}/metrics" >/dev/null || { echo "smoke: no mdm /metrics on ${MDM_METRICS_PORT}"; exit 1; }
[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:${API_PORT}/metrics")" = 404 ] || { echo "smoke: /metrics is served on the public api port"; exit 1; }
# The worker has no /readyz: npm start says when all three run, after each says where it listens.
for _ in $(seq 1 120); do grep -q '^rempart: api, mdm, worker running after' "$log" && break; sleep 0.5; done
for name in api mdm worker; do
  grep -q "^rempart: ${name} started: " "$log" || { echo "smoke: npm start did not say where ${name} listens"; grep '^rempart:' "$log"; exit 1; }
done
grep -q "api started: http://127.0.0.1:${API_PORT} (OpenAPI http://127.0.0.1:${API_PORT}/docs, metrics http://127.0.0.1:${API_METRICS_PORT}/metrics)" "$log" || { echo "smoke: api start line without its URLs"; grep 'api started' "$log"; exit 1; }
ready=$(date +%s.%N)
printf 'smoke: npm start answered /readyz on api and mdm after %.1f s\n' "$(echo "$ready - $started" | bc)"

npm run -s cli -- tenant create smoke --name "Smoke test" >/dev/null
token=$(npm run -s cli -- officer create --tenant smoke --email admin@smoke.gouv.fr --role admin | tail -n 1)
body=$(curl -fsS -H "Authorization: Bearer ${token}" "http://127.0.0.1:${API_PORT}/v1/audit-events")
echo "$body" | grep -q '"action":"officer.create"' || { echo "smoke: audit events missing: $body"; exit 1; }
echo "smoke: CLI-created officer token reads /v1/audit-events"

kill -TERM -- "-${pid}"
# npm itself exits at once; wait for every process of the group (api, mdm, worker) to finish.
for _ in $(seq 1 60); do pgrep -g "$pid" >/dev/null || break; sleep 0.5; done
if pgrep -g "$pid" >/dev/null; then echo "smoke: processes still running 30 s after SIGTERM:"; pgrep -ag "$pid"; exit 1; fi
pid=
for name in api mdm worker; do
  grep -q "\"msg\":\"${name} stopped\"" "$log" || { echo "smoke: ${name} did not log that it stopped"; tail -20 "$log"; exit 1; }
done
echo "smoke: SIGTERM stopped api, mdm and worker, each saying so"
