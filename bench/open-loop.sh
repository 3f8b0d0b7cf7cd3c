#!/usr/bin/env bash
# Runs the open-loop load generator (bench/src/OpenLoopLoad.java, compiled into the classpath given) the one way
# both harnesses run it, pinned to CPU 1 beside the upstream:
#
#   bench/open-loop.sh CLASSPATH HOST PORT PATH RATE SECONDS
#
# C1 only (TieredStopAtLevel=1): at these rates C2 would still be compiling during the measured seconds. A 16 MiB
# young generation keeps young collections under a millisecond. The environment passes through: PROXY_PID (the
# proxy whose CPU to read around the measured seconds), REALTIME_LOAD=1 (real-time priority for the event loop,
# root only), LOAD_CPU (the CPU whose busy time to report). Prints the generator's result line.
set -euo pipefail
classpath=$1; shift
taskset -c 1 java -XX:+UseSerialGC -Xmn16m -XX:TieredStopAtLevel=1 -cp "$classpath" OpenLoopLoad "$@" | tail -1
