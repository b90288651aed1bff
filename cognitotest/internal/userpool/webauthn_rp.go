package userpool

import (
	"net"
	"net/url"
	"strings"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/cognitokit/cognitokit/cognitotest/internal/state"
	"github.com/cognitokit/cognitokit/cognitotest/internal/wire"
)

// RelyingParty is a pool's WebAuthn relying party: its ID and whether it
// requires user verification.
type RelyingParty struct {
	ID string
	// UserVerification is "required" or "preferred".
	UserVerification string
	// public is the origin of the emulator's own URL, where it serves
	// managed login.
	public string
}

// RelyingParty returns the relying party of pool p: the WebAuthnConfiguration of
// SetUserPoolMfaConfig, or Cognito's default: the pool's domain, which
// for the emulator (serving managed login on its own URL) is the host of
// its public URL, localhost for a loopback address. A pool with neither
// answers
// WebAuthnConfigurationMissingException, as in Cognito.
func (svc *Service) RelyingParty(tx *state.Tx, p *state.Pool) (*RelyingParty, *wire.Error) {
	id, uv := webAuthnConfigured(p)
	public := originOfURL(svc.URL())
	if id == "" {
		if len(tx.Domains(p.ID)) == 0 {
			return nil, wire.Errorf("WebAuthnConfigurationMissingException", "The user pool has no WebAuthn relying party ID (SetUserPoolMfaConfig's WebAuthnConfiguration) and no domain to default to.")
		}
		if u, err := url.Parse(svc.URL()); err == nil {
			id = strings.ToLower(u.Hostname())
		}
		// A relying party ID is a domain: for a server on a loopback
		// address, localhost (the same machine; a secure context in
		// browsers).
		if ip := net.ParseIP(id); ip != nil {
			if !ip.IsLoopback() {
				return nil, wire.Errorf("WebAuthnConfigurationMissingException", "The emulator's URL has the IP address %s, which cannot be a WebAuthn relying party ID: set one with SetUserPoolMfaConfig's WebAuthnConfiguration, or serve the emulator under a host name (WithPublicURL, cognito local --public-url).", id)
			}
			id = "localhost"
		}
	}
	if uv == "" {
		uv = "preferred"
	}
	return &RelyingParty{ID: strings.ToLower(id), UserVerification: uv, public: public}, nil
}

// PasskeysEnabled answers WebAuthnNotEnabledException unless the pool allows
// passkeys as a first factor (WEB_AUTHN in AllowedFirstAuthFactors).
func PasskeysEnabled(p *state.Pool) *wire.Error {
	if !HasString(p.AllowedFirstAuthFactors, "WEB_AUTHN") {
		return wire.Errorf("WebAuthnNotEnabledException", "Passkeys are not enabled for the user pool: add WEB_AUTHN to its AllowedFirstAuthFactors (UpdateUserPool's Policies.SignInPolicy).")
	}
	return nil
}

// originOf returns scheme://host[:port] of a URL, or "".
func originOfURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return ""
	}
	return strings.ToLower(u.Scheme + "://" + u.Host)
}

// Allows reports whether a ceremony at origin (clientDataJSON's origin)
// may use the relying party: an https origin whose host is the relying
// party ID or a subdomain of it (the pool's domains, or an app's own site
// or its native app's associated domain), or such an http origin on
// localhost or a loopback address (browsers' secure contexts), or the
// emulator's own URL (its managed login) when its host is within the
// relying party ID.
func (rp *RelyingParty) Allows(origin string) bool {
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" || u.User != nil || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		return false
	}
	host := strings.ToLower(u.Hostname())
	within := host == rp.ID || (strings.HasSuffix(host, "."+rp.ID) && net.ParseIP(host) == nil)
	if !within {
		return false
	}
	switch u.Scheme {
	case "https":
		return true
	case "http":
		ip := net.ParseIP(host)
		return host == "localhost" || strings.HasSuffix(host, ".localhost") || (ip != nil && ip.IsLoopback()) ||
			strings.EqualFold(strings.TrimSuffix(origin, "/"), rp.public)
	}
	return false
}

// webAuthn returns the go-webauthn relying party for a ceremony at
// origin (already checked with Allows).
func (rp *RelyingParty) webAuthn(origin string) (*webauthn.WebAuthn, error) {
	var origins []string
	if origin != "" {
		origins = []string{origin}
	} else {
		origins = []string{"https://" + rp.ID}
	}
	return webauthn.New(&webauthn.Config{
		RPID: rp.ID, RPDisplayName: rp.ID, RPOrigins: origins,
		AttestationPreference: protocol.PreferNoAttestation,
		AuthenticatorSelection: protocol.AuthenticatorSelection{
			ResidentKey: protocol.ResidentKeyRequirementRequired, RequireResidentKey: protocol.ResidentKeyRequired(),
			UserVerification: protocol.UserVerificationRequirement(rp.UserVerification),
		},
	})
}
