package verifier

import (
	"net/url"
	"regexp"
	"strconv"
	"strings"
)

// TokenUseIdentity is the TokenUse of the Claims of a Cognito identity
// pool's OpenID token (see [IdentityPool]). Such tokens carry no token_use
// claim; the value only tells them apart from user pool tokens, so that
// RequireTokenUse(TokenUseAccess) refuses them. It is not valid in
// Pool.TokenUse.
const TokenUseIdentity TokenUse = "identity"

// DefaultIdentityIssuer is the issuer of Cognito identity pools' OpenID
// tokens, and DefaultIdentityJWKSURL the key set that signs them.
const (
	DefaultIdentityIssuer  = "https://cognito-identity.amazonaws.com"
	DefaultIdentityJWKSURL = "https://cognito-identity.amazonaws.com/.well-known/jwks_uri"
)

// IdentityPool describes a Cognito identity pool whose OpenID tokens a
// [Verifier] accepts: the tokens of GetOpenIdToken and
// GetOpenIdTokenForDeveloperIdentity, which a client hands to a service
// (or to STS AssumeRoleWithWebIdentity) to prove an identity ID. They are
// RS512 JWTs with iss https://cognito-identity.amazonaws.com, aud the
// identity pool ID, sub the identity ID and amr the authentication
// methods ("authenticated" or "unauthenticated", then the login
// providers).
//
// Verify checks them as it checks user pool tokens (size, JWS syntax,
// header, signature under the key named by kid, exp required, nbf, iat),
// then that aud is the pool's ID, that there is exactly one audience, a
// sub, and no token_use (a user pool token is not an identity token). The
// Claims have TokenUse [TokenUseIdentity], Subject the identity ID and
// ClientID the identity pool ID (the token's aud); UserPoolID is empty.
// Read amr with Claims.Get("amr"). Identity-pool tokens carry no groups or
// scopes, so only a Policy.Check can refuse them.
//
// Tokens of every identity pool share the issuer; they are routed to
// their pool by aud.
type IdentityPool struct {
	// IdentityPoolID is the identity pool's ID, such as
	// "us-east-1:1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d": the tokens' aud.
	// Required. With Issuer set (emulators), any ID of the form
	// "prefix:suffix" is accepted.
	IdentityPoolID string

	// Issuer overrides the expected iss. Optional. Default
	// [DefaultIdentityIssuer], which the emulator (cognitotest, cognito
	// local) also uses.
	Issuer string

	// JWKSURL overrides where the keys are fetched. Optional. Default
	// [DefaultIdentityJWKSURL]. It must be https, except for loopback hosts
	// and pools with an Issuer override.
	JWKSURL string

	// JWKS is a static JSON Web Key Set, such as the emulator's
	// (cognitotest's Server.IdentityJWKS). Optional; mutually exclusive
	// with JWKSURL and JWKSFile.
	JWKS []byte

	// JWKSFile is the path of a static JWKS file, read once by [New].
	// Optional; mutually exclusive with JWKSURL and JWKS.
	JWKSFile string

	// Policy is evaluated for every token of this identity pool. Only its
	// Check can apply: identity tokens have no groups and no scopes.
	// Optional.
	Policy Policy
}

var (
	awsIdentityPoolID = regexp.MustCompile(`^[a-z]{2}(-gov)?-[a-z]+-\d:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
	anyIdentityPoolID = regexp.MustCompile(`^[A-Za-z0-9-]+:[A-Za-z0-9-]+$`)
)

// spec validates an IdentityPool as a poolSpec of the identity kind.
func (ip *IdentityPool) spec(i int) (*poolSpec, error) {
	where := "IdentityPools[" + strconv.Itoa(i) + "]"
	switch {
	case ip.IdentityPoolID == "":
		return nil, configErrorf("%s.IdentityPoolID is empty; set it to the identity pool ID, like us-east-1:1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d", where)
	case !awsIdentityPoolID.MatchString(ip.IdentityPoolID) && (ip.Issuer == "" || !anyIdentityPoolID.MatchString(ip.IdentityPoolID)):
		return nil, configErrorf("%s.IdentityPoolID %q is not an identity pool ID like us-east-1:1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d (emulator IDs need IdentityPool.Issuer)", where, ip.IdentityPoolID)
	}
	if len(ip.Policy.AnyGroups)+len(ip.Policy.AllGroups)+len(ip.Policy.AnyScopes)+len(ip.Policy.AllScopes) > 0 {
		return nil, configErrorf("%s.Policy requires groups or scopes, which identity-pool tokens never carry; use Policy.Check", where)
	}
	if ip.Issuer == "" && ip.JWKSURL != "" {
		if u, err := url.Parse(ip.JWKSURL); err == nil && u.Scheme == "http" && !isLoopback(u.Hostname()) {
			return nil, configErrorf("%s.JWKSURL %q uses plain http: anyone on the path could substitute keys; use https (http is accepted for loopback hosts and with an emulator IdentityPool.Issuer)", where, ip.JWKSURL)
		}
	}
	// Reuse the user pool validation for the issuer, key source and
	// policy: an identity pool is a pool with one "client", its own ID.
	issuer := ip.Issuer
	if issuer == "" {
		issuer = DefaultIdentityIssuer
	}
	p := Pool{UserPoolID: "identity_pool", ClientIDs: []string{ip.IdentityPoolID}, TokenUse: TokenUseAny, Issuer: issuer,
		JWKSURL: ip.JWKSURL, JWKS: ip.JWKS, JWKSFile: ip.JWKSFile, Policy: ip.Policy}
	if p.JWKSURL == "" && p.JWKS == nil && p.JWKSFile == "" {
		p.JWKSURL = DefaultIdentityJWKSURL
	}
	sp, err := p.spec(i)
	if err != nil {
		// Name the right field in the message.
		if r, ok := err.(*rejection); ok {
			r.msg = strings.ReplaceAll(r.msg, "Pools["+strconv.Itoa(i)+"]", where)
		}
		return nil, err
	}
	sp.id = ip.IdentityPoolID
	sp.identity = true
	return sp, nil
}

// checkIdentityClaims checks the claims of a signature-verified identity
// pool token and fills TokenUse and ClientID.
func checkIdentityClaims(sp *poolSpec, c *Claims, pc *parsedClaims) error {
	switch {
	case pc.has&hasExp == 0:
		return reject(ErrMalformed, "the token has no exp claim; tokens that never expire are not accepted")
	case pc.has&hasTokenUse != 0:
		return reject(ErrWrongTokenUse, "got a user pool token where an identity-pool OpenID token is expected")
	case pc.has&hasAud == 0 || pc.nAud == 0:
		return reject(ErrMalformed, "the identity token has no aud claim")
	case pc.nAud > 1:
		return reject(ErrMalformed, "the identity token has several audiences; Cognito identity tokens carry exactly one")
	case !contains(sp.clientIDs, pc.aud):
		return reject(ErrWrongClient, "the identity token's aud is not the identity pool's ID; it was issued for another identity pool")
	case c.Subject == "":
		return reject(ErrMalformed, "the identity token has no sub (identity ID)")
	}
	c.TokenUse = TokenUseIdentity
	c.ClientID = pc.aud
	c.UserPoolID = "" // not a user pool
	return nil
}
