package cognitotest

import (
	"strings"
	"time"
)

type passwordPolicyWire struct {
	MinimumLength                 int32
	RequireUppercase              bool
	RequireLowercase              bool
	RequireNumbers                bool
	RequireSymbols                bool
	TemporaryPasswordValidityDays int32 `json:",omitempty"`
}

type poolWireConfig struct {
	PoolName               string
	UsernameAttributes     []string
	AliasAttributes        []string
	AutoVerifiedAttributes []string
	MfaConfiguration       string
	Policies               *struct {
		PasswordPolicy *passwordPolicyWire
		SignInPolicy   *struct{ AllowedFirstAuthFactors []string }
	}
	DeviceConfiguration *struct {
		ChallengeRequiredOnNewDevice     bool
		DeviceOnlyRememberedOnUserPrompt bool
	}
	UsernameConfiguration *struct{ CaseSensitive *bool }
	Schema                []struct {
		Name     string
		Required bool
	}
	UserPoolId string
}

func (s *Server) opCreateUserPool(c *call) (any, error) {
	var in poolWireConfig
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	if in.PoolName == "" || len(in.PoolName) > 128 {
		return nil, errInvalidParameter("PoolName must be 1 to 128 characters")
	}
	cfg := PoolConfig{Name: in.PoolName, UsernameAttributes: in.UsernameAttributes, AliasAttributes: in.AliasAttributes,
		AutoVerifiedAttributes: in.AutoVerifiedAttributes, MFA: in.MfaConfiguration, CaseSensitiveUsernames: true}
	if in.UsernameConfiguration != nil && in.UsernameConfiguration.CaseSensitive != nil {
		cfg.CaseSensitiveUsernames = *in.UsernameConfiguration.CaseSensitive
	}
	if pol := in.Policies; pol != nil {
		if pp := pol.PasswordPolicy; pp != nil {
			cfg.PasswordPolicy = &PasswordPolicy{MinimumLength: int(pp.MinimumLength), RequireUppercase: pp.RequireUppercase,
				RequireLowercase: pp.RequireLowercase, RequireNumbers: pp.RequireNumbers, RequireSymbols: pp.RequireSymbols}
			if pp.TemporaryPasswordValidityDays > 0 {
				cfg.TemporaryPasswordValidity = time.Duration(pp.TemporaryPasswordValidityDays) * 24 * time.Hour
			}
		}
		if sp := pol.SignInPolicy; sp != nil {
			cfg.AllowedFirstAuthFactors = sp.AllowedFirstAuthFactors
		}
	}
	if d := in.DeviceConfiguration; d != nil {
		cfg.DeviceRemembering = DevicesAlways
		if d.DeviceOnlyRememberedOnUserPrompt {
			cfg.DeviceRemembering = DevicesUserOptIn
		}
		cfg.ChallengeRequiredOnNewDevice = d.ChallengeRequiredOnNewDevice
	}
	for _, a := range in.Schema {
		if a.Required {
			cfg.RequiredAttributes = append(cfg.RequiredAttributes, a.Name)
		}
	}
	p, err := s.CreatePool(cfg)
	if err != nil {
		return nil, errInvalidParameter("%s", strings.TrimPrefix(err.Error(), ErrInvalidConfig.Error()+": "))
	}
	return map[string]any{"UserPool": s.poolOut(p)}, nil
}

func (s *Server) poolOut(p *Pool) map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	pol := p.policy
	out := map[string]any{
		"Id":               p.id,
		"Name":             p.cfg.Name,
		"Arn":              "arn:aws:cognito-idp:" + p.region + ":000000000000:userpool/" + p.id,
		"CreationDate":     epoch(p.createdAt),
		"LastModifiedDate": epoch(p.modifiedAt),
		"MfaConfiguration": p.cfg.MFA,
		"Status":           "Enabled",
		"Policies": map[string]any{
			"PasswordPolicy": passwordPolicyWire{MinimumLength: int32(pol.MinimumLength), RequireUppercase: pol.RequireUppercase,
				RequireLowercase: pol.RequireLowercase, RequireNumbers: pol.RequireNumbers, RequireSymbols: pol.RequireSymbols,
				TemporaryPasswordValidityDays: int32(p.cfg.TemporaryPasswordValidity / (24 * time.Hour))},
			"SignInPolicy": map[string]any{"AllowedFirstAuthFactors": p.cfg.AllowedFirstAuthFactors},
		},
		"UsernameConfiguration":  map[string]bool{"CaseSensitive": p.cfg.CaseSensitiveUsernames},
		"EstimatedNumberOfUsers": len(p.users),
	}
	if len(p.cfg.UsernameAttributes) > 0 {
		out["UsernameAttributes"] = p.cfg.UsernameAttributes
	}
	if len(p.cfg.AliasAttributes) > 0 {
		out["AliasAttributes"] = p.cfg.AliasAttributes
	}
	if len(p.cfg.AutoVerifiedAttributes) > 0 {
		out["AutoVerifiedAttributes"] = p.cfg.AutoVerifiedAttributes
	}
	if p.cfg.DeviceRemembering != DevicesOff {
		out["DeviceConfiguration"] = map[string]bool{
			"ChallengeRequiredOnNewDevice":     p.cfg.ChallengeRequiredOnNewDevice,
			"DeviceOnlyRememberedOnUserPrompt": p.cfg.DeviceRemembering == DevicesUserOptIn,
		}
	}
	return out
}

func (s *Server) opDescribeUserPool(c *call) (any, error) {
	var in poolWireConfig
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	s.mu.Lock()
	p, aerr := s.adminPoolLocked(in.UserPoolId)
	s.mu.Unlock()
	if aerr != nil {
		return nil, aerr
	}
	return map[string]any{"UserPool": s.poolOut(p)}, nil
}

func (s *Server) opDeleteUserPool(c *call) (any, error) {
	var in poolWireConfig
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p, aerr := s.adminPoolLocked(in.UserPoolId)
	if aerr != nil {
		return nil, aerr
	}
	for id := range p.clients {
		delete(s.clients, id)
	}
	delete(s.pools, p.id)
	return struct{}{}, nil
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

func (s *Server) opCreateUserPoolClient(c *call) (any, error) {
	var in clientWire
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	if in.ClientName == "" {
		return nil, errInvalidParameter("Missing required parameter ClientName")
	}
	cfg := ClientConfig{Name: in.ClientName, GenerateSecret: in.GenerateSecret, ExplicitAuthFlows: in.ExplicitAuthFlows,
		PreventUserExistenceErrors: in.PreventUserExistenceErrors == "ENABLED",
		CallbackURLs:               in.CallbackURLs, LogoutURLs: in.LogoutURLs, DefaultRedirectURI: in.DefaultRedirectURI,
		AllowedOAuthFlows: in.AllowedOAuthFlows, AllowedOAuthScopes: in.AllowedOAuthScopes,
		AllowedOAuthFlowsUserPoolClient: in.AllowedOAuthFlowsUserPoolClient, SupportedIdentityProviders: in.SupportedIdentityProviders,
		ReadAttributes: in.ReadAttributes, WriteAttributes: in.WriteAttributes}
	if len(cfg.ExplicitAuthFlows) == 0 {
		cfg.ExplicitAuthFlows = []string{FlowUserSRP, FlowCustom, FlowRefreshToken}
	}
	if in.EnableTokenRevocation != nil {
		cfg.DisableTokenRevocation = !*in.EnableTokenRevocation
	}
	if r := in.RefreshTokenRotation; r != nil && r.Feature == "ENABLED" {
		cfg.RefreshTokenRotation = true
		cfg.RetryGracePeriod = time.Duration(r.RetryGracePeriodSeconds) * time.Second
	}
	units := in.TokenValidityUnits
	if units == nil {
		units = &struct{ AccessToken, IdToken, RefreshToken string }{}
	}
	ua, ok1 := unitDuration(units.AccessToken, time.Hour)
	ui, ok2 := unitDuration(units.IdToken, time.Hour)
	ur, ok3 := unitDuration(units.RefreshToken, 24*time.Hour)
	if !ok1 || !ok2 || !ok3 {
		return nil, errInvalidParameter("TokenValidityUnits must be seconds, minutes, hours or days")
	}
	cfg.TokenLifetimes = TokenLifetimes{Access: time.Duration(in.AccessTokenValidity) * ua, ID: time.Duration(in.IdTokenValidity) * ui,
		Refresh: time.Duration(in.RefreshTokenValidity) * ur}
	if in.AuthSessionValidity != 0 {
		if in.AuthSessionValidity < 3 || in.AuthSessionValidity > 15 {
			return nil, errInvalidParameter("AuthSessionValidity must be between 3 and 15 minutes")
		}
		cfg.AuthSessionValidity = time.Duration(in.AuthSessionValidity) * time.Minute
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p, aerr := s.adminPoolLocked(in.UserPoolId)
	if aerr != nil {
		return nil, aerr
	}
	cl, err := p.createClientLocked(cfg)
	if err != nil {
		return nil, errInvalidParameter("%s", strings.TrimPrefix(err.Error(), ErrInvalidConfig.Error()+": "))
	}
	return map[string]any{"UserPoolClient": clientOut(cl)}, nil
}

func clientOut(c *appClient) map[string]any {
	cfg := c.cfg
	l := c.lifetimes()
	out := map[string]any{
		"UserPoolId":                      c.pool.id,
		"ClientId":                        cfg.ID,
		"ClientName":                      cfg.Name,
		"CreationDate":                    epoch(c.createdAt),
		"LastModifiedDate":                epoch(c.createdAt),
		"ExplicitAuthFlows":               cfg.ExplicitAuthFlows,
		"AccessTokenValidity":             int32(l.Access / time.Minute),
		"IdTokenValidity":                 int32(l.ID / time.Minute),
		"RefreshTokenValidity":            int32(l.Refresh / time.Minute),
		"TokenValidityUnits":              map[string]string{"AccessToken": "minutes", "IdToken": "minutes", "RefreshToken": "minutes"},
		"AuthSessionValidity":             int32(c.sessionLifetime() / time.Minute),
		"EnableTokenRevocation":           !cfg.DisableTokenRevocation,
		"AllowedOAuthFlowsUserPoolClient": cfg.AllowedOAuthFlowsUserPoolClient,
		"SupportedIdentityProviders":      cfg.SupportedIdentityProviders,
	}
	if cfg.Secret != "" {
		out["ClientSecret"] = cfg.Secret
	}
	if cfg.PreventUserExistenceErrors {
		out["PreventUserExistenceErrors"] = "ENABLED"
	} else {
		out["PreventUserExistenceErrors"] = "LEGACY"
	}
	rot := map[string]any{"Feature": "DISABLED"}
	if cfg.RefreshTokenRotation {
		rot = map[string]any{"Feature": "ENABLED", "RetryGracePeriodSeconds": int32(cfg.RetryGracePeriod / time.Second)}
	}
	out["RefreshTokenRotation"] = rot
	for k, v := range map[string][]string{"CallbackURLs": cfg.CallbackURLs, "LogoutURLs": cfg.LogoutURLs, "AllowedOAuthFlows": cfg.AllowedOAuthFlows,
		"AllowedOAuthScopes": cfg.AllowedOAuthScopes, "ReadAttributes": cfg.ReadAttributes, "WriteAttributes": cfg.WriteAttributes} {
		if len(v) > 0 {
			out[k] = v
		}
	}
	if cfg.DefaultRedirectURI != "" {
		out["DefaultRedirectURI"] = cfg.DefaultRedirectURI
	}
	return out
}

func (s *Server) poolClientLocked(in *clientWire) (*appClient, *apiError) {
	p, aerr := s.adminPoolLocked(in.UserPoolId)
	if aerr != nil {
		return nil, aerr
	}
	cl, ok := p.clients[in.ClientId]
	if !ok {
		return nil, errResourceNotFound("User pool client %s does not exist.", truncate(in.ClientId, 128))
	}
	return cl, nil
}

func (s *Server) opDescribeUserPoolClient(c *call) (any, error) {
	var in clientWire
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cl, aerr := s.poolClientLocked(&in)
	if aerr != nil {
		return nil, aerr
	}
	return map[string]any{"UserPoolClient": clientOut(cl)}, nil
}

func (s *Server) opDeleteUserPoolClient(c *call) (any, error) {
	var in clientWire
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cl, aerr := s.poolClientLocked(&in)
	if aerr != nil {
		return nil, aerr
	}
	delete(cl.pool.clients, cl.cfg.ID)
	delete(s.clients, cl.cfg.ID)
	return struct{}{}, nil
}

func (s *Server) opListUserPoolClients(c *call) (any, error) {
	var in clientWire
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p, aerr := s.adminPoolLocked(in.UserPoolId)
	if aerr != nil {
		return nil, aerr
	}
	ids := sortedKeys(p.clients)
	start, end, next, aerr := page(len(ids), in.MaxResults, in.NextToken, 60)
	if aerr != nil {
		return nil, aerr
	}
	list := make([]map[string]string, 0, end-start)
	for _, id := range ids[start:end] {
		list = append(list, map[string]string{"ClientId": id, "ClientName": p.clients[id].cfg.Name, "UserPoolId": p.id})
	}
	out := map[string]any{"UserPoolClients": list}
	if next != "" {
		out["NextToken"] = next
	}
	return out, nil
}

type resourceServerWire struct {
	UserPoolId string
	Identifier string
	Name       string
	Scopes     []struct{ ScopeName, ScopeDescription string }
}

func (s *Server) opCreateResourceServer(c *call) (any, error) {
	var in resourceServerWire
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	s.mu.Lock()
	p, aerr := s.adminPoolLocked(in.UserPoolId)
	s.mu.Unlock()
	if aerr != nil {
		return nil, aerr
	}
	cfg := ResourceServerConfig{Identifier: in.Identifier, Name: in.Name, Scopes: map[string]string{}}
	for _, sc := range in.Scopes {
		cfg.Scopes[sc.ScopeName] = sc.ScopeDescription
	}
	if err := p.CreateResourceServer(cfg); err != nil {
		return nil, errInvalidParameter("%s", strings.TrimPrefix(err.Error(), ErrInvalidConfig.Error()+": "))
	}
	return map[string]any{"ResourceServer": in}, nil
}
