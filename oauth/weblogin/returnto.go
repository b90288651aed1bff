package weblogin

import (
	"net/url"
	"strings"
)

// maxReturnTo bounds the return-to path.
const maxReturnTo = 2048

// LocalPath reports whether p is a safe return-to target: a path on this
// site, such as "/me?tab=2". It refuses everything a browser could resolve
// to another origin: absolute URLs ("https://evil.com"), scheme-relative
// URLs ("//evil.com"), backslash tricks ("/\evil.com", which browsers treat
// as "//evil.com"), control characters and spaces (browsers drop tabs and
// newlines: "/\t/evil.com"), and the same after percent-decoding
// ("/%2F%2Fevil.com", "%2F%5Cevil.com"), up to three levels deep.
func LocalPath(p string) bool {
	if p == "" || len(p) > maxReturnTo {
		return false
	}
	s := p
	for range 4 {
		if !localShape(s) {
			return false
		}
		if !strings.Contains(s, "%") {
			break
		}
		d, err := url.PathUnescape(s)
		if err != nil {
			return false
		}
		if d == s {
			break
		}
		s = d
	}
	u, err := url.Parse(p)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" || !strings.HasPrefix(u.Path, "/") {
		return false
	}
	return true
}

// localShape checks one decoding level: a leading single slash and no
// byte a browser would reinterpret.
func localShape(s string) bool {
	if s == "" || s[0] != '/' {
		return false
	}
	if len(s) > 1 && (s[1] == '/' || s[1] == '\\') {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c == 0x7f || c == '\\' {
			return false
		}
	}
	return true
}
