package main

// Telling the kinds of token apart before calling Cognito: revoke and
// refresh take a refresh token, whoami an access token. Sending the wrong
// one gives Cognito's confusing answers ("Invalid Access Token" for an ID
// token, "refresh token revoked" for a string that is no token at all). The
// claims read here are NOT verified; they only pick the message.

import "strings"

// tokenKind is what a credential looks like.
type tokenKind int

const (
	kindNotToken tokenKind = iota // nothing a token could be
	kindAccess                    // a JWS with token_use "access"
	kindID                        // a JWS with token_use "id"
	kindJWS                       // another JWS (no Cognito token_use)
	kindRefresh                   // a five-part JWE: Cognito's refresh tokens
	kindOpaque                    // an opaque string: some emulators' refresh tokens
)

func (k tokenKind) String() string {
	switch k {
	case kindAccess:
		return "an access token"
	case kindID:
		return "an ID token"
	case kindJWS:
		return "a JWT that is neither a Cognito access nor ID token"
	case kindRefresh, kindOpaque:
		return "a refresh token"
	}
	return "not a token"
}

// kindOf tells what tok looks like, without verifying anything.
func kindOf(tok string) tokenKind {
	if tok == "" || !isTokenText(tok) {
		return kindNotToken
	}
	switch strings.Count(tok, ".") {
	case 2:
		if _, _, _, err := decodeSegments(tok); err != nil {
			return kindNotToken
		}
		switch unverifiedClaim(tok, "token_use") {
		case "access":
			return kindAccess
		case "id":
			return kindID
		}
		return kindJWS
	case 4:
		return kindRefresh
	case 0:
		if len(tok) >= 20 {
			return kindOpaque
		}
	}
	return kindNotToken
}

// isTokenText reports whether s holds only the characters of base64url,
// base64 and UUIDs, which every token form above is made of.
func isTokenText(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("-_.+/=~", c) >= 0) {
			return false
		}
	}
	return true
}

// needRefreshToken returns a usage error unless tok can be a refresh token.
func needRefreshToken(tok string) error {
	switch k := kindOf(tok); k {
	case kindRefresh, kindOpaque:
		return nil
	case kindNotToken:
		return usageErrorf("this is not a refresh token (Cognito's have five dot-separated parts): pass refresh_token from the JSON of \"cognito login\", or $%s", envRefreshToken)
	default:
		return usageErrorf("this is %v, not a refresh token: pass refresh_token from the JSON of \"cognito login\", or $%s", k, envRefreshToken)
	}
}

// needAccessToken returns a usage error unless tok can be an access token.
func needAccessToken(tok string) error {
	switch k := kindOf(tok); k {
	case kindAccess, kindJWS:
		return nil // a JWS without token_use: Cognito judges it
	case kindNotToken, kindOpaque:
		return usageErrorf("this is not an access token (a JWT, three dot-separated parts): pass access_token from the JSON of \"cognito login\", or $%s", envAccessToken)
	default:
		return usageErrorf("this is %v, not an access token: pass access_token from the JSON of \"cognito login\", or $%s", k, envAccessToken)
	}
}

// stripQuotes removes one pair of matching quotes around s, as left by
// copying a token from JSON or a shell assignment.
func stripQuotes(s string) (string, bool) {
	if len(s) >= 2 && (s[0] == '"' || s[0] == '\'') && s[len(s)-1] == s[0] {
		return s[1 : len(s)-1], true
	}
	return s, false
}

// emulatorEndpoint returns the base URL of the emulator that issued tok,
// from its (unverified) iss claim "{endpoint}/{pool ID}", and whether the
// issuer is not AWS's. It returns "", false for AWS issuers and tokens
// without an issuer.
func emulatorEndpoint(tok string) (string, bool) {
	iss := unverifiedClaim(tok, "iss")
	if iss == "" || regionOfIssuer(tok) != "" {
		return "", false
	}
	i := strings.LastIndexByte(iss, '/')
	if i <= 0 {
		return "", true
	}
	base := iss[:i]
	if checkBaseURL(base) != nil || strings.Count(base, "/") < 2 {
		return "", true
	}
	return base, true
}
