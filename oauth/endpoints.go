package oauth

import (
	"net"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"golang.org/x/oauth2"
)

// Endpoints are the URLs of a Cognito OAuth 2.0 domain (managed login,
// formerly the hosted UI).
type Endpoints struct {
	// Domain is the normalized base URL, without a trailing slash, such as
	// "https://myapp.auth.us-east-1.amazoncognito.com".
	Domain string
	// AuthURL is {Domain}/oauth2/authorize.
	AuthURL string
	// TokenURL is {Domain}/oauth2/token.
	TokenURL string
	// UserInfoURL is {Domain}/oauth2/userInfo.
	UserInfoURL string
	// RevokeURL is {Domain}/oauth2/revoke.
	RevokeURL string
	// LogoutURL is {Domain}/logout (query parameters are added by
	// [Client.LogoutURL]).
	LogoutURL string
}

var (
	prefixRE = regexp.MustCompile(`^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$`)
	regionRE = regexp.MustCompile(`^[a-z]{2}(-gov)?-[a-z]+-\d$`)
	labelRE  = regexp.MustCompile(`^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$`)
)

// CognitoDomain returns the URL of a Cognito prefix domain:
// "https://{prefix}.auth.{region}.amazoncognito.com".
func CognitoDomain(prefix, region string) (string, error) {
	if !prefixRE.MatchString(prefix) {
		return "", configErr("domain prefix %q: want 1 to 63 lower-case letters, digits and hyphens", truncate(prefix, 64))
	}
	if !regionRE.MatchString(region) {
		return "", configErr("region %q: want a region such as us-east-1", truncate(region, 32))
	}
	return "https://" + prefix + ".auth." + region + ".amazoncognito.com", nil
}

// NewEndpoints returns the endpoints of a Cognito OAuth domain. domain is
// one of:
//
//   - a Cognito prefix domain, "https://myapp.auth.us-east-1.amazoncognito.com"
//     (the scheme may be omitted);
//   - a custom domain, "https://auth.example.com";
//   - an emulator's base URL, such as cognitotest's [Server.URL]
//     "http://127.0.0.1:41234". Plain http is accepted only for loopback
//     hosts (localhost, 127.0.0.0/8, ::1).
//
// The domain must not carry a path, query, fragment or user information.
// Errors wrap [ErrInvalidConfig].
//
// [Server.URL]: https://pkg.go.dev/github.com/cognitokit/cognitokit/cognitotest#Server.URL
func NewEndpoints(domain string) (Endpoints, error) {
	if domain == "" {
		return Endpoints{}, configErr("domain is empty; want https://{prefix}.auth.{region}.amazoncognito.com or your custom domain")
	}
	if len(domain) > 512 {
		return Endpoints{}, configErr("domain is longer than 512 bytes")
	}
	for i := 0; i < len(domain); i++ {
		if c := domain[i]; c <= ' ' || c >= 0x7f || c == '\\' {
			return Endpoints{}, configErr("domain %q contains a space, control, backslash or non-ASCII character", truncate(domain, 64))
		}
	}
	raw := domain
	if !strings.Contains(raw, "://") {
		raw = "https://" + raw
	}
	u, err := url.Parse(raw)
	if err != nil {
		return Endpoints{}, configErr("domain %q is not a valid URL", truncate(domain, 64))
	}
	switch {
	case u.User != nil:
		return Endpoints{}, configErr("domain must not contain user information")
	case u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || strings.ContainsAny(raw, "?#"):
		return Endpoints{}, configErr("domain %q must not have a query or fragment", truncate(domain, 64))
	case u.Path != "" && u.Path != "/":
		return Endpoints{}, configErr("domain %q must not have a path; want the bare domain, such as https://myapp.auth.us-east-1.amazoncognito.com", truncate(domain, 64))
	case u.Opaque != "":
		return Endpoints{}, configErr("domain %q is not a valid URL", truncate(domain, 64))
	}
	host := u.Hostname()
	if host == "" {
		return Endpoints{}, configErr("domain %q has no host", truncate(domain, 64))
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 || strings.TrimLeft(p, "0123456789") != "" {
			return Endpoints{}, configErr("domain %q has an invalid port", truncate(domain, 64))
		}
	} else if strings.HasSuffix(u.Host, ":") {
		return Endpoints{}, configErr("domain %q has an empty port", truncate(domain, 64))
	}
	ip := net.ParseIP(host)
	if ip == nil {
		if len(host) > 253 {
			return Endpoints{}, configErr("domain host is longer than 253 bytes")
		}
		for _, l := range strings.Split(host, ".") {
			if !labelRE.MatchString(l) {
				return Endpoints{}, configErr("domain host %q is not a valid host name", truncate(host, 64))
			}
		}
	}
	if strings.HasPrefix(strings.ToLower(host), "cognito-idp.") {
		return Endpoints{}, configErr("domain %q is the user pool API (and token issuer) host, not an OAuth domain; want https://{prefix}.auth.{region}.amazoncognito.com or your custom domain", truncate(host, 64))
	}
	switch u.Scheme {
	case "https":
	case "http":
		if !isLoopback(host) {
			return Endpoints{}, configErr("domain %q uses plain http; only loopback emulators may (use https)", truncate(domain, 64))
		}
	default:
		return Endpoints{}, configErr("domain %q: scheme must be https", truncate(domain, 64))
	}
	base := u.Scheme + "://" + strings.ToLower(u.Host)
	return Endpoints{
		Domain:      base,
		AuthURL:     base + "/oauth2/authorize",
		TokenURL:    base + "/oauth2/token",
		UserInfoURL: base + "/oauth2/userInfo",
		RevokeURL:   base + "/oauth2/revoke",
		LogoutURL:   base + "/logout",
	}, nil
}

// OAuth2 returns the endpoint for golang.org/x/oauth2, with the given
// client authentication style.
func (e Endpoints) OAuth2(style oauth2.AuthStyle) oauth2.Endpoint {
	return oauth2.Endpoint{AuthURL: e.AuthURL, TokenURL: e.TokenURL, AuthStyle: style}
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "..."
	}
	return s
}
