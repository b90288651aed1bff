package authcore

import (
	"fmt"
	"net/http"
	"net/textproto"
	"strings"
)

// SourceKind is where a [Source] reads a token.
type SourceKind uint8

// Source kinds.
const (
	SourceHeader SourceKind = iota + 1
	SourceCookie
	SourceQuery
)

// MaxSources caps the number of sources in a lookup, since every source is
// consulted on every request.
const MaxSources = 8

// Source is one place a token may be found.
type Source struct {
	Kind SourceKind
	// Name is the header, cookie or query parameter name. For headers it
	// is stored in canonical form.
	Name string
	// Prefix is the header value prefix such as "Bearer ", matched
	// case-insensitively; empty for cookies and queries, and for headers
	// that hold the bare token.
	Prefix string
}

func (s Source) String() string {
	switch s.Kind {
	case SourceHeader:
		if s.Prefix != "" {
			return "header:" + s.Name + ":" + s.Prefix
		}
		return "header:" + s.Name
	case SourceCookie:
		return "cookie:" + s.Name
	case SourceQuery:
		return "query:" + s.Name
	}
	return "?"
}

// AuthorizationBearer is the default source: the Authorization header with
// the Bearer scheme.
var AuthorizationBearer = Source{Kind: SourceHeader, Name: "Authorization", Prefix: "Bearer "}

// ParseLookup parses echo-jwt's TokenLookup syntax: a comma-separated list
// of "header:<name>[:<prefix>]", "cookie:<name>" and "query:<name>", such
// as "header:Authorization:Bearer ,cookie:token". Errors wrap
// [ErrInvalidConfig].
func ParseLookup(spec string) ([]Source, error) {
	if strings.TrimSpace(spec) == "" {
		return nil, fmt.Errorf("%w: TokenLookup is empty", ErrInvalidConfig)
	}
	parts := strings.Split(spec, ",")
	if len(parts) > MaxSources {
		return nil, fmt.Errorf("%w: TokenLookup has %d sources; at most %d are allowed", ErrInvalidConfig, len(parts), MaxSources)
	}
	out := make([]Source, 0, len(parts))
	for _, p := range parts {
		kind, rest, ok := strings.Cut(strings.TrimLeft(p, " "), ":")
		if !ok {
			return nil, fmt.Errorf("%w: TokenLookup entry %q must look like \"header:Authorization:Bearer \", \"cookie:name\" or \"query:name\"", ErrInvalidConfig, p)
		}
		name, prefix, _ := strings.Cut(rest, ":")
		var s Source
		switch kind {
		case "header":
			s = Source{Kind: SourceHeader, Name: textproto.CanonicalMIMEHeaderKey(name), Prefix: prefix}
		case "cookie", "query":
			if prefix != "" {
				return nil, fmt.Errorf("%w: TokenLookup entry %q: only headers take a prefix", ErrInvalidConfig, p)
			}
			s = Source{Kind: SourceCookie, Name: name}
			if kind == "query" {
				s.Kind = SourceQuery
			}
		default:
			return nil, fmt.Errorf("%w: TokenLookup entry %q: unsupported source %q; use header, cookie or query", ErrInvalidConfig, p, kind)
		}
		if err := s.validate(); err != nil {
			return nil, fmt.Errorf("%w: TokenLookup entry %q: %w", ErrInvalidConfig, p, err)
		}
		for _, o := range out {
			if o.Kind == s.Kind && o.Name == s.Name {
				return nil, fmt.Errorf("%w: TokenLookup names %s twice", ErrInvalidConfig, s)
			}
		}
		out = append(out, s)
	}
	return out, nil
}

func (s Source) validate() error {
	if s.Name == "" || len(s.Name) > 128 || !httpToken(s.Name) {
		return fmt.Errorf("name %q is empty, too long or not an HTTP token", s.Name)
	}
	if len(s.Prefix) > 64 || !quotable(s.Prefix) {
		return fmt.Errorf("prefix %q is too long or has control characters", s.Prefix)
	}
	return nil
}

// ValidateName checks a cookie or query parameter name from a config.
func ValidateName(what, name string) error {
	if name == "" {
		return nil
	}
	if len(name) > 128 || !httpToken(name) {
		return fmt.Errorf("%w: %s %q is too long or not an HTTP token", ErrInvalidConfig, what, name)
	}
	return nil
}

func httpToken(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= 0x20 || c >= 0x7f || strings.IndexByte(`"(),/:;<=>?@[\]{}`, c) >= 0 {
			return false
		}
	}
	return s != ""
}

// Lookup extracts a token from an HTTP request.
type Lookup struct {
	// Sources are consulted in order; all of them, so that disagreeing
	// sources are detected.
	Sources []Source
	// Custom, if set, is consulted last. It returns "" when it finds no
	// token; a non-nil error rejects the request (wrap [ErrNoToken],
	// [ErrAmbiguousToken] or [ErrBadAuthorization] to choose the answer).
	Custom func(*http.Request) (string, error)
}

// Token is a token taken from a request, and where it came from.
type Token struct {
	// Value is the token.
	Value string
	// header is the header source the token was read from, nil when it
	// came from a cookie, a query parameter or a custom extractor. A
	// header value must hold exactly one credential; [Engine.Authenticate]
	// checks that (see [Token.Single]).
	header *Source
}

// Single returns an error wrapping [ErrBadAuthorization] when t came from a
// header and holds more than one value (a space, tab or comma, as in
// "Bearer a b" or "Bearer a, b"), and nil otherwise.
//
// It scans the whole token, three times (IndexByte is vectorized;
// ContainsAny is several times slower on kilobyte-long tokens), so the
// engine runs it before a custom verifier but only after a rejection by
// *verifier.Verifier, which refuses such tokens anyway: a verified token
// costs no scan, and the answer is the same 400.
func (t Token) Single() error {
	if t.header == nil {
		return nil
	}
	v := t.Value
	if strings.IndexByte(v, ' ') < 0 && strings.IndexByte(v, '\t') < 0 && strings.IndexByte(v, ',') < 0 {
		return nil
	}
	if t.header.Prefix == "" {
		return fmt.Errorf("%w: the %s header holds more than one value", ErrBadAuthorization, t.header.Name)
	}
	return fmt.Errorf("%w: the %s credential holds more than one value", ErrBadAuthorization, strings.TrimRight(t.header.Prefix, " "))
}

// Extract returns the request's single token. It fails with [ErrNoToken]
// when no source has one, with [ErrAmbiguousToken] when a source has more
// than one value or two sources disagree, and with [ErrBadAuthorization]
// for an empty Bearer credential. Whether a header value holds more than
// one credential is left to [Token.Single].
func (l *Lookup) Extract(r *http.Request) (Token, error) {
	var tok Token
	found := false
	for i := range l.Sources {
		t, ok, err := l.Sources[i].extract(r)
		if err != nil {
			return Token{}, err
		}
		if !ok {
			continue
		}
		if found && t.Value != tok.Value {
			return Token{}, fmt.Errorf("%w: %s disagrees with an earlier source", ErrAmbiguousToken, l.Sources[i])
		}
		if !found || tok.header == nil {
			tok = t // a header's token, if any, so that Single checks it
		}
		found = true
	}
	if l.Custom != nil {
		t, err := l.Custom(r)
		if err != nil {
			return Token{}, err
		}
		if t != "" {
			if found && t != tok.Value {
				return Token{}, fmt.Errorf("%w: the custom extractor disagrees with an earlier source", ErrAmbiguousToken)
			}
			if !found {
				tok = Token{Value: t}
			}
			found = true
		}
	}
	if !found {
		return Token{}, ErrNoToken
	}
	return tok, nil
}

func (s *Source) extract(r *http.Request) (Token, bool, error) {
	switch s.Kind {
	case SourceHeader:
		vals := r.Header[s.Name]
		switch len(vals) {
		case 0:
			return Token{}, false, nil
		case 1:
		default:
			return Token{}, false, fmt.Errorf("%w: %d %s headers", ErrAmbiguousToken, len(vals), s.Name)
		}
		if s.Prefix == "" {
			v := strings.TrimSpace(vals[0])
			if v == "" {
				return Token{}, false, nil
			}
			return Token{Value: v, header: s}, true, nil
		}
		v, ok, err := ParseBearer(vals[0], s.Prefix)
		if !ok || err != nil {
			return Token{}, ok, err
		}
		return Token{Value: v, header: s}, true, nil
	case SourceCookie:
		cs := r.CookiesNamed(s.Name)
		tok := ""
		for _, c := range cs {
			if c.Value == "" {
				continue
			}
			if tok != "" && c.Value != tok {
				return Token{}, false, fmt.Errorf("%w: two %q cookies", ErrAmbiguousToken, s.Name)
			}
			tok = c.Value
		}
		return Token{Value: tok}, tok != "", nil
	case SourceQuery:
		vals := r.URL.Query()[s.Name]
		switch len(vals) {
		case 0:
			return Token{}, false, nil
		case 1:
			return Token{Value: vals[0]}, vals[0] != "", nil
		}
		return Token{}, false, fmt.Errorf("%w: %d %q query parameters", ErrAmbiguousToken, len(vals), s.Name)
	}
	return Token{}, false, nil
}

// BearerToken is the Token of a credential read from an Authorization
// value with [ParseBearer] and the prefix "Bearer ", outside a [Lookup]
// (gRPC metadata).
func BearerToken(v string) Token { return Token{Value: v, header: &AuthorizationBearer} }

// ParseBearer parses one header value of the form prefix + token, where
// prefix ("Bearer ") is matched case-insensitively and may be followed by
// more spaces. It returns ok false when the value uses another scheme
// (such as Basic), and [ErrBadAuthorization] when the scheme matches but
// the credential is empty. It does not scan the token: whether it holds
// more than one value is [Token.Single]'s to say.
func ParseBearer(v, prefix string) (token string, ok bool, err error) {
	scheme := strings.TrimRight(prefix, " ")
	if len(v) < len(scheme) || !strings.EqualFold(v[:len(scheme)], scheme) {
		return "", false, nil
	}
	rest := v[len(scheme):]
	if rest != "" && rest[0] != ' ' && scheme != "" && len(prefix) > len(scheme) {
		return "", false, nil // "Bearerx...": another scheme
	}
	rest = strings.TrimLeft(rest, " ")
	rest = strings.TrimRight(rest, " ")
	if rest == "" {
		return "", false, fmt.Errorf("%w: the %s credential is empty", ErrBadAuthorization, scheme)
	}
	return rest, true, nil
}

// IsPreflight reports whether r is a CORS preflight request: OPTIONS with
// an Access-Control-Request-Method header (Fetch standard, section
// 3.2.2). Browsers send preflights without credentials, and any script
// can send one (no Origin is needed), so a preflight must never reach an
// application handler unauthenticated: the adapters answer it themselves
// or hand it to a CORS handler the user configured.
func IsPreflight(r *http.Request) bool {
	return r.Method == http.MethodOptions && len(r.Header["Access-Control-Request-Method"]) > 0
}
