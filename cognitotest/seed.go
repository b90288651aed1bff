package cognitotest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/cognitokit/cognitokit/cognitotest/internal/emulator"
	"github.com/cognitokit/cognitokit/cognitotest/internal/userpool"
)

// MaxSeedBytes is the largest seed document [ParseSeed] accepts.
const MaxSeedBytes = 10 << 20

// Seed describes pools, app clients and users to create, as read by
// "cognito local --seed FILE". The JSON form is:
//
//	{"pools": [{
//	  "id": "us-east-1_Example",
//	  "clients": [{"id": "exampleclient", "name": "web", "secret": "optional"}],
//	  "users": [{"username": "alice", "password": "Passw0rd!", "email": "alice@example.com",
//	             "groups": ["admin"], "alias_email": true}]
//	}]}
//
// Optional extensions: per pool "name", "username_attributes", "mfa"
// ("OFF", "OPTIONAL", "ON"), "device_remembering" ("ALWAYS",
// "USER_OPT_IN") and "resource_servers" ([{"identifier", "scopes"}]); per
// client "generate_secret", "callback_urls", "logout_urls", "oauth_flows",
// "oauth_scopes", "refresh_token_rotation"; per user "phone_number",
// "attributes", "totp_secret", "temporary" (the password is temporary).
//
// A user with "alias_email": true can sign in with the email address too
// (the pool gets AliasAttributes ["email"]); in such a pool, the email of a
// user with "alias_email": false is left unverified so that it is not an
// alias.
type Seed struct {
	Pools []SeedPool `json:"pools"`
}

// SeedPool is one pool of a [Seed].
type SeedPool struct {
	ID                 string               `json:"id"`
	Name               string               `json:"name,omitempty"`
	UsernameAttributes []string             `json:"username_attributes,omitempty"`
	MFA                string               `json:"mfa,omitempty"`
	DeviceRemembering  string               `json:"device_remembering,omitempty"`
	ResourceServers    []SeedResourceServer `json:"resource_servers,omitempty"`
	Clients            []SeedClient         `json:"clients,omitempty"`
	Users              []SeedUser           `json:"users,omitempty"`
}

// SeedResourceServer is a resource server of a [SeedPool].
type SeedResourceServer struct {
	Identifier string   `json:"identifier"`
	Scopes     []string `json:"scopes,omitempty"`
}

// SeedClient is an app client of a [SeedPool].
type SeedClient struct {
	ID                   string   `json:"id,omitempty"`
	Name                 string   `json:"name,omitempty"`
	Secret               string   `json:"secret,omitempty"`
	GenerateSecret       bool     `json:"generate_secret,omitempty"`
	CallbackURLs         []string `json:"callback_urls,omitempty"`
	LogoutURLs           []string `json:"logout_urls,omitempty"`
	OAuthFlows           []string `json:"oauth_flows,omitempty"`
	OAuthScopes          []string `json:"oauth_scopes,omitempty"`
	RefreshTokenRotation bool     `json:"refresh_token_rotation,omitempty"`
}

// SeedUser is a user of a [SeedPool].
type SeedUser struct {
	Username    string            `json:"username"`
	Password    string            `json:"password"`
	Temporary   bool              `json:"temporary,omitempty"`
	Email       string            `json:"email,omitempty"`
	PhoneNumber string            `json:"phone_number,omitempty"`
	Groups      []string          `json:"groups,omitempty"`
	AliasEmail  bool              `json:"alias_email,omitempty"`
	Attributes  map[string]string `json:"attributes,omitempty"`
	TOTPSecret  string            `json:"totp_secret,omitempty"`
}

// SeedError reports a malformed seed. Path names the bad field, such as
// "pools[0].users[2].password". It wraps [ErrInvalidConfig].
type SeedError struct {
	Path string
	Msg  string
}

func (e *SeedError) Error() string {
	if e.Path == "" {
		return "seed: " + e.Msg
	}
	return "seed: " + e.Path + ": " + e.Msg
}

func (e *SeedError) Unwrap() error { return ErrInvalidConfig }

// seedSchema describes the accepted JSON: field name -> kind, where a kind
// is "string", "bool", "[string]", "{string}" (object of strings) or the
// name of a nested object ("[pool]" is an array of pools).
var seedSchema = map[string]map[string]string{
	"seed":            {"pools": "[pool]"},
	"pool":            {"id": "string", "name": "string", "username_attributes": "[string]", "mfa": "string", "device_remembering": "string", "resource_servers": "[resource_server]", "clients": "[client]", "users": "[user]"},
	"resource_server": {"identifier": "string", "scopes": "[string]"},
	"client":          {"id": "string", "name": "string", "secret": "string", "generate_secret": "bool", "callback_urls": "[string]", "logout_urls": "[string]", "oauth_flows": "[string]", "oauth_scopes": "[string]", "refresh_token_rotation": "bool"},
	"user":            {"username": "string", "password": "string", "temporary": "bool", "email": "string", "phone_number": "string", "groups": "[string]", "alias_email": "bool", "attributes": "{string}", "totp_secret": "string"},
}

// checkShape walks a generic JSON value against the schema.
func checkShape(v any, kind, path string) *SeedError {
	if v == nil && (strings.HasPrefix(kind, "[") || kind == "{string}") {
		return nil // null is an empty list or object
	}
	switch {
	case kind == "string":
		if _, ok := v.(string); !ok {
			return &SeedError{path, "want a string"}
		}
	case kind == "bool":
		if _, ok := v.(bool); !ok {
			return &SeedError{path, "want true or false"}
		}
	case strings.HasPrefix(kind, "["):
		arr, ok := v.([]any)
		if !ok {
			return &SeedError{path, "want an array"}
		}
		if len(arr) > 10000 {
			return &SeedError{path, "too many entries (at most 10000)"}
		}
		for i, e := range arr {
			if err := checkShape(e, kind[1:len(kind)-1], path+"["+strconv.Itoa(i)+"]"); err != nil {
				return err
			}
		}
	case kind == "{string}":
		obj, ok := v.(map[string]any)
		if !ok {
			return &SeedError{path, "want an object of strings"}
		}
		for k, e := range obj {
			if _, ok := e.(string); !ok {
				return &SeedError{path + "." + k, "want a string"}
			}
		}
	default:
		obj, ok := v.(map[string]any)
		if !ok {
			return &SeedError{path, "want an object"}
		}
		fields := seedSchema[kind]
		for _, k := range slices.Sorted(maps.Keys(obj)) {
			fk, known := fields[k]
			p := k
			if path != "" {
				p = path + "." + k
			}
			if !known {
				return &SeedError{p, fmt.Sprintf("unknown field (allowed: %s)", strings.Join(slices.Sorted(maps.Keys(fields)), ", "))}
			}
			if err := checkShape(obj[k], fk, p); err != nil {
				return err
			}
		}
	}
	return nil
}

// ParseSeed parses and validates a seed document. Errors are *SeedError
// naming the bad field.
func ParseSeed(data []byte) (*Seed, error) {
	if len(data) > MaxSeedBytes {
		return nil, &SeedError{"", fmt.Sprintf("%d bytes is larger than the %d allowed", len(data), MaxSeedBytes)}
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var generic any
	if err := dec.Decode(&generic); err != nil {
		return nil, &SeedError{"", "not valid JSON: " + err.Error()}
	}
	if dec.More() {
		return nil, &SeedError{"", "trailing data after the JSON object"}
	}
	if err := checkShape(generic, "seed", ""); err != nil {
		return nil, err
	}
	var seed Seed
	if err := json.Unmarshal(data, &seed); err != nil {
		return nil, &SeedError{"", err.Error()}
	}
	if len(seed.Pools) == 0 {
		return nil, &SeedError{"pools", "want at least one pool"}
	}
	poolIDs := map[string]bool{}
	clientIDs := map[string]bool{}
	for i, p := range seed.Pools {
		pp := fmt.Sprintf("pools[%d]", i)
		if !userpool.PoolIDRE.MatchString(p.ID) {
			return nil, &SeedError{pp + ".id", fmt.Sprintf("%q is not a pool ID; want {region}_{letters and digits}, such as us-east-1_Example", p.ID)}
		}
		if poolIDs[p.ID] {
			return nil, &SeedError{pp + ".id", fmt.Sprintf("duplicate pool ID %q", p.ID)}
		}
		poolIDs[p.ID] = true
		for j, c := range p.Clients {
			cp := fmt.Sprintf("%s.clients[%d]", pp, j)
			if c.ID != "" {
				if !userpool.ClientIDRE.MatchString(c.ID) {
					return nil, &SeedError{cp + ".id", fmt.Sprintf("%q is not a client ID; want 1 to 128 letters, digits, _ or +", c.ID)}
				}
				if clientIDs[c.ID] {
					return nil, &SeedError{cp + ".id", fmt.Sprintf("duplicate client ID %q", c.ID)}
				}
				clientIDs[c.ID] = true
			}
			if len(c.Secret) > 128 {
				return nil, &SeedError{cp + ".secret", "longer than 128 characters"}
			}
		}
		names := map[string]bool{}
		for j, u := range p.Users {
			up := fmt.Sprintf("%s.users[%d]", pp, j)
			if u.Username == "" && len(p.UsernameAttributes) == 0 && !u.AliasEmail {
				return nil, &SeedError{up + ".username", "required (unless alias_email is true: the username is then a UUID)"}
			}
			key := strings.ToLower(u.Username + "\x00" + u.Email)
			if names[key] {
				return nil, &SeedError{up + ".username", fmt.Sprintf("duplicate user %q", u.Username)}
			}
			names[key] = true
			if u.Password == "" {
				return nil, &SeedError{up + ".password", "required"}
			}
			if u.AliasEmail && u.Email == "" {
				return nil, &SeedError{up + ".alias_email", "true needs an email"}
			}
		}
	}
	return &seed, nil
}

// ApplySeed creates the pools, clients and users of seed and returns the
// pools in seed order.
func (s *Server) ApplySeed(seed *Seed) ([]*Pool, error) {
	var pools []*Pool
	for i, sp := range seed.Pools {
		pp := fmt.Sprintf("pools[%d]", i)
		cfg := PoolConfig{ID: sp.ID, Name: sp.Name, UsernameAttributes: sp.UsernameAttributes, MFA: sp.MFA, DeviceRemembering: sp.DeviceRemembering}
		alias := false
		for _, u := range sp.Users {
			alias = alias || u.AliasEmail
		}
		if alias {
			cfg.AliasAttributes = []string{"email"}
		}
		p, err := s.CreatePool(cfg)
		if err != nil {
			return nil, &SeedError{pp, trimSentinel(err)}
		}
		pools = append(pools, p)
		for j, rs := range sp.ResourceServers {
			scopes := map[string]string{}
			for _, sc := range rs.Scopes {
				scopes[sc] = ""
			}
			if err := p.CreateResourceServer(ResourceServerConfig{Identifier: rs.Identifier, Scopes: scopes}); err != nil {
				return nil, &SeedError{fmt.Sprintf("%s.resource_servers[%d]", pp, j), trimSentinel(err)}
			}
		}
		for j, sc := range sp.Clients {
			_, err := p.CreateClient(ClientConfig{ID: sc.ID, Name: sc.Name, Secret: sc.Secret, GenerateSecret: sc.GenerateSecret,
				CallbackURLs: sc.CallbackURLs, LogoutURLs: sc.LogoutURLs, AllowedOAuthFlows: sc.OAuthFlows, AllowedOAuthScopes: sc.OAuthScopes,
				AllowedOAuthFlowsUserPoolClient: len(sc.OAuthFlows) > 0, RefreshTokenRotation: sc.RefreshTokenRotation})
			if err != nil {
				return nil, &SeedError{fmt.Sprintf("%s.clients[%d]", pp, j), trimSentinel(err)}
			}
		}
		for j, su := range sp.Users {
			uc := UserConfig{Username: su.Username, Email: su.Email, PhoneNumber: su.PhoneNumber, Groups: su.Groups,
				Attributes: su.Attributes, TOTPSecret: su.TOTPSecret, UnverifiedEmail: alias && !su.AliasEmail}
			if su.Temporary {
				uc.TemporaryPassword = su.Password
			} else {
				uc.Password = su.Password
			}
			if len(sp.UsernameAttributes) > 0 {
				uc.Username = ""
			}
			if _, err := p.CreateUser(uc); err != nil {
				return nil, &SeedError{fmt.Sprintf("%s.users[%d]", pp, j), trimSentinel(err)}
			}
		}
	}
	return pools, nil
}

func trimSentinel(err error) string { return emulator.Detail(err) }

// Demo pool, clients and users of [DemoSeed].
const (
	DemoPoolID               = "us-east-1_cognitokit"
	DemoPublicClientID       = "cognitokitpublic"
	DemoConfidentialClientID = "cognitokitconfidential"
)

// DemoSeed returns the seed "cognito local" uses without --seed: pool
// us-east-1_cognitokit with a public and a confidential client, an admin
// user "alice" (group admin) and a user "bob" without groups, both with
// email aliases. The confidential client's secret is random.
func (s *Server) DemoSeed() *Seed {
	return &Seed{Pools: []SeedPool{{
		ID:              DemoPoolID,
		Name:            "cognitokit demo",
		ResourceServers: []SeedResourceServer{{Identifier: "demo-api", Scopes: []string{"read", "write"}}},
		Clients: []SeedClient{
			{ID: DemoPublicClientID, Name: "demo public client",
				CallbackURLs: []string{"http://localhost:8080/callback", "http://127.0.0.1:8080/callback"}, LogoutURLs: []string{"http://localhost:8080/", "http://127.0.0.1:8080/"},
				OAuthFlows: []string{"code"}, OAuthScopes: []string{"openid", "email", "profile", "aws.cognito.signin.user.admin"}},
			{ID: DemoConfidentialClientID, Name: "demo confidential client", Secret: s.emu.RandString(51, emulator.AlnumLower),
				CallbackURLs: []string{"http://localhost:8080/callback", "http://127.0.0.1:8080/callback"}, LogoutURLs: []string{"http://localhost:8080/", "http://127.0.0.1:8080/"},
				OAuthFlows: []string{"code", "client_credentials"}, OAuthScopes: []string{"openid", "email", "profile", "demo-api/read", "demo-api/write"}},
		},
		Users: []SeedUser{
			{Username: "alice", Password: "Alice-Passw0rd!", Email: "alice@example.com", Groups: []string{"admin"}, AliasEmail: true},
			{Username: "bob", Password: "Bob-Passw0rd!", Email: "bob@example.com", AliasEmail: true},
		},
	}}}
}
