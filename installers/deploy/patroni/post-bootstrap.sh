#!/usr/bin/env bash
# post-bootstrap.sh: run once by Patroni on the first leader, right after initdb (Patroni passes
# the superuser's conninfo string as $1, over the local socket). Creates the platform's roles and database as
# setup-primary.sh does on a cluster without Patroni: rxp_owner owns the schema and runs
# `rxp migrate`, rxp_app is what the servers connect as. Their passwords come from Patroni's
# environment (/etc/patroni/env.conf: RXP_OWNER_PASSWORD, RXP_APP_PASSWORD) and go to psql on
# standard input, never in a process's arguments.
set -euo pipefail

url="$1"
db_name="${RXP_DB_NAME:-rxp}"
if [[ ! "$db_name" =~ ^[a-z_][a-z0-9_]*$ ]]; then
    echo "RXP_DB_NAME must be a plain lower-case identifier" >&2
    exit 2
fi

sql() {
    psql "$url" --no-psqlrc -v ON_ERROR_STOP=1 -qAt "$@"
}

for role in rxp_owner rxp_app; do
    if [[ "$role" == rxp_owner ]]; then
        password="${RXP_OWNER_PASSWORD:?set RXP_OWNER_PASSWORD in /etc/patroni/env.conf}"
    else
        password="${RXP_APP_PASSWORD:?set RXP_APP_PASSWORD in /etc/patroni/env.conf}"
    fi
    literal="'${password//\'/\'\'}'"
    sql -v role="$role" <<SQL
SELECT format('CREATE ROLE %I', :'role')
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'role') \gexec
SELECT format('ALTER ROLE %I LOGIN PASSWORD %L', :'role', $literal) \gexec
SQL
done

sql -v db="$db_name" <<'SQL'
SELECT format('CREATE DATABASE %I OWNER rxp_owner', :'db')
 WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'db') \gexec
SELECT format('GRANT CONNECT ON DATABASE %I TO rxp_app', :'db') \gexec
SELECT format('REVOKE ALL ON DATABASE %I FROM PUBLIC', :'db') \gexec
SQL
# In the new database (a later keyword of a conninfo string wins).
psql "$url dbname=$db_name" --no-psqlrc -v ON_ERROR_STOP=1 -qAt \
    -c "ALTER SCHEMA public OWNER TO rxp_owner"
