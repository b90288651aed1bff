package oauth

import (
	"errors"
	"net/http"
	"strings"
	"testing"
)

func TestEndpointError(t *testing.T) {
	tests := []struct {
		name   string
		status int
		hdr    string
		body   string
		code   string
		want   error
	}{
		{"json", 400, "", `{"error":"invalid_grant","error_description":"bad"}`, "invalid_grant", ErrInvalidGrant},
		{"bearer challenge", 401, `Bearer error="invalid_token", error_description="expired"`, "", "invalid_token", ErrInvalidToken},
		{"bare 401", 401, "", "", "invalid_token", ErrInvalidToken},
		{"html 502", 502, "", "<html>bad gateway</html>", "", ErrUnavailable},
		{"429", 429, "", "", "", ErrUnavailable},
		{"unknown 4xx", 418, "", `{"error":"teapot"}`, "teapot", ErrBadResponse},
		{"hostile code", 400, "", `{"error":"a b\nc"}`, "", ErrBadResponse},
		{"server_error", 500, "", `{"error":"server_error"}`, "server_error", ErrUnavailable},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := http.Header{}
			if tc.hdr != "" {
				h.Set("WWW-Authenticate", tc.hdr)
			}
			err := endpointError("userinfo", tc.status, h, []byte(tc.body))
			var e *Error
			if !errors.As(err, &e) || e.Code != tc.code || !errors.Is(err, tc.want) {
				t.Fatalf("endpointError = %#v; want code %q matching %v", err, tc.code, tc.want)
			}
		})
	}
}

// FuzzEndpointError feeds hostile error answers: no panic, codes are
// clean tokens, descriptions bounded and free of control characters.
func FuzzEndpointError(f *testing.F) {
	f.Add(400, "", `{"error":"invalid_grant","error_description":"x"}`)
	f.Add(401, `Bearer error="invalid_token", error_description="expired"`, "")
	f.Add(500, "Bearer ,,,=,\"", "{")
	f.Add(418, "", `{"error":"`+strings.Repeat("x", 300)+`"}`)
	f.Fuzz(func(t *testing.T, status int, hdr, body string) {
		h := http.Header{}
		h.Set("WWW-Authenticate", hdr)
		err := endpointError("userinfo", status, h, []byte(body))
		var e *Error
		if !errors.As(err, &e) {
			t.Fatalf("not an *Error: %v", err)
		}
		if e.Code != "" && !validCode(e.Code) {
			t.Fatalf("code %q is not a clean token", e.Code)
		}
		if len(e.Description) > 256 || strings.ContainsAny(e.Description, "\r\n\x00") {
			t.Fatalf("description not sanitized: %q", e.Description)
		}
		if errors.Unwrap(err) == nil {
			t.Fatal("no sentinel")
		}
		_ = e.Error()
	})
}
