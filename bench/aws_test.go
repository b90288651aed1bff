package bench

import (
	"context"
	"encoding/json"
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
// Each op is one round: Node verifies the corpus in a loop for a second on
// its one JavaScript thread, then cognitokit does the same on one
// goroutine. It reports each side's tokens per second of wall time and per
// second of process CPU time (which counts every thread: OpenSSL's, the
// garbage collectors'), and their ratios, cognitokit over aws-jwt-verify,
// as the median over the rounds. Run it with a few rounds:
//
//	npm ci --prefix node --no-audit --no-fund   # once
//	go test -run '^$' -bench VersusAWSJWTVerify -benchtime 5x
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
		"userPoolId": poolID, "clientId": clientID, "jwks": json.RawMessage(jwksDoc),
		"tokens": live, "ms": 1000,
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

	var wallRatios, cpuRatios, nodeWall, nodeCPU, goWall, goCPU []float64
	for b.Loop() {
		// aws-jwt-verify, one second.
		out, err := exec.Command(nodeBin, filepath.Join("node", "verify.mjs"), path).Output()
		if err != nil {
			b.Fatalf("node verify.mjs: %v", err)
		}
		var r struct {
			N      float64 `json:"n"`
			WallNs float64 `json:"wallNs"`
			CPUNs  float64 `json:"cpuNs"`
		}
		if err := json.Unmarshal(out, &r); err != nil || r.N == 0 || r.WallNs == 0 || r.CPUNs == 0 {
			b.Fatalf("node verify.mjs printed %q: %v", out, err)
		}
		nw, nc := r.N/r.WallNs*1e9, r.N/r.CPUNs*1e9

		// cognitokit, one second on this goroutine.
		n := 0
		cpu0, t0 := processCPU(), time.Now()
		for time.Since(t0) < time.Second {
			for range 64 {
				if _, err := v.Verify(ctx, live[n%len(live)]); err != nil {
					b.Fatal(err)
				}
				n++
			}
		}
		wall, cpu := time.Since(t0), processCPU()-cpu0
		gw, gc := float64(n)/wall.Seconds(), float64(n)/cpu.Seconds()

		nodeWall, nodeCPU, goWall, goCPU = append(nodeWall, nw), append(nodeCPU, nc), append(goWall, gw), append(goCPU, gc)
		wallRatios, cpuRatios = append(wallRatios, gw/nw), append(cpuRatios, gc/nc)
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
