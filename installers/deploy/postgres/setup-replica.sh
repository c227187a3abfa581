#!/usr/bin/env bash
# setup-replica.sh: make this host's PostgreSQL cluster a streaming replica of the primary.
#
# Run as root on the replica host. It stops the local cluster, keeps its old data folder aside
# (renamed, never deleted), copies the primary with pg_basebackup -R (which writes
# standby.signal and primary_conninfo), attaches to the replication slot made for it by
# setup-primary.sh, starts, and checks that the cluster is in recovery and streaming.
#
# Settings (environment):
#   RXP_PRIMARY_HOST   the primary's address        RXP_PRIMARY_PORT (5432)
#   RXP_REPLICA_SLOT   this replica's slot name (default "replica1")
#   RXP_SECRETS_DIR    folder with rxp_replicator.password (mode 0600)
#   PG_VERSION (15)  PG_CLUSTER (main)
set -euo pipefail

pg_version="${PG_VERSION:-15}"
pg_cluster="${PG_CLUSTER:-main}"
primary="${RXP_PRIMARY_HOST:?set RXP_PRIMARY_HOST}"
port="${RXP_PRIMARY_PORT:-5432}"
slot="${RXP_REPLICA_SLOT:-replica1}"
secrets="${RXP_SECRETS_DIR:?set RXP_SECRETS_DIR}"
bindir="/usr/lib/postgresql/$pg_version/bin"
data="/var/lib/postgresql/$pg_version/$pg_cluster"
service="postgresql@$pg_version-$pg_cluster"

# The replica reconnects on its own whenever the primary restarts: libpq reads the password from
# the postgres user's ~/.pgpass (mode 0600), so it is in no configuration file or argument.
home="$(getent passwd postgres | cut -d: -f6)"
passfile="$home/.pgpass"
touch "$passfile"
chown postgres:postgres "$passfile"
chmod 0600 "$passfile"
entry_prefix="$primary:$port:replication:rxp_replicator:"
grep -vF "$entry_prefix" "$passfile" >"$passfile.new" || true
printf '%s%s\n' "$entry_prefix" "$(<"$secrets/rxp_replicator.password")" >>"$passfile.new"
mv "$passfile.new" "$passfile"
chown postgres:postgres "$passfile"
chmod 0600 "$passfile"

systemctl stop "$service"
if [[ -d "$data" ]]; then
    mv "$data" "$data.before-replica.$(date -u +%Y%m%dT%H%M%SZ)"
fi
install -d -o postgres -g postgres -m 0700 "$data"
runuser -u postgres -- "$bindir/pg_basebackup" \
    --host="$primary" --port="$port" --username=rxp_replicator --no-password \
    --pgdata="$data" --write-recovery-conf --wal-method=stream --slot="$slot" \
    --checkpoint=fast --progress
chmod 0600 "$data/postgresql.auto.conf"
systemctl start "$service"

for _ in $(seq 1 30); do
    if runuser -u postgres -- psql --no-psqlrc -qAt \
        -c "SELECT pg_is_in_recovery() AND status = 'streaming' FROM pg_stat_wal_receiver" \
        2>/dev/null | grep -q '^t$'; then
        echo "replica streaming from $primary (slot $slot)"
        exit 0
    fi
    sleep 1
done
echo "the replica started but is not streaming: see journalctl -u $service" >&2
exit 1
