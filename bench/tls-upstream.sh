#!/usr/bin/env bash
# Latchkey's https upstream paths against nginx proxying to the same TLS upstream, measured in one session on
# loopback. Real upstreams (GitHub, Slack, Google) are TLS; bench/run.sh measures plain http.
#
#   bench/tls-upstream.sh          # DURATION=5 ROUNDS=5 RATE=1000 RATE_DURATION=10 RATE_ROUNDS=3 by default
#
# Arms, interleaved round by round:
#   latchkey         a route with default settings: Latchkey's own HTTP/1.1 client over TLS
#   latchkey-http2   the same upstream with `http2: true`: Vert.x's client, HTTP/2 by ALPN
#   latchkey-vertx11 `http2: true` to an upstream that offers no HTTP/2: Vert.x's client over HTTP/1.1 with TLS
#   nginx            proxy_pass https with upstream keepalive and TLS session reuse, verifying the certificate
# The upstream is nginx with a self-signed P-256 certificate, serving a fixed 1 KiB body on two TLS ports (one
# offering HTTP/2 by ALPN, one HTTP/1.1 only). Pinning and JVM flags as in bench/run.sh: proxies on CPU 0 with one
# worker, upstream and load generators on CPU 1. Results: bench/results/tls-upstream.md.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-5}
ROUNDS=${ROUNDS:-5}
RATE=${RATE:-1000}
RATE_DURATION=${RATE_DURATION:-10}
RATE_ROUNDS=${RATE_ROUNDS:-3}
WORK=$(mktemp -d /tmp/latchkey-tls-bench.XXXXXX)
chmod 755 "$WORK"   # nginx workers run as www-data
UPSTREAM_H2_PORT=18443 UPSTREAM_H1_PORT=18444 NGINX_PORT=18181 LATCHKEY_PORT=18183

need() { command -v "$1" >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq nginx wrk openssl; }; }
need nginx; need wrk; need openssl
if [ "${SKIP_BUILD:-}" != 1 ]; then ./mvnw -B -q package -DskipTests; fi

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$WORK/key.pem" -out "$WORK/cert.pem" \
  -days 2 -subj "/CN=localhost" -addext "subjectAltName=DNS:localhost" 2>/dev/null
chmod 644 "$WORK"/*.pem
head -c 1024 /dev/zero | tr '\0' 'x' > "$WORK/body"
chmod 644 "$WORK/body"
cat > "$WORK/upstream.conf" <<CONF
worker_processes 1; daemon off; pid $WORK/upstream.pid; error_log $WORK/upstream.err info;
events { worker_connections 4096; }
http { access_log off; keepalive_requests 1000000;
  ssl_certificate $WORK/cert.pem; ssl_certificate_key $WORK/key.pem;
  server { listen 127.0.0.1:$UPSTREAM_H2_PORT ssl http2;
    location / { root $WORK; try_files /body =404; default_type text/plain; } }
  server { listen 127.0.0.1:$UPSTREAM_H1_PORT ssl;
    location / { root $WORK; try_files /body =404; default_type text/plain; } } }
CONF
taskset -c 1 nginx -c "$WORK/upstream.conf" & pids+=($!)

cat > "$WORK/nginx.conf" <<CONF
worker_processes 1; daemon off; pid $WORK/nginx.pid; error_log $WORK/nginx.err;
events { worker_connections 4096; }
http { access_log off; keepalive_requests 1000000;
  upstream backend { server 127.0.0.1:$UPSTREAM_H1_PORT; keepalive 128; }
  server { listen 127.0.0.1:$NGINX_PORT;
    location /bench/ { proxy_pass https://backend/; proxy_http_version 1.1; proxy_set_header Connection "";
      proxy_ssl_session_reuse on; proxy_ssl_verify on; proxy_ssl_trusted_certificate $WORK/cert.pem;
      proxy_ssl_name localhost; proxy_set_header Host localhost;
      proxy_set_header Authorization "Bearer bench-token"; } } }
CONF
taskset -c 0 nginx -c "$WORK/nginx.conf" & pids+=($!)

cat > "$WORK/policy.yaml" <<CONF
apiVersion: latchkey.io/v1alpha1
kind: EgressPolicy
metadata: {name: bench-tls}
spec:
  credentials:
    token: {secret: "env:BENCH_TOKEN"}
  routes:
    - {name: own, prefix: /own, upstream: "https://localhost:$UPSTREAM_H2_PORT", caBundle: $WORK/cert.pem,
       inject: [{bearer: token}]}
    - {name: http2, prefix: /http2, upstream: "https://localhost:$UPSTREAM_H2_PORT", caBundle: $WORK/cert.pem,
       http2: true, inject: [{bearer: token}]}
    - {name: vertx11, prefix: /vertx11, upstream: "https://localhost:$UPSTREAM_H1_PORT", caBundle: $WORK/cert.pem,
       http2: true, inject: [{bearer: token}]}
CONF
LATCHKEY_JVM_FLAGS=${LATCHKEY_JVM_FLAGS:-"-Xmx64m -Xms16m -Xmn8m -XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=30 -XX:+UseSerialGC -XX:CompileThresholdScaling=3 -XX:+UnlockExperimentalVMOptions -XX:TrimNativeHeapInterval=5000"}
BENCH_TOKEN=bench-token LATCHKEY_POLICY="$WORK/policy.yaml" LATCHKEY_PROXY_PORT=$LATCHKEY_PORT \
  LATCHKEY_PROXY_EVENT_LOOPS=1 LATCHKEY_ACCESS_LOG=false LATCHKEY_DATABASE_ENABLED=false \
  QUARKUS_HTTP_PORT=0 QUARKUS_MANAGEMENT_PORT=0 \
  taskset -c 0 java -XX:ActiveProcessorCount=1 $LATCHKEY_JVM_FLAGS -jar target/quarkus-app/quarkus-run.jar \
  > "$WORK/latchkey.log" 2>&1 & LATCHKEY_PID=$!; pids+=($LATCHKEY_PID)

ARMS=(latchkey latchkey-http2 latchkey-vertx11 nginx)
declare -A PATH_OF=([latchkey]=/own/x [latchkey-http2]=/http2/x [latchkey-vertx11]=/vertx11/x [nginx]=/bench/x)
declare -A PORT=([latchkey]=$LATCHKEY_PORT [latchkey-http2]=$LATCHKEY_PORT [latchkey-vertx11]=$LATCHKEY_PORT
  [nginx]=$NGINX_PORT)
# Every arm must answer 200 before anything is measured: a proxy that answers errors fast is not fast.
for arm in "${ARMS[@]}"; do
  for _ in $(seq 1 1200); do
    code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:${PORT[$arm]}${PATH_OF[$arm]}" 2>/dev/null || true)
    [ "$code" = 200 ] && break
    sleep 0.01
  done
  [ "$code" = 200 ] || { echo "$arm answered $code, not 200; see $WORK" >&2; exit 1; }
done
pid_on_port() { ss -ltnp "sport = :$1" | awk -F'pid=' 'NR>1 {split($2,a,","); print a[1]; exit}'; }
declare -A PROXY_PID=([latchkey]=$LATCHKEY_PID [latchkey-http2]=$LATCHKEY_PID [latchkey-vertx11]=$LATCHKEY_PID
  [nginx]=$(pid_on_port $NGINX_PORT))
TICKS=$(getconf CLK_TCK)
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
cpu_per_1k() { awk -v t="$1" -v hz="$TICKS" -v n="$2" 'BEGIN { printf "%.4f", (t/hz) / (n/1000) }'; }
url() { echo "http://127.0.0.1:${PORT[$1]}${PATH_OF[$1]}"; }

# Warm-up: every arm twice, 10 s each (the JIT; TLS sessions).
for arm in "${ARMS[@]}" "${ARMS[@]}"; do taskset -c 1 wrk -t1 -c64 -d10s "$(url "$arm")" >/dev/null; done

RESULTS="$WORK/saturation.tsv"; : > "$RESULTS"
for round in $(seq 1 "$ROUNDS"); do
  for arm in "${ARMS[@]}"; do
    before=$(cpu_ticks "${PROXY_PID[$arm]}")
    out=$(taskset -c 1 wrk -t1 -c64 -d"${DURATION}s" --latency "$(url "$arm")")
    after=$(cpu_ticks "${PROXY_PID[$arm]}")
    requests=$(echo "$out" | awk '/requests in/ {print $1}')
    errors=$(echo "$out" | awk '/Non-2xx/ {print $NF}')
    rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
    cpu=$(cpu_per_1k $((after - before)) "$requests")
    echo "round $round $arm: $rps req/s, cpu/1k ${cpu}s, non-2xx ${errors:-0}" >&2
    printf '%s\t%s\t%s\t%s\n' "$arm" "$rps" "$cpu" "${errors:-0}" >> "$RESULTS"
  done
done

HDR=$HOME/.m2/repository/org/hdrhistogram/HdrHistogram/2.2.2/HdrHistogram-2.2.2.jar
[ -f "$HDR" ] || ./mvnw -B -q dependency:get -Dartifact=org.hdrhistogram:HdrHistogram:2.2.2
./mvnw -B -q dependency:build-classpath -Dmdep.outputFile="$WORK/cp.txt" -Dmdep.includeScope=runtime
RUNTIME_CP="$(cat "$WORK/cp.txt"):$HDR"
# The load generator compiled once, and run by bench/open-loop.sh as bench/run.sh runs it.
javac -nowarn -d "$WORK/bench-classes" -cp "$RUNTIME_CP" bench/src/OpenLoopLoad.java
LOADGEN_CP="$WORK/bench-classes:$RUNTIME_CP"
OPEN="$WORK/open.tsv"; : > "$OPEN"
for round in $(seq 1 "$RATE_ROUNDS"); do
  for arm in "${ARMS[@]}"; do
    line=$(PROXY_PID=${PROXY_PID[$arm]} REALTIME_LOAD=1 bench/open-loop.sh "$LOADGEN_CP" 127.0.0.1 "${PORT[$arm]}" \
      "${PATH_OF[$arm]}" "$RATE" "$RATE_DURATION")
    echo "open loop $RATE/s round $round $arm: $line" >&2
    printf '%s\t%s\n' "$arm" "$line" >> "$OPEN"
  done
done

mkdir -p bench/results
python3 - "$RESULTS" "$OPEN" "$DURATION" "$ROUNDS" "$RATE" "$RATE_DURATION" "$RATE_ROUNDS" <<'PY' | tee bench/results/tls-upstream.md
import sys, statistics, datetime, platform, subprocess
sat_path, open_path, duration, rounds, rate, rate_duration, rate_rounds = sys.argv[1:]
arms = ["latchkey", "latchkey-http2", "latchkey-vertx11", "nginx"]
what = {"latchkey": "own HTTP/1.1 client, TLS (default)", "latchkey-http2": "`http2: true`: Vert.x, HTTP/2",
        "latchkey-vertx11": "`http2: true`, upstream without HTTP/2: Vert.x, HTTP/1.1", "nginx": "nginx, keepalive"}
sat = [l.rstrip("\n").split("\t") for l in open(sat_path)]
def col(arm, i): return [float(r[i]) for r in sat if r[0] == arm]
def span(values, d): return f"{statistics.median(values):,.{d}f} [{min(values):,.{d}f}–{max(values):,.{d}f}]"
cpu = subprocess.run(["sh", "-c", "grep -m1 'model name' /proc/cpuinfo | cut -d: -f2"], capture_output=True,
                     text=True).stdout.strip()
print(f"## TLS upstream {datetime.date.today()} — {cpu}, {platform.system()} {platform.release()}, 2 cores")
print(f"\nSaturation with wrk (1 thread, 64 connections, {duration}s per run, {rounds} interleaved rounds); medians"
      " with [min–max]. CPU per 1,000 requests is the proxy process's, from /proc.\n")
print("| arm | what | req/s | proxy CPU s / 1k req | vs nginx (per round) | non-2xx |")
print("|---|---|---|---|---|---|")
nginx = col("nginx", 2)
for a in arms:
    c = col(a, 2)
    ratios = sorted(x / y for x, y in zip(c, nginx))
    print(f"| {a} | {what[a]} | {span(col(a, 1), 0)} | {span(c, 4)} | {statistics.median(ratios):.2f}"
          f" [{ratios[0]:.2f}–{ratios[-1]:.2f}] | {int(sum(col(a, 3)))} |")
opens = {}
for line in open(open_path):
    arm, text = line.rstrip("\n").split("\t")
    opens.setdefault(arm, []).append(dict(kv.split("=") for kv in text.split()))
print(f"\nFixed rate, open loop: {rate} req/s, {rate_duration}s per run, {rate_rounds} interleaved rounds; latency from"
      " planned send times (bench/src/OpenLoopLoad.java).\n")
print("| arm | p50 µs | p99 µs | proxy CPU s / 1k req | errors | steal ms, most in a round |")
print("|---|---|---|---|---|---|")
for a in arms:
    runs = opens[a]
    def v(k): return [float(r[k]) for r in runs]
    print(f"| {a} | {span(v('p50_us'), 0)} | {span(v('p99_us'), 0)} | {span(v('proxy_cpu_per_1k_s'), 4)} |"
          f" {int(sum(v('errors')))} | {max(v('steal_ms')):.0f} |")
PY
echo "Work files (logs, raw results): $WORK" >&2
