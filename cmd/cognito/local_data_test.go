package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognitokit/cognitokit/cognitotest"
)

// TestLocalData: with --data the seed is applied to a new directory only,
// cognito local says so, and the state (a user created through the API)
// is there after a restart; a second cognito local on the directory fails
// fast.
func TestLocalData(t *testing.T) {
	t.Parallel() // the second "cognito local" waits for the directory's lock (half a second)
	dir := filepath.Join(t.TempDir(), "state")
	seedPath := filepath.Join(t.TempDir(), "seed.json")
	os.WriteFile(seedPath, []byte(`{"pools":[{"id":"us-east-1_Data","clients":[{"id":"dataclient"}],"users":[{"username":"ann","password":"Ann-Passw0rd!"}]}]}`), 0o600)

	r, stderr, stop := runLocalBG(t, "--data", dir, "--seed", seedPath)
	if !strings.Contains(stderr.String(), "applied the seed "+seedPath+" to the new data directory") {
		t.Errorf("stderr %q does not say the seed was applied", stderr.String())
	}
	if len(r.Pools) != 1 || r.Pools[0].Users[0].Password != "Ann-Passw0rd!" {
		t.Fatalf("ready line: %+v", r)
	}
	api := apiFor(r.Endpoint)
	_, err := api.AdminCreateUser(context.Background(), &cip.AdminCreateUserInput{UserPoolId: aws.String("us-east-1_Data"), Username: aws.String("ben"),
		TemporaryPassword: aws.String("Ben-Passw0rd!"), MessageAction: types.MessageActionTypeSuppress})
	if err != nil {
		t.Fatal(err)
	}
	code, _, errOut := runCLI(t, "", nil, "local", "--addr", "127.0.0.1:0", "--data", dir)
	if code != exitFailure || !strings.Contains(errOut, "in use") || !strings.Contains(errOut, dir) {
		t.Errorf("a second cognito local on the directory: exit %d, %q; want %d saying it is in use", code, errOut, exitFailure)
	}
	stop()

	r, stderr, stop = runLocalBG(t, "--data", dir, "--seed", seedPath)
	defer stop()
	if !strings.Contains(stderr.String(), "holds a state; the seed "+seedPath+" was not applied") {
		t.Errorf("stderr %q does not say the seed was not applied", stderr.String())
	}
	if len(r.Pools) != 1 || len(r.Pools[0].Users) != 2 || r.Pools[0].Users[0].Password != "" {
		t.Errorf("ready line after restart: %+v; want both users, without passwords", r.Pools)
	}
	api = apiFor(r.Endpoint)
	_, err = api.InitiateAuth(context.Background(), &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeUserPasswordAuth, ClientId: aws.String("dataclient"),
		AuthParameters: map[string]string{"USERNAME": "ann", "PASSWORD": "Ann-Passw0rd!"}})
	if err != nil {
		t.Errorf("the seeded user after the restart: %v", err)
	}
	if _, err := api.AdminGetUser(context.Background(), &cip.AdminGetUserInput{UserPoolId: aws.String("us-east-1_Data"), Username: aws.String("ben")}); err != nil {
		t.Errorf("the user created before the restart: %v", err)
	}
}

// TestLocalExport: --export writes the state of a data directory, or of a
// seed, as a seed; the export of a running emulator matches; and the file
// round-trips through --seed and --export.
func TestLocalExport(t *testing.T) {
	t.Parallel() // the --export of the directory in use waits for its lock (half a second)
	tmp := t.TempDir()
	dir := filepath.Join(tmp, "state")
	r, _, stop := runLocalBG(t, "--data", dir) // the demo pool
	live, err := httpGet(r.Endpoint + cognitotest.ExportPath)
	if err != nil {
		t.Fatal(err)
	}
	code, _, errOut := runCLI(t, "", nil, "local", "--data", dir, "--export", "-")
	if code != exitFailure || !strings.Contains(errOut, "in use") || !strings.Contains(errOut, cognitotest.ExportPath) {
		t.Errorf("--export of a directory in use: exit %d, %q; want %d pointing at the export endpoint", code, errOut, exitFailure)
	}
	stop()

	file := filepath.Join(tmp, "export.json")
	if code, _, errOut := runCLI(t, "", nil, "local", "--data", dir, "--export", file); code != exitOK {
		t.Fatalf("--export: exit %d, %s", code, errOut)
	}
	exported, _ := os.ReadFile(file)
	if string(exported) != live {
		t.Errorf("--export of the directory differs from the running emulator's export:\n%s\n%s", exported, live)
	}
	if fi, err := os.Stat(file); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("export file: %v, %v; want mode 0600 (it holds secrets)", fi, err)
	}
	if !strings.Contains(string(exported), cognitotest.DemoConfidentialClientID) || !strings.Contains(string(exported), "password_verifier") {
		t.Errorf("export lacks the demo pool:\n%s", exported)
	}

	// The export as the seed of a new directory exports the same.
	dir2 := filepath.Join(tmp, "state2")
	r, _, stop = runLocalBG(t, "--data", dir2, "--seed", file)
	api := apiFor(r.Endpoint)
	_, err = api.InitiateAuth(context.Background(), &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeUserPasswordAuth, ClientId: aws.String(cognitotest.DemoPublicClientID),
		AuthParameters: map[string]string{"USERNAME": "alice@example.com", "PASSWORD": "Alice-Passw0rd!"}})
	if err != nil {
		t.Errorf("the demo user from the exported seed: %v", err)
	}
	stop()
	code, again, errOut := runCLI(t, "", nil, "local", "--data", dir2, "--export", "-")
	if code != exitOK || again != string(exported) {
		t.Errorf("export -> seed -> export: exit %d %s; differs:\n%s\n%s", code, errOut, exported, again)
	}

	// Without --data: the seed as the emulator holds it.
	code, out, errOut := runCLI(t, "", nil, "local", "--seed", file, "--export", "-")
	if code != exitOK || out != string(exported) {
		t.Errorf("--seed --export: exit %d %s; want the same seed", code, errOut)
	}
	if code, _, errOut := runCLI(t, "", nil, "local", "--data", filepath.Join(tmp, "none"), "--export", "-"); code != exitUsage || !strings.Contains(errOut, "no state") {
		t.Errorf("--export of a directory without a state: exit %d, %q", code, errOut)
	}
	if _, err := os.Stat(filepath.Join(tmp, "none")); err == nil {
		t.Error("--export created the data directory")
	}
}

// TestLocalDataRefused: a damaged data file stops cognito local with a
// clear message and is left as it is.
func TestLocalDataRefused(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "cognito.db")
	junk := bytes.Repeat([]byte("not a database "), 1000)
	os.WriteFile(path, junk, 0o600)
	code, stdout, stderr := runCLI(t, "", nil, "local", "--addr", "127.0.0.1:0", "--data", dir)
	if code != exitFailure || stdout != "" || !strings.Contains(stderr, "not a data file of the emulator, or it is damaged") || !strings.Contains(stderr, "not changed") {
		t.Errorf("damaged data file: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(after, junk) {
		t.Error("the refused data file was changed")
	}
}
