package weblogin

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"
)

func jws(header, payload string, sig []byte) string {
	e := base64.RawURLEncoding
	return e.EncodeToString([]byte(header)) + "." + e.EncodeToString([]byte(payload)) + "." + e.EncodeToString(sig)
}

func sameSession(a, b *Session) bool {
	return a.Subject == b.Subject && a.Username == b.Username && a.Email == b.Email && a.Name == b.Name &&
		slices.Equal(a.Groups, b.Groups) && a.AccessToken == b.AccessToken && a.RefreshToken == b.RefreshToken &&
		a.Expiry.Equal(b.Expiry) && a.AuthTime.Equal(b.AuthTime) && a.CreatedAt.Equal(b.CreatedAt) &&
		bytes.Equal(a.Claims, b.Claims)
}

func TestCodecRoundTrip(t *testing.T) {
	now := time.Date(2026, 5, 1, 12, 30, 45, 123456789, time.FixedZone("x", 3600))
	sig := bytes.Repeat([]byte{0xfb, 0xff, 0x00}, 86)
	tests := map[string]*Session{
		"typical": {Subject: "70f7ba32-919d", Username: "alice", Email: "alice@example.com", Name: "Alice", Groups: []string{"a", "b"},
			AccessToken:  jws(`{"alg":"RS256","kid":"k"}`, `{"sub":"70f7ba32-919d","cognito:groups":["a","b"]}`, sig),
			RefreshToken: "eyJjdHkiOiJKV1QifQ.AAAA.BBBB.CCCCCC.DD", Expiry: now.Add(time.Hour), AuthTime: now, CreatedAt: now,
			Claims: json.RawMessage(`{"sub":"70f7ba32-919d","custom:tenant":"acme"}`)},
		"minimal":              {Subject: "s", AccessToken: "a"},
		"access token padded":  {Subject: "s", AccessToken: "eyJ9.eyJ9==.c2ln"},
		"access token std b64": {Subject: "s", AccessToken: "ab+/.cd.ef"},
		"non-canonical bits":   {Subject: "s", AccessToken: "eyJhIjoxfQ.eyJhIjoxfR.c2ln"}, // R: nonzero trailing bits
		"two parts":            {Subject: "s", AccessToken: "abc.def"},
		"JWE with empty part":  {Subject: "s", AccessToken: jws("{}", "{}", nil), RefreshToken: "eyJ9..AAAA.BBBB.CC"},
		"opaque refresh":       {Subject: "s", AccessToken: "a", RefreshToken: "not base64!"},
		"many dots":            {Subject: "s", AccessToken: "a", RefreshToken: strings.Repeat("AA.", 12) + "AA"},
		"binary in payload":    {Subject: "s", AccessToken: jws("\x00\xff", "\xc3\x28 invalid utf-8", []byte{1})},
		"unicode":              {Subject: "s", Name: "Zoë 日本", Groups: []string{"", "ü"}, AccessToken: "x", Claims: json.RawMessage(`{}`)},
	}
	var c codec
	for name, s := range tests {
		t.Run(name, func(t *testing.T) {
			data, err := c.encode(s)
			if err != nil {
				t.Fatal(err)
			}
			got, err := c.decode(data)
			if err != nil {
				t.Fatalf("decode: %v", err)
			}
			if !sameSession(got, s) {
				t.Fatalf("round trip:\n got %+v\nwant %+v", got, s)
			}
			// Every truncation fails cleanly.
			for i := range data {
				if _, err := c.decode(data[:i]); err == nil {
					t.Fatalf("decode of the first %d of %d bytes succeeded", i, len(data))
				}
			}
		})
	}
}

// The secrets (the access token's signature and the refresh token) are
// stored outside the compressed block.
func TestCodecKeepsSecretsOutOfCompression(t *testing.T) {
	sig := []byte("SIGNATURE-BYTES-0123456789")
	s := &Session{Subject: "s", AccessToken: jws(`{"alg":"RS256"}`, `{"sub":"s"}`, sig), RefreshToken: "opaque-refresh-token-value",
		Claims: json.RawMessage(`{"custom:note":"SIGNATURE-BYTES-0123456789 opaque-refresh-token-value"}`)}
	var c codec
	data, err := c.encode(s)
	if err != nil {
		t.Fatal(err)
	}
	d := reader{b: data}
	d.byte()
	d.byte()
	size := d.uvarint()
	z := d.bytes()
	pub, err := c.inflate(z, size)
	if err != nil {
		t.Fatal(err)
	}
	p := reader{b: pub}
	for range 5 {
		p.bytes() // subject, username, email, name, claims
	}
	if h, pl := p.bytes(), p.bytes(); string(h) != `{"alg":"RS256"}` || string(pl) != `{"sub":"s"}` {
		t.Fatalf("public block holds header %q and payload %q", h, pl)
	}
	if rest := d.b; !bytes.Contains(rest, sig) || !bytes.Contains(rest, []byte("opaque-refresh-token-value")) {
		t.Fatal("the signature or the refresh token is not in the uncompressed secret block")
	}
}

func TestCodecReadsEarlierJSON(t *testing.T) {
	s := &Session{Subject: "s", Username: "u", Groups: []string{"g"}, AccessToken: "a.b.c", RefreshToken: "r",
		Expiry: time.Unix(1_800_000_000, 5), Claims: json.RawMessage(`{"x":1}`)}
	data, _ := json.Marshal(s)
	var c codec
	got, err := c.decode(data)
	if err != nil || !sameSession(got, s) {
		t.Fatalf("decode(JSON) = %+v, %v; want %+v", got, err, s)
	}
}

func FuzzCodecDecode(f *testing.F) {
	var c codec
	for _, s := range []*Session{
		{Subject: "s", AccessToken: jws("{}", `{"a":1}`, []byte{1, 2}), RefreshToken: "AA.BB", Groups: []string{"g"}},
		{Subject: "s", AccessToken: "x", Expiry: time.Unix(1, 0)},
	} {
		data, _ := c.encode(s)
		f.Add(data)
	}
	f.Add([]byte(`{"sub":"s","at":"a"}`))
	f.Add([]byte{2, 0xff, 0x80})
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := c.decode(data)
		if err != nil {
			return
		}
		// Whatever decodes encodes and decodes to the same session.
		again, err := c.encode(s)
		if err != nil {
			t.Fatal(err)
		}
		s2, err := c.decode(again)
		if err != nil || !sameSession(s, s2) {
			t.Fatalf("re-encoding changed the session: %v\n%+v\n%+v", err, s, s2)
		}
	})
}
