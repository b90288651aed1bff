package cognitotest

import (
	"bytes"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/cognitokit/cognitokit/cognitotest/internal/emulator"
	"github.com/cognitokit/cognitokit/cognitotest/internal/identity"
	"github.com/cognitokit/cognitokit/cognitotest/internal/state"
	"github.com/cognitokit/cognitokit/cognitotest/internal/userpool"
)

// ExportPath is the URL path of the server's export ([Server.Export] as
// JSON). Like every endpoint of the emulator that is not Cognito's, it
// lives under /_cognitokit/.
const ExportPath = "/_cognitokit/export"

// Export returns the server's configuration and accounts as a seed, from
// one consistent view of the state: the user pools with their settings,
// domains, resource servers, groups, app clients (secrets included) and
// users, and the identity pools with their roles. Applied to a server
// without them ([Server.ApplySeed]), it gives a server that exports the
// same seed.
//
// Users have their SRP password verifier instead of a password (the
// emulator keeps no password), with which they sign in as before in a
// pool of the same ID. Not exported: signing keys (a server gets new ones,
// so tokens issued before do not verify), refresh tokens, devices,
// pending codes and sign-ins, identities and issued credentials, and the
// Go callbacks of [Triggers]: keep the data directory ([WithDataDir]) to
// keep those. Defaults are left out, lists are sorted (app clients and
// identity pools in creation order), so that the output is stable.
func (s *Server) Export() (*Seed, error) {
	seed := &Seed{Pools: []SeedPool{}}
	s.view(func(tx *state.Tx) {
		for _, p := range tx.Pools() {
			seed.Pools = append(seed.Pools, exportPool(tx, p))
		}
		for _, ip := range tx.IdentityPools() {
			seed.IdentityPools = append(seed.IdentityPools, exportIdentityPool(ip))
		}
		seed.ProvisionedLimits = exportProvisionedLimits(tx)
	})
	return seed, nil
}

// Encode returns the seed as the JSON document [ParseSeed] reads,
// indented, with a final newline.
func (sd *Seed) Encode() ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(sd); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// defaultPolicy is the password policy of a pool created without one.
var defaultPolicy = state.PasswordPolicy{MinimumLength: 8, RequireUppercase: true, RequireLowercase: true, RequireNumbers: true, RequireSymbols: true}

func exportPool(tx *state.Tx, p *state.Pool) SeedPool {
	sp := SeedPool{ID: p.ID, UsernameAttributes: p.UsernameAttributes, AliasAttributes: p.AliasAttributes,
		AutoVerifiedAttributes: p.AutoVerifiedAttributes, RequiredAttributes: p.RequiredAttributes,
		CaseSensitiveUsernames: p.CaseSensitiveUsernames, DeviceRemembering: p.DeviceRemembering,
		ChallengeRequiredOnNewDevice: p.ChallengeRequiredOnNewDevice, LambdaTriggers: seedLambdaTriggers(p.LambdaConfig)}
	if p.Name != p.SRPName() {
		sp.Name = p.Name
	}
	if p.MFA != MFAOff {
		sp.MFA = p.MFA
	}
	if p.MFAMethods != nil {
		m := SeedMFAConfig(*p.MFAMethods)
		sp.MFAConfig = &m
	}
	if !slices.Equal(p.AllowedFirstAuthFactors, []string{"PASSWORD"}) {
		sp.FirstAuthFactors = p.AllowedFirstAuthFactors
	}
	if p.PasswordPolicy != defaultPolicy || p.TemporaryPasswordValidity != 7*24*time.Hour {
		pol := p.PasswordPolicy
		sp.PasswordPolicy = &SeedPasswordPolicy{MinimumLength: pol.MinimumLength, RequireUppercase: pol.RequireUppercase,
			RequireLowercase: pol.RequireLowercase, RequireNumbers: pol.RequireNumbers, RequireSymbols: pol.RequireSymbols,
			TemporaryPasswordValidityDays: int(p.TemporaryPasswordValidity / (24 * time.Hour))}
	}
	for _, a := range p.CustomAttributes {
		ca := SeedCustomAttribute{Name: a.Name, Min: a.Min, Max: a.Max}
		if a.Type != "String" {
			ca.Type = a.Type
		}
		if !a.Mutable {
			ca.Mutable = new(bool)
		}
		sp.CustomAttributes = append(sp.CustomAttributes, ca)
	}
	for _, d := range tx.Domains(p.ID) {
		sd := SeedDomain{Domain: d.Domain, CertificateARN: d.CertificateARN}
		if d.ManagedLoginVersion != 1 {
			sd.ManagedLoginVersion = d.ManagedLoginVersion
		}
		sp.Domains = append(sp.Domains, sd)
	}
	for _, rs := range tx.ResourceServers(p.ID) {
		srs := SeedResourceServer{Identifier: rs.Identifier}
		if rs.Name != rs.Identifier {
			srs.Name = rs.Name
		}
		for scope, desc := range rs.Scopes {
			srs.Scopes = append(srs.Scopes, scope)
			if desc != "" {
				if srs.ScopeDescriptions == nil {
					srs.ScopeDescriptions = map[string]string{}
				}
				srs.ScopeDescriptions[scope] = desc
			}
		}
		slices.Sort(srs.Scopes)
		sp.ResourceServers = append(sp.ResourceServers, srs)
	}
	for _, g := range tx.Groups(p.ID) {
		sp.Groups = append(sp.Groups, SeedGroup{Name: g.Name, Description: g.Description, Precedence: g.Precedence, RoleARN: g.RoleARN})
	}
	for _, c := range tx.Clients(p.ID) {
		sc := exportClient(c)
		exportClientParts(c, &sc)
		sp.Clients = append(sp.Clients, sc)
	}
	us := tx.Users(p.ID)
	slices.SortFunc(us, func(a, b *state.User) int { return strings.Compare(a.Username, b.Username) })
	links := exportLinks(tx, p.ID)
	for _, u := range us {
		if exportedUser(u) {
			su := exportUser(u)
			su.Links = links[u.Sub]
			sp.Users = append(sp.Users, su)
		}
	}
	exportPoolParts(tx, p, &sp)
	exportIdentityProviders(tx, p, &sp)
	return sp
}

func exportClient(c *state.Client) SeedClient {
	sc := SeedClient{ID: c.ID, Secret: c.Secret, PreventUserExistenceErrors: c.PreventUserExistenceErrors,
		RefreshTokenRotation: c.RefreshTokenRotation, RetryGracePeriodSeconds: int(c.RetryGracePeriod / time.Second),
		CallbackURLs: c.CallbackURLs, LogoutURLs: c.LogoutURLs, DefaultRedirectURI: c.DefaultRedirectURI,
		OAuthFlows: c.AllowedOAuthFlows, OAuthScopes: c.AllowedOAuthScopes, ReadAttributes: c.ReadAttributes, WriteAttributes: c.WriteAttributes}
	if c.Name != "client" { // the default name
		sc.Name = c.Name
	}
	if !slices.Equal(sortedCopy(c.ExplicitAuthFlows), sortedCopy(userpool.AllFlows)) {
		sc.ExplicitAuthFlows = c.ExplicitAuthFlows
		if sc.ExplicitAuthFlows == nil {
			sc.ExplicitAuthFlows = []string{}
		}
	}
	if c.DisableTokenRevocation {
		sc.EnableTokenRevocation = new(bool)
	}
	if c.AllowedOAuthFlowsUserPoolClient != (len(c.AllowedOAuthFlows) > 0) {
		sc.OAuthEnabled = &c.AllowedOAuthFlowsUserPoolClient
	}
	if !slices.Equal(c.SupportedIdentityProviders, []string{"COGNITO"}) {
		sc.IdentityProviders = c.SupportedIdentityProviders
	}
	if l := c.TokenLifetimes; l != (state.TokenLifetimes{}) {
		sc.TokenValidity = &SeedTokenValidity{ID: formatOptional(l.ID), Access: formatOptional(l.Access), Refresh: formatOptional(l.Refresh)}
	}
	sc.AuthSessionValidity = formatOptional(c.AuthSessionValidity)
	return sc
}

func sortedCopy(s []string) []string { c := slices.Clone(s); slices.Sort(c); return c }

func formatOptional(d time.Duration) string {
	if d == 0 {
		return ""
	}
	return formatSeedDuration(d)
}

func exportUser(u *state.User) SeedUser {
	su := SeedUser{Username: u.Username, Sub: u.Sub, Disabled: !u.Enabled, Groups: u.Groups, TOTPSecret: u.TOTPSecret,
		SMSMFA: u.SMSMFA, EmailMFA: u.EmailMFA, PreferredMFA: u.PreferredMFA}
	if u.Status != StatusConfirmed || !u.HasPassword() {
		su.Status = u.Status
	}
	if u.HasPassword() {
		su.PasswordVerifier = &SeedPasswordVerifier{Salt: u.Salt.Text(16), Verifier: u.Verifier.Text(16)}
	}
	for k, v := range u.Attributes {
		switch k {
		case "email":
			su.Email = v
		case "phone_number":
			su.PhoneNumber = v
		case "email_verified", "phone_number_verified":
		case userpool.IdentitiesAttribute: // derived from the links, which are exported (SeedUser.Links)
		default:
			if su.Attributes == nil {
				su.Attributes = map[string]string{}
			}
			su.Attributes[k] = v
		}
	}
	if su.Email != "" && u.Attributes["email_verified"] != "true" {
		su.EmailVerified = new(bool)
	}
	if su.PhoneNumber != "" && u.Attributes["phone_number_verified"] != "true" {
		su.PhoneNumberVerified = new(bool)
	}
	return su
}

func exportIdentityPool(p *state.IdentityPool) SeedIdentityPool {
	sp := SeedIdentityPool{ID: p.ID, Name: p.Name, AllowUnauthenticated: p.AllowUnauthenticated, AllowClassicFlow: p.AllowClassicFlow,
		SupportedLoginProviders: p.SupportedLoginProviders, DeveloperProviderName: p.DeveloperProviderName,
		OpenIDConnectProviderARNs: p.OpenIDConnectProviderARNs, SAMLProviderARNs: p.SAMLProviderARNs, Roles: p.Roles, Tags: p.Tags}
	for _, cp := range p.CognitoIdentityProviders {
		poolID := cp.ProviderName[strings.LastIndexByte(cp.ProviderName, '/')+1:]
		sp.UserPools = append(sp.UserPools, SeedIdentityPoolUserPool{PoolID: poolID, ClientID: cp.ClientID,
			ServerSideTokenCheck: cp.ServerSideTokenCheck != nil && *cp.ServerSideTokenCheck})
	}
	if len(p.RoleMappings) > 0 {
		sp.RoleMappings = map[string]SeedRoleMapping{}
		for prov, m := range p.RoleMappings {
			sm := SeedRoleMapping{Type: m.Type, AmbiguousRoleResolution: m.AmbiguousRoleResolution}
			for _, r := range m.Rules {
				sm.Rules = append(sm.Rules, SeedMappingRule{Claim: r.Claim, MatchType: r.MatchType, Value: r.Value, RoleARN: r.RoleARN})
			}
			sp.RoleMappings[prov] = sm
		}
	}
	if p.CredentialsLifetime != identity.DefaultCredentialsLifetime {
		sp.CredentialsLifetime = formatOptional(p.CredentialsLifetime)
	}
	return sp
}

// exportRoute serves GET /_cognitokit/export: the seed of [Server.Export].
// It holds secrets, so it is open to the server's own origin only
// (emulator.SameOrigin: no CORS headers, so pages of other origins cannot
// read it, and browsers that say a request is cross-site get 403).
func (s *Server) exportRoute() emulator.Route {
	return emulator.Route{Pattern: "GET " + ExportPath, Access: emulator.SameOrigin, Handler: func(w http.ResponseWriter, r *http.Request) {
		if site := r.Header.Get("Sec-Fetch-Site"); site == "cross-site" || site == "same-site" {
			http.Error(w, "cognitotest: the export holds secrets: open it from the emulator's own origin, or with curl", http.StatusForbidden)
			return
		}
		seed, err := s.Export()
		var body []byte
		if err == nil {
			body, err = seed.Encode()
		}
		if err != nil {
			http.Error(w, "cognitotest: export: "+err.Error(), http.StatusInternalServerError)
			return
		}
		h := w.Header()
		h.Set("Content-Type", "application/json")
		h.Set("Cache-Control", "no-store")
		h.Set("Content-Disposition", `attachment; filename="cognito-seed.json"`)
		h.Set("X-Content-Type-Options", "nosniff")
		w.Write(body)
	}}
}
