package authcore

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

func FuzzParseBearer(f *testing.F) {
	for _, s := range []string{"Bearer abc.def.ghi", "bearer abc", "Bearer", "Bearer a b", "Basic x", "Bearerx", "", "Bearer \t", "BEARER    tok   "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		tok, ok, err := ParseBearer(v, "Bearer ")
		switch {
		case err != nil:
			if ok || tok != "" || !errors.Is(err, ErrBadAuthorization) {
				t.Fatalf("ParseBearer(%q) = %q, %v, %v", v, tok, ok, err)
			}
			if strings.Contains(err.Error(), v) && len(v) > 8 {
				t.Fatalf("error %q echoes the header", err)
			}
		case ok:
			if tok == "" || tok[0] == ' ' || tok[len(tok)-1] == ' ' || !strings.Contains(v, tok) ||
				!strings.EqualFold(v[:6], "Bearer") {
				t.Fatalf("ParseBearer(%q) = %q", v, tok)
			}
		default:
			if tok != "" {
				t.Fatalf("ParseBearer(%q) = %q without ok", v, tok)
			}
		}
	})
}

func FuzzParseLookup(f *testing.F) {
	for _, s := range []string{"header:Authorization:Bearer ", "header:Authorization:Bearer ,cookie:token", "query:t", "cookie:a,cookie:a", "form:x", "header:", ":::"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, spec string) {
		srcs, err := ParseLookup(spec)
		if err != nil {
			if !errors.Is(err, ErrInvalidConfig) {
				t.Fatalf("ParseLookup(%q) err %v does not wrap ErrInvalidConfig", spec, err)
			}
			return
		}
		if len(srcs) == 0 || len(srcs) > MaxSources {
			t.Fatalf("ParseLookup(%q) = %d sources", spec, len(srcs))
		}
		// The sources must work on a request without panicking.
		r := httptest.NewRequest("GET", "/?a=b", nil)
		r.Header.Set("Authorization", "Bearer x")
		l := Lookup{Sources: srcs}
		l.Extract(r)
	})
}

func FuzzExtract(f *testing.F) {
	f.Add("Bearer a", "Bearer a", "a", "q=1")
	f.Add("Bearer a", "", "b", "access_token=a&access_token=b")
	f.Add("Basic x", "", "", "")
	f.Fuzz(func(t *testing.T, h1, h2, cookie, query string) {
		srcs, err := ParseLookup("header:Authorization:Bearer ,cookie:tok,query:access_token")
		if err != nil {
			t.Fatal(err)
		}
		u, err := url.Parse("/?" + query)
		if err != nil {
			return
		}
		r := &http.Request{Method: "GET", Header: http.Header{}, URL: u}
		if h1 != "" {
			r.Header["Authorization"] = append(r.Header["Authorization"], h1)
		}
		if h2 != "" {
			r.Header["Authorization"] = append(r.Header["Authorization"], h2)
		}
		if cookie != "" {
			r.Header.Set("Cookie", "tok="+cookie)
		}
		l := Lookup{Sources: srcs}
		t0, err := l.Extract(r)
		tok := t0.Value
		if err != nil {
			if tok != "" {
				t.Fatalf("token %q with error %v", tok, err)
			}
			if !errors.Is(err, ErrNoToken) && !errors.Is(err, ErrAmbiguousToken) && !errors.Is(err, ErrBadAuthorization) {
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		if tok == "" {
			t.Fatal("empty token without error")
		}
		if h1 != "" && h2 != "" {
			t.Fatalf("two Authorization headers accepted: %q", tok)
		}
	})
}
