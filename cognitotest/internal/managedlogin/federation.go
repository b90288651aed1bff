package managedlogin

import (
	"context"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/cognitokit/cognitokit/cognitotest/internal/emulator"
	"github.com/cognitokit/cognitokit/cognitotest/internal/state"
	"github.com/cognitokit/cognitokit/cognitotest/internal/upstream"
	"github.com/cognitokit/cognitokit/cognitotest/internal/userpool"
	"github.com/cognitokit/cognitokit/cognitotest/internal/wire"
)

// Federated sign-in: /oauth2/authorize with identity_provider (or
// idp_identifier, or a button of the sign-in page) sends the browser to
// the provider's authorize endpoint; the provider sends it back to
// /oauth2/idpresponse with a code, which the emulator redeems at the
// provider's token endpoint (client_secret_post; like Cognito, without
// PKCE, the nonce binding the ID token to the sign-in); it verifies
// the provider's ID token (signature with the provider's JWKS, issuer,
// audience, expiry, nonce) and calls its userinfo endpoint, maps the
// attributes, creates or updates the user "{provider}_{subject}" (status
// EXTERNAL_PROVIDER, in the group "{pool ID}_{provider}", with the
// identities attribute), or takes the user of the pool it is linked to,
// and goes on as after a password: a managed-login session and a code for
// the app.

// fedRequest is a sign-in sent to a provider, by the state sent along.
type fedRequest struct {
	req      *authzRequest
	provider string
	nonce    string
	binding  string // the value of the browser's binding cookie
	expires  time.Time
}

// Login CSRF: the provider's answer (code and state) is a bearer of the
// sign-in. An attacker could start a sign-in, sign in at the provider as
// himself, and get a victim's browser to open the answer: the victim
// would be signed in to the attacker's account. So the redirect to the
// provider sets a cookie, bound to the state, that /oauth2/idpresponse
// requires (compared in constant time): the answer only completes in the
// browser that started the sign-in, as with Cognito's own cookies.
//
// The cookie is HttpOnly, lives as long as the sign-in, and is sent to
// /oauth2/idpresponse only. Its name carries a hash of the state, so that
// sign-ins in several tabs do not overwrite each other. For providers
// that answer with a redirect (GET) it is SameSite=Lax: a top-level
// navigation from the provider's site carries it. Sign in with Apple
// answers with response_mode=form_post, a cross-site POST, which carries
// only SameSite=None cookies, and browsers require Secure with None.
// Chromium and Firefox accept Secure cookies from http://localhost and
// http://127.0.0.1 (potentially trustworthy origins), so this works with
// the emulator on loopback; but HTTP clients that only send Secure cookies
// over https (Go's net/http/cookiejar) do not send it to an http://
// emulator, so such a client cannot finish an Apple sign-in: serve the
// emulator over https (or drive the flow with a browser). The trade-off
// of SameSite=None is that any site can make the browser send the cookie
// to /oauth2/idpresponse; that gains an attacker nothing, as the cookie
// only matches the state of the browser's own sign-in.

// bindingCookiePrefix starts the names of the binding cookies.
const bindingCookiePrefix = "cognitotest_idp_"

// bindingCookieName returns the name of the binding cookie of a state.
func bindingCookieName(state string) string {
	sum := sha256.Sum256([]byte(state))
	return bindingCookiePrefix + base64.RawURLEncoding.EncodeToString(sum[:12])
}

// bindingCookie returns the binding cookie of a sign-in (value
// "" and MaxAge -1 to delete it).
func (o *Server) bindingCookie(formPost bool, state, value string) *http.Cookie {
	c := &http.Cookie{Name: bindingCookieName(state), Value: value, Path: FederationResponsePath, HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: strings.HasPrefix(o.up.URL(), "https://"), MaxAge: int(requestLifetime / time.Second)}
	if formPost {
		c.SameSite, c.Secure = http.SameSiteNoneMode, true
	}
	if value == "" {
		c.MaxAge = -1
	}
	return c
}

// usesFormPost reports whether the provider answers with
// response_mode=form_post (Sign in with Apple, as Cognito asks it to).
func usesFormPost(p *state.IdentityProvider) bool { return p.Type == userpool.ProviderApple }

// FederationResponsePath is the provider's redirect URI: {URL}/oauth2/idpresponse.
const FederationResponsePath = "/oauth2/idpresponse"

// gcFedLocked drops expired federated sign-ins.
func (o *Server) gcFedLocked() {
	now := o.up.Now()
	for k, f := range o.fed {
		if now.After(f.expires) {
			delete(o.fed, k)
		}
	}
}

// resolveProvider returns the provider an authorization request names
// (identity_provider or idp_identifier), "" for managed login's own page,
// or an error message for the app.
func (o *Server) resolveProvider(client *state.Client, name, identifier string) (*state.IdentityProvider, string) {
	if name == "" && identifier == "" || name == "COGNITO" {
		return nil, ""
	}
	var p *state.IdentityProvider
	o.view(func(tx *state.Tx) {
		if name != "" {
			p = tx.IdentityProvider(client.PoolID, name)
		} else {
			p = userpool.ProviderByIdentifier(tx, client.PoolID, identifier)
		}
	})
	switch {
	case p == nil && name == "":
		return nil, "No identity provider of the user pool has the idp_identifier " + wire.Truncate(identifier, 64)
	case p == nil || !userpool.HasString(client.SupportedIdentityProviders, p.Name):
		return nil, "The identity provider is not enabled for the app client"
	}
	return p, ""
}

// federateLocked sends the browser to the provider's authorize endpoint.
func (o *Server) federateLocked(w http.ResponseWriter, r *http.Request, req *authzRequest, p *state.IdentityProvider) {
	s := o.up
	if p.Type == userpool.ProviderSAML {
		errorPage(w, http.StatusNotImplemented, "invalid_request", "cognitotest stores SAML identity providers but does not emulate SAML sign-in; use an OIDC provider.")
		return
	}
	o.gcFedLocked()
	if len(o.fed) >= maxPending {
		redirectError(w, r, req.redirectURI, req.state, "temporarily_unavailable", "Too many pending sign-ins")
		return
	}
	st := s.RandString(43, emulator.Alnum)
	f := &fedRequest{req: req, provider: p.Name, nonce: s.RandString(43, emulator.Alnum), binding: s.RandString(43, emulator.Alnum),
		expires: s.Now().Add(requestLifetime)}
	o.fed[st] = f
	http.SetCookie(w, o.bindingCookie(usesFormPost(p), st, f.binding))
	v := url.Values{
		"response_type": {"code"}, "client_id": {p.Details["client_id"]}, "redirect_uri": {s.URL() + FederationResponsePath},
		"scope": {p.Details["authorize_scopes"]}, "state": {st},
	}
	if usesIDToken(p) {
		v.Set("nonce", f.nonce)
	}
	if usesFormPost(p) {
		v.Set("response_mode", "form_post")
	}
	if req.loginHint != "" {
		v.Set("login_hint", req.loginHint)
	}
	http.Redirect(w, r, appendQuery(p.Details["authorize_url"], v), http.StatusFound)
}

// usesIDToken reports whether the provider signs users in with an OIDC ID
// token (OIDC, Google, Sign in with Apple), rather than OAuth 2.0 and its
// attributes endpoint alone (Facebook, Login with Amazon).
func usesIDToken(p *state.IdentityProvider) bool {
	return p.Type == userpool.ProviderOIDC || p.Type == userpool.ProviderGoogle || p.Type == userpool.ProviderApple
}

// idpResponse serves /oauth2/idpresponse: the provider's answer.
func (o *Server) idpResponse(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		errorPage(w, http.StatusBadRequest, "invalid_request", "The identity provider's answer could not be read.")
		return
	}
	q := r.Form
	st := q.Get("state")
	o.mu.Lock()
	f := o.fed[st]
	delete(o.fed, st) // single use
	o.mu.Unlock()
	if f == nil || o.up.Now().After(f.expires) {
		errorPage(w, http.StatusBadRequest, "invalid_request", "The identity provider's answer does not belong to a sign-in in progress (state), or the sign-in expired. Go back to the application and sign in again.")
		return
	}
	c, err := r.Cookie(bindingCookieName(st))
	if err != nil || subtle.ConstantTimeCompare([]byte(c.Value), []byte(f.binding)) != 1 {
		errorPage(w, http.StatusBadRequest, "invalid_request", "The identity provider's answer belongs to a sign-in started in another browser, or this browser did not keep the sign-in's cookie. Go back to the application and sign in again in this browser (with cookies allowed for this site).")
		return
	}
	http.SetCookie(w, o.bindingCookie(r.Method == http.MethodPost, st, ""))
	req := f.req
	fail := func(desc string) { redirectError(w, r, req.redirectURI, req.state, "invalid_request", desc) }
	if e := q.Get("error"); e != "" {
		fail(strings.TrimSpace(fmt.Sprintf("%s Error - %s %s", f.provider, wire.Truncate(e, 64), wire.Truncate(q.Get("error_description"), 256))))
		return
	}
	code := q.Get("code")
	if code == "" || len(code) > 4096 {
		fail(f.provider + " Error - the identity provider answered without a code")
		return
	}
	u, desc := o.federatedUser(r.Context(), f, code)
	if desc != "" {
		fail(desc)
		return
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	o.finishLoginLocked(w, r, req, u)
}

// federatedUser redeems the provider's code and returns the user who
// signs in, or the error description for the app.
func (o *Server) federatedUser(ctx context.Context, f *fedRequest, code string) (*state.User, string) {
	s := o.up
	var p *state.IdentityProvider
	o.view(func(tx *state.Tx) { p = tx.IdentityProvider(f.req.client.PoolID, f.provider) })
	if p == nil {
		return nil, f.provider + " Error - the identity provider no longer exists"
	}
	upErr := func(err error) string {
		s.Logger().Info("cognitotest: federated sign-in failed", "provider", p.Name, "err", err)
		var ue *upstream.Error
		if errors.As(err, &ue) {
			return strings.TrimSpace(fmt.Sprintf("%s Error - %d %s %s", p.Name, ue.Status, ue.Code, ue.Description))
		}
		return p.Name + " Error - " + err.Error()
	}
	form := url.Values{
		"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {s.URL() + FederationResponsePath},
		"client_id": {p.Details["client_id"]},
	}
	secret := p.Details["client_secret"]
	if p.Type == userpool.ProviderApple {
		var err error
		if secret, err = appleClientSecret(p, s.Now()); err != nil {
			return nil, upErr(err)
		}
	}
	if secret != "" {
		form.Set("client_secret", secret)
	}
	tok, err := o.upstream.Exchange(ctx, p.Details["token_url"], form)
	if err != nil {
		return nil, upErr(err)
	}
	claims := map[string]any{}
	if usesIDToken(p) {
		if tok.IDToken == "" {
			return nil, upErr(fmt.Errorf("%w: the token endpoint answered no id_token", upstream.ErrInvalidToken))
		}
		jwks := p.Details["jwks_uri"]
		if jwks == "" {
			d, err := o.upstream.Discover(ctx, p.Details["oidc_issuer"])
			if err != nil {
				return nil, upErr(err)
			}
			jwks = d.JWKSURI
		}
		idc, err := o.upstream.VerifyIDToken(ctx, tok.IDToken, upstream.IDTokenCheck{JWKSURI: jwks, Issuer: p.Details["oidc_issuer"], Audience: p.Details["client_id"], Nonce: f.nonce})
		if err != nil {
			return nil, upErr(err)
		}
		claims = idc
	}
	if au := p.Details["attributes_url"]; au != "" && tok.AccessToken != "" && p.Type != userpool.ProviderApple {
		if p.Details["attributes_url_add_attributes"] == "true" {
			au += strings.Join(mappedClaims(p), ",")
		}
		info, err := o.upstream.UserInfo(ctx, au, p.Details["attributes_request_method"], tok.AccessToken)
		if err != nil {
			return nil, upErr(err)
		}
		if sub := claimString(claims["sub"]); sub != "" && info["sub"] != nil && claimString(info["sub"]) != sub {
			return nil, upErr(fmt.Errorf("%w: the userinfo endpoint answered another sub than the ID token", upstream.ErrInvalidToken))
		}
		for k, v := range info {
			if k == "sub" && claims["sub"] != nil {
				continue
			}
			claims[k] = v
		}
	}
	subject := claimString(claims[p.AttributeMapping["username"]])
	if subject == "" || len(subject) > 128 {
		return nil, fmt.Sprintf("%s Error - the provider's answer has no %s claim (the username mapping) of 1 to 128 characters", p.Name, p.AttributeMapping["username"])
	}
	attrs := map[string]string{}
	for attr, claim := range p.AttributeMapping {
		if attr == "username" {
			continue
		}
		if v := claimString(claims[claim]); v != "" {
			attrs[attr] = v
		}
	}
	return o.signInWithTriggers(ctx, f.req, p, subject, attrs)
}

// signInWithTriggers creates, updates or finds the user of a provider's
// subject and runs the Lambda triggers Cognito runs for federated users
// ("Lambda triggers for federated users" in the Cognito developer guide):
// at the first sign-in PreSignUp (PreSignUp_ExternalProvider) before the
// user is created and PostConfirmation (PostConfirmation_ConfirmSignUp)
// after; at later sign-ins (and for a user of the pool a link names)
// PreAuthentication and PostAuthentication (_Authentication). Both then
// get PreTokenGeneration (TokenGeneration_HostedAuth) when the app
// redeems its code. Federated sign-in runs no custom authentication,
// UserMigration, custom message or custom sender trigger. A trigger that
// fails ends the sign-in with its error for the app ("PreSignUp failed
// with error ..."). The triggers run outside the state's transactions.
func (o *Server) signInWithTriggers(ctx context.Context, req *authzRequest, p *state.IdentityProvider, subject string, attrs map[string]string) (*state.User, string) {
	s := o.up
	caller := userpool.Caller{ClientID: req.client.ID}
	var pool *state.Pool
	var existing *state.User
	var desc string
	o.view(func(tx *state.Tx) {
		if pool = tx.Pool(p.PoolID); pool != nil {
			existing, desc = o.federatedUserOf(tx, pool, p, subject)
		}
	})
	switch {
	case pool == nil:
		return nil, "The user pool no longer exists"
	case desc != "":
		return nil, desc
	case existing != nil:
		if err := s.RunPreAuthentication(ctx, pool, caller, "", existing); err != nil {
			return nil, triggerMessage(err)
		}
	default:
		if msg := newUserCheck(pool, attrs); msg != "" {
			return nil, msg
		}
		ev := maps.Clone(attrs)
		// Cognito's events of federated sign-ups carry the alias
		// attributes, empty.
		ev["cognito:email_alias"], ev["cognito:phone_number_alias"] = "", ""
		resp, err := s.RunPreSignUp(ctx, pool, userpool.PreSignUp{Source: "PreSignUp_ExternalProvider", Caller: caller,
			Username: userpool.FederatedUsername(p.Name, subject), Attributes: ev, ValidationData: map[string]string{}})
		if err != nil {
			return nil, triggerMessage(err)
		}
		if resp.AutoVerifyEmail && attrs["email"] != "" {
			attrs["email_verified"] = "true"
		}
		if resp.AutoVerifyPhone && attrs["phone_number"] != "" {
			attrs["phone_number_verified"] = "true"
		}
	}
	var u *state.User
	var created bool
	err := s.State.Update(func(tx *state.Tx) error {
		u, created, desc = o.signInFederated(tx, p, subject, attrs, existing == nil)
		if desc != "" {
			return errors.New(desc)
		}
		return nil
	})
	if desc != "" {
		return nil, desc
	}
	if err != nil {
		s.Logger().Error("cognitotest: federated sign-in", "provider", p.Name, "err", err)
		return nil, "Internal error: the federated user could not be stored"
	}
	if created {
		err = s.RunPostConfirmation(ctx, pool, "PostConfirmation_ConfirmSignUp", caller, u)
	} else {
		err = s.RunPostAuthentication(ctx, pool, caller, u, false)
	}
	if err != nil {
		return nil, triggerMessage(err)
	}
	req.federated = true // its triggers have run: finishLoginLocked runs no PostAuthentication
	return u, ""
}

// federatedUserOf returns the user who signs in as a provider's subject:
// the user of the pool a link names, or the provider's user of the pool;
// nil when there is none yet, or an error message for the app.
func (o *Server) federatedUserOf(tx *state.Tx, pool *state.Pool, idp *state.IdentityProvider, subject string) (*state.User, string) {
	if l := tx.ProviderLink(pool.ID, idp.Name, userpool.SubjectAttribute, subject); l != nil {
		if u := userpool.UserOf(tx, pool, l.Username, l.Sub); u != nil {
			if !u.Enabled {
				return nil, "User is disabled."
			}
			return u, ""
		}
	}
	username := userpool.FederatedUsername(idp.Name, subject)
	u := tx.User(pool, username)
	switch {
	case u == nil:
		return nil, ""
	case u.Status != userpool.StatusExternalProvider:
		return nil, "Already found an entry for username " + username
	case !u.Enabled:
		return nil, "User is disabled."
	}
	return u, ""
}

// signInFederated finds, creates or updates the user of a provider's
// subject, in a transaction; created reports a new user. When signUp is
// false (the user existed before the triggers ran), a user deleted since
// is not created again without its PreSignUp trigger.
func (o *Server) signInFederated(tx *state.Tx, idp *state.IdentityProvider, subject string, attrs map[string]string, signUp bool) (u *state.User, created bool, desc string) {
	s := o.up
	pool := tx.Pool(idp.PoolID)
	if pool == nil {
		return nil, false, "The user pool no longer exists"
	}
	if l := tx.ProviderLink(pool.ID, idp.Name, userpool.SubjectAttribute, subject); l != nil {
		if u := userpool.UserOf(tx, pool, l.Username, l.Sub); u != nil {
			if !u.Enabled {
				return nil, false, "User is disabled."
			}
			return u, false, "" // the user of the pool it is linked to, as it is
		}
	}
	now := s.Now()
	username := userpool.FederatedUsername(idp.Name, subject)
	u = tx.User(pool, username)
	var nu *state.User
	switch {
	case u != nil && u.Status != userpool.StatusExternalProvider:
		return nil, false, "Already found an entry for username " + username
	case u != nil:
		if !u.Enabled {
			return nil, false, "User is disabled."
		}
		if msg := userpool.CheckSchema(pool, attrs, false); msg != "" {
			return nil, false, msg
		}
		nu = u.Clone()
		for k, v := range attrs { // mapped attributes follow the provider at each sign-in
			nu.Attributes[k] = v
		}
	case !signUp:
		return nil, false, "The user no longer exists. Sign in again."
	default:
		if tx.UserCount(pool.ID) >= userpool.MaxUsersPerPool {
			return nil, false, "The user pool has too many users"
		}
		if msg := newUserCheck(pool, attrs); msg != "" {
			return nil, false, msg
		}
		nu = &state.User{PoolID: pool.ID, Username: username, Sub: s.UUID(), Attributes: attrs, Status: userpool.StatusExternalProvider,
			Enabled: true, CreatedAt: now}
		userpool.SetIdentities(nu, []userpool.FederatedIdentity{userpool.NewIdentity(idp, subject, true, now)})
		created = true
	}
	group := userpool.ProviderGroup(pool.ID, idp.Name)
	if tx.Group(pool.ID, group) == nil {
		if _, err := s.CreateGroup(tx, pool, group, "Autogenerated group for users who sign in using "+idp.Name, nil, ""); err != nil {
			return nil, false, "The group " + group + " could not be created"
		}
	}
	nu.AddGroup(group)
	nu.ModifiedAt = now
	tx.PutUser(pool, nu)
	return nu, created, ""
}

// newUserCheck returns the error message for the app when the mapped
// attributes cannot make a new user of the pool: a required attribute
// missing, or one the schema refuses.
func newUserCheck(pool *state.Pool, attrs map[string]string) string {
	var missing []string
	for _, a := range pool.RequiredAttributes {
		if attrs[a] == "" {
			missing = append(missing, a)
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		return "attributes required: [" + strings.Join(missing, ", ") + "]"
	}
	return userpool.CheckSchema(pool, attrs, false)
}

// mappedClaims returns the provider attributes of the mapping, sorted.
func mappedClaims(p *state.IdentityProvider) []string {
	out := make([]string, 0, len(p.AttributeMapping))
	for _, c := range p.AttributeMapping {
		out = append(out, c)
	}
	sort.Strings(out)
	return out
}

// claimString returns a claim as an attribute value: strings as they
// are, booleans and numbers in their JSON form, objects and arrays as
// JSON; "" for an absent claim.
func claimString(v any) string {
	switch c := v.(type) {
	case nil:
		return ""
	case string:
		return c
	case bool:
		return strconv.FormatBool(c)
	case float64:
		return strconv.FormatFloat(c, 'f', -1, 64)
	default:
		b, err := json.Marshal(c)
		if err != nil {
			return ""
		}
		return string(b)
	}
}

// appleClientSecret returns the client secret Sign in with Apple wants: a
// JWT signed (ES256) with the provider's private key, as Cognito makes it.
func appleClientSecret(p *state.IdentityProvider, now time.Time) (string, error) {
	key, err := userpool.ApplePrivateKey(p.Details["private_key"])
	if err != nil {
		return "", err
	}
	aud := p.Details["oidc_issuer"]
	if aud == "" {
		aud = "https://appleid.apple.com"
	}
	hdr, _ := json.Marshal(map[string]string{"alg": "ES256", "kid": p.Details["key_id"]})
	body, _ := json.Marshal(map[string]any{"iss": p.Details["team_id"], "iat": now.Unix(), "exp": now.Add(5 * time.Minute).Unix(),
		"aud": aud, "sub": p.Details["client_id"]})
	input := base64.RawURLEncoding.EncodeToString(hdr) + "." + base64.RawURLEncoding.EncodeToString(body)
	sum := sha256.Sum256([]byte(input))
	r, s, err := ecdsa.Sign(rand.Reader, key, sum[:])
	if err != nil {
		return "", err
	}
	sig := make([]byte, 64)
	r.FillBytes(sig[:32])
	s.FillBytes(sig[32:])
	return input + "." + base64.RawURLEncoding.EncodeToString(sig), nil
}

// providerButton is a "Sign in with" button of the sign-in page.
type providerButton struct {
	Name string
	URL  string // /oauth2/authorize with the request's parameters and identity_provider
}

// providerButtons returns the buttons of the identity providers the app
// client allows (SAML ones, whose sign-in is not emulated, aside), and
// whether the client does not allow COGNITO, the password form.
func (o *Server) providerButtons(req *authzRequest) ([]providerButton, bool) {
	var out []providerButton
	o.view(func(tx *state.Tx) {
		for _, name := range req.client.SupportedIdentityProviders {
			p := tx.IdentityProvider(req.client.PoolID, name)
			if p == nil || p.Type == userpool.ProviderSAML {
				continue
			}
			v := url.Values{"response_type": {"code"}, "client_id": {req.client.ID}, "redirect_uri": {req.redirectURI},
				"scope": {strings.Join(req.scopes, " ")}, "identity_provider": {p.Name}}
			if req.state != "" {
				v.Set("state", req.state)
			}
			if req.nonce != "" {
				v.Set("nonce", req.nonce)
			}
			if req.challenge != "" {
				v.Set("code_challenge", req.challenge)
				v.Set("code_challenge_method", "S256")
			}
			out = append(out, providerButton{Name: p.Name, URL: "/oauth2/authorize?" + v.Encode()})
		}
	})
	return out, !userpool.HasString(req.client.SupportedIdentityProviders, "COGNITO")
}
