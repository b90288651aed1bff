package pools

import (
	"net"
	"net/url"
	"regexp"
	"slices"
	"time"

	"github.com/cognitokit/cognitokit/cognitotest/internal/emulator"
	"github.com/cognitokit/cognitokit/cognitotest/internal/state"
	"github.com/cognitokit/cognitokit/cognitotest/internal/userpool"
	"github.com/cognitokit/cognitokit/cognitotest/internal/wire"
)

// Cognito's limits on app clients.
const (
	MaxClientSecrets = 2   // active secrets of an app client
	maxURLs          = 100 // callback and sign-out URLs
	maxClientScopes  = 50
)

var clientSecretRE = regexp.MustCompile(`^[\w+]{24,64}$`)

// checkRedirectURL checks a callback or sign-out URL: absolute, without a
// fragment, https (or http for a loopback host: Cognito allows
// http://localhost; the emulator allows every loopback host, for local
// development).
func checkRedirectURL(field, raw string) *wire.Error {
	u, err := url.Parse(raw)
	if err != nil || !u.IsAbs() || u.Fragment != "" || len(raw) > 1024 || (u.Scheme == "http" || u.Scheme == "https") && u.Host == "" {
		return wire.InvalidParameter("%s: %q is not an absolute URL without a fragment", field, wire.Truncate(raw, 128))
	}
	switch u.Scheme {
	case "https":
	case "http":
		host := u.Hostname()
		if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
			return wire.InvalidParameter("%s: %q: http is allowed for localhost only; use https", field, wire.Truncate(raw, 128))
		}
	case "javascript", "data", "file", "vbscript", "blob":
		return wire.InvalidParameter("%s: %q: the scheme %s is not allowed", field, wire.Truncate(raw, 128), u.Scheme)
	default: // a native app's own scheme, such as myapp://callback
	}
	return nil
}

// draft returns the app client the request of CreateUserPoolClient or
// UpdateUserPoolClient describes; settings it does not give get their
// defaults, as in Cognito.
func (in *clientWire) draft() (*state.Client, *wire.Error) {
	if len(in.ClientName) > 128 {
		return nil, wire.InvalidParameter("ClientName: at most 128 characters")
	}
	draft := &state.Client{Name: in.ClientName, ExplicitAuthFlows: slices.Clone(in.ExplicitAuthFlows),
		CallbackURLs: in.CallbackURLs, LogoutURLs: in.LogoutURLs, DefaultRedirectURI: in.DefaultRedirectURI,
		AllowedOAuthFlows: in.AllowedOAuthFlows, AllowedOAuthScopes: in.AllowedOAuthScopes,
		AllowedOAuthFlowsUserPoolClient: in.AllowedOAuthFlowsUserPoolClient, SupportedIdentityProviders: in.SupportedIdentityProviders,
		ReadAttributes: in.ReadAttributes, WriteAttributes: in.WriteAttributes}
	switch in.PreventUserExistenceErrors {
	case "", "LEGACY":
	case "ENABLED":
		draft.PreventUserExistenceErrors = true
	default:
		return nil, wire.InvalidParameter("PreventUserExistenceErrors %q: want ENABLED or LEGACY", wire.Truncate(in.PreventUserExistenceErrors, 32))
	}
	if len(draft.ExplicitAuthFlows) == 0 {
		draft.ExplicitAuthFlows = []string{userpool.FlowUserSRP, userpool.FlowCustom, userpool.FlowRefreshToken}
	}
	for _, f := range draft.ExplicitAuthFlows {
		switch f {
		case "ADMIN_NO_SRP_AUTH", "CUSTOM_AUTH_FLOW_ONLY", "USER_PASSWORD_AUTH":
			return nil, wire.InvalidParameter("ExplicitAuthFlows: %s is a legacy flow; use the ALLOW_ flows", f)
		}
		if !userpool.HasString(userpool.AllFlows, f) {
			return nil, wire.InvalidParameter("ExplicitAuthFlows: %q is not one of %v", wire.Truncate(f, 64), userpool.AllFlows)
		}
	}
	if in.EnableTokenRevocation != nil {
		draft.DisableTokenRevocation = !*in.EnableTokenRevocation
	}
	if r := in.RefreshTokenRotation; r != nil {
		switch r.Feature {
		case "ENABLED":
			draft.RefreshTokenRotation = true
		case "DISABLED":
		default:
			return nil, wire.InvalidParameter("RefreshTokenRotation.Feature %q: want ENABLED or DISABLED", wire.Truncate(r.Feature, 32))
		}
		if r.RetryGracePeriodSeconds < 0 || r.RetryGracePeriodSeconds > 60 {
			return nil, wire.InvalidParameter("RetryGracePeriodSeconds must be between 0 and 60")
		}
		draft.RetryGracePeriod = time.Duration(r.RetryGracePeriodSeconds) * time.Second
	}
	units := in.TokenValidityUnits
	if units == nil {
		units = &struct{ AccessToken, IdToken, RefreshToken string }{}
	}
	ua, ok1 := unitDuration(units.AccessToken, time.Hour)
	ui, ok2 := unitDuration(units.IdToken, time.Hour)
	ur, ok3 := unitDuration(units.RefreshToken, 24*time.Hour)
	if !ok1 || !ok2 || !ok3 {
		return nil, wire.InvalidParameter("TokenValidityUnits must be seconds, minutes, hours or days")
	}
	draft.TokenUnits = state.TokenUnits{Access: units.AccessToken, ID: units.IdToken, Refresh: units.RefreshToken}
	draft.TokenLifetimes = state.TokenLifetimes{Access: time.Duration(in.AccessTokenValidity) * ua, ID: time.Duration(in.IdTokenValidity) * ui,
		Refresh: time.Duration(in.RefreshTokenValidity) * ur}
	l := draft.TokenLifetimes
	switch {
	case in.AccessTokenValidity != 0 && (l.Access < 5*time.Minute || l.Access > 24*time.Hour):
		return nil, wire.InvalidParameter("Invalid range for token validity: the access token must be valid from 5 minutes to 1 day")
	case in.IdTokenValidity != 0 && (l.ID < 5*time.Minute || l.ID > 24*time.Hour):
		return nil, wire.InvalidParameter("Invalid range for token validity: the ID token must be valid from 5 minutes to 1 day")
	case in.RefreshTokenValidity != 0 && (l.Refresh < time.Hour || l.Refresh > 3650*24*time.Hour):
		return nil, wire.InvalidParameter("Invalid range for token validity: the refresh token must be valid from 60 minutes to 10 years")
	case l.Refresh != 0 && l.Refresh < max(l.Access, l.ID):
		return nil, wire.InvalidParameter("The refresh token must be valid longer than the access and ID tokens")
	}
	if in.AuthSessionValidity != 0 {
		if in.AuthSessionValidity < 3 || in.AuthSessionValidity > 15 {
			return nil, wire.InvalidParameter("AuthSessionValidity must be between 3 and 15 minutes")
		}
		draft.AuthSessionValidity = time.Duration(in.AuthSessionValidity) * time.Minute
	}
	if len(in.CallbackURLs) > maxURLs || len(in.LogoutURLs) > maxURLs {
		return nil, wire.InvalidParameter("An app client has at most %d callback URLs and %d sign-out URLs", maxURLs, maxURLs)
	}
	for _, u := range in.CallbackURLs {
		if aerr := checkRedirectURL("CallbackURLs", u); aerr != nil {
			return nil, aerr
		}
	}
	for _, u := range in.LogoutURLs {
		if aerr := checkRedirectURL("LogoutURLs", u); aerr != nil {
			return nil, aerr
		}
	}
	if in.DefaultRedirectURI != "" && !slices.Contains(in.CallbackURLs, in.DefaultRedirectURI) {
		return nil, wire.InvalidParameter("DefaultRedirectURI must be one of the CallbackURLs")
	}
	if len(in.AllowedOAuthScopes) > maxClientScopes {
		return nil, wire.InvalidParameter("An app client has at most %d OAuth scopes", maxClientScopes)
	}
	if slices.Contains(in.AllowedOAuthFlows, "client_credentials") && (slices.Contains(in.AllowedOAuthFlows, "code") || slices.Contains(in.AllowedOAuthFlows, "implicit")) {
		return nil, wire.InvalidParameter("AllowedOAuthFlows: client_credentials cannot be combined with code or implicit")
	}
	if in.AllowedOAuthFlowsUserPoolClient && (len(in.AllowedOAuthFlows) == 0 || len(in.AllowedOAuthScopes) == 0) {
		return nil, wire.InvalidParameter("AllowedOAuthFlowsUserPoolClient needs AllowedOAuthFlows and AllowedOAuthScopes")
	}
	if in.AllowedOAuthFlowsUserPoolClient && (slices.Contains(in.AllowedOAuthFlows, "code") || slices.Contains(in.AllowedOAuthFlows, "implicit")) && len(in.CallbackURLs) == 0 {
		return nil, wire.InvalidParameter("The code and implicit grants need CallbackURLs")
	}
	return draft, nil
}

// updateUserPoolClient serves UpdateUserPoolClient. As in Cognito, every
// setting the request does not give returns to its default; the ID, the
// secrets and (when not given) the name are kept. Sign-ins that start
// after the update follow the new settings; tokens issued before keep
// their lifetimes.
func (o *ops) updateUserPoolClient(c *emulator.Call) (any, error) {
	var in clientWire
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	draft, aerr := in.draft()
	if aerr != nil {
		return nil, aerr
	}
	var out map[string]any
	err := o.svc.State.Update(func(tx *state.Tx) error {
		cl, aerr := poolClient(tx, &in)
		if aerr != nil {
			return aerr
		}
		nc := draft.Clone()
		nc.PoolID, nc.ID, nc.Seq, nc.CreatedAt = cl.PoolID, cl.ID, cl.Seq, cl.CreatedAt
		nc.Secret, nc.SecretID, nc.SecretCreatedAt, nc.MoreSecrets = cl.Secret, cl.SecretID, cl.SecretCreatedAt, slices.Clone(cl.MoreSecrets)
		if nc.Name == "" {
			nc.Name = cl.Name
		}
		if err := checkClient(tx, tx.Pool(cl.PoolID), nc); err != nil {
			return apiError(err)
		}
		if nc.AllowedOAuthFlowsUserPoolClient && slices.Contains(nc.AllowedOAuthFlows, "client_credentials") && nc.Secret == "" {
			return wire.InvalidParameter("client_credentials needs an app client with a secret")
		}
		nc.ModifiedAt = o.svc.Now()
		tx.PutClient(nc)
		out = o.clientOut(nc)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return map[string]any{"UserPoolClient": out}, nil
}

// ---- client secrets --------------------------------------------------------------------

type clientSecretWire struct {
	UserPoolId     string
	ClientId       string
	ClientSecret   string
	ClientSecretId string
	NextToken      string
}

func secretOut(id, value string, created time.Time) map[string]any {
	out := map[string]any{"ClientSecretId": id, "ClientSecretCreateDate": wire.Epoch(created)}
	if value != "" {
		out["ClientSecretValue"] = value
	}
	return out
}

// addUserPoolClientSecret serves AddUserPoolClientSecret: a second secret
// for a confidential client, valid with the first until one of them is
// deleted.
func (o *ops) addUserPoolClientSecret(c *emulator.Call) (any, error) {
	var in clientSecretWire
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	if in.ClientSecret != "" && !clientSecretRE.MatchString(in.ClientSecret) {
		return nil, wire.InvalidParameter("ClientSecret: 24 to 64 letters, digits, _ or +")
	}
	var out map[string]any
	err := o.svc.State.Update(func(tx *state.Tx) error {
		cl, aerr := poolClient(tx, &clientWire{UserPoolId: in.UserPoolId, ClientId: in.ClientId})
		if aerr != nil {
			return aerr
		}
		if cl.Secret == "" {
			return wire.InvalidParameter("The app client %s has no secret: secrets are for confidential clients (GenerateSecret)", cl.ID)
		}
		if len(cl.Secrets()) >= MaxClientSecrets {
			return wire.Errorf("LimitExceededException", "The app client %s has %d secrets already, the most it can have: delete one first", cl.ID, MaxClientSecrets)
		}
		value, shown := in.ClientSecret, ""
		if value == "" {
			value = o.svc.RandString(51, emulator.AlnumLower)
			shown = value // Cognito shows only the secrets it generates
		}
		if slices.Contains(cl.Secrets(), value) {
			return wire.InvalidParameter("The app client %s has this secret already", cl.ID)
		}
		nc := cl.Clone()
		s := state.ClientSecret{ID: newSecretID(o.svc, cl.ID), Value: value, CreatedAt: o.svc.Now()}
		nc.MoreSecrets = append(nc.MoreSecrets, s)
		nc.ModifiedAt = s.CreatedAt
		tx.PutClient(nc)
		out = secretOut(s.ID, shown, s.CreatedAt)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return map[string]any{"ClientSecretDescriptor": out}, nil
}

// deleteUserPoolClientSecret serves DeleteUserPoolClientSecret: the
// secret stops working at once; the last secret cannot go.
func (o *ops) deleteUserPoolClientSecret(c *emulator.Call) (any, error) {
	var in clientSecretWire
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	if in.ClientSecretId == "" || len(in.ClientSecretId) > 128 {
		return nil, wire.InvalidParameter("Missing required parameter ClientSecretId")
	}
	err := o.svc.State.Update(func(tx *state.Tx) error {
		cl, aerr := poolClient(tx, &clientWire{UserPoolId: in.UserPoolId, ClientId: in.ClientId})
		if aerr != nil {
			return aerr
		}
		nc := cl.Clone()
		switch i := slices.IndexFunc(nc.MoreSecrets, func(s state.ClientSecret) bool { return s.ID == in.ClientSecretId }); {
		case cl.Secret == "" || i < 0 && in.ClientSecretId != secretIDOf(cl):
			return wire.ResourceNotFound("The app client %s has no secret %s.", cl.ID, wire.Truncate(in.ClientSecretId, 128))
		case len(cl.Secrets()) == 1:
			return wire.InvalidParameter("The secret %s is the last secret of the app client %s: add another one first", in.ClientSecretId, cl.ID)
		case i >= 0:
			nc.MoreSecrets = slices.Delete(nc.MoreSecrets, i, i+1)
		default: // the first secret goes: the next becomes the first
			next := nc.MoreSecrets[0]
			nc.Secret, nc.SecretID, nc.SecretCreatedAt = next.Value, next.ID, next.CreatedAt
			nc.MoreSecrets = nc.MoreSecrets[1:]
		}
		if len(nc.MoreSecrets) == 0 {
			nc.MoreSecrets = nil
		}
		nc.ModifiedAt = o.svc.Now()
		tx.PutClient(nc)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return struct{}{}, nil
}

// secretIDOf returns the ID of a client's first secret; clients created
// before secrets had IDs get one derived from the client ID.
func secretIDOf(c *state.Client) string {
	if c.SecretID != "" {
		return c.SecretID
	}
	return c.ID + "--secret"
}

func (o *ops) listUserPoolClientSecrets(c *emulator.Call) (any, error) {
	var in clientSecretWire
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	var out []map[string]any
	var aerr *wire.Error
	o.svc.State.View(func(tx *state.Tx) error {
		var cl *state.Client
		if cl, aerr = poolClient(tx, &clientWire{UserPoolId: in.UserPoolId, ClientId: in.ClientId}); aerr != nil {
			return nil
		}
		out = []map[string]any{}
		if in.NextToken != "" {
			aerr = wire.InvalidParameter("Invalid pagination token")
			return nil
		}
		if cl.Secret == "" {
			return nil
		}
		created := cl.SecretCreatedAt
		if created.IsZero() {
			created = cl.CreatedAt
		}
		// The values are never shown again.
		out = append(out, secretOut(secretIDOf(cl), "", created))
		for _, s := range cl.MoreSecrets {
			out = append(out, secretOut(s.ID, "", s.CreatedAt))
		}
		return nil
	})
	if aerr != nil {
		return nil, aerr
	}
	return map[string]any{"ClientSecrets": out}, nil
}
