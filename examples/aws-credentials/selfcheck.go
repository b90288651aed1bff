package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"golang.org/x/oauth2"

	"github.com/cognitokit/cognitokit/identitypool"
)

// selfCheckRun runs the exchange on the embedded emulator and checks it.
func selfCheckRun(ctx context.Context, st *stage, out io.Writer) error {
	if st.emu == nil {
		return errors.New("the self-check needs the embedded emulator")
	}
	step := func(format string, args ...any) { fmt.Fprintf(out, "ok  "+format+"\n", args...) }

	// 1. alice gets credentials of her own identity; the output is redacted.
	var buf bytes.Buffer
	alice, err := obtain(ctx, st, "alice", &buf)
	if err != nil {
		return err
	}
	for _, secret := range []string{alice.AccessKeyID, alice.SecretAccessKey, alice.SessionToken} {
		if secret == "" || strings.Contains(buf.String(), secret) {
			return errors.New("the output shows a credential value")
		}
	}
	aliceInfo, ok := st.emu.IssuedCredentials(alice.AccessKeyID)
	if !ok || !aliceInfo.Authenticated {
		return fmt.Errorf("alice's credentials: %+v; want authenticated credentials", aliceInfo)
	}
	step("alice signed in over SRP and got credentials for identity %s (output redacted)", aliceInfo.IdentityID)

	// 2. A user switch: bob gets his own identity, never alice's credentials.
	aliceTS, err := st.signIn(ctx, "alice")
	if err != nil {
		return err
	}
	bobTS, err := st.signIn(ctx, "bob")
	if err != nil {
		return err
	}
	aliceLogin, _ := st.login(aliceTS)
	bobLogin, _ := st.login(bobTS)
	p, err := st.provider(func(c *identitypool.Config) { c.Logins = []identitypool.Login{aliceLogin} })
	if err != nil {
		return err
	}
	cache := p.CredentialsCache()
	a, err := cache.Retrieve(ctx)
	if err != nil {
		return err
	}
	if err := p.SetLogins(bobLogin); err != nil {
		return err
	}
	b, err := cache.Retrieve(ctx)
	if err != nil {
		return err
	}
	ai, _ := st.emu.IssuedCredentials(a.AccessKeyID)
	bi, _ := st.emu.IssuedCredentials(b.AccessKeyID)
	if ai.IdentityID != aliceInfo.IdentityID || bi.IdentityID == ai.IdentityID || a.AccessKeyID == b.AccessKeyID {
		return fmt.Errorf("user switch: alice %s, bob %s; want two identities", ai.IdentityID, bi.IdentityID)
	}
	step("switching to bob gave identity %s, not alice's", bi.IdentityID)

	// 3. Guests.
	g, err := st.provider(func(c *identitypool.Config) { c.AllowGuest = true })
	if err != nil {
		return err
	}
	gc, err := g.Retrieve(ctx)
	if err != nil {
		return fmt.Errorf("guest: %w", err)
	}
	if gi, _ := st.emu.IssuedCredentials(gc.AccessKeyID); gi.Authenticated {
		return errors.New("guest credentials are authenticated")
	}
	step("a guest got unauthenticated credentials")

	// 4. A forged ID token is refused with a typed error.
	tok, err := aliceTS.Token()
	if err != nil {
		return err
	}
	forged := tok.AccessToken[:len(tok.AccessToken)-8] + "AAAAAAAA"
	fl, _ := st.login(oauth2.StaticTokenSource(&oauth2.Token{AccessToken: forged}))
	f, err := st.provider(func(c *identitypool.Config) { c.Logins = []identitypool.Login{fl} })
	if err != nil {
		return err
	}
	if _, err := f.Retrieve(ctx); !errors.Is(err, identitypool.ErrNotAuthorized) {
		return fmt.Errorf("forged token: got %v; want ErrNotAuthorized", err)
	}
	step("a forged ID token was refused (ErrNotAuthorized)")

	fmt.Fprint(out, buf.String())
	return nil
}
