package srp

import (
	"bytes"
	"crypto/rand"
	"errors"
	"math/big"
	"strings"
	"testing"
)

func FuzzParseHex(f *testing.F) {
	for _, s := range []string{"0", "00ff", "FF", "-14", "-0", "-00c8", "499602d2", "", "-", "--1", "+1", "0x1f", " 1f", "1_f", "1g", "é", strings.Repeat("f", MaxHexLen), strings.Repeat("f", MaxHexLen+1)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := ParseHex(s)
		if err != nil {
			if !errors.Is(err, ErrInvalidHex) {
				t.Fatalf("ParseHex(%q): error %v does not wrap ErrInvalidHex", s, err)
			}
			if v != nil {
				t.Fatalf("ParseHex(%q): non-nil value with an error", s)
			}
			return
		}
		// Re-encoding gives the input without leading zeros, in lowercase.
		digits := strings.TrimPrefix(strings.ToLower(s), "-")
		digits = strings.TrimLeft(digits, "0")
		if digits == "" {
			digits = "0"
		}
		want := digits
		if strings.HasPrefix(s, "-") && digits != "0" {
			want = "-" + digits
		}
		if got := v.Text(16); got != want {
			t.Fatalf("ParseHex(%q).Text(16): got %q; want %q", s, got, want)
		}
		if back := unpad(Pad(v)); back.Cmp(v) != 0 {
			t.Fatalf("unpad(Pad(%x)) = %x", v, back)
		}
	})
}

// FuzzPasswordKey feeds hostile server values (SRP_B, SALT, SECRET_BLOCK) to
// the client half: no panics, typed errors only, and when it succeeds the
// server half with the same salt agrees.
func FuzzPasswordKey(f *testing.F) {
	srvB := func() string {
		s, err := NewServer(rand.Reader, Verifier("p", "u", "pw", big.NewInt(1)))
		if err != nil {
			f.Fatal(err)
		}
		return s.BHex()
	}()
	f.Add("499602d2", "499602d2", []byte("secretssecrestssecrets"), "test")
	f.Add(srvB, "-7f", []byte{}, "pässwörd")
	f.Add("0", "1", []byte{0}, "")
	f.Add(nHex, "00", []byte{1, 2, 3}, "x")
	f.Add("-1", "-80", []byte{0xff}, "x")
	f.Add(strings.Repeat("f", 1025), "1", []byte{}, "x")
	cli, err := NewClient(rand.Reader)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, bHex, saltHex string, secretBlock []byte, password string) {
		B, errB := ParseHex(bHex)
		salt, errS := ParseHex(saltHex)
		if errB != nil || errS != nil {
			if !errors.Is(errB, ErrInvalidHex) && errB != nil || !errors.Is(errS, ErrInvalidHex) && errS != nil {
				t.Fatalf("untyped errors: %v, %v", errB, errS)
			}
			return
		}
		key, err := cli.PasswordKey("pool", "user", password, B, salt)
		if err != nil {
			if !errors.Is(err, ErrInvalidB) && !errors.Is(err, ErrInvalidU) {
				t.Fatalf("PasswordKey: untyped error %v", err)
			}
			if B.Sign() > 0 && B.Cmp(params.N) < 0 {
				t.Fatalf("PasswordKey rejected a valid B: %v", err)
			}
			return
		}
		if len(key) != 16 {
			t.Fatalf("key length %d; want 16", len(key))
		}
		sig := Signature(key, "pool", "user", secretBlock, "Thu Mar 5 14:07:09 UTC 2026")
		if !VerifySignature(key, "pool", "user", secretBlock, "Thu Mar 5 14:07:09 UTC 2026", sig) {
			t.Fatal("signature does not verify with its own key")
		}
		if len(password) < 16 && len(bHex) < 8 { // an occasional full check keeps the fuzzer fast
			srv, err := NewServer(rand.Reader, Verifier("pool", "user", password, salt))
			if err != nil {
				t.Fatal(err)
			}
			ck, err := cli.PasswordKey("pool", "user", password, srv.B(), salt)
			if err != nil {
				t.Fatal(err)
			}
			sk, err := srv.PasswordKey(cli.A())
			if err != nil || !bytes.Equal(ck, sk) {
				t.Fatalf("salt %s: client and server disagree: %v", saltHex, err)
			}
		}
	})
}

// FuzzServerPasswordKey feeds hostile SRP_A values to the server half: no
// panics, typed errors, and a key only for A in [1, N).
func FuzzServerPasswordKey(f *testing.F) {
	cli, err := NewClient(rand.Reader)
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{cli.AHex(), "0", "1", nHex, "-" + cli.AHex(), strings.Repeat("f", MaxHexLen)} {
		f.Add(s)
	}
	srv, err := NewServer(rand.Reader, Verifier("p", "u", "pw", big.NewInt(-42)))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, aHex string) {
		A, err := ParseHex(aHex)
		if err != nil {
			return
		}
		key, err := srv.PasswordKey(A)
		valid := A.Sign() > 0 && A.Cmp(params.N) < 0
		switch {
		case err != nil && !errors.Is(err, ErrInvalidA) && !errors.Is(err, ErrInvalidU):
			t.Fatalf("untyped error %v", err)
		case err != nil && valid:
			t.Fatalf("rejected a valid A: %v", err)
		case err == nil && (!valid || len(key) != 16):
			t.Fatalf("accepted A=%s", aHex)
		}
	})
}
