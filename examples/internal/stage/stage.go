package stage

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	"github.com/cognitokit/cognitokit/cognitotest"
	"github.com/cognitokit/cognitokit/oauth"
	"github.com/cognitokit/cognitokit/srpclient"
)

// EmulatorOptions are added to the options of the embedded emulator. The
// examples' tests (package stagetest) set fixed signing keys, so that they
// do not spend seconds generating RSA keys; programs leave it empty.
var EmulatorOptions []cognitotest.Option

// Stage is where an example finds Cognito: the user pool named by the
// environment, or else the embedded emulator with the demo pool of
// "cognito local".
type Stage struct {
	// PoolID is the user pool ID, such as "eu-west-1_AbC123".
	PoolID string
	// Issuer is the token issuer; "" for real Cognito, where it is derived
	// from the pool ID.
	Issuer string
	// ClientIDs are the accepted app clients; users sign in through the
	// first.
	ClientIDs []string
	// Secret is the secret of the first client, if it is confidential.
	Secret string
	// Endpoint is the Cognito API endpoint; "" for AWS.
	Endpoint string
	// Region is the AWS region of the pool.
	Region string
	// Domain is the OAuth 2.0 domain, for client credentials.
	Domain string
	// M2MID is a confidential client allowed the client_credentials grant;
	// "" when there is none.
	M2MID string
	// M2MSecret is the secret of the M2MID client.
	M2MSecret string
	// Users maps usernames to passwords, for self-checks.
	Users map[string]string

	// Emu is the embedded emulator; nil against real Cognito.
	Emu *cognitotest.Server
	// EmuPool is the demo pool of Emu; nil against real Cognito.
	EmuPool *cognitotest.Pool
}

// New reads COGNITO_USER_POOL_ID, COGNITO_CLIENT_ID (comma-separated),
// COGNITO_CLIENT_SECRET, COGNITO_ENDPOINT, COGNITO_DOMAIN, AWS_REGION,
// COGNITO_USERNAME and COGNITO_PASSWORD. Without COGNITO_USER_POOL_ID it
// starts the embedded emulator.
func New(getenv func(string) string) (*Stage, error) {
	if pool := getenv("COGNITO_USER_POOL_ID"); pool != "" {
		st := &Stage{
			PoolID:    pool,
			ClientIDs: splitList(getenv("COGNITO_CLIENT_ID")),
			Secret:    getenv("COGNITO_CLIENT_SECRET"),
			Endpoint:  strings.TrimRight(getenv("COGNITO_ENDPOINT"), "/"),
			Region:    getenv("AWS_REGION"),
			Domain:    getenv("COGNITO_DOMAIN"),
		}
		if len(st.ClientIDs) == 0 {
			return nil, errors.New("COGNITO_CLIENT_ID is required with COGNITO_USER_POOL_ID")
		}
		if st.Endpoint != "" {
			st.Issuer = st.Endpoint + "/" + pool // emulator convention
			if st.Domain == "" {
				st.Domain = st.Endpoint
			}
		}
		if st.Region == "" {
			st.Region, _, _ = strings.Cut(pool, "_")
		}
		if st.Secret != "" && st.Domain != "" {
			st.M2MID, st.M2MSecret = st.ClientIDs[0], st.Secret
		}
		if u := getenv("COGNITO_USERNAME"); u != "" {
			st.Users = map[string]string{u: getenv("COGNITO_PASSWORD")}
		}
		return st, nil
	}
	emu, err := cognitotest.Start(nil, EmulatorOptions...)
	if err != nil {
		return nil, fmt.Errorf("starting the embedded emulator: %w", err)
	}
	seed := emu.DemoSeed()
	pools, err := emu.ApplySeed(seed)
	if err != nil {
		emu.Close()
		return nil, err
	}
	m2m, err := pools[0].Client(cognitotest.DemoConfidentialClientID)
	if err != nil {
		emu.Close()
		return nil, err
	}
	st := &Stage{
		PoolID:    pools[0].ID(),
		Issuer:    pools[0].Issuer(),
		ClientIDs: []string{cognitotest.DemoPublicClientID, cognitotest.DemoConfidentialClientID},
		Endpoint:  emu.URL(),
		Region:    emu.Region(),
		Domain:    emu.OAuthDomain(),
		M2MID:     m2m.ID,
		M2MSecret: m2m.Secret,
		Users:     map[string]string{},
		Emu:       emu,
		EmuPool:   pools[0],
	}
	for _, u := range seed.Pools[0].Users {
		st.Users[u.Username] = u.Password
	}
	return st, nil
}

// Close stops the embedded emulator, if any.
func (st *Stage) Close() {
	if st.Emu != nil {
		st.Emu.Close()
	}
}

// CognitoAPI returns a user pool API client. Sign-in needs no AWS
// credentials.
func (st *Stage) CognitoAPI() *cip.Client {
	if st.Emu != nil {
		return cip.NewFromConfig(st.Emu.AWSConfig())
	}
	cfg := aws.Config{Region: st.Region, Credentials: aws.AnonymousCredentials{}}
	if st.Endpoint != "" {
		cfg.BaseEndpoint = aws.String(st.Endpoint)
	}
	return cip.NewFromConfig(cfg)
}

// SRPClient returns a sign-in client for the first app client.
func (st *Stage) SRPClient() (*srpclient.Client, error) {
	return srpclient.New(srpclient.Config{API: st.CognitoAPI(), UserPoolID: st.PoolID, ClientID: st.ClientIDs[0], ClientSecret: st.Secret})
}

// signIn signs a user of st.Users in over SRP. Users with MFA are not
// supported here (see examples/cli-login).
func (st *Stage) SignIn(ctx context.Context, username string) (*srpclient.Tokens, error) {
	c, err := st.SRPClient()
	if err != nil {
		return nil, err
	}
	res, err := c.SignIn(ctx, srpclient.SignInInput{Username: username, Password: st.Users[username]})
	if err != nil {
		return nil, err
	}
	if !res.Done() {
		return nil, fmt.Errorf("sign-in of %s needs %s, which this example does not answer", username, res.Next.ChallengeName())
	}
	return res.Tokens, nil
}

// M2MToken gets a client-credentials access token with one scope for the
// M2MID client.
func (st *Stage) M2MToken(ctx context.Context, scope string) (string, error) {
	c, err := oauth.New(oauth.Config{Domain: st.Domain, ClientID: st.M2MID, ClientSecret: st.M2MSecret, UserPoolID: st.PoolID, Issuer: st.Issuer})
	if err != nil {
		return "", err
	}
	defer c.Close()
	ts, err := c.ClientCredentials(scope)
	if err != nil {
		return "", err
	}
	tok, err := ts.TokenContext(ctx)
	if err != nil {
		return "", fmt.Errorf("client credentials for %s: %w", scope, err)
	}
	return tok.AccessToken, nil
}

// splitList splits a comma-separated list.
func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// OKLine is the last line of a successful self-check: "self-check OK", and
// what it could not check against real Cognito, so that a green run never
// hides skipped steps. m2m says whether the self-check has
// machine-to-machine steps.
func (st *Stage) OKLine(m2m bool) string {
	if st.Emu != nil {
		return "self-check OK"
	}
	var skipped []string
	if len(st.Users) == 0 {
		skipped = append(skipped, "the signed-in steps (set COGNITO_USERNAME and COGNITO_PASSWORD to run them)")
	}
	if m2m && st.M2MID == "" {
		skipped = append(skipped, "the machine-to-machine steps (set COGNITO_CLIENT_SECRET and COGNITO_DOMAIN to run them)")
	}
	if len(skipped) == 0 {
		return "self-check OK"
	}
	return "self-check OK, but SKIPPED " + strings.Join(skipped, " and ")
}
