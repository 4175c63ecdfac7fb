#!/bin/sh
# Container entrypoint: apply the database migrations once, then run the gateway in the foreground.
#   GATEWAY_MIGRATE=false  skip the migrations (e.g. when a release job runs them)
#   GATEWAY_WORKERS        worker processes (default 1; /metrics sums them all)
#   PORT                   the port to listen on (Render sets it; default 8000)
# Any arguments replace the default command (e.g. `gateway keys create --tenant acme`).
set -eu

if [ "$#" -gt 0 ]; then
  exec "$@"
fi

if [ "${GATEWAY_MIGRATE:-true}" = "true" ]; then
  echo "entrypoint: applying database migrations" >&2
  gateway db upgrade
fi

# Each instance applies migrations itself above, so the workers need not.
export AUTO_MIGRATE=false
exec gateway serve --host 0.0.0.0 --port "${PORT:-8000}" --workers "${GATEWAY_WORKERS:-1}"
