#!/usr/bin/env bash
# Runs the benchmarks behind the README's figures and prints the machine,
# the date and the raw `go test -bench` output. Every figure in the README's
# Benchmarks section comes from one of these lines.
#
#   bench/run.sh            # everything, 3 runs each (about 5 minutes)
#   COUNT=5 bench/run.sh    # more runs
#   NODE=0 bench/run.sh     # skip aws-jwt-verify (needs node and npm)
#
# Ratios are measured within one benchmark (paired or interleaved), so they
# hold on a shared, noisy machine; absolute times do not. Compare ratios.
set -euo pipefail
cd "$(dirname "$0")/.."
count="${COUNT:-3}"

echo "# cognitokit benchmarks"
echo "date:    $(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo "commit:  $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
echo "go:      $(go version)"
echo "machine: $(uname -sm), $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ *//' || echo unknown CPU)"
echo "load:    $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)"
echo

run() { # package, benchmark regexp, benchtime
  echo "## $1 $2"
  go test -run '^$' -bench "$2" -benchtime "$3" -count "$count" "$1" | grep -E '^(Benchmark|ok|FAIL|---)'
  echo
}

# RSA: the fast path against crypto/rsa, op by op (ratio rsaverify/crypto-rsa).
run ./internal/rsaverify/ 'VersusCryptoRSA/rsa2048' 3000x
# The verifier: uncached against the floor (paired), cached hits.
run ./verifier/ 'UncachedVsFloor|VerifyUncached$|VerifyCached$' 3000x
# Cache hits on one goroutine, then on every core: each op is 100,000 hits
# per goroutine, so a few ops are enough.
run ./verifier/ 'CachedScaling' 20x
# The adapters over a cached Verify (interleaved; adapter-ns).
run ./middleware/ 'Overhead' 20000x
run ./adapters/echoauth/ 'Overhead' 20000x
run ./adapters/grpcauth/ 'Overhead' 20000x
# The revocation list's check, which every Verify pays when configured.
run ./verifier/revocation/ 'CheckRevoked' 1000000x
# The ALB's user-claims JWT: a full Verify against the ECDSA check alone.
run ./verifier/alb/ 'VerifyVsFloor' 2000x
# SRP: the client's CPU, and whole sign-ins against the emulator.
run ./internal/srp/ 'ClientSignInVsExp' 200x
run ./srpclient/ 'EmulatorSignIn' 200x

# weblogin sessions from Redis against the cookie store (needs redis-server).
if command -v redis-server >/dev/null; then
  run ./adapters/redisstore/ 'SessionStore' 1s
else
  echo "## ./adapters/redisstore/ SessionStore: skipped (no redis-server)"; echo
fi

# Other libraries on the same tokens (the nested bench/ module).
echo "## bench/ (Go libraries)"
(cd bench && go test -run '^$' -bench 'Floor|Cognitokit|GolangJWT|GoOIDC|JWX' -benchtime 2000x -count "$count" . | grep -E '^(Benchmark|ok|FAIL)')
echo
if [ "${NODE:-1}" != 0 ] && command -v node >/dev/null && command -v npm >/dev/null; then
  echo "## bench/ (aws-jwt-verify on Node.js $(node --version))"
  npm ci --prefix bench/node --no-audit --no-fund --loglevel=error >/dev/null
  (cd bench && go test -run '^$' -bench 'VersusAWSJWTVerify' -benchtime 100x -count "$count" . | grep -E '^(Benchmark|ok|FAIL)')
else
  echo "## bench/ (aws-jwt-verify): skipped (NODE=0, or node/npm missing)"
fi
