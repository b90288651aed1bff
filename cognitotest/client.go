package cognitotest

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"sort"
	"time"
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

var allFlows = []string{FlowUserSRP, FlowUserPassword, FlowAdminUserPassword, FlowCustom, FlowRefreshToken, FlowUserAuth}

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

type appClient struct {
	pool      *Pool
	cfg       ClientConfig // normalized; guarded by s.mu
	createdAt time.Time
	seq       int // creation order within the pool
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
	return secretHash(c.ID, c.Secret, username)
}

func secretHash(clientID, secret, username string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(username))
	m.Write([]byte(clientID))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

func (c *appClient) snapshot() AppClient {
	return AppClient{PoolID: c.pool.id, ID: c.cfg.ID, Name: c.cfg.Name, Secret: c.cfg.Secret}
}

func (c *appClient) allows(flow string) bool { return hasString(c.cfg.ExplicitAuthFlows, flow) }

func (c *appClient) lifetimes() TokenLifetimes {
	return c.cfg.TokenLifetimes.withDefaults(c.pool.s.opts.lifetimes)
}

func (c *appClient) sessionLifetime() time.Duration {
	if c.cfg.AuthSessionValidity > 0 {
		return c.cfg.AuthSessionValidity
	}
	return c.pool.s.opts.sessionLifetime
}

// CreateClient creates an app client in the pool.
func (p *Pool) CreateClient(cfg ClientConfig) (AppClient, error) {
	if cfg.ExplicitAuthFlows == nil {
		cfg.ExplicitAuthFlows = append([]string(nil), allFlows...)
	}
	p.s.mu.Lock()
	defer p.s.mu.Unlock()
	c, err := p.createClientLocked(cfg)
	if err != nil {
		return AppClient{}, err
	}
	return c.snapshot(), nil
}

// MustCreateClient is [Pool.CreateClient] that ends the test on error.
func (p *Pool) MustCreateClient(cfg ClientConfig) AppClient {
	c, err := p.CreateClient(cfg)
	if err != nil {
		p.s.fatal(err)
	}
	return c
}

func (p *Pool) createClientLocked(cfg ClientConfig) (*appClient, error) {
	s := p.s
	if cfg.ID == "" {
		cfg.ID = s.randString(26, alnumLower)
	}
	if !clientIDRE.MatchString(cfg.ID) {
		return nil, invalidf("client ID %q: want 1 to 128 letters, digits, _ or +", cfg.ID)
	}
	if cfg.Name == "" {
		cfg.Name = "client"
	}
	if len(cfg.Name) > 128 {
		return nil, invalidf("client name: at most 128 characters")
	}
	if cfg.Secret != "" {
		cfg.GenerateSecret = true
	} else if cfg.GenerateSecret {
		cfg.Secret = s.randString(51, alnumLower)
	}
	for _, f := range cfg.ExplicitAuthFlows {
		if !hasString(allFlows, f) {
			return nil, invalidf("ExplicitAuthFlows: %q is not one of %v", f, allFlows)
		}
	}
	if cfg.RetryGracePeriod < 0 || cfg.RetryGracePeriod > 60*time.Second {
		return nil, invalidf("RetryGracePeriod %v: want 0 to 60s", cfg.RetryGracePeriod)
	}
	l := cfg.TokenLifetimes
	if l.ID < 0 || l.Access < 0 || l.Refresh < 0 || cfg.AuthSessionValidity < 0 {
		return nil, invalidf("token lifetimes and AuthSessionValidity must not be negative")
	}
	for _, f := range cfg.AllowedOAuthFlows {
		if f != "code" && f != "implicit" && f != "client_credentials" {
			return nil, invalidf("AllowedOAuthFlows: %q is not code, implicit or client_credentials", f)
		}
	}
	for _, sc := range cfg.AllowedOAuthScopes {
		if !p.scopeExistsLocked(sc) {
			return nil, invalidf("AllowedOAuthScopes: scope %q does not exist; create its resource server first", sc)
		}
	}
	if len(cfg.SupportedIdentityProviders) == 0 {
		cfg.SupportedIdentityProviders = []string{"COGNITO"}
	}
	if _, dup := s.clients[cfg.ID]; dup {
		return nil, existsf("app client %q", cfg.ID)
	}
	clone := func(v []string) []string { return append([]string(nil), v...) }
	cfg.ExplicitAuthFlows = clone(cfg.ExplicitAuthFlows)
	cfg.CallbackURLs = clone(cfg.CallbackURLs)
	cfg.LogoutURLs = clone(cfg.LogoutURLs)
	cfg.AllowedOAuthFlows = clone(cfg.AllowedOAuthFlows)
	cfg.AllowedOAuthScopes = clone(cfg.AllowedOAuthScopes)
	cfg.ReadAttributes = clone(cfg.ReadAttributes)
	cfg.WriteAttributes = clone(cfg.WriteAttributes)
	p.clientSeq++
	c := &appClient{pool: p, cfg: cfg, createdAt: s.now(), seq: p.clientSeq}
	p.clients[cfg.ID] = c
	s.clients[cfg.ID] = c
	return c, nil
}

// Client returns the app client with the given ID.
func (p *Pool) Client(id string) (AppClient, error) {
	p.s.mu.Lock()
	defer p.s.mu.Unlock()
	c, ok := p.clients[id]
	if !ok {
		return AppClient{}, notFoundf("app client %q in pool %s", id, p.id)
	}
	return c.snapshot(), nil
}

// Clients returns the pool's app clients in creation order.
func (p *Pool) Clients() []AppClient {
	p.s.mu.Lock()
	defer p.s.mu.Unlock()
	list := make([]*appClient, 0, len(p.clients))
	for _, c := range p.clients {
		list = append(list, c)
	}
	sort.Slice(list, func(i, j int) bool { return list[i].seq < list[j].seq })
	out := make([]AppClient, len(list))
	for i, c := range list {
		out[i] = c.snapshot()
	}
	return out
}
