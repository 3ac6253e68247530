#!/usr/bin/env bash
# Runs MPICH's hello-mpi (the image of examples/mpich-hello) RUNS times in a row with
# `mnbatch run --local` at NODES nodes x SLOTS ranks each, and prints every run's exit code and
# wall time. Exits 1 unless every run printed the right answer and ended by itself with 0: a run
# that reaches its timeout (124) is a hang in MPI_Finalize (issue 14, docs/agent.md "MPICH").
#   flock /tmp/mnbatch-docker-e2e.lock scripts/mpich-finalize-runs.sh        # 10 x (4 nodes x 2 ranks)
#   RUNS=20 NODES=2 SLOTS=2 scripts/mpich-finalize-runs.sh
# Needs dist/ (npm run build); builds the agent executable and the MPICH images first.
set -euo pipefail
cd "$(dirname "$0")/.."

runs="${RUNS:-10}" nodes="${NODES:-4}" slots="${SLOTS:-2}" timeout="${TIMEOUT:-120s}"
image=mnbatch-examples/mpich-hello:latest
die() { printf 'mpich-finalize-runs: %s\n' "$*" >&2; exit 2; }
for n in "$runs" "$nodes" "$slots"; do
  [[ "$n" =~ ^[1-9][0-9]*$ ]] || die "RUNS, NODES and SLOTS must be positive integers, got '$n'"
done
[ -f dist/cli/main.js ] || die 'dist/cli/main.js is missing: run npm run build first'

MPI=mpich bash container/build-images.sh >&2
docker build -q --build-arg AGENT_IMAGE=mnbatch/agent-mpich:latest -t "$image" examples/hello-mpi >&2

logs="$(mktemp -d)"
cat >"$logs/job.yaml" <<EOF
name: mpich-finalize
image: $image
nodes: $nodes
resources: { vcpus: 1, memory: 512 }
command: ["/usr/local/bin/hello-mpi"]
mpi: { implementation: mpich, slotsPerNode: $slots }
timeout: $timeout
EOF

size=$((nodes * slots)) failed=0 times=()
for i in $(seq 1 "$runs"); do
  start="$(date +%s%N)"
  code=0
  node dist/cli/main.js run --local "$logs/job.yaml" --no-build --grace 5s >"$logs/run-$i.log" 2>&1 || code=$?
  seconds="$(awk -v ns="$(($(date +%s%N) - start))" 'BEGIN { printf "%.1f", ns / 1e9 }')"
  times+=("$seconds")
  verdict=ok
  if [ "$code" -ne 0 ]; then
    verdict="FAILED (exit $code$([ "$code" -eq 124 ] && echo ': timeout, a hang'))"
  elif ! grep -q "hello-mpi: size=$size allreduce=$((size * (size + 1) / 2)) expected=.* OK" "$logs/run-$i.log"; then
    verdict='FAILED (no right answer in the output)'
  fi
  [ "$verdict" = ok ] || failed=$((failed + 1))
  printf 'run %d/%d: %d nodes x %d ranks, exit %d, %s s, %s\n' "$i" "$runs" "$nodes" "$slots" "$code" "$seconds" "$verdict"
done

sorted="$(printf '%s\n' "${times[@]}" | sort -n)"
printf '%d of %d runs ended by themselves with exit 0; wall time min %s s, median %s s, max %s s (logs: %s)\n' \
  "$((runs - failed))" "$runs" "$(head -n1 <<<"$sorted")" "$(sed -n "$(((runs + 1) / 2))p" <<<"$sorted")" \
  "$(tail -n1 <<<"$sorted")" "$logs"
[ "$failed" -eq 0 ]
