package managedlogin

import (
	"encoding/json"
	"io"
	"net/http"

	"github.com/cognitokit/cognitokit/cognitotest/internal/emulator"
	"github.com/cognitokit/cognitokit/cognitotest/internal/state"
	"github.com/cognitokit/cognitokit/cognitotest/internal/userpool"
)

// jwks serves a pool's JSON Web Key Set, or the injected JWKS fault.
func (o *Server) jwks(w http.ResponseWriter, r *http.Request) {
	o.up.WaitKey(r.PathValue("pool")) // a new pool's first key may be on its way
	var doc []byte
	o.view(func(tx *state.Tx) {
		if p := tx.Pool(r.PathValue("pool")); p != nil {
			doc = userpool.JWKS(tx.SigningKeys(p.ID))
		}
	})
	if doc == nil {
		http.Error(w, `{"message":"User pool does not exist."}`, http.StatusNotFound)
		return
	}
	switch o.up.Faults.JWKSMode() {
	case emulator.JWKSFail:
		http.Error(w, `{"message":"Internal server error"}`, http.StatusInternalServerError)
		return
	case emulator.JWKSHang:
		select {
		case <-r.Context().Done():
		case <-o.up.Closing():
		}
		return
	case emulator.JWKSGarbage:
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"keys":[{"kty":"RSA","kid":`)
		return
	case emulator.JWKSEmpty:
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"keys":[]}`)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "max-age=3600")
	w.Write(doc)
}

// discovery serves a pool's OpenID Connect discovery document. The OAuth
// endpoints are the emulator's own.
func (o *Server) discovery(w http.ResponseWriter, r *http.Request) {
	var p *state.Pool
	o.view(func(tx *state.Tx) { p = tx.Pool(r.PathValue("pool")) })
	if p == nil {
		http.Error(w, `{"message":"User pool does not exist."}`, http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(Discovery(o.up, p.ID))
}

// Discovery returns the OpenID Connect discovery document of a pool.
func Discovery(up *userpool.Service, poolID string) []byte {
	base, iss := up.URL(), up.Issuer(poolID)
	b, _ := json.Marshal(map[string]any{
		"authorization_endpoint":                base + "/oauth2/authorize",
		"end_session_endpoint":                  base + "/logout",
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"issuer":                                iss,
		"jwks_uri":                              iss + "/.well-known/jwks.json",
		"response_types_supported":              []string{"code", "token"},
		"revocation_endpoint":                   base + "/oauth2/revoke",
		"scopes_supported":                      []string{"openid", "email", "phone", "profile"},
		"subject_types_supported":               []string{"public"},
		"token_endpoint":                        base + "/oauth2/token",
		"token_endpoint_auth_methods_supported": []string{"client_secret_basic", "client_secret_post"},
		"userinfo_endpoint":                     base + "/oauth2/userInfo",
	})
	return b
}
