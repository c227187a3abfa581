#!/usr/bin/env bash
# setup-primary.sh: make a Debian/Ubuntu PostgreSQL cluster the platform's primary.
#
# Run as root on the database host, once (it is safe to run again). It
#  - writes conf.d/rxp.conf (TLS, WAL for streaming replicas, logging kept for the audit),
#  - creates the roles: rxp_owner (owns the schema, runs `rxp migrate`), rxp_app (what the
#    servers connect as; row-level security applies to it), rxp_replicator (replication only),
#  - creates the database and a physical replication slot per replica (so the primary keeps
#    the WAL a replica has not received yet: no gap after a replica's outage),
#  - allows those roles in pg_hba.conf from the given networks only, over TLS.
#
# Passwords are read from files (mode 0600), never from the command line:
#   RXP_SECRETS_DIR/{rxp_owner,rxp_app,rxp_replicator}.password
# Settings (environment):
#   PG_VERSION (15)  PG_CLUSTER (main)  RXP_DB_NAME (rxp)
#   RXP_APP_NETWORK     CIDR of the API servers, e.g. 10.20.0.0/24
#   RXP_REPLICA_NETWORK CIDR of the replicas, e.g. 10.20.1.0/24
#   RXP_REPLICA_SLOTS   slot names, space separated (default "replica1")
#   RXP_TLS_CERT / RXP_TLS_KEY  the database server's certificate and key (PEM)
#   RXP_BACKUP_DIR     the backup store on this host (rxp-backup): archived WAL goes to its
#                      wal/ folder, so a restore can reach any moment since the oldest backup
set -euo pipefail

pg_version="${PG_VERSION:-15}"
pg_cluster="${PG_CLUSTER:-main}"
db_name="${RXP_DB_NAME:-rxp}"
secrets="${RXP_SECRETS_DIR:?set RXP_SECRETS_DIR (the folder with the role passwords)}"
app_network="${RXP_APP_NETWORK:?set RXP_APP_NETWORK (CIDR of the API servers)}"
replica_network="${RXP_REPLICA_NETWORK:?set RXP_REPLICA_NETWORK (CIDR of the replicas)}"
slots="${RXP_REPLICA_SLOTS:-replica1}"
tls_cert="${RXP_TLS_CERT:?set RXP_TLS_CERT (PEM certificate of the database server)}"
tls_key="${RXP_TLS_KEY:?set RXP_TLS_KEY (its private key)}"
conf_dir="/etc/postgresql/$pg_version/$pg_cluster"
backup_dir="${RXP_BACKUP_DIR:-}"

if [[ ! "$db_name" =~ ^[a-z_][a-z0-9_]*$ ]]; then
    echo "RXP_DB_NAME must be a plain lower-case identifier" >&2
    exit 2
fi
for role in rxp_owner rxp_app rxp_replicator; do
    file="$secrets/$role.password"
    if [[ ! -s "$file" ]]; then
        echo "missing $file" >&2
        exit 2
    fi
done

install -o postgres -g postgres -m 0644 "$tls_cert" "$conf_dir/rxp-server.crt"
install -o postgres -g postgres -m 0600 "$tls_key" "$conf_dir/rxp-server.key"
install -d -o postgres -g postgres "$conf_dir/conf.d"
cat >"$conf_dir/conf.d/rxp.conf" <<CONF
# Written by setup-primary.sh (prescription circulation platform).
listen_addresses = '*'
ssl = on
ssl_cert_file = '$conf_dir/rxp-server.crt'
ssl_key_file = '$conf_dir/rxp-server.key'
ssl_min_protocol_version = 'TLSv1.2'
password_encryption = 'scram-sha-256'
wal_level = replica
max_wal_senders = 10
max_replication_slots = 10
# A slot holds WAL for a replica that is down; this caps it so the primary's disk cannot fill.
max_slot_wal_keep_size = '50GB'
hot_standby = on
wal_compression = on
# Connections and slow statements are logged; the journal keeps them (network logs >= 6 months).
log_connections = on
log_disconnections = on
log_min_duration_statement = 2000
log_line_prefix = '%m [%p] %q%u@%d %h '
timezone = 'UTC'
CONF
if [[ -n "$backup_dir" ]]; then
    install -d -o postgres -g postgres -m 0700 "$backup_dir" "$backup_dir/wal" "$backup_dir/base"
    # `test ! -f` refuses to overwrite an archived segment: a second cluster archiving into the
    # same store by mistake fails loudly (as installers/backup.py does on the embedded cluster).
    cat >>"$conf_dir/conf.d/rxp.conf" <<CONF
archive_mode = on
archive_command = 'test ! -f $backup_dir/wal/%f && cp %p $backup_dir/wal/%f'
archive_timeout = 60
CONF
fi

hba="$conf_dir/pg_hba.conf"
marker="# rxp: platform roles"
if ! grep -qF "$marker" "$hba"; then
    {
        echo "$marker"
        echo "hostssl $db_name rxp_app,rxp_owner $app_network scram-sha-256"
        echo "hostssl replication rxp_replicator $replica_network scram-sha-256"
    } >>"$hba"
fi

systemctl restart "postgresql@$pg_version-$pg_cluster"

as_postgres() {
    runuser -u postgres -- psql --no-psqlrc -v ON_ERROR_STOP=1 -qAt "$@"
}

for role in rxp_owner rxp_app rxp_replicator; do
    attributes="LOGIN"
    if [[ "$role" == rxp_replicator ]]; then
        attributes="LOGIN REPLICATION"
    fi
    # The password goes in on standard input, as an SQL literal: never in a process's arguments.
    password="$(<"$secrets/$role.password")"
    literal="'${password//\'/\'\'}'"
    as_postgres -v role="$role" -v attributes="$attributes" <<SQL
SELECT format('CREATE ROLE %I', :'role')
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'role') \gexec
SELECT format('ALTER ROLE %I %s PASSWORD %L', :'role', :'attributes', $literal) \gexec
SQL
done

as_postgres -v db="$db_name" <<'SQL'
SELECT format('CREATE DATABASE %I OWNER rxp_owner', :'db')
 WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'db') \gexec
SELECT format('GRANT CONNECT ON DATABASE %I TO rxp_app', :'db') \gexec
SELECT format('REVOKE ALL ON DATABASE %I FROM PUBLIC', :'db') \gexec
SQL
as_postgres -d "$db_name" -c "ALTER SCHEMA public OWNER TO rxp_owner"

for slot in $slots; do
    as_postgres -v slot="$slot" <<'SQL'
SELECT pg_create_physical_replication_slot(:'slot')
 WHERE NOT EXISTS (SELECT 1 FROM pg_replication_slots WHERE slot_name = :'slot');
SQL
done

echo "primary ready: database $db_name, slots: $slots"
echo "next: on each replica host run setup-replica.sh; then rxp migrate with DATABASE_MIGRATION_URL"
