#!/usr/bin/env bash
# A local Redis Cluster for development and tests: 3 masters + 3 replicas on loopback.
#
#   scripts/redis-cluster.sh start    start the nodes and create the cluster (nothing to do when up)
#   scripts/redis-cluster.sh status   print each node's role and the cluster state; exit 1 unless ok
#   scripts/redis-cluster.sh stop     shut the nodes down and remove their data directory
#
# Settings (environment):
#   REDIS_CLUSTER_PORTS         six ports, the first three become masters   default 7000 7001 ... 7005
#   REDIS_CLUSTER_DIR           node configs, logs, pid files               default $TMPDIR/gatehouse-redis-cluster-<first port>
#   REDIS_CLUSTER_NODE_TIMEOUT  cluster-node-timeout in ms: how long a master may be silent before its
#                               replica takes over                          default 2000
# Nothing is saved to disk (no RDB, no AOF): the data is counters and caches that expire or rebuild.
# cluster-require-full-coverage no: while one master fails over, the others keep serving their
# slots (with Redis's default, yes, every node refuses every command until the replica takes over).
set -euo pipefail

read -r -a ports <<<"${REDIS_CLUSTER_PORTS:-7000 7001 7002 7003 7004 7005}"
if [ "${#ports[@]}" -ne 6 ]; then
  echo "REDIS_CLUSTER_PORTS must list 6 ports (3 masters + 3 replicas), got: ${ports[*]}" >&2
  exit 2
fi
dir="${REDIS_CLUSTER_DIR:-${TMPDIR:-/tmp}/gatehouse-redis-cluster-${ports[0]}}"
node_timeout="${REDIS_CLUSTER_NODE_TIMEOUT:-2000}"

cli() { redis-cli -h 127.0.0.1 -p "$1" "${@:2}"; }
answers() { [ "$(cli "$1" ping 2>/dev/null)" = "PONG" ]; }
info_field() { cli "$1" cluster info 2>/dev/null | tr -d '\r' | sed -n "s/^$2://p"; }

replication_field() { cli "$1" info replication 2>/dev/null | tr -d '\r' | sed -n "s/^$2://p"; }
# Nodes this node's CLUSTER SLOTS names (masters and the replicas it holds available): it lists a
# replica only once gossip has told it the replica's replication offset, which lags behind the link.
slots_nodes() { cli "$1" cluster slots 2>/dev/null | tr -d '\r' | grep -c '^127\.0\.0\.1$'; }

# Every node answers, knows all six, and says cluster_state:ok with all 16384 slots served; three
# of them are replicas in sync with their master, and every node's CLUSTER SLOTS lists all six.
cluster_ok() {
  local replicas=0
  for port in "${ports[@]}"; do
    answers "$port" || return 1
    [ "$(info_field "$port" cluster_state)" = "ok" ] || return 1
    [ "$(info_field "$port" cluster_known_nodes)" = "6" ] || return 1
    [ "$(info_field "$port" cluster_slots_ok)" = "16384" ] || return 1
    [ "$(slots_nodes "$port")" -eq 6 ] || return 1
    if [ "$(replication_field "$port" role)" = "slave" ]; then
      [ "$(replication_field "$port" master_link_status)" = "up" ] || return 1
      replicas=$((replicas + 1))
    fi
  done
  [ "$replicas" -eq 3 ]
}

wait_until() {
  local what="$1" seconds="$2"
  shift 2
  for _ in $(seq 1 $((seconds * 10))); do
    "$@" && return 0
    sleep 0.1
  done
  echo "timed out after ${seconds} s waiting until ${what}" >&2
  return 1
}

all_answer() {
  for port in "${ports[@]}"; do answers "$port" || return 1; done
}

start_node() {
  local port="$1"
  mkdir -p "$dir/$port"
  redis-server --port "$port" --bind 127.0.0.1 --daemonize yes \
    --cluster-enabled yes --cluster-config-file "$dir/$port/nodes.conf" \
    --cluster-node-timeout "$node_timeout" --cluster-require-full-coverage no \
    --dir "$dir/$port" --logfile "$dir/$port/redis.log" --pidfile "$dir/$port/redis.pid" \
    --save "" --appendonly no
}

start() {
  if cluster_ok; then
    echo "Redis Cluster already up on 127.0.0.1:${ports[0]}-${ports[5]}"
    return 0
  fi
  for port in "${ports[@]}"; do
    answers "$port" || start_node "$port"
  done
  wait_until "every node answers PING" 15 all_answer
  # Nodes restarted from their nodes.conf rejoin by themselves; fresh nodes need the cluster created.
  if [ "$(info_field "${ports[0]}" cluster_slots_assigned)" = "0" ]; then
    local addresses=()
    for port in "${ports[@]}"; do addresses+=("127.0.0.1:$port"); done
    redis-cli --cluster create "${addresses[@]}" --cluster-replicas 1 --cluster-yes >"$dir/create.log" 2>&1 || {
      cat "$dir/create.log" >&2
      echo "could not create the cluster; 'scripts/redis-cluster.sh stop' then 'start' begins afresh" >&2
      return 1
    }
  fi
  wait_until "cluster_state:ok on every node" 30 cluster_ok
  echo "Redis Cluster up on 127.0.0.1:${ports[0]}-${ports[5]} (3 masters + 3 replicas, data in $dir)"
}

status() {
  local ok=0
  for port in "${ports[@]}"; do
    if answers "$port"; then
      local role state
      role="$(cli "$port" role 2>/dev/null | head -n 1)"
      state="$(info_field "$port" cluster_state)"
      printf '127.0.0.1:%s  %-6s  cluster_state:%s\n' "$port" "$role" "$state"
    else
      printf '127.0.0.1:%s  down\n' "$port"
    fi
  done
  cluster_ok || ok=1
  if [ "$ok" -eq 0 ]; then echo "cluster ok"; else echo "cluster not ok"; fi
  return "$ok"
}

stop() {
  for port in "${ports[@]}"; do
    if answers "$port"; then cli "$port" shutdown nosave >/dev/null 2>&1 || true; fi
  done
  stopped() {
    for port in "${ports[@]}"; do ! answers "$port" || return 1; done
  }
  wait_until "every node has stopped" 15 stopped
  rm -rf "$dir"
  echo "Redis Cluster on 127.0.0.1:${ports[0]}-${ports[5]} stopped"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *)
    echo "usage: $0 start|stop|status" >&2
    exit 2
    ;;
esac
