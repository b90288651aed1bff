package pools

import (
	"slices"
	"strings"
	"time"

	"github.com/cognitokit/cognitokit/cognitotest/internal/emulator"
	"github.com/cognitokit/cognitokit/cognitotest/internal/state"
	"github.com/cognitokit/cognitokit/cognitotest/internal/userpool"
	"github.com/cognitokit/cognitokit/cognitotest/internal/wire"
)

// CreateClient creates an app client in a pool from draft, whose zero
// fields get their defaults: a random ID, the name "client", a random
// secret with generateSecret, and COGNITO as the identity provider.
func CreateClient(svc *userpool.Service, poolID string, draft *state.Client, generateSecret bool) (*state.Client, error) {
	var c *state.Client
	err := svc.State.Update(func(tx *state.Tx) error {
		var err error
		c, err = createClient(svc, tx, poolID, draft, generateSecret)
		return err
	})
	return c, err
}

func createClient(svc *userpool.Service, tx *state.Tx, poolID string, draft *state.Client, generateSecret bool) (*state.Client, error) {
	p := tx.Pool(poolID)
	if p == nil {
		return nil, emulator.NotFoundf("user pool %q", poolID)
	}
	c := draft.Clone()
	c.PoolID = p.ID
	if c.ID == "" {
		c.ID = svc.RandString(26, emulator.AlnumLower)
	}
	if !userpool.ClientIDRE.MatchString(c.ID) {
		return nil, emulator.Invalidf("client ID %q: want 1 to 128 letters, digits, _ or +", c.ID)
	}
	if c.Name == "" {
		c.Name = "client"
	}
	if c.Secret == "" && generateSecret {
		c.Secret = svc.RandString(51, emulator.AlnumLower)
	}
	now := svc.Now()
	if c.Secret != "" && c.SecretID == "" {
		c.SecretID = newSecretID(svc, c.ID)
	}
	if c.Secret != "" && c.SecretCreatedAt.IsZero() {
		c.SecretCreatedAt = now
	}
	for i := range c.MoreSecrets {
		s := &c.MoreSecrets[i]
		if s.ID == "" {
			s.ID = newSecretID(svc, c.ID)
		}
		if s.CreatedAt.IsZero() {
			s.CreatedAt = now
		}
	}
	if err := checkClient(tx, p, c); err != nil {
		return nil, err
	}
	if tx.Client(c.ID) != nil {
		return nil, emulator.Existsf("app client %q", c.ID)
	}
	np := p.Clone()
	np.ClientSeq++
	tx.PutPool(np)
	c.Seq = np.ClientSeq
	c.CreatedAt, c.ModifiedAt = now, now
	tx.PutClient(c)
	return c, nil
}

// checkClient checks the settings of an app client of pool p, and gives
// the zero ones their defaults.
func checkClient(tx *state.Tx, p *state.Pool, c *state.Client) error {
	if len(c.Name) > 128 {
		return emulator.Invalidf("client name: at most 128 characters")
	}
	for _, f := range c.ExplicitAuthFlows {
		if !userpool.HasString(userpool.AllFlows, f) {
			return emulator.Invalidf("ExplicitAuthFlows: %q is not one of %v", f, userpool.AllFlows)
		}
	}
	if c.RetryGracePeriod < 0 || c.RetryGracePeriod > 60*time.Second {
		return emulator.Invalidf("RetryGracePeriod %v: want 0 to 60s", c.RetryGracePeriod)
	}
	l := c.TokenLifetimes
	if l.ID < 0 || l.Access < 0 || l.Refresh < 0 || c.AuthSessionValidity < 0 {
		return emulator.Invalidf("token lifetimes and AuthSessionValidity must not be negative")
	}
	for _, f := range c.AllowedOAuthFlows {
		if f != "code" && f != "implicit" && f != "client_credentials" {
			return emulator.Invalidf("AllowedOAuthFlows: %q is not code, implicit or client_credentials", f)
		}
	}
	for _, sc := range c.AllowedOAuthScopes {
		if !userpool.ScopeExists(tx, p.ID, sc) {
			return emulator.Invalidf("AllowedOAuthScopes: scope %q does not exist; create its resource server first", sc)
		}
	}
	if len(c.SupportedIdentityProviders) == 0 {
		c.SupportedIdentityProviders = []string{"COGNITO"}
	}
	for _, name := range c.SupportedIdentityProviders {
		if name != "COGNITO" && tx.IdentityProvider(p.ID, name) == nil {
			return emulator.Invalidf("The provider %s does not exist for User Pool %s (SupportedIdentityProviders: COGNITO or the name of an identity provider of the pool)", name, p.ID)
		}
	}
	if c.ExplicitAuthFlows == nil {
		c.ExplicitAuthFlows = []string{}
	}
	return nil
}

// newSecretID returns the ID of a new client secret.
func newSecretID(svc *userpool.Service, clientID string) string {
	return clientID + "--" + svc.RandString(13, emulator.AlnumLower)
}

type clientWire struct {
	UserPoolId                 string
	ClientId                   string
	ClientName                 string
	GenerateSecret             bool
	ExplicitAuthFlows          []string
	RefreshTokenValidity       int32
	AccessTokenValidity        int32
	IdTokenValidity            int32
	AuthSessionValidity        int32
	TokenValidityUnits         *struct{ AccessToken, IdToken, RefreshToken string }
	PreventUserExistenceErrors string
	EnableTokenRevocation      *bool
	RefreshTokenRotation       *struct {
		Feature                 string
		RetryGracePeriodSeconds int32
	}
	CallbackURLs                    []string
	LogoutURLs                      []string
	DefaultRedirectURI              string
	AllowedOAuthFlows               []string
	AllowedOAuthScopes              []string
	AllowedOAuthFlowsUserPoolClient bool
	SupportedIdentityProviders      []string
	ReadAttributes                  []string
	WriteAttributes                 []string
	MaxResults                      int32
	NextToken                       string
}

func unitDuration(unit string, def time.Duration) (time.Duration, bool) {
	switch unit {
	case "":
		return def, true
	case "seconds":
		return time.Second, true
	case "minutes":
		return time.Minute, true
	case "hours":
		return time.Hour, true
	case "days":
		return 24 * time.Hour, true
	}
	return 0, false
}

func (o *ops) createUserPoolClient(c *emulator.Call) (any, error) {
	return userpool.Write(o.svc, c, func(tx *state.Tx, in *clientWire) (any, error) {
		if in.ClientName == "" {
			return nil, wire.InvalidParameter("Missing required parameter ClientName")
		}
		draft, aerr := in.draft()
		if aerr != nil {
			return nil, aerr
		}
		if draft.AllowedOAuthFlowsUserPoolClient && slices.Contains(draft.AllowedOAuthFlows, "client_credentials") && !in.GenerateSecret {
			return nil, wire.InvalidParameter("client_credentials needs an app client with a secret (GenerateSecret)")
		}
		p, aerr := userpool.AdminPool(tx, in.UserPoolId)
		if aerr != nil {
			return nil, aerr
		}
		cl, err := createClient(o.svc, tx, p.ID, draft, in.GenerateSecret)
		if err != nil {
			return nil, apiError(err)
		}
		return map[string]any{"UserPoolClient": o.clientOut(cl)}, nil
	})
}

// validityOut describes a token lifetime in the unit it was given in (def
// when none was), as Cognito does; a lifetime that is not a whole number
// of that unit (set with the Go API or a seed) gets the largest unit that
// divides it.
func validityOut(d time.Duration, unit, def string) (int32, string) {
	if unit == "" {
		unit = def
	}
	if u, ok := unitDuration(unit, 0); ok && u > 0 && d%u == 0 {
		return int32(d / u), unit
	}
	for _, unit := range []string{"days", "hours", "minutes", "seconds"} {
		if u, _ := unitDuration(unit, 0); d%u == 0 {
			return int32(d / u), unit
		}
	}
	return int32(d / time.Second), "seconds"
}

func (o *ops) clientOut(c *state.Client) map[string]any {
	l := o.svc.Lifetimes(c)
	out := map[string]any{
		"UserPoolId":                      c.PoolID,
		"ClientId":                        c.ID,
		"ClientName":                      c.Name,
		"CreationDate":                    wire.Epoch(c.CreatedAt),
		"LastModifiedDate":                wire.Epoch(c.ModifiedAt),
		"ExplicitAuthFlows":               c.ExplicitAuthFlows,
		"AuthSessionValidity":             int32(o.svc.SessionLifetime(c) / time.Minute),
		"EnableTokenRevocation":           !c.DisableTokenRevocation,
		"AllowedOAuthFlowsUserPoolClient": c.AllowedOAuthFlowsUserPoolClient,
		"SupportedIdentityProviders":      c.SupportedIdentityProviders,
	}
	units := map[string]string{}
	out["AccessTokenValidity"], units["AccessToken"] = validityOut(l.Access, c.TokenUnits.Access, "minutes")
	out["IdTokenValidity"], units["IdToken"] = validityOut(l.ID, c.TokenUnits.ID, "minutes")
	out["RefreshTokenValidity"], units["RefreshToken"] = validityOut(l.Refresh, c.TokenUnits.Refresh, "days")
	out["TokenValidityUnits"] = units
	if c.Secret != "" {
		out["ClientSecret"] = c.Secret
	}
	if c.PreventUserExistenceErrors {
		out["PreventUserExistenceErrors"] = "ENABLED"
	} else {
		out["PreventUserExistenceErrors"] = "LEGACY"
	}
	rot := map[string]any{"Feature": "DISABLED"}
	if c.RefreshTokenRotation {
		rot = map[string]any{"Feature": "ENABLED", "RetryGracePeriodSeconds": int32(c.RetryGracePeriod / time.Second)}
	}
	out["RefreshTokenRotation"] = rot
	for k, v := range map[string][]string{"CallbackURLs": c.CallbackURLs, "LogoutURLs": c.LogoutURLs, "AllowedOAuthFlows": c.AllowedOAuthFlows,
		"AllowedOAuthScopes": c.AllowedOAuthScopes, "ReadAttributes": c.ReadAttributes, "WriteAttributes": c.WriteAttributes} {
		if len(v) > 0 {
			out[k] = v
		}
	}
	if c.DefaultRedirectURI != "" {
		out["DefaultRedirectURI"] = c.DefaultRedirectURI
	}
	return out
}

// poolClient finds the app client of a pool.
func poolClient(tx *state.Tx, in *clientWire) (*state.Client, *wire.Error) {
	p, aerr := userpool.AdminPool(tx, in.UserPoolId)
	if aerr != nil {
		return nil, aerr
	}
	cl := tx.Client(in.ClientId)
	if cl == nil || cl.PoolID != p.ID {
		return nil, wire.ResourceNotFound("User pool client %s does not exist.", wire.Truncate(in.ClientId, 128))
	}
	return cl, nil
}

func (o *ops) describeUserPoolClient(c *emulator.Call) (any, error) {
	return userpool.Read(o.svc, c, func(tx *state.Tx, in *clientWire) (any, *wire.Error) {
		cl, aerr := poolClient(tx, in)
		if aerr != nil {
			return nil, aerr
		}
		return map[string]any{"UserPoolClient": o.clientOut(cl)}, nil
	})
}

func (o *ops) deleteUserPoolClient(c *emulator.Call) (any, error) {
	return userpool.Write(o.svc, c, func(tx *state.Tx, in *clientWire) (any, error) {
		cl, aerr := poolClient(tx, in)
		if aerr != nil {
			return nil, aerr
		}
		tx.DeleteClient(cl.ID)
		return struct{}{}, nil
	})
}

func (o *ops) listUserPoolClients(c *emulator.Call) (any, error) {
	return userpool.Read(o.svc, c, func(tx *state.Tx, in *clientWire) (any, *wire.Error) {
		p, aerr := userpool.AdminPool(tx, in.UserPoolId)
		if aerr != nil {
			return nil, aerr
		}
		clients := tx.Clients(p.ID)
		slices.SortFunc(clients, func(a, b *state.Client) int { return strings.Compare(a.ID, b.ID) })
		return userpool.List("UserPoolClients", clients, in.MaxResults, in.NextToken, 60, func(cl *state.Client) map[string]string {
			return map[string]string{"ClientId": cl.ID, "ClientName": cl.Name, "UserPoolId": p.ID}
		})
	})
}
