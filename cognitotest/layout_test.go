package cognitotest

import (
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/cognitokit/cognitokit/"

// layers ranks the emulator's packages: a package may import a package of
// the emulator only from a lower layer, so that dependencies point one way
// (the operations use the user pool domain, which uses the runtime, which
// uses the state; nothing below imports upward, and operation groups do
// not import each other). A new package must be given its layer here.
var layers = map[string]int{
	"cognitotest/internal/wire":              0, // the AWS JSON 1.1 protocol
	"cognitotest/internal/state":             0, // records and the store
	"cognitotest/internal/lambda":            0, // running the code of Lambda triggers
	"cognitotest/internal/boltstore":         1, // the durable store (bbolt)
	"cognitotest/internal/emulator":          1, // the runtime: registry, dispatch, outbox, faults
	"cognitotest/internal/upstream":          1, // the client of third-party identity providers
	"cognitotest/internal/userpool":          2, // the user pool domain
	"cognitotest/internal/userpool/auth":     3, // operations, by group
	"cognitotest/internal/userpool/users":    3,
	"cognitotest/internal/userpool/pools":    3,
	"cognitotest/internal/userpool/devices":  3,
	"cognitotest/internal/userpool/mfa":      3,
	"cognitotest/internal/userpool/idp":      3, // identity providers (federation)
	"cognitotest/internal/userpool/passkeys": 3, // WebAuthn: its operations (the ceremonies are userpool's)
	"cognitotest/internal/identity":          3, // Cognito Identity and STS
	"cognitotest/internal/managedlogin":      3, // the OAuth endpoints
	"cognitotest/internal/guard":             3, // Host and Origin checks
	"cognitotest/internal/albproxy":          3, // the ALB in front of a local service
	"cognitotest/internal/console":           3, // the emulator's own endpoints: health, outbox, web console
	"cognitotest/internal/userpool/imports":  4, // user import jobs: a workflow over the pools and users operations
	"cognitotest":                            5, // the public face
	"cognitotest/oidcprovider":               0, // an upstream OIDC provider for federation tests; imports no emulator package
	"cognitotest/internal/packagetests":      0, // the tests of the small internal packages; no code
}

// outside lists the packages of the module, other than its own, that the
// emulator may import: it must not use the verifier (it exists to test
// it) nor any other client package.
var outside = []string{"internal/srp", "internal/albtoken"}

// TestLayout enforces the layers on the imports of every non-test Go file
// under cognitotest, and keeps testing out of them.
func TestLayout(t *testing.T) {
	t.Parallel()
	imports := map[string]map[string]bool{} // package -> imported module packages
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || d.Name() == "node_modules") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		pkg := filepath.ToSlash(filepath.Join("cognitotest", filepath.Dir(path)))
		if imports[pkg] == nil {
			imports[pkg] = map[string]bool{}
		}
		for _, spec := range f.Imports {
			imp, _ := strconv.Unquote(spec.Path.Value)
			if imp == "testing" || strings.HasPrefix(imp, "testing/") {
				t.Errorf("%s imports %s: non-test code must not", path, imp)
			}
			if rest, ok := strings.CutPrefix(imp, module); ok {
				imports[pkg][rest] = true
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(imports) < len(layers) {
		t.Fatalf("found %d packages; want at least the %d of the layers", len(imports), len(layers))
	}
	for pkg, imps := range imports {
		layer, ok := layers[pkg]
		if !ok {
			t.Errorf("package %s has no layer: add it to layers", pkg)
			continue
		}
		for imp := range imps {
			if l, ok := layers[imp]; ok {
				if l >= layer {
					t.Errorf("%s (layer %d) imports %s (layer %d): imports must point to a lower layer", pkg, layer, imp, l)
				}
				continue
			}
			if !slices.Contains(outside, imp) {
				t.Errorf("%s imports %s%s: the emulator may import only %v of the module", pkg, module, imp, outside)
			}
		}
	}
}

// TestDependencies checks the whole dependency tree of cognitotest (what
// TestLayout cannot see through third-party packages): no testing, no
// verifier.
func TestDependencies(t *testing.T) {
	t.Parallel()
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command is needed to list dependencies: %v", err)
	}
	cmd := exec.Command(gobin, "list", "-deps", ".")
	cmd.Env = os.Environ()
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go list -deps: %v\n%s", err, out)
	}
	deps := strings.Fields(string(out))
	if !slices.Contains(deps, module+"cognitotest/internal/state") {
		t.Fatalf("go list -deps did not list the emulator's packages:\n%s", out)
	}
	for _, d := range deps {
		switch {
		case d == "testing" || strings.HasPrefix(d, "testing/"):
			t.Errorf("cognitotest depends on %s", d)
		case strings.HasPrefix(d, module) && !strings.HasPrefix(d, module+"cognitotest") && !slices.Contains(outside, strings.TrimPrefix(d, module)):
			t.Errorf("cognitotest depends on %s; the emulator checks its own tokens and must not use the packages it tests", d)
		}
	}
}
