package cognitotest

import (
	"time"

	"github.com/cognitokit/cognitokit/cognitotest/internal/state"
	"github.com/cognitokit/cognitokit/cognitotest/internal/userpool"
	"github.com/cognitokit/cognitokit/cognitotest/internal/userpool/pools"
	"github.com/cognitokit/cognitokit/internal/srp"
)

// Explicit auth flows of an app client.
const (
	FlowUserSRP           = "ALLOW_USER_SRP_AUTH"
	FlowUserPassword      = "ALLOW_USER_PASSWORD_AUTH"
	FlowAdminUserPassword = "ALLOW_ADMIN_USER_PASSWORD_AUTH"
	FlowCustom            = "ALLOW_CUSTOM_AUTH"
	FlowRefreshToken      = "ALLOW_REFRESH_TOKEN_AUTH"
	FlowUserAuth          = "ALLOW_USER_AUTH"
)

// ClientConfig configures an app client created with [Pool.CreateClient].
// The zero value is a public client that allows every auth flow.
type ClientConfig struct {
	// ID is the client ID. Optional. Default: 26 random lower-case letters
	// and digits.
	ID string
	// Name is the client name. Optional. Default: "client".
	Name string
	// GenerateSecret gives the client a random secret. A client with a
	// secret requires SECRET_HASH on every sign-in request.
	GenerateSecret bool
	// Secret sets the client secret explicitly (implies GenerateSecret).
	Secret string
	// ExplicitAuthFlows lists the allowed flows (FlowUserSRP, ...).
	// Optional. Default for this helper: all flows. (The CreateUserPoolClient
	// operation keeps Cognito's default: SRP, custom and refresh.)
	ExplicitAuthFlows []string
	// PreventUserExistenceErrors answers "Incorrect username or password."
	// for unknown users instead of UserNotFoundException, as Cognito does
	// with PreventUserExistenceErrors=ENABLED. Default: false (LEGACY).
	PreventUserExistenceErrors bool
	// DisableTokenRevocation turns off RevokeToken for the client (Cognito's
	// EnableTokenRevocation=false). Default: revocation enabled.
	DisableTokenRevocation bool
	// RefreshTokenRotation makes GetTokensFromRefreshToken return a new
	// refresh token and invalidate the old one after RetryGracePeriod
	// (0 to 60 s). With rotation on, REFRESH_TOKEN_AUTH is refused.
	RefreshTokenRotation bool
	RetryGracePeriod     time.Duration
	// TokenLifetimes. Optional. Default: the server's (see
	// [WithTokenLifetimes]).
	TokenLifetimes TokenLifetimes
	// AuthSessionValidity is the lifetime of Session strings. Optional.
	// Default: the server's (see [WithSessionLifetime]).
	AuthSessionValidity time.Duration
	// OAuth settings, stored for the OAuth endpoints.
	CallbackURLs                    []string
	LogoutURLs                      []string
	DefaultRedirectURI              string
	AllowedOAuthFlows               []string // "code", "implicit", "client_credentials"
	AllowedOAuthScopes              []string // "openid", "email", "rs/scope", ...
	AllowedOAuthFlowsUserPoolClient bool
	SupportedIdentityProviders      []string // default ["COGNITO"]
	// ReadAttributes and WriteAttributes restrict the attributes the client
	// may read and write. Default: all.
	ReadAttributes  []string
	WriteAttributes []string
}

// AppClient describes an app client.
type AppClient struct {
	PoolID string
	ID     string
	Name   string
	Secret string // empty for a public client
}

// SecretHash returns the SECRET_HASH of username for this client
// (base64(HMAC-SHA256(secret, username+clientID))), or "" for a public
// client. username must be exactly the USERNAME sent in the request.
func (c AppClient) SecretHash(username string) string {
	if c.Secret == "" {
		return ""
	}
	return srp.SecretHash(c.ID, c.Secret, username)
}

func clientSnapshot(c *state.Client) AppClient {
	return AppClient{PoolID: c.PoolID, ID: c.ID, Name: c.Name, Secret: c.Secret}
}

// CreateClient creates an app client in the pool.
func (p *Pool) CreateClient(cfg ClientConfig) (AppClient, error) {
	if cfg.ExplicitAuthFlows == nil {
		cfg.ExplicitAuthFlows = append([]string(nil), userpool.AllFlows...)
	}
	draft := &state.Client{ID: cfg.ID, Name: cfg.Name, Secret: cfg.Secret, ExplicitAuthFlows: cfg.ExplicitAuthFlows,
		PreventUserExistenceErrors: cfg.PreventUserExistenceErrors, DisableTokenRevocation: cfg.DisableTokenRevocation,
		RefreshTokenRotation: cfg.RefreshTokenRotation, RetryGracePeriod: cfg.RetryGracePeriod,
		TokenLifetimes: state.TokenLifetimes(cfg.TokenLifetimes), AuthSessionValidity: cfg.AuthSessionValidity,
		CallbackURLs: cfg.CallbackURLs, LogoutURLs: cfg.LogoutURLs, DefaultRedirectURI: cfg.DefaultRedirectURI,
		AllowedOAuthFlows: cfg.AllowedOAuthFlows, AllowedOAuthScopes: cfg.AllowedOAuthScopes,
		AllowedOAuthFlowsUserPoolClient: cfg.AllowedOAuthFlowsUserPoolClient, SupportedIdentityProviders: cfg.SupportedIdentityProviders,
		ReadAttributes: cfg.ReadAttributes, WriteAttributes: cfg.WriteAttributes}
	c, err := pools.CreateClient(p.s.up, p.id, draft, cfg.GenerateSecret)
	if err != nil {
		return AppClient{}, err
	}
	return clientSnapshot(c), nil
}

// MustCreateClient is [Pool.CreateClient] that ends the test on error.
func (p *Pool) MustCreateClient(cfg ClientConfig) AppClient {
	c, err := p.CreateClient(cfg)
	if err != nil {
		p.s.fatal(err)
	}
	return c
}

// Client returns the app client with the given ID.
func (p *Pool) Client(id string) (AppClient, error) {
	var c *state.Client
	p.s.view(func(tx *state.Tx) { c = tx.Client(id) })
	if c == nil || c.PoolID != p.id {
		return AppClient{}, notFoundf("app client %q in pool %s", id, p.id)
	}
	return clientSnapshot(c), nil
}

// Clients returns the pool's app clients in creation order.
func (p *Pool) Clients() []AppClient {
	out := []AppClient{}
	p.s.view(func(tx *state.Tx) {
		for _, c := range tx.Clients(p.id) {
			out = append(out, clientSnapshot(c))
		}
	})
	return out
}
