package bench

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/cognitokit/cognitokit/verifier"
)

// BenchmarkVersusAWSJWTVerify compares cognitokit's verifier with
// aws-jwt-verify, the reference Cognito verifier for JavaScript (Node.js,
// whose RSA is OpenSSL's), on the same distinct-token corpus: 512 access
// tokens under one 2048-bit RSA key, each verified in full (cognitokit's
// verified-token cache is off; aws-jwt-verify has none).
//
// A Node.js worker (node/verify.mjs) verifies batches on its one
// JavaScript thread when asked. Each op alternates one batch of batch
// tokens in the worker and one batch on this goroutine, so that both see
// the same machine load, and the benchmark reports the median over the
// ops of each side's tokens per second of wall time and per second of
// process CPU time (which counts every thread: OpenSSL's, the garbage
// collectors'), and their ratios, cognitokit over aws-jwt-verify ("x-wall",
// "x-cpu"; the goal is at least 1.5). Run it with at least 50 ops:
//
//	npm ci --prefix node --no-audit --no-fund   # once
//	go test -run '^$' -bench VersusAWSJWTVerify -benchtime 100x
//
// It skips when node or node/node_modules is missing.
func BenchmarkVersusAWSJWTVerify(b *testing.B) {
	nodeBin, err := exec.LookPath("node")
	if err != nil {
		b.Skip("node is not installed")
	}
	if _, err := os.Stat(filepath.Join("node", "node_modules", "aws-jwt-verify")); err != nil {
		b.Skip("aws-jwt-verify is not installed: run npm ci --prefix node --no-audit --no-fund")
	}
	fixtures(b)
	// aws-jwt-verify reads the real clock: these tokens are valid now.
	live := mintTokens(b, nTokens, time.Now())
	corpus, err := json.Marshal(map[string]any{
		"userPoolId": poolID, "clientId": clientID, "jwks": json.RawMessage(jwksDoc), "tokens": live,
	})
	if err != nil {
		b.Fatal(err)
	}
	path := filepath.Join(b.TempDir(), "corpus.json")
	if err := os.WriteFile(path, corpus, 0o600); err != nil {
		b.Fatal(err)
	}
	v, err := verifier.New(verifier.Config{
		Pools:     []verifier.Pool{{UserPoolID: poolID, ClientIDs: []string{clientID}, TokenUse: verifier.TokenUseAccess, JWKS: jwksDoc}},
		CacheSize: -1,
	})
	if err != nil {
		b.Fatal(err)
	}
	defer v.Close()
	ctx := context.Background()
	for _, tok := range live {
		if _, err := v.Verify(ctx, tok); err != nil {
			b.Fatal(err)
		}
	}

	worker := exec.Command(nodeBin, filepath.Join("node", "verify.mjs"), path)
	worker.Stderr = os.Stderr
	in, err := worker.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	outPipe, err := worker.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := worker.Start(); err != nil {
		b.Fatal(err)
	}
	defer func() {
		in.Close()
		worker.Wait()
	}()
	out := bufio.NewScanner(outPipe)
	if !out.Scan() || out.Text() != "ready" {
		b.Fatalf("node verify.mjs did not start: %q %v", out.Text(), out.Err())
	}
	// batch runs a batch of n tokens in the worker.
	batch := func(n int) (wallNs, cpuNs float64) {
		if _, err := fmt.Fprintf(in, "%d\n", n); err != nil {
			b.Fatalf("node verify.mjs: %v", err)
		}
		var r struct {
			N      int     `json:"n"`
			WallNs float64 `json:"wallNs"`
			CPUNs  float64 `json:"cpuNs"`
		}
		if !out.Scan() {
			b.Fatalf("node verify.mjs: %v", out.Err())
		}
		if err := json.Unmarshal(out.Bytes(), &r); err != nil || r.N != n || r.WallNs <= 0 || r.CPUNs <= 0 {
			b.Fatalf("node verify.mjs printed %q: %v", out.Bytes(), err)
		}
		return r.WallNs, r.CPUNs
	}
	const n = 1000 // about 30 ms of Node, 20 ms of Go
	batch(n)       // warm the worker up

	var wallRatios, cpuRatios, nodeWall, nodeCPU, goWall, goCPU []float64
	next := 0
	for b.Loop() {
		nw, nc := batch(n)
		cpu0, t0 := processCPU(), time.Now()
		for range n {
			if _, err := v.Verify(ctx, live[next]); err != nil {
				b.Fatal(err)
			}
			next = (next + 1) % len(live)
		}
		gw, gc := float64(time.Since(t0)), float64(processCPU()-cpu0)
		if gc <= 0 {
			continue // the CPU clock did not tick: a batch far too short
		}
		nodeWall, nodeCPU = append(nodeWall, n/nw*1e9), append(nodeCPU, n/nc*1e9)
		goWall, goCPU = append(goWall, n/gw*1e9), append(goCPU, n/gc*1e9)
		wallRatios, cpuRatios = append(wallRatios, nw/gw), append(cpuRatios, nc/gc)
	}
	b.ReportMetric(medianF(nodeWall), "aws-jwt-verify-tokens/s")
	b.ReportMetric(medianF(nodeCPU), "aws-jwt-verify-tokens/cpu-s")
	b.ReportMetric(medianF(goWall), "cognitokit-tokens/s")
	b.ReportMetric(medianF(goCPU), "cognitokit-tokens/cpu-s")
	b.ReportMetric(medianF(wallRatios), "x-wall")
	b.ReportMetric(medianF(cpuRatios), "x-cpu")
}

func medianF(x []float64) float64 {
	if len(x) == 0 {
		return 0
	}
	x = slices.Clone(x)
	slices.Sort(x)
	return x[len(x)/2]
}
