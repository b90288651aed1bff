package managedlogin

import (
	"encoding/json"
	"errors"
	"html/template"
	"net/http"
	"strings"

	"github.com/cognitokit/cognitokit/cognitotest/internal/emulator"
	"github.com/cognitokit/cognitokit/cognitotest/internal/state"
	"github.com/cognitokit/cognitokit/cognitotest/internal/userpool"
	"github.com/cognitokit/cognitokit/cognitotest/internal/wire"
)

// Passkeys in managed login: a sign-in page that signs in with a passkey
// (navigator.credentials.get with the options of the pool's relying
// party), and Cognito's passkey enrolment page, /passkeys/add, for a user
// signed in to managed login. The browser's WebAuthn code runs the
// ceremonies; the emulator verifies them as the API does (package
// userpool's ceremonies).
//
//	GET  /login/passkey?request=ID    the passkey sign-in page of a pending sign-in
//	POST /login/passkey/options       {request, username} -> CREDENTIAL_REQUEST_OPTIONS
//	POST /login/passkey               form: request, credential -> the code, at the redirect URI
//	GET  /passkeys/add?client_id=&redirect_uri=   the enrolment page (needs the managed-login session)
//	POST /passkeys/add/options        {client_id} -> CredentialCreationOptions
//	POST /passkeys/add                form: client_id, redirect_uri, credential -> back to the redirect URI
//	GET  /_cognitokit/passkeys.js     the pages' script
func (o *Server) passkeyRoutes() []emulator.Route {
	return []emulator.Route{
		{Pattern: "GET /login/passkey", Handler: o.passkeyLoginPage},
		{Pattern: "POST /login/passkey/options", Handler: o.passkeyLoginOptions},
		{Pattern: "POST /login/passkey", Handler: o.passkeyLoginSubmit},
		{Pattern: "GET /passkeys/add", Handler: o.passkeyAddPage},
		{Pattern: "POST /passkeys/add/options", Handler: o.passkeyAddOptions},
		{Pattern: "POST /passkeys/add", Handler: o.passkeyAddSubmit},
		{Pattern: "GET /_cognitokit/passkeys.js", Handler: passkeyScript},
	}
}

// passkeyPage is the page of both ceremonies; #username, #passkey-signin,
// #passkey-add and #error are stable IDs for browser tests.
var passkeyPage = template.Must(template.New("passkey").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>
  body { margin: 0; min-height: 100vh; display: flex; align-items: center; justify-content: center;
         font: 15px/1.45 system-ui, sans-serif; background: linear-gradient(160deg, #232f3e 0%, #31465f 55%, #e9eef3 55.1%); color: #16191f; }
  .card { width: 360px; background: #fff; border-radius: 12px; padding: 32px; box-shadow: 0 12px 40px rgba(0,0,0,.18); }
  h1 { font-size: 20px; margin: 0 0 4px; } p.lead { color: #5f6b7a; }
  label { display: block; font-weight: 600; margin: 14px 0 6px; font-size: 13px; }
  input { width: 100%; box-sizing: border-box; padding: 10px 12px; border: 1px solid #aab7c4; border-radius: 8px; font-size: 15px; }
  button { width: 100%; margin-top: 22px; padding: 11px; border: 0; border-radius: 20px; background: #0972d3; color: #fff; font-weight: 700; font-size: 15px; cursor: pointer; }
  .error { background: #fff1f0; border: 1px solid #d91515; color: #a0150f; border-radius: 8px; padding: 10px 12px; }
  .foot { margin-top: 18px; font-size: 12px; color: #7d8998; text-align: center; }
</style>
</head>
<body>
<main class="card">
  <h1>{{.Title}}</h1>
  <p class="lead">{{.Lead}}</p>
  <p id="error" class="error" role="alert"{{if not .Message}} hidden{{end}}>{{.Message}}</p>
  <form id="passkey-form" method="post" action="{{.Action}}">
    {{if .Request}}<input type="hidden" name="request" value="{{.Request}}">{{end}}
    {{if .ClientID}}<input type="hidden" name="client_id" value="{{.ClientID}}"><input type="hidden" name="redirect_uri" value="{{.RedirectURI}}">{{end}}
    <input type="hidden" id="credential" name="credential">
    {{if .Request}}
      <label for="username">Username</label>
      <input id="username" name="username" value="{{.Hint}}" autocomplete="username webauthn" autocapitalize="none" autofocus required>
      <button id="passkey-signin" type="button" data-ceremony="get">Sign in with a passkey</button>
    {{else}}
      <button id="passkey-add" type="button" data-ceremony="create">Add a passkey</button>
    {{end}}
  </form>
  {{if .Request}}<p class="foot"><a id="password-signin" href="/login?request={{.Request}}">Sign in with a password instead</a></p>{{end}}
  <p class="foot">Emulated Amazon Cognito &middot; app client {{.Client}}</p>
</main>
<script src="/_cognitokit/passkeys.js"></script>
</body>
</html>`))

type passkeyPageData struct {
	Title, Lead, Message, Action, Request, Hint, ClientID, RedirectURI, Client string
}

func writePasskeyPage(w http.ResponseWriter, status int, pg passkeyPageData) {
	writeHTML(w, status, passkeyPage, pg, "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'none'")
}

// passkeyJS runs the ceremony of the page's button: it fetches the
// options (WebAuthn's JSON forms), calls navigator.credentials, and posts
// the credential's JSON (PublicKeyCredential.toJSON()) with the form.
const passkeyJS = `"use strict";
(() => {
  const form = document.getElementById("passkey-form");
  const error = document.getElementById("error");
  const show = (msg) => { error.textContent = msg; error.hidden = false; };
  for (const button of form.querySelectorAll("button[data-ceremony]")) {
    button.addEventListener("click", async () => {
      error.hidden = true;
      const create = button.dataset.ceremony === "create";
      const body = Object.fromEntries(new FormData(form));
      delete body.credential;
      try {
        const r = await fetch(form.action + "/options", {method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(body)});
        const j = await r.json();
        if (!r.ok) { show(j.message || "The passkey ceremony could not start."); return; }
        const cred = create
          ? await navigator.credentials.create({publicKey: PublicKeyCredential.parseCreationOptionsFromJSON(j.options)})
          : await navigator.credentials.get({publicKey: PublicKeyCredential.parseRequestOptionsFromJSON(j.options)});
        document.getElementById("credential").value = JSON.stringify(cred.toJSON());
        form.submit();
      } catch (e) {
        show("The passkey ceremony failed: " + e.name + ": " + e.message);
      }
    });
  }
})();
`

func passkeyScript(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	w.Write([]byte(passkeyJS))
}

// passkeyJSON answers a script: {"options": ...} or {"message": ...}.
func passkeyJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func readJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := json.NewDecoder(r.Body).Decode(v); err != nil {
		passkeyJSON(w, http.StatusBadRequest, map[string]string{"message": "The request is not JSON."})
		return false
	}
	return true
}

func apiMessage(aerr *wire.Error) map[string]string {
	return map[string]string{"message": aerr.Message}
}

// ---- sign-in -----------------------------------------------------------------------

func (o *Server) pendingLocked(id string) *authzRequest {
	req := o.requests[id]
	if req == nil || o.up.Now().After(req.expires) {
		return nil
	}
	return req
}

func (o *Server) passkeyLoginPage(w http.ResponseWriter, r *http.Request) {
	o.mu.Lock()
	req := o.pendingLocked(r.URL.Query().Get("request"))
	o.mu.Unlock()
	if req == nil {
		errorPage(w, http.StatusBadRequest, "invalid_request", "This sign-in page has expired. Go back to the application and sign in again.")
		return
	}
	writePasskeyPage(w, http.StatusOK, passkeyPageData{Title: "Sign in with a passkey", Lead: "Enter your username, then use your passkey.",
		Action: "/login/passkey", Request: req.id, Hint: req.loginHint, Client: req.client.Name})
}

// passkeyLoginOptions starts the passkey sign-in of the user named in a
// pending sign-in.
func (o *Server) passkeyLoginOptions(w http.ResponseWriter, r *http.Request) {
	var in struct{ Request, Username string }
	if !readJSON(w, r, &in) {
		return
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	req := o.pendingLocked(in.Request)
	if req == nil {
		passkeyJSON(w, http.StatusBadRequest, map[string]string{"message": "This sign-in page has expired. Go back to the application and sign in again."})
		return
	}
	var opts []byte
	var login *userpool.PasskeyLogin
	var u *state.User
	var aerr *wire.Error
	o.view(func(tx *state.Tx) {
		p := tx.Pool(req.client.PoolID)
		if p == nil {
			aerr = wire.ResourceNotFound("The user pool no longer exists.")
			return
		}
		if aerr = userpool.PasskeysEnabled(p); aerr != nil {
			return
		}
		u = userpool.LookupUser(tx, p, strings.TrimSpace(in.Username))
		var keys []*state.Passkey
		if u != nil {
			keys = tx.Passkeys(p.ID, u.Sub)
		}
		if u == nil || len(keys) == 0 || !u.Enabled {
			aerr = wire.NotAuthorized("There is no passkey for this user. Sign in with your password.")
			return
		}
		var rp *userpool.RelyingParty
		if rp, aerr = o.up.RelyingParty(tx, p); aerr != nil {
			return
		}
		opts, login, aerr = userpool.BeginPasskeyLogin(rp, u, keys)
	})
	if aerr != nil {
		passkeyJSON(w, http.StatusBadRequest, apiMessage(aerr))
		return
	}
	ref := refOf(u)
	req.passkeyUser, req.passkey = &ref, login
	passkeyJSON(w, http.StatusOK, map[string]any{"options": json.RawMessage(opts)})
}

// passkeySubmit verifies the assertion of a pending sign-in and finishes
// it as the password would.
func (o *Server) passkeyLoginSubmit(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, userpool.MaxPasskeyJSON+4<<10)
	if err := r.ParseForm(); err != nil {
		errorPage(w, http.StatusBadRequest, "invalid_request", "The form could not be read.")
		return
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	req := o.pendingLocked(r.PostForm.Get("request"))
	if req == nil {
		errorPage(w, http.StatusBadRequest, "invalid_request", "This sign-in page has expired. Go back to the application and sign in again.")
		return
	}
	login, ref := req.passkey, req.passkeyUser
	req.passkey, req.passkeyUser = nil, nil // one answer per challenge
	fail := func(msg string) {
		req.failures++
		if req.failures >= 5 {
			delete(o.requests, req.id)
			errorPage(w, http.StatusBadRequest, "access_denied", "Too many failed attempts. Go back to the application and sign in again.")
			return
		}
		writePasskeyPage(w, http.StatusOK, passkeyPageData{Title: "Sign in with a passkey", Lead: "Enter your username, then use your passkey.",
			Message: msg, Action: "/login/passkey", Request: req.id, Hint: req.loginHint, Client: req.client.Name})
	}
	if login == nil || ref == nil {
		fail("Start again: choose Sign in with a passkey.")
		return
	}
	var u *state.User
	var keys []*state.Passkey
	o.view(func(tx *state.Tx) {
		if u = ref.user(tx); u != nil {
			keys = tx.Passkeys(u.PoolID, u.Sub)
		}
	})
	if u == nil || !u.Enabled {
		fail("The user no longer exists or is disabled.")
		return
	}
	now := o.up.Now()
	k, aerr := userpool.FinishPasskeyLogin(login, u, keys, []byte(r.PostForm.Get("credential")), now)
	if aerr == nil {
		aerr = apiError(o.up.State.Update(func(tx *state.Tx) error {
			if tx.Passkey(k.PoolID, k.Sub, k.CredentialID()) == nil {
				return wire.NotAuthorized("The passkey was deleted.")
			}
			tx.PutPasskey(k)
			return nil
		}))
	}
	if aerr != nil {
		fail(aerr.Message)
		return
	}
	req.user, req.failures = ref, 0
	o.finishLoginLocked(w, r, req, u)
}

// ---- enrolment ----------------------------------------------------------------------

// enrolClient checks the client and redirect URI of the enrolment page and
// returns the client and the user of the managed-login session.
func (o *Server) enrolLocked(r *http.Request, clientID, redirectURI string) (*state.Client, *ssoSession, string) {
	var client *state.Client
	o.view(func(tx *state.Tx) { client = tx.Client(clientID) })
	switch {
	case client == nil:
		return nil, nil, "The client_id does not match any app client."
	case !userpool.HasString(client.CallbackURLs, redirectURI):
		return nil, nil, "The redirect_uri is not one of the app client's callback URLs."
	}
	ss := o.ssoLocked(r, client.PoolID)
	if ss == nil {
		return nil, nil, "Sign in first (managed login), then add a passkey."
	}
	return client, ss, ""
}

func (o *Server) passkeyAddPage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	o.mu.Lock()
	client, _, msg := o.enrolLocked(r, q.Get("client_id"), q.Get("redirect_uri"))
	o.mu.Unlock()
	if msg != "" {
		errorPage(w, http.StatusBadRequest, "invalid_request", msg)
		return
	}
	writePasskeyPage(w, http.StatusOK, passkeyPageData{Title: "Add a passkey", Lead: "Sign in next time with your face, fingerprint, PIN or security key.",
		Action: "/passkeys/add", ClientID: client.ID, RedirectURI: q.Get("redirect_uri"), Client: client.Name})
}

func (o *Server) passkeyAddOptions(w http.ResponseWriter, r *http.Request) {
	var in struct {
		ClientID    string `json:"client_id"`
		RedirectURI string `json:"redirect_uri"`
	}
	if !readJSON(w, r, &in) {
		return
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	client, ss, msg := o.enrolLocked(r, in.ClientID, in.RedirectURI)
	if msg != "" {
		passkeyJSON(w, http.StatusBadRequest, map[string]string{"message": msg})
		return
	}
	var opts []byte
	var reg *userpool.PasskeyRegistration
	var aerr *wire.Error
	o.view(func(tx *state.Tx) {
		u := ss.user.user(tx)
		p := tx.Pool(client.PoolID)
		if u == nil || p == nil {
			aerr = wire.UserNotFound()
			return
		}
		if aerr = userpool.PasskeysEnabled(p); aerr != nil {
			return
		}
		var rp *userpool.RelyingParty
		if rp, aerr = o.up.RelyingParty(tx, p); aerr != nil {
			return
		}
		opts, reg, aerr = userpool.BeginPasskeyRegistration(rp, u, tx.Passkeys(p.ID, u.Sub), o.up.Now())
	})
	if aerr != nil {
		passkeyJSON(w, http.StatusBadRequest, apiMessage(aerr))
		return
	}
	reg.ClientID = client.ID
	ss.passkeyReg = reg
	passkeyJSON(w, http.StatusOK, map[string]any{"options": json.RawMessage(opts)})
}

func (o *Server) passkeyAddSubmit(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, userpool.MaxPasskeyJSON+4<<10)
	if err := r.ParseForm(); err != nil {
		errorPage(w, http.StatusBadRequest, "invalid_request", "The form could not be read.")
		return
	}
	clientID, redirectURI := r.PostForm.Get("client_id"), r.PostForm.Get("redirect_uri")
	o.mu.Lock()
	defer o.mu.Unlock()
	client, ss, msg := o.enrolLocked(r, clientID, redirectURI)
	if msg != "" {
		errorPage(w, http.StatusBadRequest, "invalid_request", msg)
		return
	}
	reg := ss.passkeyReg
	ss.passkeyReg = nil
	again := func(msg string) {
		writePasskeyPage(w, http.StatusOK, passkeyPageData{Title: "Add a passkey", Lead: "Sign in next time with your face, fingerprint, PIN or security key.",
			Message: msg, Action: "/passkeys/add", ClientID: client.ID, RedirectURI: redirectURI, Client: client.Name})
	}
	if reg == nil || reg.ClientID != client.ID || o.up.Now().After(reg.Expires) {
		again("Start again: choose Add a passkey.")
		return
	}
	var u *state.User
	var keys []*state.Passkey
	o.view(func(tx *state.Tx) {
		if u = ss.user.user(tx); u != nil {
			keys = tx.Passkeys(u.PoolID, u.Sub)
		}
	})
	if u == nil {
		errorPage(w, http.StatusBadRequest, "invalid_request", "The user no longer exists.")
		return
	}
	k, aerr := userpool.FinishPasskeyRegistration(reg, u, keys, []byte(r.PostForm.Get("credential")), o.up.Now())
	if aerr == nil {
		aerr = apiError(o.up.State.Update(func(tx *state.Tx) error {
			if tx.CountPasskeys(k.PoolID, k.Sub) >= userpool.MaxPasskeys {
				return wire.Errorf("LimitExceededException", "You have %d passkeys, the most Cognito allows.", userpool.MaxPasskeys)
			}
			tx.PutPasskey(k)
			return nil
		}))
	}
	if aerr != nil {
		again(aerr.Message)
		return
	}
	http.Redirect(w, r, redirectURI, http.StatusFound)
}

// apiError returns the API error of a transaction.
func apiError(err error) *wire.Error {
	if err == nil {
		return nil
	}
	var we *wire.Error
	if errors.As(err, &we) {
		return we
	}
	return wire.Internal("the state could not be saved")
}
