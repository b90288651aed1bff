package cognitotest_test

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognitokit/cognitokit/cognitotest"
	"github.com/cognitokit/cognitokit/internal/testrun"
)

// crashChildEnv names the data directory of a child process of
// TestCrashKeepsAcknowledgedWrites: the test binary, started again, serves
// an emulator on it until it is killed.
const crashChildEnv = "COGNITOTEST_CRASH_CHILD_DATA"

func TestMain(m *testing.M) {
	if dir := os.Getenv(crashChildEnv); dir != "" {
		crashChild(dir)
		return
	}
	// Many tests spend their time waiting (for Chromium, for the console's
	// outbox poll, for a file lock): testrun.Run lets at least four run at
	// once.
	code := testrun.Run(m)
	stopSharedBrowser()
	testrun.Exit(code)
}

// crashChild serves an emulator on dir and prints its URL; it never
// returns: the test kills it.
func crashChild(dir string) {
	srv, err := cognitotest.New(cognitotest.WithDataDir(dir), fastKeys())
	if err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		os.Exit(3)
	}
	fmt.Println(srv.URL())
	select {}
}

// startChild starts a child emulator on dir and returns its URL and the
// process.
func startChild(t *testing.T, dir string) (string, *os.Process) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), crashChildEnv+"="+dir)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	noErr(t, err)
	noErr(t, cmd.Start())
	exited := make(chan struct{})
	t.Cleanup(func() { cmd.Process.Kill(); <-exited })
	line, err := bufio.NewReader(out).ReadString('\n')
	go func() { cmd.Wait(); close(exited) }() // reap it when killed
	if err != nil {
		<-exited
		t.Fatalf("child emulator: %v; stderr: %s", err, stderr.String())
	}
	return strings.TrimSpace(line), cmd.Process
}

func apiAt(url string) *cip.Client {
	return cip.NewFromConfig(aws.Config{
		Region:       cognitotest.DefaultRegion,
		Credentials:  credentials.NewStaticCredentialsProvider(cognitotest.TestAccessKeyID, cognitotest.TestSecretAccessKey, ""),
		BaseEndpoint: aws.String(url),
	}, func(o *cip.Options) { o.RetryMaxAttempts = 1 }) // a retry after the kill would blur what was acknowledged
}

// acks records the writes the emulator acknowledged.
type acks struct {
	mu        sync.Mutex
	created   map[string]bool   // users from AdminCreateUser
	signedUp  map[string]bool   // users from SignUp
	passwords map[string]string // user -> the last acknowledged password
	inFlight  map[string]string // user -> a password change sent, not (yet) acknowledged
	groups    map[string]string // user -> group it was added to
	n         int
	target    int           // reached is closed when n gets to it
	reached   chan struct{} // nil: none asked
}

func (a *acks) add(fn func()) {
	a.mu.Lock()
	defer a.mu.Unlock()
	fn()
	a.n++
	if a.reached != nil && a.n >= a.target {
		close(a.reached)
		a.reached = nil
	}
}

func (a *acks) count() int { a.mu.Lock(); defer a.mu.Unlock(); return a.n }

// reach returns a channel closed once n writes are acknowledged.
func (a *acks) reach(n int) <-chan struct{} {
	a.mu.Lock()
	defer a.mu.Unlock()
	ch := make(chan struct{})
	if a.n >= n {
		close(ch)
	} else {
		a.target, a.reached = n, ch
	}
	return ch
}

// TestCrashKeepsAcknowledgedWrites: an emulator process on a data
// directory is killed (SIGKILL) while many clients write through the AWS
// SDK; the data opens cleanly, and every write that was acknowledged is
// there. Three rounds on the same directory, so that later rounds open a
// file left by a kill. Each round kills the process once 30 writes were
// acknowledged (8 more are in flight); COGNITOKIT_SOAK=1 runs 10 rounds
// of 120.
func TestCrashKeepsAcknowledgedWrites(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	a := &acks{created: map[string]bool{}, signedUp: map[string]bool{}, passwords: map[string]string{}, inFlight: map[string]string{}, groups: map[string]string{}}
	var poolID, clientID string
	const workers = 8
	rounds, writes := 3, 30
	if soak() {
		rounds, writes = 10, 120
	}
	for round := range rounds {
		url, proc := startChild(t, dir)
		api := apiAt(url)
		if round == 0 {
			p, err := api.CreateUserPool(ctx(), &cip.CreateUserPoolInput{PoolName: aws.String("crash")})
			noErr(t, err)
			poolID = aws.ToString(p.UserPool.Id)
			c, err := api.CreateUserPoolClient(ctx(), &cip.CreateUserPoolClientInput{UserPoolId: aws.String(poolID), ClientName: aws.String("app"),
				ExplicitAuthFlows: []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowUserPasswordAuth, types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth}})
			noErr(t, err)
			clientID = aws.ToString(c.UserPoolClient.ClientId)
			_, err = api.CreateGroup(ctx(), &cip.CreateGroupInput{UserPoolId: aws.String(poolID), GroupName: aws.String("crew")})
			noErr(t, err)
		}
		before := a.count()
		stop := make(chan struct{})
		var wg sync.WaitGroup
		for w := range workers {
			wg.Go(func() { crashLoad(api, poolID, clientID, fmt.Sprintf("r%dw%d", round, w), a, stop) })
		}
		// Kill it at a random moment once the load is well under way.
		<-a.reach(before + writes)
		time.Sleep(time.Duration(rand.IntN(20)) * time.Millisecond)
		noErr(t, proc.Signal(syscall.SIGKILL))
		close(stop)
		wg.Wait()
		t.Logf("round %d: %d writes acknowledged", round, a.count()-before)
	}

	// The data opens cleanly, and has every acknowledged write.
	srv, err := cognitotest.Start(t, cognitotest.WithDataDir(dir), fastKeys())
	if err != nil {
		t.Fatalf("reopening the data after the kills: %v", err)
	}
	if !srv.Restored() {
		t.Error("Restored() = false for a directory with state")
	}
	pool := must(srv.Pool(poolID))
	e := &env{srv: srv, pool: pool, api: cip.NewFromConfig(srv.AWSConfig())}
	app := must(pool.Client(clientID))
	var missing []string
	for name := range a.created {
		if _, err := pool.User(name); err != nil {
			missing = append(missing, "created "+name)
		}
	}
	for name := range a.signedUp {
		if u, err := pool.User(name); err != nil || u.Status != cognitotest.StatusUnconfirmed {
			missing = append(missing, "signed up "+name)
		}
	}
	for name, g := range a.groups {
		if u, err := pool.User(name); err != nil || len(u.Groups) != 1 || u.Groups[0] != g {
			missing = append(missing, "group of "+name)
		}
	}
	for name, pw := range a.passwords {
		ok := false
		// The acknowledged password, or the next one if its change
		// committed but was not acknowledged before the kill.
		for _, pw := range []string{pw, a.inFlight[name]} {
			if out, err := e.passwordLogin(app, name, pw); err == nil && out.AuthenticationResult != nil {
				ok = true
				break
			}
		}
		if !ok {
			missing = append(missing, "password of "+name)
		}
	}
	if len(missing) > 0 {
		t.Errorf("%d acknowledged writes lost: %v", len(missing), missing[:min(len(missing), 10)])
	}
	if len(a.created) == 0 || len(a.passwords) == 0 || len(a.signedUp) == 0 {
		t.Errorf("the load acknowledged %d creations, %d password changes, %d sign-ups; want some of each", len(a.created), len(a.passwords), len(a.signedUp))
	}
}

// crashLoad writes until stop: it creates users, changes their passwords
// and adds them to a group (admin operations), and signs users up
// (public), recording what the emulator acknowledged.
func crashLoad(api *cip.Client, poolID, clientID, prefix string, a *acks, stop <-chan struct{}) {
	for i := 0; ; i++ {
		select {
		case <-stop:
			return
		default:
		}
		name := fmt.Sprintf("%s-%d", prefix, i)
		_, err := api.AdminCreateUser(ctx(), &cip.AdminCreateUserInput{UserPoolId: aws.String(poolID), Username: aws.String(name),
			TemporaryPassword: aws.String("Temp-Passw0rd!"), MessageAction: types.MessageActionTypeSuppress})
		if err != nil {
			return // killed
		}
		a.add(func() { a.created[name] = true })
		for k := range 2 {
			pw := fmt.Sprintf("Passw0rd-%d!", k)
			a.mu.Lock()
			a.inFlight[name] = pw
			a.mu.Unlock()
			_, err := api.AdminSetUserPassword(ctx(), &cip.AdminSetUserPasswordInput{UserPoolId: aws.String(poolID), Username: aws.String(name),
				Password: aws.String(pw), Permanent: true})
			if err != nil {
				return
			}
			a.add(func() { a.passwords[name] = pw; delete(a.inFlight, name) })
		}
		_, err = api.AdminAddUserToGroup(ctx(), &cip.AdminAddUserToGroupInput{UserPoolId: aws.String(poolID), Username: aws.String(name), GroupName: aws.String("crew")})
		if err != nil {
			return
		}
		a.add(func() { a.groups[name] = "crew" })
		su := "s" + name
		_, err = api.SignUp(ctx(), &cip.SignUpInput{ClientId: aws.String(clientID), Username: aws.String(su), Password: aws.String("Passw0rd-s!")})
		if err != nil {
			return
		}
		a.add(func() { a.signedUp[su] = true })
	}
}

// TestDataDir: WithDataDir keeps the state across servers; a second
// server on a directory in use fails fast; Restored tells a kept state
// from a new one.
func TestDataDir(t *testing.T) {
	t.Parallel() // the second server waits boltstore.DefaultTimeout for the lock
	dir := filepath.Join(t.TempDir(), "data")
	srv := cognitotest.NewServer(t, cognitotest.WithDataDir(dir), fastKeys())
	if srv.Restored() {
		t.Error("Restored() = true for a new directory")
	}
	pool := srv.MustCreatePool(cognitotest.PoolConfig{ID: "us-east-1_Kept"})
	pool.MustCreateUser(cognitotest.UserConfig{Username: "kim", Password: testPassword})
	start := time.Now()
	_, err := cognitotest.Start(nil, cognitotest.WithDataDir(dir))
	if !errors.Is(err, cognitotest.ErrDataInUse) || !strings.Contains(err.Error(), dir) {
		t.Errorf("a second server on the directory: %v; want ErrDataInUse naming it", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("the second server took %v to fail", d)
	}
	srv.Close()
	srv2 := cognitotest.NewServer(t, cognitotest.WithDataDir(dir), fastKeys())
	if !srv2.Restored() {
		t.Error("Restored() = false for a directory with state")
	}
	if _, err := must(srv2.Pool("us-east-1_Kept")).User("kim"); err != nil {
		t.Errorf("user after restart: %v", err)
	}
}

// TestDataDirRefuses: a damaged data file, or one of a newer emulator,
// does not start a server, and is left as it was.
func TestDataDirRefuses(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		file func(t *testing.T) []byte
		want error
	}{
		{"not a data file", func(*testing.T) []byte { return []byte(`{"pools":[]}`) }, cognitotest.ErrDataCorrupt},
		{"damaged", func(t *testing.T) []byte {
			data := dataFile(t, nil)
			// Damage the header of every page after the two meta pages:
			// the live ones among them, whichever they are.
			for pg := 2 * os.Getpagesize(); pg < len(data); pg += os.Getpagesize() {
				for i := pg; i < pg+64; i++ {
					data[i] ^= 0x5a
				}
			}
			return data
		}, cognitotest.ErrDataCorrupt},
		{"newer emulator", func(t *testing.T) []byte {
			return dataFile(t, func(dir string) {
				// A field this emulator does not know, as a newer one would write.
				patchDataFile(t, dir, `"name":"Kept"`, `"name":"Kept","fut":1`)
			})
		}, cognitotest.ErrDataFormat},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "cognito.db")
			data := tc.file(t)
			noErr(t, os.WriteFile(path, data, 0o600))
			_, err := cognitotest.Start(nil, cognitotest.WithDataDir(dir))
			if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), "not changed") {
				t.Errorf("Start = %v; want %v, saying the directory was not changed", err, tc.want)
			}
			if after, _ := os.ReadFile(path); !bytes.Equal(after, data) {
				t.Error("the refused data file was changed")
			}
		})
	}
}

// dataFile returns the bytes of a data file with a pool, after edit.
func dataFile(t *testing.T, edit func(dir string)) []byte {
	dir := t.TempDir()
	srv := cognitotest.NewServer(t, cognitotest.WithDataDir(dir), fastKeys())
	srv.MustCreatePool(cognitotest.PoolConfig{ID: "us-east-1_Kept"})
	srv.Close()
	if edit != nil {
		edit(dir)
	}
	return must(os.ReadFile(filepath.Join(dir, "cognito.db")))
}

// patchDataFile replaces old by new in the records of a closed data
// directory, through the store (as a newer emulator would write).
func patchDataFile(t *testing.T, dir, old, new string) {
	t.Helper()
	noErr(t, cognitotest.PatchDataDir(dir, func(data []byte) []byte { return bytes.Replace(data, []byte(old), []byte(new), 1) }))
}
