package revocation_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"testing"

	"github.com/cognitokit/cognitokit/verifier/revocation"
)

// FuzzEntryForToken: any input gives an entry or ErrInvalidEntry, never a
// panic, and an entry always names a printable origin_jti of bounded size.
func FuzzEntryForToken(f *testing.F) {
	enc := base64.RawURLEncoding.EncodeToString
	f.Add("eyJhbGciOiJSUzI1NiJ9." + enc([]byte(`{"origin_jti":"4d7c5a4e-1111","sub":"u"}`)) + ".sig")
	f.Add("a.b.c")
	f.Add("")
	f.Add("x." + enc([]byte(`{"origin_jti":"has space"}`)) + ".y")
	f.Add("x." + enc([]byte(`{"origin_jti":1}`)) + ".y")
	f.Fuzz(func(t *testing.T, tok string) {
		e, err := revocation.EntryForToken(tok)
		if err != nil {
			if !errors.Is(err, revocation.ErrInvalidEntry) {
				t.Fatalf("error %v does not match ErrInvalidEntry", err)
			}
			return
		}
		if e.OriginJTI == "" || len(e.OriginJTI) > 128 {
			t.Fatalf("entry %+v", e)
		}
	})
}

// FuzzSharedEntry: entries arrive from Redis as JSON; whatever arrives,
// Revoke either refuses it or applies it, without a panic.
func FuzzSharedEntry(f *testing.F) {
	f.Add([]byte(`{"o":"origin","e":"2026-03-05T13:00:00Z"}`))
	f.Add([]byte(`{"s":"sub","b":"2026-03-05T12:00:00Z"}`))
	f.Add([]byte(`{"o":"a","s":"b"}`))
	f.Add([]byte(`{}`))
	l, err := revocation.New(revocation.Config{MaxEntries: 100})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var e revocation.Entry
		if json.Unmarshal(data, &e) != nil {
			return
		}
		err := l.Revoke(context.Background(), e)
		if err != nil && !errors.Is(err, revocation.ErrInvalidEntry) {
			t.Fatalf("Revoke: %v", err)
		}
		if l.Len() > 100 {
			t.Fatalf("Len %d beyond MaxEntries", l.Len())
		}
	})
}
