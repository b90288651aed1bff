package idp

import (
	"context"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/cognitokit/cognitokit/cognitotest/internal/state"
	"github.com/cognitokit/cognitokit/cognitotest/internal/upstream"
	"github.com/cognitokit/cognitokit/cognitotest/internal/userpool"
	"github.com/cognitokit/cognitokit/cognitotest/internal/wire"
)

// Cognito's limits on identity providers.
const (
	MaxProviders      = 300 // per pool
	MaxIdentifiers    = 50  // IdpIdentifiers per provider
	MaxMappings       = 100 // AttributeMapping entries
	MaxDetailBytes    = 131072
	MaxLinksPerUser   = 5    // AdminLinkProviderForUser destinations
	MaxLinkValueBytes = 2048 // a linked provider user's ProviderAttributeValue
	maxScopesLen      = 1024
	defaultFacebookV  = "v17.0"
	attrsAddAttribute = "attributes_url_add_attributes"
)

var (
	ProviderNameRE = userpool.MustRunePattern(`^[^_\p{Z}][\p{L}\p{M}\p{S}\p{N}\p{P}][^_\p{Z}]*$`, 2, 32) // [^_\p{Z}]{0,30}
	identifierRE   = regexp.MustCompile(`^[\w\s+=.@-]{1,40}$`)
	scopeRE        = regexp.MustCompile(`^[\x21\x23-\x5B\x5D-\x7E]+$`)
	graphVersionRE = regexp.MustCompile(`^v\d{1,2}\.\d$`)
)

// spec describes the ProviderDetails of a provider type.
type spec struct {
	Required []string
	Optional []string
	// derived are the endpoints Cognito fills in (read-only in Cognito;
	// the emulator lets a caller override them, so that a test can stand
	// a local provider in for Google).
	derived  map[string]string
	username string // the claim mapped to username by default
}

var EndpointKeys = []string{"authorize_url", "token_url", "attributes_url", "jwks_uri", "oidc_issuer"}

var Specs = map[string]spec{
	userpool.ProviderOIDC: {
		Required: []string{"client_id", "authorize_scopes", "attributes_request_method", "oidc_issuer"},
		Optional: []string{"client_secret", "authorize_url", "token_url", "attributes_url", "jwks_uri", attrsAddAttribute},
		username: "sub",
	},
	userpool.ProviderGoogle: {
		Required: []string{"client_id", "client_secret", "authorize_scopes"},
		Optional: append([]string{attrsAddAttribute}, EndpointKeys...),
		derived: map[string]string{
			"authorize_url": "https://accounts.google.com/o/oauth2/v2/auth", "token_url": "https://www.googleapis.com/oauth2/v4/token",
			"attributes_url": "https://people.googleapis.com/v1/people/me?personFields=", attrsAddAttribute: "true",
			"oidc_issuer": "https://accounts.google.com",
		},
		username: "sub",
	},
	userpool.ProviderFacebook: {
		Required: []string{"client_id", "client_secret", "authorize_scopes"},
		Optional: append([]string{"api_version", attrsAddAttribute}, EndpointKeys...),
		derived: map[string]string{
			"authorize_url": "https://www.facebook.com/" + defaultFacebookV + "/dialog/oauth", "token_url": "https://graph.facebook.com/" + defaultFacebookV + "/oauth/access_token",
			"attributes_url": "https://graph.facebook.com/" + defaultFacebookV + "/me?fields=", attrsAddAttribute: "true",
		},
		username: "id",
	},
	userpool.ProviderAmazon: {
		Required: []string{"client_id", "client_secret", "authorize_scopes"},
		Optional: append([]string{attrsAddAttribute}, EndpointKeys...),
		derived: map[string]string{
			"authorize_url": "https://www.amazon.com/ap/oa", "token_url": "https://api.amazon.com/auth/o2/token",
			"attributes_url": "https://api.amazon.com/user/profile", attrsAddAttribute: "false",
		},
		username: "user_id",
	},
	userpool.ProviderApple: {
		Required: []string{"client_id", "team_id", "key_id", "private_key", "authorize_scopes"},
		Optional: append([]string{attrsAddAttribute}, EndpointKeys...),
		derived: map[string]string{
			"authorize_url": "https://appleid.apple.com/auth/authorize", "token_url": "https://appleid.apple.com/auth/token",
			"oidc_issuer": "https://appleid.apple.com", "jwks_uri": "https://appleid.apple.com/auth/keys", attrsAddAttribute: "false",
		},
		username: "sub",
	},
	userpool.ProviderSAML: {
		Optional: []string{"MetadataURL", "MetadataFile", "IDPSignout", "IDPInit", "EncryptedResponses", "RequestSigningAlgorithm"},
	},
}

// socialName is the name a social provider must have: its type.
func socialName(typ string) bool {
	return typ == userpool.ProviderGoogle || typ == userpool.ProviderFacebook || typ == userpool.ProviderAmazon || typ == userpool.ProviderApple
}

func CheckName(name, typ string) *wire.Error {
	switch {
	case name == "":
		return wire.InvalidParameter("Missing required parameter ProviderName")
	case !ProviderNameRE.MatchString(name):
		return wire.InvalidParameter("ProviderName %q: 1 to 32 characters, no spaces, no _ but in the second place", wire.Truncate(name, 64))
	case strings.EqualFold(name, "Cognito"):
		return wire.InvalidParameter("ProviderName %s is reserved", name)
	case socialName(typ) && name != typ:
		return wire.InvalidParameter("The provider name of a %s provider must be %s", typ, typ)
	case !socialName(typ) && socialName(name):
		return wire.InvalidParameter("ProviderName %s is reserved for the provider type %s", name, name)
	}
	return nil
}

// CheckDetails checks the ProviderDetails of a provider of type typ and
// returns them with the derived endpoints filled in: a social provider's
// own, or an OIDC provider's from its discovery document (fetched with
// up).
func CheckDetails(ctx context.Context, up *upstream.Client, typ string, in map[string]string) (map[string]string, *wire.Error) {
	sp, ok := Specs[typ]
	if !ok {
		return nil, wire.InvalidParameter("ProviderType %q: want OIDC, SAML, Google, Facebook, LoginWithAmazon or SignInWithApple", wire.Truncate(typ, 32))
	}
	if len(in) > 20 {
		return nil, wire.InvalidParameter("ProviderDetails: too many keys")
	}
	d := maps.Clone(in)
	if d == nil {
		d = map[string]string{}
	}
	for k, v := range d {
		if !slices.Contains(sp.Required, k) && !slices.Contains(sp.Optional, k) {
			return nil, wire.InvalidParameter("ProviderDetails: %q is not a detail of a %s provider (allowed: %s)", wire.Truncate(k, 64), typ, strings.Join(append(slices.Clone(sp.Required), sp.Optional...), ", "))
		}
		if len(v) > MaxDetailBytes {
			return nil, wire.InvalidParameter("ProviderDetails: %s is longer than %d characters", k, MaxDetailBytes)
		}
	}
	for _, k := range sp.Required {
		if strings.TrimSpace(d[k]) == "" {
			return nil, wire.InvalidParameter("ProviderDetails: %s is required for a %s provider", k, typ)
		}
	}
	if typ == userpool.ProviderSAML {
		return checkSAML(d)
	}
	scopes := strings.Fields(d["authorize_scopes"])
	if len(d["authorize_scopes"]) > maxScopesLen || len(scopes) == 0 {
		return nil, wire.InvalidParameter("ProviderDetails: authorize_scopes: 1 to %d characters of space-separated scopes", maxScopesLen)
	}
	for _, sc := range scopes {
		if !scopeRE.MatchString(sc) {
			return nil, wire.InvalidParameter("ProviderDetails: authorize_scopes: %q is not a valid scope", wire.Truncate(sc, 64))
		}
	}
	if typ == userpool.ProviderOIDC && !slices.Contains(scopes, "openid") {
		return nil, wire.InvalidParameter("ProviderDetails: the authorize_scopes of an OIDC provider must include openid")
	}
	if m, ok := d["attributes_request_method"]; ok && m != "GET" && m != "POST" {
		return nil, wire.InvalidParameter("ProviderDetails: attributes_request_method must be GET or POST")
	}
	if typ == userpool.ProviderApple {
		if _, err := userpool.ApplePrivateKey(d["private_key"]); err != nil {
			return nil, wire.InvalidParameter("ProviderDetails: private_key: %v", err)
		}
	}
	if typ == userpool.ProviderFacebook {
		v := d["api_version"]
		if v == "" {
			v = defaultFacebookV
			d["api_version"] = v
		}
		if !graphVersionRE.MatchString(v) {
			return nil, wire.InvalidParameter("ProviderDetails: api_version %q: want a Graph API version such as %s", wire.Truncate(v, 16), defaultFacebookV)
		}
	}
	// Endpoints given by the caller win; the rest are derived.
	overridden := false
	for _, k := range EndpointKeys {
		if d[k] != "" && (typ != userpool.ProviderOIDC || k != "oidc_issuer") {
			overridden = true
		}
	}
	for k, v := range sp.derived {
		if d[k] == "" {
			if typ == userpool.ProviderFacebook {
				v = strings.ReplaceAll(v, defaultFacebookV, d["api_version"])
			}
			if k == attrsAddAttribute && overridden {
				v = "false" // a stand-in provider's attributes URL takes no field list
			}
			d[k] = v
		}
	}
	if typ == userpool.ProviderOIDC {
		if d[attrsAddAttribute] == "" {
			d[attrsAddAttribute] = "false"
		}
		if d["authorize_url"] == "" || d["token_url"] == "" || d["jwks_uri"] == "" {
			disc, err := up.Discover(ctx, d["oidc_issuer"])
			if err != nil {
				return nil, wire.InvalidParameter("Unable to contact the well-known endpoint of oidc_issuer %s: %v", wire.Truncate(d["oidc_issuer"], 256), err)
			}
			fill := map[string]string{"authorize_url": disc.AuthorizationEndpoint, "token_url": disc.TokenEndpoint, "jwks_uri": disc.JWKSURI, "attributes_url": disc.UserinfoEndpoint}
			for k, v := range fill {
				if d[k] == "" && v != "" {
					d[k] = v
				}
			}
		}
	}
	for _, k := range EndpointKeys {
		if v := d[k]; v != "" {
			if err := upstream.CheckURL(v); err != nil {
				return nil, wire.InvalidParameter("ProviderDetails: %s: %v", k, err)
			}
		}
	}
	return d, nil
}

func checkSAML(d map[string]string) (map[string]string, *wire.Error) {
	url, file := d["MetadataURL"], d["MetadataFile"]
	switch {
	case url == "" && file == "":
		return nil, wire.InvalidParameter("ProviderDetails: a SAML provider needs MetadataURL or MetadataFile")
	case url != "" && file != "":
		return nil, wire.InvalidParameter("ProviderDetails: give MetadataURL or MetadataFile, not both")
	case url != "":
		if err := upstream.CheckURL(url); err != nil {
			return nil, wire.InvalidParameter("ProviderDetails: MetadataURL: %v", err)
		}
	case !strings.Contains(file, "EntityDescriptor"):
		return nil, wire.InvalidParameter("ProviderDetails: MetadataFile is not SAML metadata (no EntityDescriptor)")
	}
	for _, k := range []string{"IDPSignout", "IDPInit", "EncryptedResponses"} {
		if v, ok := d[k]; ok && v != "true" && v != "false" {
			return nil, wire.InvalidParameter("ProviderDetails: %s must be true or false", k)
		}
	}
	if v, ok := d["RequestSigningAlgorithm"]; ok && v != "rsa-sha256" {
		return nil, wire.InvalidParameter("ProviderDetails: RequestSigningAlgorithm must be rsa-sha256")
	}
	return d, nil
}

// CheckMapping checks an AttributeMapping for pool p and adds the default
// username mapping of the type.
func CheckMapping(p *state.Pool, typ string, in map[string]string) (map[string]string, *wire.Error) {
	if len(in) > MaxMappings {
		return nil, wire.InvalidParameter("AttributeMapping: at most %d attributes", MaxMappings)
	}
	m := maps.Clone(in)
	if m == nil {
		m = map[string]string{}
	}
	for k, v := range m {
		if v == "" || len(v) > MaxDetailBytes {
			return nil, wire.InvalidParameter("AttributeMapping: the provider attribute of %s must be 1 to %d characters", wire.Truncate(k, 64), MaxDetailBytes)
		}
		switch {
		case k == "username":
		case k == "sub" || k == userpool.IdentitiesAttribute:
			return nil, wire.InvalidParameter("AttributeMapping: %s cannot be mapped", k)
		case strings.HasPrefix(k, "custom:"):
			if (len(p.CustomAttributes) > 0 || p.StrictSchema) && p.CustomAttribute(k) == nil {
				return nil, wire.InvalidParameter("AttributeMapping: %s is not an attribute of the user pool", wire.Truncate(k, 64))
			}
		case !slices.Contains(userpool.StandardAttributes, k):
			return nil, wire.InvalidParameter("AttributeMapping: %s is not an attribute of the user pool", wire.Truncate(k, 64))
		}
	}
	if u := Specs[typ].username; u != "" && m["username"] == "" {
		m["username"] = u
	}
	return m, nil
}

// CheckIdentifiers checks IdpIdentifiers.
func CheckIdentifiers(ids []string) *wire.Error {
	if len(ids) > MaxIdentifiers {
		return wire.InvalidParameter("IdpIdentifiers: at most %d", MaxIdentifiers)
	}
	seen := map[string]bool{}
	for _, id := range ids {
		if !identifierRE.MatchString(id) {
			return wire.InvalidParameter("IdpIdentifiers: %q: 1 to 40 letters, digits, spaces and _+=.@-", wire.Truncate(id, 64))
		}
		if seen[strings.ToLower(id)] {
			return wire.InvalidParameter("IdpIdentifiers: %s is given twice", id)
		}
		seen[strings.ToLower(id)] = true
	}
	return nil
}
