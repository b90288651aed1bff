// Command aws-credentials signs a user in to a Cognito user pool over SRP and
// exchanges the ID token for temporary AWS credentials through a Cognito
// identity pool, with identitypool.Provider under an aws.CredentialsCache.
// The credential values are redacted in its output.
//
// With no Cognito configuration in the environment it starts the embedded
// emulator (cognitotest) with the demo pool of "cognito local" and an
// identity pool for its public client, and signs alice in:
//
//	go run ./examples/aws-credentials
//	go run ./examples/aws-credentials --user bob
//
// The emulator makes its credentials up: they are NOT usable against AWS.
//
// Against AWS, set COGNITO_USER_POOL_ID, COGNITO_CLIENT_ID (and
// COGNITO_CLIENT_SECRET for a confidential client), COGNITO_IDENTITY_POOL_ID,
// COGNITO_USERNAME and COGNITO_PASSWORD; the example then also calls STS
// GetCallerIdentity with the credentials to show the role AWS sees.
// COGNITO_ENDPOINT points at an emulator instead ("cognito local",
// LocalStack).
//
// --self-check runs the whole exchange on the embedded emulator and checks
// the results (the user's own identity, a user switch, guests, a forged
// token, redaction); it exits 0 when all is well (CI runs it).
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	ci "github.com/aws/aws-sdk-go-v2/service/cognitoidentity"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"golang.org/x/oauth2"

	"github.com/cognitokit/cognitokit/cognitotest"
	exstage "github.com/cognitokit/cognitokit/examples/internal/stage"
	"github.com/cognitokit/cognitokit/identitypool"
	"github.com/cognitokit/cognitokit/srpclient"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr))
}

// stage is where the example runs: the embedded emulator or a configured
// Cognito.
type stage struct {
	awsCfg         aws.Config // anonymous: sign-in and identity calls need no AWS credentials
	userPoolID     string
	clientID       string
	clientSecret   string
	identityPoolID string
	users          map[string]string // username -> password
	emu            *cognitotest.Server
	emuPool        *cognitotest.Pool
}

func (st *stage) Close() {
	if st.emu != nil {
		st.emu.Close()
	}
}

func newStage(getenv func(string) string) (*stage, error) {
	if pool := getenv("COGNITO_USER_POOL_ID"); pool != "" {
		st := &stage{userPoolID: pool, clientID: getenv("COGNITO_CLIENT_ID"), clientSecret: getenv("COGNITO_CLIENT_SECRET"),
			identityPoolID: getenv("COGNITO_IDENTITY_POOL_ID")}
		for _, v := range []struct{ name, value string }{
			{"COGNITO_CLIENT_ID", st.clientID}, {"COGNITO_IDENTITY_POOL_ID", st.identityPoolID},
			{"COGNITO_USERNAME", getenv("COGNITO_USERNAME")}, {"COGNITO_PASSWORD", getenv("COGNITO_PASSWORD")},
		} {
			if v.value == "" {
				return nil, fmt.Errorf("%s is required with COGNITO_USER_POOL_ID", v.name)
			}
		}
		st.users = map[string]string{getenv("COGNITO_USERNAME"): getenv("COGNITO_PASSWORD")}
		region := getenv("AWS_REGION")
		if region == "" {
			region, _, _ = strings.Cut(pool, "_")
		}
		st.awsCfg = aws.Config{Region: region, Credentials: aws.AnonymousCredentials{}}
		if ep := strings.TrimRight(getenv("COGNITO_ENDPOINT"), "/"); ep != "" {
			st.awsCfg.BaseEndpoint = aws.String(ep)
		}
		return st, nil
	}
	emu, err := cognitotest.Start(nil, exstage.EmulatorOptions...) // fixed keys in tests
	if err != nil {
		return nil, fmt.Errorf("starting the embedded emulator: %w", err)
	}
	seed := emu.DemoSeed()
	pools, err := emu.ApplySeed(seed)
	if err != nil {
		emu.Close()
		return nil, err
	}
	idp, err := emu.CreateIdentityPool(cognitotest.IdentityPoolConfig{
		Name:                 "cognitokit demo",
		AllowUnauthenticated: true,
		UserPools:            []cognitotest.IdentityPoolUserPool{{UserPoolID: pools[0].ID(), ClientID: cognitotest.DemoPublicClientID}},
	})
	if err != nil {
		emu.Close()
		return nil, err
	}
	st := &stage{awsCfg: emu.AWSConfig(), userPoolID: pools[0].ID(), clientID: cognitotest.DemoPublicClientID,
		identityPoolID: idp.ID, users: map[string]string{}, emu: emu, emuPool: pools[0]}
	st.awsCfg.Credentials = aws.AnonymousCredentials{}
	for _, u := range seed.Pools[0].Users {
		st.users[u.Username] = u.Password
	}
	return st, nil
}

// signIn signs user in over SRP and returns an ID-token source.
func (st *stage) signIn(ctx context.Context, user string) (*srpclient.TokenSource, error) {
	pw, ok := st.users[user]
	if !ok {
		return nil, fmt.Errorf("unknown user %q (the demo pool has alice and bob)", user)
	}
	c, err := srpclient.New(srpclient.Config{API: cip.NewFromConfig(st.awsCfg), UserPoolID: st.userPoolID,
		ClientID: st.clientID, ClientSecret: st.clientSecret})
	if err != nil {
		return nil, err
	}
	res, err := c.SignIn(ctx, srpclient.SignInInput{Username: user, Password: pw})
	if err != nil {
		return nil, err
	}
	if !res.Done() {
		return nil, fmt.Errorf("the sign-in asks for %s; this example handles password sign-ins without further challenges", res.Next.ChallengeName())
	}
	return c.NewTokenSource(res.Tokens, srpclient.TokenSourceConfig{UseIDToken: true})
}

func (st *stage) provider(mod func(*identitypool.Config)) (*identitypool.Provider, error) {
	cfg := identitypool.Config{API: ci.NewFromConfig(st.awsCfg), IdentityPoolID: st.identityPoolID}
	if mod != nil {
		mod(&cfg)
	}
	return identitypool.New(cfg)
}

func (st *stage) login(src oauth2.TokenSource) (identitypool.Login, error) {
	return identitypool.UserPoolLogin(st.userPoolID, src)
}

var usage = exstage.Usage{
	Name:     "aws-credentials",
	Synopsis: "[--user NAME] [--self-check]",
	About:    "Signs a user in over SRP and exchanges the ID token for temporary AWS credentials through a Cognito identity pool (identitypool.Provider under an aws.CredentialsCache). The emulator's credentials are made up; against AWS it also calls STS GetCallerIdentity with them. --self-check always runs on the embedded emulator.",
	Env:      []exstage.EnvVar{exstage.EnvPoolID, exstage.EnvClientID, exstage.EnvSecret, exstage.EnvIdentityID, exstage.EnvVar{Name: "COGNITO_USERNAME", Meaning: "the user to sign in (required)"}, exstage.EnvVar{Name: "COGNITO_PASSWORD", Meaning: "that user's password (required)"}, exstage.EnvEndpoint, exstage.EnvRegion},
}

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("aws-credentials", flag.ContinueOnError)
	user := fs.String("user", "", "user to sign in (default: alice on the emulator, COGNITO_USERNAME otherwise)")
	selfCheck := fs.Bool("self-check", false, "run the exchange on the embedded emulator, check the results, exit 0 on success")
	if code, done := usage.Parse(fs, args, stdout, stderr); done {
		return code
	}
	if *selfCheck {
		getenv = func(string) string { return "" } // always the emulator
	}
	st, err := newStage(getenv)
	if err != nil {
		fmt.Fprintf(stderr, "aws-credentials: %v\n", err)
		return 2
	}
	defer st.Close()
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	if *selfCheck {
		if err := selfCheckRun(ctx, st, stdout); err != nil {
			fmt.Fprintf(stderr, "aws-credentials: self-check FAILED: %v\n", err)
			return 1
		}
		fmt.Fprintln(stdout, "self-check OK")
		return 0
	}
	name := *user
	if name == "" {
		if st.emu != nil {
			name = "alice"
		} else {
			for u := range st.users {
				name = u
			}
		}
	}
	if _, err := obtain(ctx, st, name, stdout); err != nil {
		fmt.Fprintf(stderr, "aws-credentials: %v\n", err)
		return 1
	}
	return 0
}

// obtain signs name in, gets credentials and prints them redacted.
func obtain(ctx context.Context, st *stage, name string, out io.Writer) (aws.Credentials, error) {
	ts, err := st.signIn(ctx, name)
	if err != nil {
		return aws.Credentials{}, fmt.Errorf("sign-in of %s: %w", name, err)
	}
	login, err := st.login(ts)
	if err != nil {
		return aws.Credentials{}, err
	}
	p, err := st.provider(func(c *identitypool.Config) { c.Logins = []identitypool.Login{login} })
	if err != nil {
		return aws.Credentials{}, err
	}
	creds, err := p.CredentialsCache().Retrieve(ctx)
	if err != nil {
		return aws.Credentials{}, fmt.Errorf("credentials for %s: %w", name, err)
	}
	id, err := p.IdentityID(ctx)
	if err != nil {
		return aws.Credentials{}, err
	}
	fmt.Fprintf(out, "signed in as %s (user pool %s)\n", name, st.userPoolID)
	fmt.Fprintf(out, "identity pool  %s\nidentity       %s\n", st.identityPoolID, id)
	printCredentials(out, creds)
	if st.emu != nil {
		fmt.Fprintln(out, "These credentials come from the embedded emulator: they are made up and NOT usable against AWS.")
		return creds, nil
	}
	if st.awsCfg.BaseEndpoint == nil {
		// Against AWS, show that they work: who am I?
		cfg := st.awsCfg.Copy()
		cfg.Credentials = p.CredentialsCache()
		who, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		if err != nil {
			return aws.Credentials{}, fmt.Errorf("sts GetCallerIdentity with the credentials: %w", err)
		}
		fmt.Fprintf(out, "AWS sees        %s\n", aws.ToString(who.Arn))
	}
	return creds, nil
}

// printCredentials prints credentials with their values redacted.
func printCredentials(out io.Writer, c aws.Credentials) {
	fmt.Fprintln(out, "AWS credentials (values redacted):")
	fmt.Fprintf(out, "  AccessKeyId      %s\n", redactKeyID(c.AccessKeyID))
	fmt.Fprintf(out, "  SecretAccessKey  [redacted, %d characters]\n", len(c.SecretAccessKey))
	fmt.Fprintf(out, "  SessionToken     [redacted, %d characters]\n", len(c.SessionToken))
	if c.CanExpire {
		fmt.Fprintf(out, "  Refresh at       %s (before they expire)\n", c.Expires.UTC().Format(time.RFC3339))
	}
}

// redactKeyID keeps the four-letter prefix that tells the kind of key
// (ASIA: temporary credentials) and hides the rest.
func redactKeyID(id string) string {
	if len(id) <= 4 {
		return strings.Repeat("*", len(id))
	}
	return id[:4] + strings.Repeat("*", len(id)-4)
}
