#!/usr/bin/env bash
# Start a throwaway PostgreSQL on loopback for the stores' tests; print its URL on stdout.
# Installs the server from Debian's packages where it is missing.
set -euo pipefail

bin_dir=""
for candidate in /usr/lib/postgresql/*/bin; do
    [[ -x "$candidate/initdb" ]] && bin_dir="$candidate"
done
if [[ -z "$bin_dir" ]]; then
    apt-get update -qq >&2 && apt-get install -y -qq postgresql >&2
    for candidate in /usr/lib/postgresql/*/bin; do bin_dir="$candidate"; done
fi

# PostgreSQL refuses to run as root: run it as the `postgres` user when we are root.
run_as=()
if [[ $(id -u) -eq 0 ]]; then
    id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
    run_as=(runuser -u postgres --)
fi

data_dir=$(mktemp -d /tmp/airloom-pg.XXXXXX)
chmod 700 "$data_dir"
[[ ${#run_as[@]} -gt 0 ]] && chown postgres "$data_dir"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

"${run_as[@]}" "$bin_dir/initdb" -D "$data_dir" -U airloom --auth=trust >/dev/null
"${run_as[@]}" "$bin_dir/pg_ctl" -D "$data_dir" -l "$data_dir/server.log" -w \
    -o "-c listen_addresses=127.0.0.1 -c port=$port -k $data_dir" start >/dev/null
"${run_as[@]}" "$bin_dir/createdb" -h 127.0.0.1 -p "$port" -U airloom airloom_test

echo "postgresql+psycopg://airloom@127.0.0.1:$port/airloom_test"
