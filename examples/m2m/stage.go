package main

// stage.go is the same file in every example of cognitokit (nethttp, echo,
// grpc, m2m, cli-login), so that each example stays one self-contained
// directory you can copy.

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	"github.com/cognitokit/cognitokit/cognitotest"
	"github.com/cognitokit/cognitokit/srpclient"
)

// stage is where an example finds Cognito: the user pool named by the
// environment, or else the embedded emulator with the demo pool of
// "cognito local".
type stage struct {
	poolID    string
	issuer    string   // "" for real Cognito: derived from the pool ID
	clientIDs []string // accepted app clients; users sign in through the first
	secret    string   // secret of the first client, if confidential
	endpoint  string   // Cognito API endpoint; "" for AWS
	region    string
	domain    string            // OAuth 2.0 domain, for client credentials
	m2mID     string            // confidential client with client_credentials
	m2mSecret string            //
	users     map[string]string // username -> password, for self-checks

	emu     *cognitotest.Server // nil against real Cognito
	emuPool *cognitotest.Pool
}

// newStage reads COGNITO_USER_POOL_ID, COGNITO_CLIENT_ID (comma-separated),
// COGNITO_CLIENT_SECRET, COGNITO_ENDPOINT, COGNITO_DOMAIN, AWS_REGION,
// COGNITO_USERNAME and COGNITO_PASSWORD. Without COGNITO_USER_POOL_ID it
// starts the embedded emulator.
func newStage(getenv func(string) string) (*stage, error) {
	if pool := getenv("COGNITO_USER_POOL_ID"); pool != "" {
		st := &stage{
			poolID:    pool,
			clientIDs: splitList(getenv("COGNITO_CLIENT_ID")),
			secret:    getenv("COGNITO_CLIENT_SECRET"),
			endpoint:  strings.TrimRight(getenv("COGNITO_ENDPOINT"), "/"),
			region:    getenv("AWS_REGION"),
			domain:    getenv("COGNITO_DOMAIN"),
		}
		if len(st.clientIDs) == 0 {
			return nil, errors.New("COGNITO_CLIENT_ID is required with COGNITO_USER_POOL_ID")
		}
		if st.endpoint != "" {
			st.issuer = st.endpoint + "/" + pool // emulator convention
			if st.domain == "" {
				st.domain = st.endpoint
			}
		}
		if st.region == "" {
			st.region, _, _ = strings.Cut(pool, "_")
		}
		if st.secret != "" && st.domain != "" {
			st.m2mID, st.m2mSecret = st.clientIDs[0], st.secret
		}
		if u := getenv("COGNITO_USERNAME"); u != "" {
			st.users = map[string]string{u: getenv("COGNITO_PASSWORD")}
		}
		return st, nil
	}
	emu, err := cognitotest.Start(nil)
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
	st := &stage{
		poolID:    pools[0].ID(),
		issuer:    pools[0].Issuer(),
		clientIDs: []string{cognitotest.DemoPublicClientID, cognitotest.DemoConfidentialClientID},
		endpoint:  emu.URL(),
		region:    emu.Region(),
		domain:    emu.OAuthDomain(),
		m2mID:     m2m.ID,
		m2mSecret: m2m.Secret,
		users:     map[string]string{},
		emu:       emu,
		emuPool:   pools[0],
	}
	for _, u := range seed.Pools[0].Users {
		st.users[u.Username] = u.Password
	}
	return st, nil
}

// Close stops the embedded emulator, if any.
func (st *stage) Close() {
	if st.emu != nil {
		st.emu.Close()
	}
}

// cognitoAPI returns a user pool API client. Sign-in needs no AWS
// credentials.
func (st *stage) cognitoAPI() *cip.Client {
	if st.emu != nil {
		return cip.NewFromConfig(st.emu.AWSConfig())
	}
	cfg := aws.Config{Region: st.region, Credentials: aws.AnonymousCredentials{}}
	if st.endpoint != "" {
		cfg.BaseEndpoint = aws.String(st.endpoint)
	}
	return cip.NewFromConfig(cfg)
}

// srpClient returns a sign-in client for the first app client.
func (st *stage) srpClient() (*srpclient.Client, error) {
	return srpclient.New(srpclient.Config{API: st.cognitoAPI(), UserPoolID: st.poolID, ClientID: st.clientIDs[0], ClientSecret: st.secret})
}

// signIn signs a user of st.users in over SRP. Users with MFA are not
// supported here (see examples/cli-login).
func (st *stage) signIn(ctx context.Context, username string) (*srpclient.Tokens, error) {
	c, err := st.srpClient()
	if err != nil {
		return nil, err
	}
	res, err := c.SignIn(ctx, srpclient.SignInInput{Username: username, Password: st.users[username]})
	if err != nil {
		return nil, err
	}
	if !res.Done() {
		return nil, fmt.Errorf("sign-in of %s needs %s, which this example does not answer", username, res.Next.ChallengeName())
	}
	return res.Tokens, nil
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
