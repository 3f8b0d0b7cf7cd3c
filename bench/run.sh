#!/usr/bin/env bash
# Latchkey against a direct connection, nginx and HAProxy, measured in one session on loopback.
#
#   bench/run.sh            # DURATION=10 ROUNDS=3 CONNECTIONS=64 by default
#
# Arms: A direct, B nginx, C HAProxy, D Latchkey (static bearer), D2 Latchkey (oauth2 client_credentials, token
# cached), D3 Latchkey with 10,000 routes, D4 Latchkey on Vert.x's HTTP server (latchkey.proxy.server=vertx; in the
# paired runs only); and three reference arms that are not products: F0 a relay on Netty's
# channels that rewrites the request's head by slicing its bytes and scans the answer's head in place, without HTTP
# codecs (bench/src/RawFloor.java), F1 the least relay Netty's HTTP codecs allow (bench/src/NettyFloor.java), F2 the
# least relay Vert.x's server and pooled client allow (bench/src/VertxFloor.java), which bound what the JVM and
# Netty's channels, Netty's codecs, and Vert.x cost before Latchkey's own work. Each
# proxy runs pinned to CPU 0 with one worker (Latchkey and the floors: one event loop, -XX:ActiveProcessorCount=1,
# -Xmx64m); the load generators, the upstream (nginx returning a fixed 1 KiB body) and D2's token endpoint share
# CPU 1. Arms are interleaved (A B C D D2 D3 F0 F1 F2, A B C ...) so drift in the machine affects all of them alike.
# Latchkey runs without its database (no audit trail), as nginx and HAProxy run without access logs. Results:
# markdown tables of medians with min and max, on stdout and in bench/results/latest.md (latest-mcp.md with
# CALLER_HEADERS=mcp, so that a run of either request keeps the other's results).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
DURATION=${DURATION:-10}
ROUNDS=${ROUNDS:-3}
CONNECTIONS=${CONNECTIONS:-64}
# Seconds of load per arm before the rounds. The JVM arms run with the image's CompileThresholdScaling=3, and after
# 10 s their first round still ran before the JIT had settled (2026-11-28: 41,935 req/s for Latchkey in round 1,
# 52,611 in round 3; the raw floor 42,995 and 50,809), which pulled the rounds' medians of the JVM arms down.
WARMUP=${WARMUP:-30}
# Seconds at 1,000 req/s per arm before the fixed-rate rounds, not measured. Those rounds follow the saturated runs,
# and a JVM arm's first run at a fixed rate recompiled what the saturated runs had compiled: in the lab
# (2026-11-28) Latchkey's first 10 s at 1,000 req/s after 30 s of saturation made 48 deoptimisations (Netty's
# read path meeting the generator's new connections, class and type checks) and 103 compilations, its second 5
# and 42; that first run's p50 was 323 µs against 257 and 251 in the next two. The warm-up moves that change of
# shape out of the rounds for every arm alike; what it costs a sidecar whose traffic swings is in the issue notes.
OPEN_WARMUP=${OPEN_WARMUP:-10}
WORK=$(mktemp -d /tmp/latchkey-bench.XXXXXX)
chmod 755 "$WORK"   # nginx workers run as www-data
UPSTREAM_PORT=18080 NGINX_PORT=18081 HAPROXY_PORT=18082 LATCHKEY_PORT=18083 NETTY_FLOOR_PORT=18089 RAW_FLOOR_PORT=18091
VERTX_FLOOR_PORT=18090 LATCHKEY_VERTX_PORT=18092

# The request every arm gets: by default wrk's own (request line and Host, nothing else); CALLER_HEADERS=mcp adds the
# seven header lines an MCP server's HTTP client sends to an API (user agent, accept, encoding, content type, an API
# version, a trace context, keep-alive), so that each proxy reads, filters and writes on a head like a real one. Both
# load generators send the same lines; the results say which request was sent.
case ${CALLER_HEADERS:-} in
  "") HEADER_LINES=() ;;
  mcp) HEADER_LINES=("User-Agent: mcp-server-github/1.4.2 (node 20.11.1)" "Accept: application/vnd.github+json"
    "Accept-Encoding: gzip, deflate" "Content-Type: application/json" "X-GitHub-Api-Version: 2022-11-28"
    "traceparent: 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01" "Connection: keep-alive") ;;
  *) echo "CALLER_HEADERS is empty (wrk's request) or mcp, not '$CALLER_HEADERS'" >&2; exit 2 ;;
esac
# HALT_POLL_NS: how long an idle vCPU polls for work before it halts (the guest's cpuidle-haltpoll driver), set for
# the run and put back after it; unset, the machine's own setting is used, and either is reported. On the Firecracker
# VMs here it is 0: a CPU with nothing to do halts at once, and each hop of a request between the two CPUs (load
# generator to proxy, proxy to upstream and back) wakes the other one through the hypervisor. Direct connections make
# no such hop (generator and upstream share CPU 1), so that cost lands in every proxy's added latency and in its CPU
# per request at low rates. Set, it shows what the proxies add on a VM whose CPUs do not halt between requests (the
# polling is the guest's idle time, counted in no process's CPU). Its run writes its own results file.
HALT_POLL=/sys/module/haltpoll/parameters/guest_halt_poll_ns
HALT_POLL_BEFORE=$(cat "$HALT_POLL" 2>/dev/null || true)
if [ -n "${HALT_POLL_NS:-}" ]; then
  [[ $HALT_POLL_NS =~ ^[0-9]+$ ]] || { echo "HALT_POLL_NS is a number of nanoseconds, not '$HALT_POLL_NS'" >&2; exit 2; }
  [ -w "$HALT_POLL" ] || { echo "HALT_POLL_NS needs the guest's haltpoll driver and root: $HALT_POLL" >&2; exit 2; }
fi
# REALTIME=1: for the fixed-rate runs, the upstream's worker and each proxy's serving thread get the real-time priority
# the load generator's event loop always has (SCHED_FIFO 10), so that the machine's own background work cannot hold
# the CPU while a request waits. On the VMs here that work is the VM's agent (PID 1, nice -10), which runs for 3-8 ms
# about once a second, and the kernel's DAMON thread (kdamond), 1.5-2 ms twice a second; a scheduler trace put 369 of
# the 394 requests slower than 1 ms at 5,000 req/s in their bursts. A direct connection leaves the proxy's CPU idle for
# them; every proxy arm does not. Set, it shows what the proxies themselves add to the tail; the saturation runs are
# not affected (a real-time thread at full load would starve its JVM's compiler), and the run writes its own file.
case ${REALTIME:-} in
  ""|1) ;;
  *) echo "REALTIME is 1 or unset, not '$REALTIME'" >&2; exit 2 ;;
esac
if [ -n "${REALTIME:-}" ] && [ "$(id -u)" != 0 ]; then echo "REALTIME=1 needs root (chrt -f)" >&2; exit 2; fi
SUMMARY=bench/results/latest${CALLER_HEADERS:+-$CALLER_HEADERS}${HALT_POLL_NS:+-halt-poll}${REALTIME:+-realtime}.md
WRK_HEADERS=()
for line in "${HEADER_LINES[@]}"; do WRK_HEADERS+=(-H "$line"); done
# For bench/src/OpenLoopLoad.java: one header line per line.
BENCH_HEADER_LINES=$(printf '%s\n' "${HEADER_LINES[@]}"); export BENCH_HEADER_LINES
export CALLER_HEADERS=${CALLER_HEADERS:-}

need() { command -v "$1" >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq nginx haproxy wrk; }; }
need nginx; need haproxy; need wrk

if [ "${SKIP_BUILD:-}" != 1 ]; then ./mvnw -B -q package -DskipTests; fi

pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  if [ -n "${HALT_POLL_NS:-}" ]; then echo "$HALT_POLL_BEFORE" > "$HALT_POLL"; fi
}
trap cleanup EXIT
if [ -n "${HALT_POLL_NS:-}" ]; then echo "$HALT_POLL_NS" > "$HALT_POLL"; fi
export HALT_POLL_REPORT="${HALT_POLL_NS:-${HALT_POLL_BEFORE:-none}}${HALT_POLL_NS:+ (HALT_POLL_NS)}"

# The upstream: 1 KiB fixed body, keep-alive.
head -c 1024 /dev/zero | tr '\0' 'x' > "$WORK/body"
chmod 644 "$WORK/body"
cat > "$WORK/upstream.conf" <<CONF
worker_processes 1; daemon off; pid $WORK/upstream.pid; error_log $WORK/upstream.err;
events { worker_connections 4096; }
http { access_log off; keepalive_requests 1000000;
  server { listen 127.0.0.1:$UPSTREAM_PORT; location / { root $WORK; try_files /body =404; default_type text/plain; } } }
CONF
taskset -c 1 nginx -c "$WORK/upstream.conf" & pids+=($!)

# B: nginx as the proxy, injecting the same header Latchkey injects.
cat > "$WORK/nginx.conf" <<CONF
worker_processes 1; daemon off; pid $WORK/nginx.pid; error_log $WORK/nginx.err;
events { worker_connections 4096; }
http { access_log off; keepalive_requests 1000000;
  upstream backend { server 127.0.0.1:$UPSTREAM_PORT; keepalive 128; }
  server { listen 127.0.0.1:$NGINX_PORT;
    location /bench/ { proxy_pass http://backend/; proxy_http_version 1.1; proxy_set_header Connection "";
      proxy_set_header Authorization "Bearer bench-token"; } } }
CONF
taskset -c 0 nginx -c "$WORK/nginx.conf" & pids+=($!)

# C: HAProxy.
cat > "$WORK/haproxy.cfg" <<CONF
global
  nbthread 1
  maxconn 4096
defaults
  mode http
  timeout connect 5s
  timeout client 60s
  timeout server 60s
  option http-keep-alive
frontend bench
  bind 127.0.0.1:$HAPROXY_PORT
  http-request set-header Authorization "Bearer bench-token"
  http-request replace-path /bench/(.*) /\1
  default_backend upstream
backend upstream
  http-reuse always
  server u1 127.0.0.1:$UPSTREAM_PORT
CONF
taskset -c 0 haproxy -f "$WORK/haproxy.cfg" & pids+=($!)

# D: Latchkey with a static bearer credential; D2 with an oauth2 credential; D3 with 10,000 routes.
TOKEN_PORT=18086 OAUTH_PORT=18084 ROUTES_PORT=18085 TOKEN_LIFETIME=${TOKEN_LIFETIME:-20}
cat > "$WORK/policy.yaml" <<CONF
apiVersion: latchkey.io/v1alpha1
kind: EgressPolicy
metadata: {name: bench}
spec:
  credentials:
    token: {secret: "env:BENCH_TOKEN"}
  routes:
    - {name: bench, prefix: /bench, upstream: "http://127.0.0.1:$UPSTREAM_PORT", inject: [{bearer: token}]}
CONF
cat > "$WORK/policy-oauth.yaml" <<CONF
apiVersion: latchkey.io/v1alpha1
kind: EgressPolicy
metadata: {name: bench-oauth}
spec:
  credentials:
    token:
      oauth2:
        grant: client_credentials
        tokenUrl: http://127.0.0.1:$TOKEN_PORT/token
        clientId: env:BENCH_CLIENT_ID
        clientSecret: env:BENCH_TOKEN
  routes:
    - {name: bench, prefix: /bench, upstream: "http://127.0.0.1:$UPSTREAM_PORT", inject: [{bearer: token}]}
CONF
python3 - "$WORK/policy-10k.yaml" "$UPSTREAM_PORT" <<'PY'
import sys
path, port = sys.argv[1], sys.argv[2]
with open(path, "w") as out:
    out.write("apiVersion: latchkey.io/v1alpha1\nkind: EgressPolicy\nmetadata: {name: bench-10k}\nspec:\n")
    out.write("  credentials:\n    token: {secret: \"env:BENCH_TOKEN\"}\n  routes:\n")
    for i in range(9999):
        out.write(f"    - {{name: r{i:05d}, prefix: /api/r{i:05d}, upstream: \"http://127.0.0.1:{port}\", inject: [{{bearer: token}}]}}\n")
    out.write(f"    - {{name: bench, prefix: /bench, upstream: \"http://127.0.0.1:{port}\", inject: [{{bearer: token}}]}}\n")
PY

./mvnw -B -q dependency:build-classpath -Dmdep.outputFile="$WORK/cp.txt" -Dmdep.includeScope=runtime
RUNTIME_CP="$(cat "$WORK/cp.txt")"
# The bench programs (load generator, token endpoint, floors), compiled once on the project's runtime classpath, so
# Netty and Vert.x come from the same build. Not run from source: the source launcher compiles in each JVM at every
# start and leaves javac's objects in the heap (the load generator's young collections took 30 ms with them).
HDR=$HOME/.m2/repository/org/hdrhistogram/HdrHistogram/2.2.2/HdrHistogram-2.2.2.jar
[ -f "$HDR" ] || ./mvnw -B -q dependency:get -Dartifact=org.hdrhistogram:HdrHistogram:2.2.2
BENCH_CP="$WORK/bench-classes:$RUNTIME_CP:$HDR"
javac -nowarn -d "$WORK/bench-classes" -cp "$RUNTIME_CP:$HDR" bench/src/*.java
taskset -c 1 java -Xmx64m -XX:+UseSerialGC -cp "$BENCH_CP" TokenEndpoint $TOKEN_PORT "$TOKEN_LIFETIME" \
  > "$WORK/token-endpoint.log" 2>&1 & pids+=($!)

# Each Latchkey as the issue asks: one CPU, one event loop, -Xmx64m; no database, no access log. The heap flags
# after -Xmx64m are the ones the JVM Dockerfile ships (a small young generation that the heap grows from, JIT
# thresholds scaled by three).
LATCHKEY_JVM_FLAGS=${LATCHKEY_JVM_FLAGS:-"-Xmx64m -Xms16m -Xmn8m -XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=30 -XX:+UseSerialGC -XX:CompileThresholdScaling=3 -XX:+UnlockExperimentalVMOptions -XX:TrimNativeHeapInterval=5000"}
# The JVM image ships an AppCDS archive written by a training run (src/main/docker/cds-training.sh); the harness
# writes one the same way, with the same flags, and runs every Latchkey with it, as the image does.
# Every Latchkey arm runs the without-database build (target/quarkus-app-without-database), the one a sidecar with
# the database off runs (k8s/base); the full build (target/quarkus-app) is started too, for its first proxied 200.
LATCHKEY_APP=target/quarkus-app-without-database FULL_APP=target/quarkus-app
train_cds() { # app archive
  TRAINING_PROXY_PORT=18087 TRAINING_MANAGEMENT_PORT=18088 taskset -c 0 bash src/main/docker/cds-training.sh \
    java -XX:ActiveProcessorCount=1 $LATCHKEY_JVM_FLAGS -XX:ArchiveClassesAtExit="$2" -Xlog:cds=error \
    -jar "$1/quarkus-run.jar" > "$WORK/cds-training.log" 2>&1 \
    || { echo "The AppCDS training run failed; see $WORK/cds-training.log" >&2; exit 1; }
}
CDS_ARCHIVE="$WORK/app-cds.jsa" FULL_CDS_ARCHIVE="$WORK/full-app-cds.jsa"
train_cds "$LATCHKEY_APP" "$CDS_ARCHIVE"
train_cds "$FULL_APP" "$FULL_CDS_ARCHIVE"
CDS_FLAGS="-XX:SharedArchiveFile=$CDS_ARCHIVE"
start_latchkey() { # port policy log [extra JVM flags] [application directory]
  BENCH_TOKEN=bench-token BENCH_CLIENT_ID=bench-client LATCHKEY_POLICY="$2" LATCHKEY_PROXY_PORT=$1 \
    LATCHKEY_PROXY_EVENT_LOOPS=1 LATCHKEY_ACCESS_LOG=false LATCHKEY_DATABASE_ENABLED=false \
    QUARKUS_HTTP_PORT=0 QUARKUS_MANAGEMENT_PORT=0 \
    taskset -c 0 java -XX:ActiveProcessorCount=1 $LATCHKEY_JVM_FLAGS ${4-$CDS_FLAGS} -jar "${5:-$LATCHKEY_APP}/quarkus-run.jar" \
    > "$3" 2>&1 &
}
await_200() { # port
  for _ in $(seq 1 1200); do
    curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$1/bench/x" 2>/dev/null | grep -q 200 && return 0
    sleep 0.01
  done
  echo "The proxy on port $1 never answered 200; see $WORK" >&2; exit 1
}
# Start-up, measured alone: the first proxied 200 after `java` starts, three times each, alternating: with the class
# archive, without it, and the full build with its own archive.
FIRST_200=() FIRST_200_NO_CDS=() FIRST_200_FULL=()
first_200_ms() { # log [extra JVM flags] [application directory]
  local start_ns probe
  start_ns=$(date +%s%N)
  start_latchkey $LATCHKEY_PORT "$WORK/policy.yaml" "$1" "${2-$CDS_FLAGS}" "${3:-$LATCHKEY_APP}"; probe=$!
  await_200 $LATCHKEY_PORT
  echo $(( ($(date +%s%N) - start_ns) / 1000000 ))
  kill $probe; wait $probe 2>/dev/null || true
}
for attempt in 1 2 3; do
  ms=$(first_200_ms "$WORK/latchkey-start-$attempt.log"); FIRST_200+=("$ms")
  ms=$(first_200_ms "$WORK/latchkey-start-no-cds-$attempt.log" ""); FIRST_200_NO_CDS+=("$ms")
  ms=$(first_200_ms "$WORK/latchkey-start-full-$attempt.log" "-XX:SharedArchiveFile=$FULL_CDS_ARCHIVE" "$FULL_APP")
  FIRST_200_FULL+=("$ms")
done
middle() { printf '%s\n' "$@" | sort -n | sed -n 2p; }
FIRST_200_MS=$(middle "${FIRST_200[@]}") FIRST_200_NO_CDS_MS=$(middle "${FIRST_200_NO_CDS[@]}")
FIRST_200_FULL_MS=$(middle "${FIRST_200_FULL[@]}")
echo "first proxied 200, ms: without-database build ${FIRST_200[*]} (class archive), ${FIRST_200_NO_CDS[*]} (none);" \
  "full build ${FIRST_200_FULL[*]} (class archive)" >&2
if [ "${START_UP_ONLY:-}" = 1 ]; then exit 0; fi
start_latchkey $LATCHKEY_PORT "$WORK/policy.yaml" "$WORK/latchkey.log"; LATCHKEY_PID=$!; pids+=($LATCHKEY_PID)
await_200 $LATCHKEY_PORT
OAUTH_START_S=$(date +%s)
start_latchkey $OAUTH_PORT "$WORK/policy-oauth.yaml" "$WORK/latchkey-oauth.log"; OAUTH_PID=$!; pids+=($OAUTH_PID)
await_200 $OAUTH_PORT
start_latchkey $ROUTES_PORT "$WORK/policy-10k.yaml" "$WORK/latchkey-10k.log"; ROUTES_PID=$!; pids+=($ROUTES_PID)
await_200 $ROUTES_PORT
# Latchkey on Vert.x's HTTP server (latchkey.proxy.server=vertx, the caller side Latchkey had before its own), for
# the paired runs only: what Latchkey's own server saves, measured in the same run.
LATCHKEY_PROXY_SERVER=vertx start_latchkey $LATCHKEY_VERTX_PORT "$WORK/policy.yaml" "$WORK/latchkey-vertx.log"
LATCHKEY_VERTX_PID=$!; pids+=($LATCHKEY_VERTX_PID)
await_200 $LATCHKEY_VERTX_PORT
# F1, F2: the floors, with Latchkey's JVM flags (no class archive: their start-up is not measured).
for floor in RawFloor:$RAW_FLOOR_PORT NettyFloor:$NETTY_FLOOR_PORT VertxFloor:$VERTX_FLOOR_PORT; do
  taskset -c 0 java -XX:ActiveProcessorCount=1 $LATCHKEY_JVM_FLAGS -cp "$BENCH_CP" "${floor%:*}" \
    "${floor#*:}" $UPSTREAM_PORT > "$WORK/${floor%:*}.log" 2>&1 & pids+=($!)
  await_200 "${floor#*:}"
done
sleep 1
RSS_IDLE_KB=$(awk '/VmRSS/ {print $2}' /proc/$LATCHKEY_PID/status)

# A process's (or, given PID/task/TID, a thread's) user and system ticks so far. The command name (field 2 of stat)
# may hold spaces ("VM Thread"), so the fields count from its closing ')'.
cpu_ticks() { sed 's/.*) //' "/proc/$1/stat" | awk '{print $12 + $13}'; }
# An arm's proxy CPU ticks so far (0 for the direct arm, which has no proxy).
proxy_ticks() { local pid=${PROXY_PID[$1]:-}; if [ -n "$pid" ]; then cpu_ticks "$pid"; else echo 0; fi; }
# CPU seconds per 1,000 requests from a tick count and a request count.
cpu_per_1k() { awk -v t="$1" -v hz="$TICKS" -v n="$2" 'BEGIN { printf "%.4f", (t/hz) / (n/1000) }'; }
pid_on_port() { ss -ltnp "sport = :$1" | awk -F'pid=' 'NR>1 {split($2,a,","); print a[1]; exit}'; }
declare -A PROXY_PID=([nginx]=$(pid_on_port $NGINX_PORT) [haproxy]=$(pid_on_port $HAPROXY_PORT) [latchkey]=$LATCHKEY_PID
  [latchkey-oauth]=$OAUTH_PID [latchkey-10k]=$ROUTES_PID [netty-floor]=$(pid_on_port $NETTY_FLOOR_PORT)
  [vertx-floor]=$(pid_on_port $VERTX_FLOOR_PORT) [raw-floor]=$(pid_on_port $RAW_FLOOR_PORT)
  [latchkey-vertx]=$LATCHKEY_VERTX_PID)
UPSTREAM_PID=$(pid_on_port $UPSTREAM_PORT)
TICKS=$(getconf CLK_TCK)
# Steal: time the hypervisor gave this VM's CPUs to someone else (both CPUs, /proc/stat), read around each wrk run
# (OpenLoopLoad reads it around its own measured seconds). A VM that stalls shows it here; a p99 measured during
# tens of milliseconds of steal is the machine's.
steal_ms() { awk -v hz="$TICKS" '$1 == "cpu" { printf "%d", $9 * 1000 / hz }' /proc/stat; }
# Bytes a JVM arm (Latchkey, the floors) has allocated so far, from its performance counters (jstat reads them from a
# file; nothing attaches to the proxy): collections times eden's size (fixed by -Xmn; the serial collector collects
# when eden is full) plus what eden holds now. 0 for the arms that are not JVMs. Allocation per request is what sets
# how often the young collections (a millisecond or two each) pause the event loop.
allocated_bytes() {
  case $1 in
    latchkey*|*-floor) jstat -gc "${PROXY_PID[$1]}" | awk 'NR == 2 { printf "%.0f", (($13 + $15) * $5 + $6) * 1024 }' ;;
    *) echo 0 ;;
  esac
}

declare -A URL=([direct]="http://127.0.0.1:$UPSTREAM_PORT/x" [nginx]="http://127.0.0.1:$NGINX_PORT/bench/x"
  [haproxy]="http://127.0.0.1:$HAPROXY_PORT/bench/x" [latchkey]="http://127.0.0.1:$LATCHKEY_PORT/bench/x"
  [latchkey-oauth]="http://127.0.0.1:$OAUTH_PORT/bench/x" [latchkey-10k]="http://127.0.0.1:$ROUTES_PORT/bench/x"
  [netty-floor]="http://127.0.0.1:$NETTY_FLOOR_PORT/bench/x" [vertx-floor]="http://127.0.0.1:$VERTX_FLOOR_PORT/bench/x"
  [raw-floor]="http://127.0.0.1:$RAW_FLOOR_PORT/bench/x" [latchkey-vertx]="http://127.0.0.1:$LATCHKEY_VERTX_PORT/bench/x")
ARMS=(direct nginx haproxy latchkey latchkey-oauth latchkey-10k raw-floor netty-floor vertx-floor)
RESULTS="$WORK/results.tsv"; : > "$RESULTS"

# Warm-up (the JIT), not measured.
for arm in "${ARMS[@]}" latchkey-vertx; do
  taskset -c 1 wrk -t1 -c"$CONNECTIONS" -d"${WARMUP}s" "${WRK_HEADERS[@]}" "${URL[$arm]}" >/dev/null
done

to_us() { awk -v v="$1" 'BEGIN { if (v ~ /us$/) print v+0; else if (v ~ /ms$/) print v*1000; else if (v ~ /s$/) print v*1000000; else print v }'; }
for round in $(seq 1 "$ROUNDS"); do
  for arm in "${ARMS[@]}"; do
    allocated_before=$(allocated_bytes "$arm")
    before=$(proxy_ticks "$arm")
    up_before=$(cpu_ticks "$UPSTREAM_PID")
    steal_before=$(steal_ms)
    out=$(taskset -c 1 wrk -t1 -c"$CONNECTIONS" -d"${DURATION}s" --latency "${WRK_HEADERS[@]}" "${URL[$arm]}")
    steal=$(( $(steal_ms) - steal_before ))
    after=$(proxy_ticks "$arm")
    up_after=$(cpu_ticks "$UPSTREAM_PID")
    allocated=$(( $(allocated_bytes "$arm") - allocated_before ))
    requests=$(echo "$out" | awk '/requests in/ {print $1}')
    rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
    p50=$(to_us "$(echo "$out" | awk '$1=="50%" {print $2}')")
    p99=$(to_us "$(echo "$out" | awk '$1=="99%" {print $2}')")
    cpu_per_k=$(cpu_per_1k $((after - before)) "$requests")
    up_cpu=$(awk -v t=$((up_after - up_before)) -v hz="$TICKS" -v d="$DURATION" 'BEGIN { printf "%.2f", (t/hz)/d }')
    errors=$(echo "$out" | awk '/Non-2xx|Socket errors/ {print}' | tr '\n' ' ')
    alloc_per_request=$(( allocated / requests ))
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$arm" "$round" "$rps" "$p50" "$p99" "$cpu_per_k" "$up_cpu" \
      "$errors" "$steal" "$alloc_per_request" >> "$RESULTS"
    echo "round $round $arm: $rps req/s, p50 ${p50}us, p99 ${p99}us, cpu/1k ${cpu_per_k}s, upstream cpu ${up_cpu}," \
      "steal ${steal}ms, ${alloc_per_request} bytes allocated per request ${errors}" >&2
  done
done
RSS_LOAD_KB=$(awk '/VmRSS/ {print $2}' /proc/$LATCHKEY_PID/status)

# Paired runs: the ratios the targets name, measured as many short alternating pairs (A B, B A, A B, ...) instead of
# from the rounds above, whose arms are DURATION seconds and up to eight arms apart: on a VM whose speed drifts within
# minutes, two arms of one round can run at different machine speeds, while the two halves of a short pair mostly do
# not. Each pair gives a ratio of requests per second and one of CPU per request; the median over the pairs and the
# middle half of them are reported (PAIRS pairs of PAIR_SECONDS-second wrk runs per comparison). Besides the ratios
# the targets name, Latchkey against the Netty floor (what Vert.x's server and Latchkey's own work cost), the
# Netty floor against nginx (what the JVM and Netty's codecs cost) and the raw floor against nginx (what a JVM relay
# that parses heads in place could cost).
PAIRS=${PAIRS:-12} PAIR_SECONDS=${PAIR_SECONDS:-3}
PAIRED="$WORK/paired.tsv"; : > "$PAIRED"
saturate_briefly() { # arm -> "requests/s CPU-seconds-per-1k"
  local before after out
  before=$(proxy_ticks "$1")
  out=$(taskset -c 1 wrk -t1 -c"$CONNECTIONS" -d"${PAIR_SECONDS}s" "${WRK_HEADERS[@]}" "${URL[$1]}")
  after=$(proxy_ticks "$1")
  echo "$(echo "$out" | awk '/Requests\/sec/ {print $2}') $(cpu_per_1k $((after - before)) \
    "$(echo "$out" | awk '/requests in/ {print $1}')")"
}
for comparison in latchkey:nginx latchkey-10k:latchkey latchkey-oauth:latchkey latchkey:latchkey-vertx \
  latchkey:netty-floor netty-floor:nginx raw-floor:nginx; do
  subject=${comparison%:*} reference=${comparison#*:}
  for pair in $(seq 1 "$PAIRS"); do
    if (( pair % 2 )); then
      s=$(saturate_briefly "$subject"); r=$(saturate_briefly "$reference")
    else
      r=$(saturate_briefly "$reference"); s=$(saturate_briefly "$subject")
    fi
    printf '%s\t%s\t%s\t%s\n' "$subject" "$reference" "${s// /$'\t'}" "${r// /$'\t'}" >> "$PAIRED"
  done
  echo "paired $subject / $reference: $PAIRS pairs done" >&2
done

# Fixed-rate (open-loop) runs: latency from planned send times into an HdrHistogram (bench/src/OpenLoopLoad.java).
declare -A PORT=([direct]=$UPSTREAM_PORT [nginx]=$NGINX_PORT [haproxy]=$HAPROXY_PORT [latchkey]=$LATCHKEY_PORT
  [latchkey-oauth]=$OAUTH_PORT [latchkey-10k]=$ROUTES_PORT [netty-floor]=$NETTY_FLOOR_PORT
  [vertx-floor]=$VERTX_FLOOR_PORT [raw-floor]=$RAW_FLOOR_PORT)
declare -A LOADGEN_PATH=([direct]=/x [nginx]=/bench/x [haproxy]=/bench/x [latchkey]=/bench/x [latchkey-oauth]=/bench/x
  [latchkey-10k]=/bench/x [netty-floor]=/bench/x [vertx-floor]=/bench/x [raw-floor]=/bench/x)
OPEN="$WORK/open.tsv"; : > "$OPEN"

# The load generator's event loop gets real-time priority (REALTIME_LOAD): it must send and read on time although the
# upstream shares its core. It reads the proxy's CPU around its measured seconds itself (PROXY_PID): the proxy's CPU
# per request at a fixed rate is what a sidecar that is never saturated spends.
open_loop() { # arm rate seconds -> the generator's result line
  PROXY_PID=${PROXY_PID[$1]:-} REALTIME_LOAD=1 LOAD_CPU=1 bench/open-loop.sh "$BENCH_CP" 127.0.0.1 "${PORT[$1]}" \
    "${LOADGEN_PATH[$1]}" "$2" "$3"
}

# The thread of a process that has used the most CPU so far: after the saturation runs, a JVM's event loop; nginx's and
# HAProxy's workers have one.
busiest_thread() { # pid
  for task in /proc/"$1"/task/*; do
    echo "$(cpu_ticks "$1/task/${task##*/}") ${task##*/}"
  done | sort -n -r | awk 'NR == 1 {print $2}'
}
export REALTIME_REPORT=
realtime() { # name pid
  local tid
  tid=$(busiest_thread "$2")
  chrt -f -p 10 "$tid"
  REALTIME_REPORT+="${REALTIME_REPORT:+, }$1 ($(cat /proc/"$2"/task/"$tid"/comm))"
}
if [ "${REALTIME:-}" = 1 ]; then
  realtime upstream "$UPSTREAM_PID"
  for name in "${!PROXY_PID[@]}"; do realtime "$name" "${PROXY_PID[$name]}"; done
  echo "real-time priority for the fixed-rate runs: $REALTIME_REPORT" >&2
fi

if [ "$OPEN_WARMUP" -gt 0 ]; then
  for arm in "${ARMS[@]}"; do
    open_loop "$arm" 1000 "$OPEN_WARMUP" > /dev/null
  done
fi
RSS_5K_KB=0
for rate in 1000 5000; do
  for round in $(seq 1 "$ROUNDS"); do
    for arm in "${ARMS[@]}"; do
      line=$(open_loop "$arm" "$rate" "$DURATION")
      echo "open loop $rate/s round $round $arm: $line" >&2
      printf '%s\t%s\t%s\n' "$arm" "$rate" "$line" >> "$OPEN"
      if [ "$arm" = latchkey ] && [ "$rate" = 5000 ]; then
        RSS_5K_KB=$(awk '/VmRSS/ {print $2}' /proc/$LATCHKEY_PID/status)
      fi
    done
  done
done

# Paired fixed-rate runs: the latency targets again, from OPEN_PAIRS rotations of direct, Latchkey and nginx per rate
# (OPEN_PAIR_SECONDS each, every rotation starting with the next arm), so that an added latency is the difference
# between two runs seconds apart rather than between medians of runs minutes apart; on these VMs the rounds' p50s of
# one arm spread by tens of microseconds and their p99s by milliseconds.
OPEN_PAIRS=${OPEN_PAIRS:-6} OPEN_PAIR_SECONDS=${OPEN_PAIR_SECONDS:-8}
OPEN_PAIRED="$WORK/open-paired.tsv"; : > "$OPEN_PAIRED"
ROTATION=(direct latchkey nginx)
for rate in 1000 5000; do
  for rotation in $(seq 1 "$OPEN_PAIRS"); do
    for k in 0 1 2; do
      arm=${ROTATION[$(( (rotation + k) % 3 ))]}
      line=$(open_loop "$arm" "$rate" "$OPEN_PAIR_SECONDS")
      printf '%s\t%s\t%s\t%s\n' "$rotation" "$arm" "$rate" "$line" >> "$OPEN_PAIRED"
    done
  done
  echo "paired open loop at $rate/s: $OPEN_PAIRS rotations done" >&2
done

TOKENS_ISSUED=$(curl -s "http://127.0.0.1:$TOKEN_PORT/count")
OAUTH_ELAPSED_S=$(( $(date +%s) - OAUTH_START_S ))
FIRST_200_ALL="${FIRST_200[*]}"
FIRST_200_NO_CDS_ALL="${FIRST_200_NO_CDS[*]}"
FIRST_200_FULL_ALL="${FIRST_200_FULL[*]}"

mkdir -p bench/results
python3 - "$RESULTS" "$FIRST_200_MS" "$RSS_IDLE_KB" "$RSS_LOAD_KB" "$DURATION" "$ROUNDS" "$CONNECTIONS" "$OPEN" "$RSS_5K_KB" \
  "$TOKENS_ISSUED" "$OAUTH_ELAPSED_S" "$TOKEN_LIFETIME" "$FIRST_200_ALL" "$FIRST_200_NO_CDS_MS" "$FIRST_200_NO_CDS_ALL" \
  "$FIRST_200_FULL_MS" "$FIRST_200_FULL_ALL" "$PAIRED" "$PAIRS" "$PAIR_SECONDS" "$OPEN_PAIRED" "$OPEN_PAIRS" \
  "$OPEN_PAIR_SECONDS" <<'PY' | tee "$SUMMARY"
import os, sys, statistics, datetime, platform, subprocess
(path, first_ms, rss_idle, rss_load, duration, rounds, conns, open_path, rss_5k, tokens, oauth_s, lifetime, first_all,
 first_no_cds_ms, first_no_cds_all, first_full_ms, first_full_all, paired_path, pairs, pair_seconds, open_paired_path,
 open_pairs, open_pair_seconds) = sys.argv[1:]
rows = [l.rstrip("\n").split("\t") for l in open(path)]
arms = ["direct", "nginx", "haproxy", "latchkey", "latchkey-oauth", "latchkey-10k", "raw-floor", "netty-floor",
        "vertx-floor"]
def col(arm, i): return [float(r[i]) for r in rows if r[0] == arm]
def fmt(v, d=0): return f"{v:,.{d}f}"
med = {a: {k: statistics.median(col(a, i)) for k, i in (("rps", 2), ("p50", 3), ("p99", 4), ("cpu", 5), ("up", 6))} for a in arms}
cpu = subprocess.run(["sh", "-c", "grep -m1 'model name' /proc/cpuinfo | cut -d: -f2"], capture_output=True, text=True).stdout.strip()
print(f"## Benchmark {datetime.date.today()} — {cpu}, {platform.system()} {platform.release()}, 2 cores")
halt_poll = os.environ["HALT_POLL_REPORT"]
print("\nGuest halt polling (how long an idle CPU polls before it halts, ns): " + (
      "no haltpoll driver on this machine." if halt_poll == "none" else
      f"{halt_poll}" + (": set for this run, not the machine's own setting." if "HALT_POLL_NS" in halt_poll else
                        ", the machine's own setting.")))
realtime = os.environ.get("REALTIME_REPORT", "")
print("\nReal-time priority (SCHED_FIFO) in the fixed-rate runs: the load generator's event loop" + (
      f"; with REALTIME=1 also the serving thread of each of: {realtime}." if realtime else
      " only; the upstream and the proxies at the machine's default priority."))
headers = [l for l in os.environ.get("BENCH_HEADER_LINES", "").split("\n") if l]
print("\nEvery request: " + ("the request line and Host only (wrk's own)." if not headers else
      f"the request line, Host and {len(headers)} header lines an MCP server's client sends (CALLER_HEADERS="
      f"{os.environ.get('CALLER_HEADERS')}): " + "; ".join(f"`{l}`" for l in headers) + "."))
print(f"\nSaturation with wrk (closed loop, 1 thread, {conns} connections, {duration}s per run, {rounds} interleaved rounds); medians with [min–max].\n")
print("| arm | req/s | p50 µs | p99 µs | proxy CPU s / 1k req | one proxy core could serve (req/s) | upstream CPU (cores)"
      " | steal ms, most in a round | bytes allocated per request (JVM arms) |")
print("|---|---|---|---|---|---|---|---|---|")
for a in arms:
    r = col(a, 2); p50 = col(a, 3); p99 = col(a, 4); c = col(a, 5)
    print(f"| {a} | {fmt(med[a]['rps'])} [{fmt(min(r))}–{fmt(max(r))}] | {fmt(med[a]['p50'])} [{fmt(min(p50))}–{fmt(max(p50))}] | "
          f"{fmt(med[a]['p99'])} [{fmt(min(p99))}–{fmt(max(p99))}] | {'—' if a == 'direct' else fmt(med[a]['cpu'], 4)} | "
          f"{'—' if a == 'direct' else fmt(1000 / med[a]['cpu'])} | {fmt(med[a]['up'], 2)} | {fmt(max(col(a, 8)))} | "
          f"{fmt(statistics.median(col(a, 9))) if max(col(a, 9)) > 0 else '—'} |")
L, N, H, D = med["latchkey"], med["nginx"], med["haproxy"], med["direct"]
print("\n| ratio | value |\n|---|---|")
print(f"| throughput Latchkey / nginx | {L['rps']/N['rps']:.2f} |")
print(f"| throughput Latchkey / HAProxy | {L['rps']/H['rps']:.2f} |")
print(f"| throughput Latchkey / direct | {L['rps']/D['rps']:.2f} |")
print(f"| Δp50 over direct: Latchkey / nginx | {L['p50']-D['p50']:.0f} µs / {N['p50']-D['p50']:.0f} µs |")
print(f"| Δp99 over direct: Latchkey / nginx | {L['p99']-D['p99']:.0f} µs / {N['p99']-D['p99']:.0f} µs |")
# A slow moment of the machine tends to move the arms of its round together: ratios taken within each round, then
# their median and range, are printed beside the ratio of medians.
def per_round(a, b):
    ratios = sorted(x / y for x, y in zip(col(a, 5), col(b, 5)))
    return f"{statistics.median(ratios):.2f} [{ratios[0]:.2f}–{ratios[-1]:.2f}]"
print(f"| per-core capacity (1 / CPU per request) Latchkey / nginx | {N['cpu']/L['cpu']:.2f}"
      f" (per round: {per_round('nginx', 'latchkey')}) |")
print(f"| per-core capacity Latchkey / HAProxy | {H['cpu']/L['cpu']:.2f} (per round: {per_round('haproxy', 'latchkey')}) |")
print(f"| throughput 10,000 routes / one route | {med['latchkey-10k']['rps']/L['rps']:.3f} (CPU per request"
      f" {med['latchkey-10k']['cpu']/L['cpu']:.3f}×; per round: {per_round('latchkey-10k', 'latchkey')}×) |")
print(f"| throughput oauth2 (cached token) / static | {med['latchkey-oauth']['rps']/L['rps']:.3f} (CPU per request"
      f" {med['latchkey-oauth']['cpu']/L['cpu']:.3f}×; per round: {per_round('latchkey-oauth', 'latchkey')}×) |")
# The paired runs: per pair, subject / reference of requests per second and of CPU per request; the median and the
# middle half (the 25th to the 75th percentile) over the pairs.
paired = {}
for line in open(paired_path):
    subject, reference, s_rps, s_cpu, r_rps, r_cpu = line.rstrip("\n").split("\t")
    paired.setdefault((subject, reference), []).append(
        (float(s_rps) / float(r_rps), float(s_cpu) / float(r_cpu)))
def spread(values):
    q = statistics.quantiles(values, n=4, method="inclusive")
    return f"{statistics.median(values):.3f} [{q[0]:.3f}–{q[2]:.3f}; {min(values):.2f}–{max(values):.2f}]"
print(f"\nPaired runs: {pairs} alternating pairs of {pair_seconds} s wrk runs per comparison (A B, B A, ...), so that"
      " both halves of a ratio see the machine at nearly the same speed; median of the per-pair ratios [middle half;"
      " min–max].\n")
print("| subject / reference | requests per second | CPU per request | per-core capacity (1 / CPU per request) |")
print("|---|---|---|---|")
for (subject, reference), ratios in paired.items():
    print(f"| {subject} / {reference} | {spread([r for r, _ in ratios])} | {spread([c for _, c in ratios])} |"
          f" {spread([1 / c for _, c in ratios])} |")
print(f"\nLatchkey (the without-database build, as every Latchkey arm above): first proxied 200 {first_ms} ms after `java`"
      f" started with the JVM image's class archive (median of {first_all} ms), {first_no_cds_ms} ms without it (median of"
      f" {first_no_cds_all} ms); the full build with its archive {first_full_ms} ms (median of {first_full_all} ms)."
      f" RSS {int(rss_idle)//1024} MiB idle, "
      f"{int(rss_load)//1024} MiB after the saturation runs, {int(rss_5k)//1024} MiB at 5k req/s (-Xmx64m).")
# Which side limits the saturation runs depends on the machine: said from this run's figures, not assumed. A proxy's
# share of its core is its requests per second times its CPU per request; below nine tenths something else (wrk and
# the upstream on CPU 1, wrk's closed loop) set the pace.
proxy_arms = [a for a in arms if a != "direct"]
cores = {a: med[a]["rps"] * med[a]["cpu"] / 1000 for a in proxy_arms}
fastest = max(med[a]["rps"] for a in proxy_arms)
used = (f"Latchkey used {cores['latchkey']:.2f} of its core, nginx {cores['nginx']:.2f}, HAProxy"
        f" {cores['haproxy']:.2f} (requests per second × CPU per request), and the direct arm served"
        f" {D['rps']/fastest:.2f}× the fastest proxy's requests per second")
if cores["latchkey"] >= 0.9:
    print(f"\nSaturation on 2 cores: {used}, so Latchkey's req/s is what its one core could do; CPU per request says"
          " the same from /proc.")
else:
    print(f"\nSaturation on 2 cores: {used}. Latchkey did not use its whole core, so req/s here measure the load side"
          " (wrk and the upstream share CPU 1) as much as the proxies, and the throughput ratios say little; CPU per"
          " request and per-core capacity are the comparisons that hold.")
life, secs, issued = int(lifetime), int(oauth_s), int(tokens)
print(f"\noauth2 arm: {issued} token requests in {secs} s with a {life} s token lifetime under every load above; "
      f"lifetimes elapsed + 1 = {secs // life + 1}; refreshing at 70–80% of each lifetime (the default refreshAt "
      f"80% minus up to 10% jitter) predicts {secs // int(0.8 * life) + 1}–{secs // int(0.7 * life) + 1}.")
opens = {}
for line in open(open_path):
    arm, rate, text = line.rstrip("\n").split("\t")
    opens.setdefault((arm, int(rate)), []).append(dict(kv.split("=") for kv in text.split()))
def cpu_at(arm, rate):
    """Proxy CPU seconds per 1,000 requests, median: of the saturation runs (rate None) or of a fixed rate's."""
    if rate is None:
        return med[arm]["cpu"]
    return statistics.median(float(v["proxy_cpu_per_1k_s"]) for v in opens[(arm, rate)])
print(f"\nFixed rate, open loop (latency from each request's planned send time, HdrHistogram; the load generator's"
      f" event loop wakes at each planned time, and how late it sent is the lag column, part of every arm's latency"
      f" alike; proxy CPU is over the measured requests only), {duration}s per"
      f" run, {rounds} rounds; medians in µs. Steal is the hypervisor's (both CPUs, /proc/stat), the most of any round:"
      f" where it reaches tens of milliseconds, that arm's p99 holds the machine's stalls. CPU 1 busy: the core the"
      f" load generator and the upstream share, over the measured seconds, the most of any round; near 100%, requests"
      f" queue on the load side and that row's latencies are the machine's, not the proxy's.\n")
print("| arm | req/s | p50 | p99 | p99.9 | Δp50 over direct | Δp99 over direct | send lag p99 | proxy CPU s / 1k req"
      " | errors | steal ms | CPU 1 busy |")
print("|---|---|---|---|---|---|---|---|---|---|---|---|")
for rate in (1000, 5000):
    base = {k: statistics.median(int(v[k]) for v in opens[("direct", rate)]) for k in ("p50_us", "p99_us")}
    for arm in arms:
        runs = opens[(arm, rate)]
        m = {k: statistics.median(int(v[k]) for v in runs) for k in ("p50_us", "p99_us", "p999_us", "lag_p99_us")}
        err = sum(int(v["errors"]) for v in runs)
        cpu_k = "—" if arm == "direct" else f"{cpu_at(arm, rate):.4f}"
        steal = max(int(v["steal_ms"]) for v in runs)
        busy = max(int(v["load_cpu_busy_pct"]) for v in runs)
        print(f"| {arm} | {rate} | {m['p50_us']:.0f} | {m['p99_us']:.0f} | {m['p999_us']:.0f} | "
              f"{m['p50_us'] - base['p50_us']:.0f} | {m['p99_us'] - base['p99_us']:.0f} | {m['lag_p99_us']:.0f} | {cpu_k} | {err}"
              f" | {steal} | {busy}% |")

print("\n| added latency over direct | Latchkey | nginx | HAProxy |\n|---|---|---|---|")
for rate in (1000, 5000):
    base = {k: statistics.median(int(v[k]) for v in opens[("direct", rate)]) for k in ("p50_us", "p99_us")}
    delta = {a: {k: statistics.median(int(v[k]) for v in opens[(a, rate)]) - base[k] for k in ("p50_us", "p99_us")}
             for a in ("latchkey", "nginx", "haproxy")}
    for k, label in (("p50_us", "Δp50"), ("p99_us", "Δp99")):
        print(f"| {label} at {rate} req/s | {delta['latchkey'][k]:.0f} µs | {delta['nginx'][k]:.0f} µs | {delta['haproxy'][k]:.0f} µs |")
    cpu_k = {a: cpu_at(a, rate) for a in ("latchkey", "nginx", "haproxy")}
    print(f"| proxy CPU s per 1k requests at {rate} req/s | {cpu_k['latchkey']:.4f} | {cpu_k['nginx']:.4f} | {cpu_k['haproxy']:.4f} |")

# The paired fixed-rate runs: per rotation, an arm's percentile minus direct's in the same rotation.
rotations = {}
for line in open(open_paired_path):
    rotation, arm, rate, text = line.rstrip("\n").split("\t")
    rotations.setdefault((int(rate), rotation), {})[arm] = dict(kv.split("=") for kv in text.split())
def over(values):
    return f"{round(statistics.median(values))} [{min(values)}–{max(values)}]"
print(f"\nPaired fixed-rate runs: {open_pairs} rotations of direct, Latchkey and nginx per rate, {open_pair_seconds} s"
      " each, every rotation starting with the next arm. Added latency is an arm's percentile minus direct's in the"
      " same rotation; median [min–max] over the rotations, µs.\n")
print("| rate | Latchkey Δp50 | nginx Δp50 | Latchkey p50 − nginx p50 | Latchkey Δp99 | nginx Δp99 |"
      " Latchkey p99 − nginx p99 |\n|---|---|---|---|---|---|---|")
for rate in (1000, 5000):
    runs = [r for (r_rate, _), r in rotations.items() if r_rate == rate]
    cells = []
    for k in ("p50_us", "p99_us"):
        added = {a: [int(r[a][k]) - int(r["direct"][k]) for r in runs] for a in ("latchkey", "nginx")}
        cells += [over(added["latchkey"]), over(added["nginx"]),
                  over([int(r["latchkey"][k]) - int(r["nginx"][k]) for r in runs])]
    print(f"| {rate} req/s | " + " | ".join(cells) + " |")

print("\nWhere Latchkey's CPU per request goes, against the three floors (reference arms, not products: RawFloor"
      " relays on Netty's channels with the heads rewritten and scanned in place, no HTTP codecs; NettyFloor is the"
      " least relay Netty's HTTP/1.1 codecs allow, VertxFloor the least one on Vert.x's server and pooled client)."
      " Latchkey has its own HTTP/1.1 server in front and, for a plain-http upstream like this one, its own HTTP/1.1"
      " client behind, both on Netty's channels and reading heads in place. Proxy CPU seconds per 1,000 requests,"
      " medians from the tables above.\n")
print("| arm: what it is | saturation | at 1000 req/s | at 5000 req/s |\n|---|---|---|---|")
steps = (("nginx", None), ("raw-floor", "the JVM and Netty's channels, heads handled in place"),
         ("netty-floor", "the JVM and Netty's HTTP codecs, nothing else"),
         ("vertx-floor", "Vert.x's server, pooled client and pipes, nothing else"),
         ("latchkey", "Latchkey's server and client, policy, injection, metrics, idle watch"))
for arm, label in steps:
    cells = []
    for rate in (None, 1000, 5000):
        c = cpu_at(arm, rate)
        cells.append(f"{c:.4f} ({c / cpu_at('nginx', rate):.2f}× nginx)")
    print(f"| {arm}{'' if label is None else ': ' + label} | " + " | ".join(cells) + " |")
PY
