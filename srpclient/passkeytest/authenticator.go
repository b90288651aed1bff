package passkeytest

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/url"
	"slices"
	"strings"
	"sync"
)

// Limits on what comes from outside.
const (
	maxOptions     = 64 << 10 // bytes of options JSON
	maxChallenge   = 1024     // bytes of a decoded challenge
	maxUserHandle  = 64       // bytes of user.id (WebAuthn: at most 64)
	maxCredentials = 256      // credentials one authenticator keeps
	maxListed      = 256      // allowCredentials or excludeCredentials entries
)

// Flags of the authenticator data (WebAuthn §6.1).
const (
	flagUP = 0x01
	flagUV = 0x04
	flagAT = 0x40
)

// coseES256 is the COSE algorithm identifier of ES256.
const coseES256 = -7

// Config configures an [Authenticator].
type Config struct {
	// Origin is the web origin the authenticator's client (the browser)
	// reports in clientDataJSON, such as "https://app.example.com" or,
	// for Cognito's managed login, "https://myapp.auth.us-east-1.amazoncognito.com".
	// Required. It must be https, or http on localhost or a loopback
	// address, and have no path.
	Origin string

	// NoUserVerification clears the UV flag (the user was not verified
	// with a PIN or biometric). Optional, for negative tests. Default:
	// UV is set.
	NoUserVerification bool

	// NoUserPresence clears the UP flag. Optional, for negative tests.
	// Default: UP is set.
	NoUserPresence bool

	// Rand is the source of keys and credential IDs. Optional. Default
	// crypto/rand.Reader.
	Rand io.Reader
}

// Authenticator is a software WebAuthn authenticator for tests. It is safe
// for concurrent use. It implements srpclient.PasskeyAuthenticator.
type Authenticator struct {
	cfg  Config
	host string // Origin's host, without port

	mu    sync.Mutex // guards creds
	creds []*credential
}

type credential struct {
	id         []byte
	rpID       string
	userHandle []byte
	userName   string
	key        *ecdsa.PrivateKey
	signCount  uint32
}

// Credential describes a credential an [Authenticator] holds. It carries
// no private key.
type Credential struct {
	// ID is the credential ID.
	ID []byte
	// RPID is the relying party ID it is scoped to.
	RPID string
	// UserHandle is user.id of the creation options; UserName is
	// user.name.
	UserHandle []byte
	UserName   string
	// SignCount is the signature counter: the value in the last
	// authenticator data produced (0 after creation).
	SignCount uint32
}

// New validates cfg and returns an authenticator without credentials.
// Errors wrap [ErrInvalidConfig].
func New(cfg Config) (*Authenticator, error) {
	u, err := url.Parse(cfg.Origin)
	if err != nil || u.Host == "" || u.User != nil || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || strings.HasSuffix(cfg.Origin, "/") {
		return nil, fmt.Errorf("%w: Origin %q: want scheme://host[:port], such as https://app.example.com", ErrInvalidConfig, cfg.Origin)
	}
	host := strings.ToLower(u.Hostname())
	switch u.Scheme {
	case "https":
	case "http":
		if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
			return nil, fmt.Errorf("%w: Origin %q: browsers allow WebAuthn over plain http only on localhost", ErrInvalidConfig, cfg.Origin)
		}
	default:
		return nil, fmt.Errorf("%w: Origin %q: want https", ErrInvalidConfig, cfg.Origin)
	}
	if cfg.Rand == nil {
		cfg.Rand = rand.Reader
	}
	return &Authenticator{cfg: cfg, host: host}, nil
}

// Credentials returns the credentials the authenticator holds, oldest
// first.
func (a *Authenticator) Credentials() []Credential {
	a.mu.Lock()
	defer a.mu.Unlock()
	out := make([]Credential, len(a.creds))
	for i, c := range a.creds {
		out[i] = Credential{ID: slices.Clone(c.id), RPID: c.rpID, UserHandle: slices.Clone(c.userHandle), UserName: c.userName, SignCount: c.signCount}
	}
	return out
}

// SetSignCount sets the signature counter of credential id; the next
// assertion carries n+1. Tests use it to play a cloned authenticator whose
// counter went back. It reports whether the credential exists.
func (a *Authenticator) SetSignCount(id []byte, n uint32) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, c := range a.creds {
		if bytes.Equal(c.id, id) {
			c.signCount = n
			return true
		}
	}
	return false
}

// b64 is the base64url encoding WebAuthn's JSON uses. Decoding also accepts
// padding and the standard alphabet, as browsers' parsers of server JSON do
// not, but relying parties' libraries sometimes send.
var b64 = base64.RawURLEncoding

func decodeB64(s string) ([]byte, error) {
	s = strings.TrimRight(s, "=")
	if strings.ContainsAny(s, "+/") {
		return base64.RawStdEncoding.DecodeString(s)
	}
	return b64.DecodeString(s)
}

type descriptor struct {
	Type string `json:"type"`
	ID   string `json:"id"`
}

type creationOptions struct {
	RP struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	} `json:"rp"`
	User struct {
		ID          string `json:"id"`
		Name        string `json:"name"`
		DisplayName string `json:"displayName"`
	} `json:"user"`
	Challenge        string `json:"challenge"`
	PubKeyCredParams []struct {
		Type string `json:"type"`
		Alg  int    `json:"alg"`
	} `json:"pubKeyCredParams"`
	ExcludeCredentials []descriptor `json:"excludeCredentials"`
	Extensions         struct {
		CredProps bool `json:"credProps"`
	} `json:"extensions"`
}

type requestOptions struct {
	Challenge        string       `json:"challenge"`
	RPID             string       `json:"rpId"`
	AllowCredentials []descriptor `json:"allowCredentials"`
}

// unwrap parses options JSON, also in the {"publicKey": {...}} wrapper of
// navigator.credentials calls.
func unwrap(raw []byte, v any) error {
	if len(raw) > maxOptions {
		return fmt.Errorf("%w: longer than %d bytes", ErrInvalidOptions, maxOptions)
	}
	var w struct {
		PublicKey json.RawMessage `json:"publicKey"`
	}
	if err := json.Unmarshal(raw, &w); err != nil {
		return fmt.Errorf("%w: not a JSON object: %v", ErrInvalidOptions, err)
	}
	if len(w.PublicKey) > 0 && w.PublicKey[0] == '{' {
		raw = w.PublicKey
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return fmt.Errorf("%w: %v", ErrInvalidOptions, err)
	}
	return nil
}

// rpID returns the relying party ID to use: id, or the origin's host when
// empty. It must be the host or a parent domain of it.
func (a *Authenticator) rpID(id string) (string, error) {
	if id == "" {
		return a.host, nil
	}
	id = strings.ToLower(id)
	// A parent domain needs a dot ("com" is a public suffix; without the
	// public suffix list, refuse every single label), and IP hosts have
	// no parent domain.
	if id != a.host && (!strings.HasSuffix(a.host, "."+id) || !strings.Contains(id, ".") || net.ParseIP(a.host) != nil) {
		return "", fmt.Errorf("%w: relying party ID %q is not the origin's host %q or a parent domain of it", ErrInvalidOptions, id, a.host)
	}
	return id, nil
}

func challenge(s string) error {
	c, err := decodeB64(s)
	if err != nil || len(c) < 16 || len(c) > maxChallenge {
		return fmt.Errorf("%w: challenge: want 16 to %d bytes, base64url", ErrInvalidOptions, maxChallenge)
	}
	return nil
}

// clientData returns clientDataJSON (WebAuthn §5.8.1), with the challenge
// as the relying party sent it (base64url, without padding).
func (a *Authenticator) clientData(typ, chal string) ([]byte, error) {
	c, _ := decodeB64(chal)
	return json.Marshal(struct {
		Type        string `json:"type"`
		Challenge   string `json:"challenge"`
		Origin      string `json:"origin"`
		CrossOrigin bool   `json:"crossOrigin"`
	}{typ, b64.EncodeToString(c), a.cfg.Origin, false})
}

func (a *Authenticator) flags() byte {
	var f byte
	if !a.cfg.NoUserPresence {
		f |= flagUP
	}
	if !a.cfg.NoUserVerification {
		f |= flagUV
	}
	return f
}

// CreateCredential answers navigator.credentials.create with
// PublicKeyCredentialCreationOptions JSON: it creates an ES256 passkey for
// the relying party and returns the registration response JSON with
// "none" attestation. Errors wrap [ErrInvalidOptions] or [ErrExcluded].
func (a *Authenticator) CreateCredential(ctx context.Context, optionsJSON []byte) ([]byte, error) {
	if ctx == nil {
		return nil, fmt.Errorf("%w: nil context", ErrInvalidOptions)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var o creationOptions
	if err := unwrap(optionsJSON, &o); err != nil {
		return nil, err
	}
	if err := challenge(o.Challenge); err != nil {
		return nil, err
	}
	rpID, err := a.rpID(o.RP.ID)
	if err != nil {
		return nil, err
	}
	handle, err := decodeB64(o.User.ID)
	if err != nil || len(handle) == 0 || len(handle) > maxUserHandle {
		return nil, fmt.Errorf("%w: user.id: want 1 to %d bytes, base64url", ErrInvalidOptions, maxUserHandle)
	}
	es256 := false
	for _, p := range o.PubKeyCredParams {
		es256 = es256 || (p.Type == "public-key" && p.Alg == coseES256)
	}
	if !es256 && len(o.PubKeyCredParams) > 0 {
		return nil, fmt.Errorf("%w: pubKeyCredParams does not allow ES256 (-7)", ErrInvalidOptions)
	}
	if len(o.ExcludeCredentials) > maxListed {
		return nil, fmt.Errorf("%w: more than %d excludeCredentials", ErrInvalidOptions, maxListed)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), a.cfg.Rand)
	if err != nil {
		return nil, fmt.Errorf("passkeytest: generate key: %w", err)
	}
	id := make([]byte, 32)
	if _, err := io.ReadFull(a.cfg.Rand, id); err != nil {
		return nil, fmt.Errorf("passkeytest: random credential ID: %w", err)
	}
	cd, err := a.clientData("webauthn.create", o.Challenge)
	if err != nil {
		return nil, err
	}
	a.mu.Lock()
	for _, ex := range o.ExcludeCredentials {
		exID, err := decodeB64(ex.ID)
		if err != nil {
			continue
		}
		for _, c := range a.creds {
			if c.rpID == rpID && bytes.Equal(c.id, exID) {
				a.mu.Unlock()
				return nil, ErrExcluded
			}
		}
	}
	if len(a.creds) >= maxCredentials {
		a.mu.Unlock()
		return nil, fmt.Errorf("%w: the authenticator is full (%d credentials)", ErrInvalidOptions, maxCredentials)
	}
	// A new passkey replaces the one of the same user and relying party,
	// as platform authenticators do.
	a.creds = slices.DeleteFunc(a.creds, func(c *credential) bool { return c.rpID == rpID && bytes.Equal(c.userHandle, handle) })
	a.creds = append(a.creds, &credential{id: id, rpID: rpID, userHandle: handle, userName: o.User.Name, key: key})
	a.mu.Unlock()

	authData := authenticatorData(rpID, a.flags()|flagAT, 0)
	authData = append(authData, make([]byte, 16)...) // AAGUID: zero for "none" attestation
	authData = binary.BigEndian.AppendUint16(authData, uint16(len(id)))
	authData = append(authData, id...)
	authData = append(authData, coseKey(&key.PublicKey)...)
	att := attestationObject(authData)
	spki, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		return nil, err
	}
	// Client extension outputs only for extensions requested, as relying
	// parties refuse others.
	ext := map[string]any{}
	if o.Extensions.CredProps {
		ext["credProps"] = map[string]bool{"rk": true}
	}
	return json.Marshal(map[string]any{
		"id": b64.EncodeToString(id), "rawId": b64.EncodeToString(id), "type": "public-key",
		"authenticatorAttachment": "platform",
		"response": map[string]any{
			"clientDataJSON":     b64.EncodeToString(cd),
			"attestationObject":  b64.EncodeToString(att),
			"authenticatorData":  b64.EncodeToString(authData),
			"publicKey":          b64.EncodeToString(spki),
			"publicKeyAlgorithm": coseES256,
			"transports":         []string{"internal", "hybrid"},
		},
		"clientExtensionResults": ext,
	})
}

// GetAssertion answers navigator.credentials.get with
// PublicKeyCredentialRequestOptions JSON: it signs the challenge with a
// credential of the relying party and returns the authentication response
// JSON. With allowCredentials it uses the first listed credential it
// holds; without, the newest discoverable credential of the relying party.
// Errors wrap [ErrInvalidOptions] or [ErrNoCredential].
func (a *Authenticator) GetAssertion(ctx context.Context, optionsJSON []byte) ([]byte, error) {
	if ctx == nil {
		return nil, fmt.Errorf("%w: nil context", ErrInvalidOptions)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var o requestOptions
	if err := unwrap(optionsJSON, &o); err != nil {
		return nil, err
	}
	if err := challenge(o.Challenge); err != nil {
		return nil, err
	}
	rpID, err := a.rpID(o.RPID)
	if err != nil {
		return nil, err
	}
	if len(o.AllowCredentials) > maxListed {
		return nil, fmt.Errorf("%w: more than %d allowCredentials", ErrInvalidOptions, maxListed)
	}
	var allowed [][]byte
	for _, d := range o.AllowCredentials {
		if id, err := decodeB64(d.ID); err == nil && (d.Type == "" || d.Type == "public-key") {
			allowed = append(allowed, id)
		}
	}
	if len(o.AllowCredentials) > 0 && len(allowed) == 0 {
		return nil, fmt.Errorf("%w: allowCredentials has no usable entry", ErrInvalidOptions)
	}
	a.mu.Lock()
	var c *credential
	for i := len(a.creds) - 1; i >= 0 && c == nil; i-- {
		cand := a.creds[i]
		if cand.rpID != rpID {
			continue
		}
		if len(allowed) == 0 || slices.ContainsFunc(allowed, func(id []byte) bool { return bytes.Equal(id, cand.id) }) {
			c = cand
		}
	}
	if c == nil {
		a.mu.Unlock()
		return nil, ErrNoCredential
	}
	c.signCount++
	count, key, id, handle := c.signCount, c.key, c.id, c.userHandle
	a.mu.Unlock()

	cd, err := a.clientData("webauthn.get", o.Challenge)
	if err != nil {
		return nil, err
	}
	authData := authenticatorData(rpID, a.flags(), count)
	cdHash := sha256.Sum256(cd)
	digest := sha256.Sum256(append(slices.Clone(authData), cdHash[:]...))
	sig, err := ecdsa.SignASN1(a.cfg.Rand, key, digest[:])
	if err != nil {
		return nil, fmt.Errorf("passkeytest: sign: %w", err)
	}
	return json.Marshal(map[string]any{
		"id": b64.EncodeToString(id), "rawId": b64.EncodeToString(id), "type": "public-key",
		"authenticatorAttachment": "platform",
		"response": map[string]any{
			"clientDataJSON":    b64.EncodeToString(cd),
			"authenticatorData": b64.EncodeToString(authData),
			"signature":         b64.EncodeToString(sig),
			"userHandle":        b64.EncodeToString(handle),
		},
		"clientExtensionResults": map[string]any{},
	})
}

// authenticatorData returns rpIdHash || flags || signCount (WebAuthn §6.1).
func authenticatorData(rpID string, flags byte, count uint32) []byte {
	h := sha256.Sum256([]byte(rpID))
	out := make([]byte, 0, 37+16+2+32+77)
	out = append(out, h[:]...)
	out = append(out, flags)
	return binary.BigEndian.AppendUint32(out, count)
}

// coseKey encodes an EC2 P-256 public key as a COSE_Key (RFC 9053), in
// CTAP2 canonical CBOR: {1: 2, 3: -7, -1: 1, -2: x, -3: y}.
func coseKey(pub *ecdsa.PublicKey) []byte {
	raw, _ := pub.Bytes() // 0x04 || x || y; never fails for a P-256 key
	out := []byte{0xa5, 0x01, 0x02, 0x03, 0x26, 0x20, 0x01, 0x21, 0x58, 0x20}
	out = append(out, raw[1:33]...)
	out = append(out, 0x22, 0x58, 0x20)
	return append(out, raw[33:65]...)
}

// attestationObject encodes {"fmt": "none", "attStmt": {}, "authData":
// authData} in canonical CBOR (keys by length, then bytes).
func attestationObject(authData []byte) []byte {
	out := []byte{0xa3}
	out = cborText(out, "fmt")
	out = cborText(out, "none")
	out = cborText(out, "attStmt")
	out = append(out, 0xa0)
	out = cborText(out, "authData")
	return cborBytes(out, authData)
}

func cborHead(out []byte, major byte, n int) []byte {
	switch {
	case n < 24:
		return append(out, major<<5|byte(n))
	case n < 1<<8:
		return append(out, major<<5|24, byte(n))
	default:
		return binary.BigEndian.AppendUint16(append(out, major<<5|25), uint16(n))
	}
}

func cborText(out []byte, s string) []byte { return append(cborHead(out, 3, len(s)), s...) }

func cborBytes(out, b []byte) []byte { return append(cborHead(out, 2, len(b)), b...) }
