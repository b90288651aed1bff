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

// Extract returns the request's single token. It fails with [ErrNoToken]
// when no source has one, with [ErrAmbiguousToken] when a source has more
// than one value or two sources disagree, and with [ErrBadAuthorization]
// for a malformed Bearer credential.
func (l *Lookup) Extract(r *http.Request) (string, error) {
	var tok string
	found := false
	for i := range l.Sources {
		t, ok, err := l.Sources[i].extract(r)
		if err != nil {
			return "", err
		}
		if !ok {
			continue
		}
		if found && t != tok {
			return "", fmt.Errorf("%w: %s disagrees with an earlier source", ErrAmbiguousToken, l.Sources[i])
		}
		tok, found = t, true
	}
	if l.Custom != nil {
		t, err := l.Custom(r)
		if err != nil {
			return "", err
		}
		if t != "" {
			if found && t != tok {
				return "", fmt.Errorf("%w: the custom extractor disagrees with an earlier source", ErrAmbiguousToken)
			}
			tok, found = t, true
		}
	}
	if !found {
		return "", ErrNoToken
	}
	return tok, nil
}

func (s *Source) extract(r *http.Request) (string, bool, error) {
	switch s.Kind {
	case SourceHeader:
		vals := r.Header[s.Name]
		switch len(vals) {
		case 0:
			return "", false, nil
		case 1:
		default:
			return "", false, fmt.Errorf("%w: %d %s headers", ErrAmbiguousToken, len(vals), s.Name)
		}
		if s.Prefix == "" {
			v := strings.TrimSpace(vals[0])
			if v == "" {
				return "", false, nil
			}
			if multiValued(v) {
				return "", false, fmt.Errorf("%w: the %s header holds more than one value", ErrBadAuthorization, s.Name)
			}
			return v, true, nil
		}
		return ParseBearer(vals[0], s.Prefix)
	case SourceCookie:
		cs := r.CookiesNamed(s.Name)
		tok := ""
		for _, c := range cs {
			if c.Value == "" {
				continue
			}
			if tok != "" && c.Value != tok {
				return "", false, fmt.Errorf("%w: two %q cookies", ErrAmbiguousToken, s.Name)
			}
			tok = c.Value
		}
		return tok, tok != "", nil
	case SourceQuery:
		vals := r.URL.Query()[s.Name]
		switch len(vals) {
		case 0:
			return "", false, nil
		case 1:
			return vals[0], vals[0] != "", nil
		}
		return "", false, fmt.Errorf("%w: %d %q query parameters", ErrAmbiguousToken, len(vals), s.Name)
	}
	return "", false, nil
}

// ParseBearer parses one header value of the form prefix + token, where
// prefix ("Bearer ") is matched case-insensitively and may be followed by
// more spaces. It returns ok false when the value uses another scheme
// (such as Basic), and [ErrBadAuthorization] when the scheme matches but
// the value does not hold exactly one credential.
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
	if multiValued(rest) {
		return "", false, fmt.Errorf("%w: the %s credential holds more than one value", ErrBadAuthorization, scheme)
	}
	return rest, true, nil
}

// multiValued reports whether v holds a space, tab or comma (more than one
// credential). IndexByte is vectorized; ContainsAny is several times
// slower on kilobyte-long tokens.
func multiValued(v string) bool {
	return strings.IndexByte(v, ' ') >= 0 || strings.IndexByte(v, '\t') >= 0 || strings.IndexByte(v, ',') >= 0
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
