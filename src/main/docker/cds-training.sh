#!/bin/bash
# A training run for an AppCDS archive: starts Latchkey with the command given, proxies one request through it, and
# stops it, so that the JVM writes the classes that start-up and a first proxied request load into the archive the
# command names with -XX:ArchiveClassesAtExit. A JVM started later with -XX:SharedArchiveFile maps them instead of
# loading, verifying and linking them again (bench/run.sh measures the difference).
#
#   cds-training.sh java -XX:ArchiveClassesAtExit=app-cds.jsa <the runtime's JVM flags> -jar quarkus-run.jar
#
# The archive only serves the same JDK build and the same jars at the same paths, so the run belongs where the
# runtime is assembled (the Dockerfile runs it in the runtime image). The route goes to Latchkey's own liveness
# endpoint: no upstream, database or network is needed. TRAINING_PROXY_PORT and TRAINING_MANAGEMENT_PORT move the
# two listeners (defaults 15001 and 15020).
set -euo pipefail
proxy_port=${TRAINING_PROXY_PORT:-15001}
management_port=${TRAINING_MANAGEMENT_PORT:-15020}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat > "$work/policy.yaml" <<POLICY
apiVersion: latchkey.io/v1alpha1
kind: EgressPolicy
metadata: {name: cds-training}
spec:
  credentials:
    training: {secret: "env:CDS_TRAINING_TOKEN"}
  routes:
    - name: training
      prefix: /cds-training
      upstream: http://127.0.0.1:$management_port
      inject: [{bearer: training}]
POLICY

LATCHKEY_POLICY="$work/policy.yaml" CDS_TRAINING_TOKEN=training-only LATCHKEY_DATABASE_ENABLED=false \
  LATCHKEY_PROXY_PORT=$proxy_port QUARKUS_MANAGEMENT_PORT=$management_port QUARKUS_HTTP_PORT=0 "$@" &
latchkey=$!

# One proxied request, over bash's /dev/tcp: runtime images need not have curl.
proxied_status() {
  exec 3<>"/dev/tcp/127.0.0.1/$proxy_port" || return 1
  printf 'GET /cds-training/q/health/live HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' >&3
  local status_line
  IFS= read -r status_line <&3 || true
  exec 3<&-
  [[ $status_line == "HTTP/1.1 200"* ]]
}
for _ in $(seq 1 600); do
  if ! kill -0 "$latchkey" 2>/dev/null; then
    echo "cds-training: Latchkey exited before it answered" >&2
    exit 1
  fi
  if proxied_status 2>/dev/null; then
    kill -TERM "$latchkey"
    wait "$latchkey" || true
    exit 0
  fi
  sleep 0.1
done
echo "cds-training: no proxied 200 within 60 s" >&2
kill -TERM "$latchkey"
exit 1
