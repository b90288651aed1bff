package verifier

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Claims are the verified claims of a Cognito ID or access token.
//
// # Read-only
//
// The *Claims that [Verifier.Verify] returns is shared: the verified-token
// cache hands the same pointer to every caller that presents the same
// token, concurrently, so that a repeated token costs no allocation. Read
// it from any goroutine, keep it for as long as you like (it never
// changes), but never write to it: not a field, not an element of Groups
// or Scopes, not through append. The same holds for the claims a
// [Policy] Check and the transports' handlers receive. To change claims,
// for a test or to enrich them, take a private copy with [Claims.Clone].
//
// Writing to shared claims would change what other requests see. Race
// builds catch it: under go test -race, the cache keeps a pristine copy
// of every entry and panics on the next hit of a token whose claims were
// modified, naming the rule, so a handler that breaks it fails its tests.
//
// Custom verifiers and tests build Claims with [ParseUnverifiedClaims]
// from a payload, or as a struct literal; both work with every reader
// (Get, String, Decode, Raw, MarshalJSON, and the transports' ClaimsAs).
type Claims struct {
	// Subject is sub: the user's stable ID (for M2M tokens, the client ID).
	Subject string
	// Username is username (access tokens) or cognito:username (ID
	// tokens). Empty for machine-to-machine tokens.
	Username string
	// ClientID is the app client ID: aud of ID tokens, client_id of
	// access tokens.
	ClientID string
	// Issuer is iss.
	Issuer string
	// UserPoolID is the ID of the configured pool the token was routed to.
	UserPoolID string
	// TokenUse is TokenUseID or TokenUseAccess.
	TokenUse TokenUse
	// Email and EmailVerified come from ID tokens.
	Email         string
	EmailVerified bool
	// PhoneNumber and PhoneNumberVerified come from ID tokens.
	PhoneNumber         string
	PhoneNumberVerified bool
	// Groups is cognito:groups; nil when the claim is absent.
	Groups []string
	// Scopes is scope split on U+0020 spaces only, as RFC 6749 §3.3 says
	// (access tokens); nil when absent. Other whitespace, such as a tab or
	// a no-break space, is part of a scope.
	Scopes []string
	// JTI, OriginJTI, EventID and DeviceKey are jti, origin_jti, event_id
	// and device_key.
	JTI       string
	OriginJTI string
	EventID   string
	DeviceKey string
	// IssuedAt, AuthTime, ExpiresAt and NotBefore are iat, auth_time, exp
	// and nbf; zero when absent (exp is always present in verified claims).
	IssuedAt  time.Time
	AuthTime  time.Time
	ExpiresAt time.Time
	NotBefore time.Time
	// KeyID is the kid of the key that verified the signature.
	KeyID string

	raw string // the verified payload JSON
}

// Clone returns a deep copy of c (nil for nil c): a Claims of the caller's
// own, whose fields and slices may be modified. The raw payload, which is
// immutable, is shared.
func (c *Claims) Clone() *Claims {
	if c == nil {
		return nil
	}
	cp := *c
	cp.Groups = slices.Clone(c.Groups)
	cp.Scopes = slices.Clone(c.Scopes)
	return &cp
}

// HasGroup reports whether the token is in group g.
func (c *Claims) HasGroup(g string) bool { return c != nil && slices.Contains(c.Groups, g) }

// HasScope reports whether the token carries scope s.
func (c *Claims) HasScope(s string) bool { return c != nil && slices.Contains(c.Scopes, s) }

// HasAnyGroup reports whether the token is in at least one of groups.
func (c *Claims) HasAnyGroup(groups ...string) bool { return c != nil && containsAny(c.Groups, groups) }

// HasAllGroups reports whether the token is in every one of groups.
func (c *Claims) HasAllGroups(groups ...string) bool {
	return c != nil && containsAll(c.Groups, groups)
}

// HasAnyScope reports whether the token carries at least one of scopes.
func (c *Claims) HasAnyScope(scopes ...string) bool { return c != nil && containsAny(c.Scopes, scopes) }

// HasAllScopes reports whether the token carries every one of scopes.
func (c *Claims) HasAllScopes(scopes ...string) bool {
	return c != nil && containsAll(c.Scopes, scopes)
}

// containsAny reports whether have holds at least one element of want.
func containsAny(have, want []string) bool {
	for _, w := range want {
		if slices.Contains(have, w) {
			return true
		}
	}
	return false
}

// containsAll reports whether have holds every element of want.
func containsAll(have, want []string) bool {
	for _, w := range want {
		if !slices.Contains(have, w) {
			return false
		}
	}
	return true
}

// IsMachine reports whether c is a machine-to-machine (client credentials)
// access token: an access token without a username.
func (c *Claims) IsMachine() bool {
	return c != nil && c.TokenUse == TokenUseAccess && c.Username == ""
}

// Get returns the raw JSON value of the payload member name ("custom:tenant",
// "identities", any member), and whether it is present. Names match
// exactly (case-sensitively). It reads the already-verified payload; the
// token is not parsed again. For Claims built as a struct literal it reads
// the payload [Claims.MarshalJSON] builds from the fields.
func (c *Claims) Get(name string) (json.RawMessage, bool) {
	if c == nil {
		return nil, false
	}
	raw := c.payload()
	sc := scanner{s: raw}
	if !sc.eat('{') || sc.eat('}') {
		return nil, false
	}
	for {
		sc.ws()
		k, ok := sc.str()
		if !ok || !sc.eat(':') {
			return nil, false
		}
		sc.ws()
		start := sc.i
		if !sc.skip(0) {
			return nil, false
		}
		if k == name {
			return json.RawMessage(raw[start:sc.i]), true
		}
		if !sc.eat(',') {
			return nil, false
		}
	}
}

// String returns the payload member name if it is a JSON string, such as a
// custom attribute: c.String("custom:tenant").
func (c *Claims) String(name string) (string, bool) {
	raw, ok := c.Get(name)
	if !ok {
		return "", false
	}
	sc := scanner{s: string(raw)}
	return sc.str()
}

// Decode unmarshals the whole verified payload into v with encoding/json,
// for callers that want their own claims type.
//
// encoding/json matches member names to struct fields ignoring case.
// [Verifier.Verify] therefore rejects a payload in which any object has two
// member names that are equal ignoring case ("custom:role" and
// "custom:Role"), or a member named like a claim the verifier reads in
// another case ("SUB"), so Decode never reads a value other than the one
// Get, String and the Claims fields read. Tag fields with the exact claim
// names: like any use of encoding/json, a field tagged custom:role also
// receives a lone "custom:Role" member, which Get("custom:role") does not
// find.
//
// For Claims built as a struct literal, Decode reads the payload
// [Claims.MarshalJSON] builds from the fields.
func (c *Claims) Decode(v any) error {
	if c == nil {
		return errors.New("verifier: Claims.Decode on nil claims")
	}
	return json.Unmarshal([]byte(c.payload()), v)
}

// Raw returns the verified payload JSON ("{}" for nil claims); see
// [Claims.MarshalJSON].
func (c *Claims) Raw() json.RawMessage {
	if c == nil {
		return json.RawMessage("{}")
	}
	return json.RawMessage(c.payload())
}

// MarshalJSON returns the payload: unchanged for Claims returned by
// [Verifier.Verify] or [ParseUnverifiedClaims], and, for Claims built as a
// struct literal (in tests, or by a custom verifier), the fields under
// their claim names ("sub", "cognito:groups", "scope" joined with spaces,
// "exp" in seconds, ...; "aud" or "client_id" and "username" or
// "cognito:username" by TokenUse), which [ParseUnverifiedClaims] reads
// back. UserPoolID and KeyID are not claims and are left out.
func (c Claims) MarshalJSON() ([]byte, error) {
	if c.raw != "" {
		return []byte(c.raw), nil
	}
	return c.fieldsJSON(), nil
}

// payload returns the JSON that Get, String, Decode, Raw and MarshalJSON
// read.
func (c *Claims) payload() string {
	if c.raw != "" {
		return c.raw
	}
	return string(c.fieldsJSON())
}

// fieldsJSON builds a payload from the fields, for Claims without one.
func (c *Claims) fieldsJSON() []byte {
	var p struct {
		Sub                 string      `json:"sub,omitempty"`
		Iss                 string      `json:"iss,omitempty"`
		TokenUse            string      `json:"token_use,omitempty"`
		Aud                 string      `json:"aud,omitempty"`
		ClientID            string      `json:"client_id,omitempty"`
		Username            string      `json:"username,omitempty"`
		CognitoUsername     string      `json:"cognito:username,omitempty"`
		Groups              *[]string   `json:"cognito:groups,omitempty"`
		Scope               *string     `json:"scope,omitempty"`
		Email               string      `json:"email,omitempty"`
		EmailVerified       *bool       `json:"email_verified,omitempty"`
		PhoneNumber         string      `json:"phone_number,omitempty"`
		PhoneNumberVerified *bool       `json:"phone_number_verified,omitempty"`
		JTI                 string      `json:"jti,omitempty"`
		OriginJTI           string      `json:"origin_jti,omitempty"`
		EventID             string      `json:"event_id,omitempty"`
		DeviceKey           string      `json:"device_key,omitempty"`
		AuthTime            json.Number `json:"auth_time,omitempty"`
		IssuedAt            json.Number `json:"iat,omitempty"`
		NotBefore           json.Number `json:"nbf,omitempty"`
		ExpiresAt           json.Number `json:"exp,omitempty"`
	}
	p.Sub, p.Iss, p.TokenUse = c.Subject, c.Issuer, string(c.TokenUse)
	if c.TokenUse == TokenUseID {
		p.Aud, p.CognitoUsername = c.ClientID, c.Username
	} else {
		p.ClientID, p.Username = c.ClientID, c.Username
	}
	if c.Groups != nil {
		p.Groups = &c.Groups
	}
	if c.Scopes != nil {
		s := strings.Join(c.Scopes, " ")
		p.Scope = &s
	}
	p.Email, p.PhoneNumber = c.Email, c.PhoneNumber
	if c.Email != "" || c.EmailVerified {
		p.EmailVerified = &c.EmailVerified
	}
	if c.PhoneNumber != "" || c.PhoneNumberVerified {
		p.PhoneNumberVerified = &c.PhoneNumberVerified
	}
	p.JTI, p.OriginJTI, p.EventID, p.DeviceKey = c.JTI, c.OriginJTI, c.EventID, c.DeviceKey
	p.AuthTime, p.IssuedAt, p.NotBefore, p.ExpiresAt = numericDate(c.AuthTime), numericDate(c.IssuedAt), numericDate(c.NotBefore), numericDate(c.ExpiresAt)
	b, err := json.Marshal(&p)
	if err != nil { // strings, booleans and numbers always marshal
		return []byte("{}")
	}
	return b
}

// numericDate formats t as a JWT NumericDate (seconds, with a fraction
// when t has one); "" for the zero time.
func numericDate(t time.Time) json.Number {
	if t.IsZero() {
		return ""
	}
	sec, nsec := t.Unix(), t.Nanosecond()
	if nsec == 0 {
		return json.Number(strconv.FormatInt(sec, 10))
	}
	frac := strings.TrimRight(fmt.Sprintf("%09d", nsec), "0")
	return json.Number(strconv.FormatInt(sec, 10) + "." + frac)
}

// ParseUnverifiedClaims reads a token payload, the JSON object a JWT
// carries between its two dots once base64url-decoded, into Claims,
// WITHOUT VERIFYING ANYTHING: not a signature, not the issuer, the
// audience, the token use or the expiry. It exists for code that has
// verified a token by other means (a custom auth.TokenVerifier) and for
// tests; never call it on a payload you have not checked.
//
// It applies the parsing rules of [Verifier.Verify], so that the Claims
// read the same however they are read (see "One reading of the claims" in
// the package documentation): the payload must be a JSON object of at most
// 1 MiB (else [ErrTooLarge]); no object in it may repeat a member name,
// exactly or ignoring case, and no member may be named like a claim the
// verifier reads in another case ("SUB"); the claims the fields hold must
// have their types (strings, a string or array of strings for aud,
// non-negative numbers for times, an array of strings for
// cognito:groups); username and cognito:username must agree. Those
// failures match [ErrMalformed]; a token_use other than "id" and "access"
// matches [ErrWrongTokenUse]. A missing claim is not an error: its field
// is left empty.
//
// The fields are those Verify fills: TokenUse from token_use; ClientID
// from aud (ID tokens, or tokens without token_use and client_id, when aud
// names one audience) or client_id; Username from username or
// cognito:username; Scopes split on U+0020 spaces. UserPoolID and KeyID
// are left empty (set them if you know them). Get, String, Decode, Raw,
// MarshalJSON and ClaimsAs read a copy of payload.
func ParseUnverifiedClaims(payload []byte) (*Claims, error) {
	if len(payload) > maxTokenSizeCap {
		return nil, rejectf(ErrTooLarge, "the payload is %d bytes; the limit is %d", len(payload), maxTokenSizeCap)
	}
	c := new(Claims)
	var pc parsedClaims
	if err := parsePayload(string(payload), c, &pc); err != nil {
		return nil, err
	}
	firstAud := ""
	if pc.nAud == 1 {
		firstAud = pc.aud
	}
	switch {
	case pc.has&hasTokenUse == 0:
		c.ClientID = pc.clientID
		if pc.has&hasClientID == 0 {
			c.ClientID = firstAud
		}
	case pc.tokenUse == "id":
		c.TokenUse, c.ClientID = TokenUseID, firstAud
	case pc.tokenUse == "access":
		c.TokenUse, c.ClientID = TokenUseAccess, pc.clientID
	default:
		return nil, reject(ErrWrongTokenUse, "token_use is neither id nor access")
	}
	return c, nil
}

// Presence bits of the claims the verifier checks.
const (
	hasIss = 1 << iota
	hasExp
	hasNbf
	hasIat
	hasAud
	hasClientID
	hasTokenUse
)

// parsedClaims is what parsePayload produces: the Claims plus the raw
// check-relevant values.
type parsedClaims struct {
	has      uint32
	tokenUse string
	aud      string // the first audience
	nAud     int    // number of audiences
	clientID string
	exp, nbf int64 // seconds
	iat      int64
}

// Claims that parsePayload reads, one bit each.
const (
	claimIss uint32 = 1 << iota
	claimSub
	claimTokenUse
	claimAud
	claimClientID
	claimExp
	claimNbf
	claimIat
	claimAuthTime
	claimUsername
	claimCognitoUsername
	claimScope
	claimGroups
	claimEmail
	claimEmailVerified
	claimPhoneNumber
	claimPhoneNumberVerified
	claimJTI
	claimOriginJTI
	claimEventID
	claimDeviceKey
)

// claimBit returns the bit of the claim parsePayload reads under name,
// or 0 for any other member. It is the one list of those names.
func claimBit(name string) uint32 {
	switch name {
	case "iss":
		return claimIss
	case "sub":
		return claimSub
	case "token_use":
		return claimTokenUse
	case "aud":
		return claimAud
	case "client_id":
		return claimClientID
	case "exp":
		return claimExp
	case "nbf":
		return claimNbf
	case "iat":
		return claimIat
	case "auth_time":
		return claimAuthTime
	case "username":
		return claimUsername
	case "cognito:username":
		return claimCognitoUsername
	case "scope":
		return claimScope
	case "cognito:groups":
		return claimGroups
	case "email":
		return claimEmail
	case "email_verified":
		return claimEmailVerified
	case "phone_number":
		return claimPhoneNumber
	case "phone_number_verified":
		return claimPhoneNumberVerified
	case "jti":
		return claimJTI
	case "origin_jti":
		return claimOriginJTI
	case "event_id":
		return claimEventID
	case "device_key":
		return claimDeviceKey
	}
	return 0
}

// shadowsClaim reports whether name, which claimBit does not know,
// equals one of the claims it knows ignoring case ("SUB",
// "\u017fcope"). encoding/json would read such a member into a field
// tagged with the known name when the payload lacks the exact one, so
// Decode and the Claims fields could disagree. The known names are
// lower-case ASCII, so a name that shadows one has an upper-case or
// non-ASCII byte, folds rune by rune to ASCII, and is then known.
func shadowsClaim(name string) bool {
	i := 0
	for i < len(name) && name[i] < utf8.RuneSelf && (name[i] < 'A' || name[i] > 'Z') {
		i++
	}
	if i == len(name) {
		return false // lower-case ASCII: claimBit has said no
	}
	var buf [32]byte // longer than any known name
	n := 0
	for _, r := range name {
		if n == len(buf) {
			return false
		}
		f := foldRune(r) // the orbit's smallest rune: upper case for ASCII letters
		if f >= utf8.RuneSelf {
			return false
		}
		if 'A' <= f && f <= 'Z' {
			f += 'a' - 'A'
		}
		buf[n] = byte(f)
		n++
	}
	return claimBit(string(buf[:n])) != 0
}

// parsePayload decodes payload into c and p. It rejects invalid JSON,
// member names that repeat (exactly or ignoring case, at any depth),
// members named like a known claim in another case, and known claims of
// the wrong type.
func parsePayload(payload string, c *Claims, p *parsedClaims) error {
	sc := scanner{s: payload}
	if !sc.eat('{') {
		return reject(ErrMalformed, "the payload is not a JSON object")
	}
	// The repeat check. A known claim cannot equal another member
	// ignoring case unless it repeats itself (a case variant of it is
	// refused by shadowsClaim), so known claims need one bit each and
	// only the other members are compared with each other: the first 24
	// in this frame, so that a common payload costs no allocation, then
	// in a foldSet.
	var seen uint32
	var names [24]string
	nnames := 0
	var set foldSet
	var username, cognitoUsername string
	var scope string
	if !sc.eat('}') {
		for {
			sc.ws()
			name, ok := sc.str()
			if !ok {
				return reject(ErrMalformed, "the payload is not valid JSON")
			}
			// Repeated names are ambiguous, and so are names that differ
			// only in case: encoding/json (Decode) would read either.
			bit := claimBit(name)
			switch {
			case bit != 0:
				ok = seen&bit == 0
				seen |= bit
			case shadowsClaim(name):
				return reject(ErrMalformed, "the payload has a claim whose name differs from one the verifier reads only in case (like SUB for sub)")
			case set.names != nil:
				ok = set.add(name)
			case repeats(names[:nnames], name):
				ok = false
			case nnames < len(names):
				names[nnames] = name
				nnames++
			default:
				set.init(2 * len(names))
				for _, n := range names {
					set.add(n)
				}
				ok = set.add(name)
			}
			if !ok {
				return reject(ErrMalformed, "the payload repeats a claim name, exactly or in another case; refusing to guess which one counts")
			}
			if !sc.eat(':') {
				return reject(ErrMalformed, "the payload is not valid JSON")
			}
			sc.ws()
			var sec, nsec int64
			switch bit {
			case claimIss:
				c.Issuer, ok = sc.str()
				p.has |= hasIss
			case claimSub:
				c.Subject, ok = sc.str()
			case claimTokenUse:
				p.tokenUse, ok = sc.str()
				p.has |= hasTokenUse
			case claimAud:
				p.aud, p.nAud, ok = sc.audience()
				p.has |= hasAud
			case claimClientID:
				p.clientID, ok = sc.str()
				p.has |= hasClientID
			case claimExp:
				sec, nsec, ok = sc.numericDate()
				c.ExpiresAt = time.Unix(sec, nsec)
				p.exp = sec
				p.has |= hasExp
			case claimNbf:
				sec, nsec, ok = sc.numericDate()
				c.NotBefore = time.Unix(sec, nsec)
				p.nbf = sec
				p.has |= hasNbf
			case claimIat:
				sec, nsec, ok = sc.numericDate()
				c.IssuedAt = time.Unix(sec, nsec)
				p.iat = sec
				p.has |= hasIat
			case claimAuthTime:
				sec, nsec, ok = sc.numericDate()
				c.AuthTime = time.Unix(sec, nsec)
			case claimUsername:
				username, ok = sc.str()
			case claimCognitoUsername:
				cognitoUsername, ok = sc.str()
			case claimScope:
				scope, ok = sc.str()
			case claimGroups:
				c.Groups, ok = sc.stringArray()
			case claimEmail:
				c.Email, ok = sc.str()
			case claimEmailVerified:
				c.EmailVerified, ok = sc.flexBool()
			case claimPhoneNumber:
				c.PhoneNumber, ok = sc.str()
			case claimPhoneNumberVerified:
				c.PhoneNumberVerified, ok = sc.flexBool()
			case claimJTI:
				c.JTI, ok = sc.str()
			case claimOriginJTI:
				c.OriginJTI, ok = sc.str()
			case claimEventID:
				c.EventID, ok = sc.str()
			case claimDeviceKey:
				c.DeviceKey, ok = sc.str()
			default:
				if !sc.skip(1) {
					return reject(ErrMalformed, "the payload is not valid JSON, nests deeper than 32 levels, or has an object whose member names repeat (exactly or in another case)")
				}
			}
			if !ok {
				return rejectf(ErrMalformed, "claim %s has the wrong type or is not valid JSON", name)
			}
			if sc.eat(',') {
				continue
			}
			if sc.eat('}') {
				break
			}
			return reject(ErrMalformed, "the payload is not valid JSON")
		}
	}
	sc.ws()
	if sc.i != len(payload) {
		return reject(ErrMalformed, "the payload has data after the JSON object")
	}
	hasUser, hasCogUser := seen&claimUsername != 0, seen&claimCognitoUsername != 0
	switch {
	case hasUser && hasCogUser && username != cognitoUsername:
		return reject(ErrMalformed, "username and cognito:username disagree")
	case hasUser:
		c.Username = username
	default:
		c.Username = cognitoUsername
	}
	if seen&claimScope != 0 {
		c.Scopes = splitScopes(scope)
	}
	c.raw = payload
	return nil
}

// audience reads aud: a string or an array of strings. It returns the first
// audience and their number.
func (sc *scanner) audience() (string, int, bool) {
	if sc.i < len(sc.s) && sc.s[sc.i] == '[' {
		sc.i++
		if sc.eat(']') {
			return "", 0, true
		}
		var first string
		n := 0
		for {
			sc.ws()
			v, ok := sc.str()
			if !ok {
				return "", 0, false
			}
			if n == 0 {
				first = v
			}
			n++
			if sc.eat(',') {
				continue
			}
			return first, n, sc.eat(']')
		}
	}
	v, ok := sc.str()
	return v, 1, ok
}

// flexBool reads true/false, or the strings "true"/"false" that some
// Cognito attributes use.
func (sc *scanner) flexBool() (bool, bool) {
	if sc.i < len(sc.s) && sc.s[sc.i] == '"' {
		v, ok := sc.str()
		switch {
		case !ok:
			return false, false
		case v == "true":
			return true, true
		case v == "false":
			return false, true
		}
		return false, false
	}
	return sc.boolean()
}

// splitScopes splits a scope claim into its scopes with one allocation.
// Scopes are separated by U+0020 SPACE only (RFC 6749 §3.3, and
// aws-jwt-verify): a tab, a no-break space or any other character is part
// of a scope, so "orders/read\u00a0admin" is one scope, not two. Runs of
// spaces and leading or trailing spaces give no empty scopes.
func splitScopes(s string) []string {
	n := 0
	for f := range strings.SplitSeq(s, " ") {
		if f != "" {
			n++
		}
	}
	out := make([]string, 0, n)
	for f := range strings.SplitSeq(s, " ") {
		if f != "" {
			out = append(out, f)
		}
	}
	return out
}
