package alb

import (
	"context"
	"crypto/ecdsa"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"flag"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/cognitokit/cognitokit/internal/albtoken"
	"github.com/cognitokit/cognitokit/verifier"
)

var update = flag.Bool("update", false, "regenerate testdata/corpus.json")

// corpusCase is one token of the golden corpus and its verdict: "ok" or
// the verifier.Reason label of the rejection.
type corpusCase struct {
	Name  string `json:"name"`
	Token string `json:"token"`
	Want  string `json:"want"`
}

// genCorpus builds tokens the way the ALB builds them (albtoken: padded
// base64url, the signature over the padded segments, raw R‖S), then
// variants an attacker or a broken proxy would send.
func genCorpus(t *testing.T) []corpusCase {
	alb := loadKey(t, "alb-key.pem")
	other := loadKey(t, "other-key.pem")
	now := corpusNow.Unix()
	sign := func(key *ecdsa.PrivateKey, h albtoken.Header, payload []byte, unpadded bool) string {
		tok, err := albtoken.Sign(key, h, payload, albtoken.Options{Unpadded: unpadded})
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	good := sign(alb, albHeader(), userInfo(now+120), false)
	var cases []corpusCase
	add := func(name, tok, want string) { cases = append(cases, corpusCase{name, tok, want}) }
	add("alb as sent: padded segments", good, "ok")
	add("rfc 7515: unpadded segments", sign(alb, albHeader(), userInfo(now+120), true), "ok")
	// A payload whose length is a multiple of 3 has no padding even when padded.
	for pad := 0; pad < 3; pad++ {
		p := userInfo(now + 120)
		p = append(p[:len(p)-1], []byte(`,"x":"`+strings.Repeat("y", pad)+`"}`)...)
		add("padded, payload length mod 3 = "+itoa(int64(len(p)%3)), sign(alb, albHeader(), p, false), "ok")
	}
	h := albHeader()
	h.Signer = secondARN
	add("second configured ALB", sign(alb, h, userInfo(now+120), false), "ok")
	add("payload without iss and exp", sign(alb, albHeader(), []byte(`{"sub":"6f4c8a51-2d3b-4e7f-9a10-5b6c7d8e9f00","email":"alice@example.com"}`), false), "ok")

	h = albHeader()
	h.Signer = otherARN
	add("different signer (another account's ALB)", sign(alb, h, userInfo(now+120), false), "wrong_issuer")
	add("different signer, its own key", sign(other, h, userInfo(now+120), false), "wrong_issuer")
	add("signed by another key under the ALB's kid", sign(other, albHeader(), userInfo(now+120), false), "bad_signature")
	h = albHeader()
	h.Exp = now - 1
	add("expired header exp", sign(alb, h, userInfo(now-1), false), "expired")
	add("header exp valid, payload exp passed", sign(alb, albHeader(), userInfo(now-60), false), "expired")
	h = albHeader()
	h.Client = "someotherclient"
	add("wrong client", sign(alb, h, userInfo(now+120), false), "wrong_client")
	h = albHeader()
	h.Iss = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Other"
	add("wrong issuer", sign(alb, h, userInfo(now+120), false), "wrong_issuer")
	add("payload iss disagrees with header iss", sign(alb, albHeader(), []byte(`{"sub":"x","iss":"https://evil.example"}`), false), "wrong_issuer")
	h = albHeader()
	h.Kid = unknownKid
	add("wrong kid (no such key)", sign(alb, h, userInfo(now+120), false), "unknown_key")
	h = albHeader()
	h.Kid = "../../etc/passwd"
	add("kid that is not a UUID", sign(alb, h, userInfo(now+120), false), "malformed")

	// Tampering after signing.
	hs, ps, ss := parts(good)
	th := albHeader()
	th.Typ, th.Alg = "JWT", "ES256"
	th.Signer = secondARN
	thJSON, _ := json.Marshal(th)
	add("tampered header (signer swapped to another allowed ALB)", base64.URLEncoding.EncodeToString(thJSON)+"."+ps+"."+ss, "bad_signature")
	th = albHeader()
	th.Typ, th.Alg = "JWT", "ES256"
	th.Exp = now + 86400
	thJSON, _ = json.Marshal(th)
	add("tampered header (exp extended)", base64.URLEncoding.EncodeToString(thJSON)+"."+ps+"."+ss, "bad_signature")
	tp := strings.Replace(string(userInfo(now+120)), "alice", "mallory", -1)
	add("tampered payload", hs+"."+base64.URLEncoding.EncodeToString([]byte(tp))+"."+ss, "bad_signature")
	strip := func(s string) string { return strings.TrimRight(s, "=") }
	add("padding stripped after signing", strip(hs)+"."+strip(ps)+"."+strip(ss), "bad_signature")
	un := sign(alb, albHeader(), userInfo(now+120), true)
	uh, up, us := parts(un)
	pad := func(s string) string { return s + strings.Repeat("=", (4-len(s)%4)%4) }
	add("padding added after signing unpadded", pad(uh)+"."+pad(up)+"."+pad(us), "bad_signature")
	if len(hs) != len(strip(hs)) {
		add("mixed: padded header, unpadded signature", hs+"."+ps+"."+strip(ss), "malformed")
	}
	add("extra padding", hs+"."+ps+"."+ss+"==", "malformed")
	add("padding inside a segment", hs[:8]+"="+hs[8:]+"."+ps+"."+ss, "malformed")
	add("standard base64 alphabet", strings.NewReplacer("-", "+", "_", "/").Replace(good), "malformed")
	add("line break", hs+".\n"+ps+"."+ss, "malformed")
	add("four segments", good+"."+ss, "malformed")
	add("empty signature", hs+"."+ps+".", "malformed")

	// Algorithm confusion.
	pemPub, _ := albtoken.PublicPEM(&alb.PublicKey)
	for _, alg := range []string{"HS256", "none", "RS256", "ES384", "es256"} {
		hj := `{"typ":"JWT","kid":"` + testKid + `","alg":"` + alg + `","iss":"` + testIssuer + `","client":"` + testClient +
			`","signer":"` + testARN + `","exp":` + itoa(now+120) + `}`
		in := base64.URLEncoding.EncodeToString([]byte(hj)) + "." + ps
		mac := hmac.New(sha256.New, pemPub)
		mac.Write([]byte(in))
		sig := base64.URLEncoding.EncodeToString(append(mac.Sum(nil), make([]byte, 32)...))
		add("alg confusion: "+alg, in+"."+sig, "unsupported_alg")
	}
	// Header shapes.
	raw := func(name, hj, want string) {
		in := base64.URLEncoding.EncodeToString([]byte(hj)) + "." + ps
		sig, err := albtoken.SignInput(alb, in)
		if err != nil {
			t.Fatal(err)
		}
		add(name, in+"."+base64.URLEncoding.EncodeToString(sig), want)
	}
	base := `"kid":"` + testKid + `","alg":"ES256","iss":"` + testIssuer + `","client":"` + testClient + `","signer":"` + testARN + `","exp":` + itoa(now+120)
	raw("signed header with a repeated signer", `{`+base+`,"signer":"`+otherARN+`"}`, "malformed")
	raw("signed header repeating alg in another case", `{`+base+`,"ALG":"none"}`, "malformed")
	raw("signed header with jku", `{`+base+`,"jku":"https://evil.example/keys"}`, "malformed")
	raw("signed header without exp", `{"kid":"`+testKid+`","alg":"ES256","iss":"`+testIssuer+`","client":"`+testClient+`","signer":"`+testARN+`"}`, "malformed")
	raw("signed header with exp as a string", `{"kid":"`+testKid+`","alg":"ES256","iss":"`+testIssuer+`","client":"`+testClient+`","signer":"`+testARN+`","exp":"`+itoa(now+120)+`"}`, "malformed")
	raw("signed header with an unknown member", `{`+base+`,"x-amzn-trace":"abc"}`, "ok")
	add("payload is not JSON", sign(alb, albHeader(), []byte(`not json`), false), "malformed")
	add("payload repeats sub", sign(alb, albHeader(), []byte(`{"sub":"a","sub":"b"}`), false), "malformed")
	add("payload without sub", sign(alb, albHeader(), []byte(`{"email":"a@example.com"}`), false), "malformed")
	add("signature in DER form", hs+"."+ps+"."+base64.URLEncoding.EncodeToString(derSig(t, good)), "malformed")
	return cases
}

func parts(tok string) (h, p, s string) {
	h, rest, _ := strings.Cut(tok, ".")
	p, s, _ = strings.Cut(rest, ".")
	return
}

// derSig re-encodes the raw R‖S signature of tok as ASN.1 DER, which the
// ALB never sends.
func derSig(t *testing.T, tok string) []byte {
	_, _, s := parts(tok)
	raw, err := base64.URLEncoding.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	der := []byte{0x30, 0}
	for _, half := range [][]byte{raw[:32], raw[32:]} {
		for len(half) > 1 && half[0] == 0 && half[1] < 0x80 {
			half = half[1:]
		}
		if half[0] >= 0x80 {
			half = append([]byte{0}, half...)
		}
		der = append(der, 0x02, byte(len(half)))
		der = append(der, half...)
	}
	der[1] = byte(len(der) - 2)
	return der
}

// TestCorpus checks the golden corpus in testdata/corpus.json (regenerate
// it with go test -run TestCorpus -update): each token gets its verdict.
func TestCorpus(t *testing.T) {
	if *update {
		b, err := json.MarshalIndent(genCorpus(t), "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile("testdata/corpus.json", append(b, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	b, err := os.ReadFile("testdata/corpus.json")
	if err != nil {
		t.Fatal(err)
	}
	var cases []corpusCase
	if err := json.Unmarshal(b, &cases); err != nil {
		t.Fatal(err)
	}
	if len(cases) < 40 {
		t.Fatalf("corpus has %d cases; want at least 40", len(cases))
	}
	ks := newKeyServer(t, &loadKey(t, "alb-key.pem").PublicKey)
	for _, tc := range cases {
		t.Run(tc.Name, func(t *testing.T) {
			// A fresh verifier per case, so that the cooldown of one
			// unknown kid does not change another case's verdict.
			v := testVerifier(t, ks.URL, nil)
			c, err := v.Verify(context.Background(), tc.Token)
			got := verifier.Reason(err)
			if err == nil {
				got = "ok"
			}
			if got != tc.Want {
				t.Fatalf("verdict = %s (%v); want %s", got, err, tc.Want)
			}
			if err == nil {
				if c.Subject == "" || c.ClientID != testClient || c.Issuer != testIssuer || c.KeyID != testKid || c.UserPoolID != "us-east-1_AbC123" {
					t.Errorf("claims = %+v", c)
				}
				if !c.ExpiresAt.After(corpusNow) || c.ExpiresAt.After(corpusNow.Add(2*time.Minute)) {
					t.Errorf("ExpiresAt = %v", c.ExpiresAt)
				}
			} else if strings.Contains(err.Error(), tc.Token) {
				t.Errorf("the error contains the token")
			}
		})
	}
}
