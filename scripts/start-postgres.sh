#!/usr/bin/env bash
# Starts a throwaway PostgreSQL (Debian's packages) for the test suite and prints its URL.
#   eval "$(bash scripts/start-postgres.sh)"   # exports TEST_DATABASE_URL and PG_DATA_DIR
#   bash scripts/stop-postgres.sh              # stops it and removes its folder
# The cluster lives in a temporary folder, owned by the `postgres` user when run as root
# (initdb refuses root), and listens only on 127.0.0.1 on a free port; trust auth is fine there.
set -euo pipefail
bin=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
  echo "start-postgres: no PostgreSQL binaries (apt-get install -y postgresql)" >&2
  exit 1
fi
dir=$(mktemp -d /tmp/broadsheet-pg.XXXXXX)
port=$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
as_owner=()
if [ "$(id -u)" = 0 ]; then
  chown postgres "$dir"
  as_owner=(runuser -u postgres --)
fi
"${as_owner[@]}" "$bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
  || { cat "$dir/initdb.log" >&2; exit 1; }
# Sized for a test run on a small machine: many short connections, durability not needed.
"${as_owner[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
  -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c max_connections=300 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
  start >/dev/null || { cat "$dir/server.log" >&2; exit 1; }
"$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres broadsheet_test
echo "export PG_DATA_DIR=$dir"
echo "export TEST_DATABASE_URL=postgres://postgres@127.0.0.1:$port/broadsheet_test"
