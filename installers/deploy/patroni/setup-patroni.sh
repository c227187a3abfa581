#!/usr/bin/env bash
# setup-patroni.sh: make this host one node of a Patroni-managed primary + synchronous standby.
#
# Run as root on each database host (Debian 12: apt-get install patroni; etcd-server on the three
# etcd hosts). It
#  - renders patroni.yml.in into /etc/patroni/$PG_VERSION-$PG_CLUSTER.yml for Debian's
#    patroni@ service, and the passwords into /etc/patroni/env.conf (mode 0600),
#  - checks the result with `patroni --validate-config`,
#  - keeps the cluster's old data folder aside (renamed, never deleted): Patroni initialises
#    the first node (then post-bootstrap.sh creates the platform's roles and database) and
#    clones the others from the leader,
#  - hands PostgreSQL over to Patroni: postgresql@ is disabled, patroni@ enabled and started.
#
# Passwords are read from files (mode 0600): RXP_SECRETS_DIR/{postgres,rxp_replicator,
#   rxp_rewind,rxp_owner,rxp_app}.password
# Settings (environment):
#   RXP_NODE_NAME       this node's name (node1, node2)
#   RXP_NODE_ADDRESS    its address, which the other node and the API servers reach
#   RXP_ETCD_HOSTS      host:port,host:port,host:port of the etcd members
#   RXP_APP_NETWORK / RXP_REPLICA_NETWORK   CIDRs of the API servers and of the database hosts
#   RXP_TLS_CERT / RXP_TLS_KEY   this database server's certificate and key (PEM)
#   PG_VERSION (15)  PG_CLUSTER (main)  RXP_DB_NAME (rxp)  RXP_PG_PORT (5432)  RXP_API_PORT (8008)
#   RXP_TTL (30)  RXP_LOOP_WAIT (10)  RXP_RETRY_TIMEOUT (10)
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
pg_version="${PG_VERSION:-15}"
pg_cluster="${PG_CLUSTER:-main}"
secrets="${RXP_SECRETS_DIR:?set RXP_SECRETS_DIR (the folder with the role passwords)}"
: "${RXP_NODE_NAME:?set RXP_NODE_NAME}" "${RXP_NODE_ADDRESS:?set RXP_NODE_ADDRESS}"
: "${RXP_ETCD_HOSTS:?set RXP_ETCD_HOSTS}" "${RXP_APP_NETWORK:?set RXP_APP_NETWORK}"
: "${RXP_REPLICA_NETWORK:?set RXP_REPLICA_NETWORK}" "${RXP_TLS_CERT:?set RXP_TLS_CERT}"
: "${RXP_TLS_KEY:?set RXP_TLS_KEY}"
instance="$pg_version-$pg_cluster"
conf_dir="/etc/patroni"
data="/var/lib/postgresql/$pg_version/$pg_cluster"

for role in postgres rxp_replicator rxp_rewind rxp_owner rxp_app; do
    if [[ ! -s "$secrets/$role.password" ]]; then
        echo "missing $secrets/$role.password" >&2
        exit 2
    fi
done

install -d -m 0755 /usr/local/lib/rxp "$conf_dir"
install -m 0755 "$here/post-bootstrap.sh" /usr/local/lib/rxp/patroni-post-bootstrap.sh
install -o postgres -g postgres -m 0644 "$RXP_TLS_CERT" "$conf_dir/rxp-server.crt"
install -o postgres -g postgres -m 0600 "$RXP_TLS_KEY" "$conf_dir/rxp-server.key"

export RXP_DB_NAME="${RXP_DB_NAME:-rxp}" RXP_PG_PORT="${RXP_PG_PORT:-5432}"
export RXP_API_PORT="${RXP_API_PORT:-8008}" RXP_TTL="${RXP_TTL:-30}"
export RXP_LOOP_WAIT="${RXP_LOOP_WAIT:-10}" RXP_RETRY_TIMEOUT="${RXP_RETRY_TIMEOUT:-10}"
export RXP_DATA_DIR="$data" RXP_BIN_DIR="/usr/lib/postgresql/$pg_version/bin"
export RXP_SOCKET_DIR=/var/run/postgresql RXP_PGPASS="/var/lib/postgresql/$instance.pgpass"
export RXP_POST_BOOTSTRAP=/usr/local/lib/rxp/patroni-post-bootstrap.sh
export RXP_TLS_CERT="$conf_dir/rxp-server.crt" RXP_TLS_KEY="$conf_dir/rxp-server.key"
# string.Template.substitute: a ${RXP_...} left without a value is an error, not an empty string.
python3 -c 'import os, string, sys
sys.stdout.write(string.Template(open(sys.argv[1]).read()).substitute(os.environ))' \
    "$here/patroni.yml.in" >"$conf_dir/$instance.yml.new"
chown root:postgres "$conf_dir/$instance.yml.new"
chmod 0640 "$conf_dir/$instance.yml.new"
mv "$conf_dir/$instance.yml.new" "$conf_dir/$instance.yml"

umask 077
{
    echo "PATRONI_SUPERUSER_PASSWORD=$(<"$secrets/postgres.password")"
    echo "PATRONI_REPLICATION_PASSWORD=$(<"$secrets/rxp_replicator.password")"
    echo "PATRONI_REWIND_PASSWORD=$(<"$secrets/rxp_rewind.password")"
    echo "RXP_OWNER_PASSWORD=$(<"$secrets/rxp_owner.password")"
    echo "RXP_APP_PASSWORD=$(<"$secrets/rxp_app.password")"
    echo "RXP_DB_NAME=$RXP_DB_NAME"
} >"$conf_dir/env.conf"
umask 022

systemctl disable --now "postgresql@$instance" 2>/dev/null || true
if [[ -d "$data" ]] && [[ -n "$(ls -A "$data")" ]]; then
    mv "$data" "$data.before-patroni.$(date -u +%Y%m%dT%H%M%SZ)"
fi
install -d -o postgres -g postgres -m 0700 "$data"

set -a
# shellcheck disable=SC1091
source "$conf_dir/env.conf"
set +a
runuser -u postgres -- patroni --validate-config "$conf_dir/$instance.yml"

systemctl enable --now "patroni@$instance"
echo "patroni@$instance started; see: patronictl -c $conf_dir/$instance.yml list"
