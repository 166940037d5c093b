#!/usr/bin/env bash
# Stops the PostgreSQL that start-postgres.sh started (PG_DATA_DIR) and removes its folder.
set -euo pipefail
dir=${PG_DATA_DIR:?PG_DATA_DIR is not set}
bin=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}
as_owner=()
[ "$(id -u)" = 0 ] && as_owner=(runuser -u postgres --)
"${as_owner[@]}" "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null || true
rm -rf "$dir"
