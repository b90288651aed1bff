package managedlogin

import (
	"bytes"
	"html/template"
	"net/http"

	"github.com/cognitokit/cognitokit/cognitotest/internal/state"
	"github.com/cognitokit/cognitokit/cognitotest/internal/userpool"
)

// The managed-login pages of the emulator. They are deliberately plain, but
// tidy enough for screenshots, and carry stable element IDs for browser
// tests: #username, #password, #code, #submit, #error.
var oauthPages = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>
  :root { color-scheme: light; }
  * { box-sizing: border-box; }
  body { margin: 0; min-height: 100vh; display: flex; align-items: center; justify-content: center;
         font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
         background: linear-gradient(160deg, #232f3e 0%, #31465f 55%, #e9eef3 55.1%); color: #16191f; }
  .card { width: 360px; background: #fff; border-radius: 12px; padding: 32px 32px 24px;
          box-shadow: 0 12px 40px rgba(0,0,0,.18); }
  .brand { display: flex; align-items: center; gap: 10px; margin-bottom: 20px; }
  .logo { width: 34px; height: 34px; border-radius: 8px; background: #ff9900; color: #232f3e;
          display: flex; align-items: center; justify-content: center; font-weight: 800; }
  .brand small { display: block; color: #5f6b7a; font-size: 12px; }
  h1 { font-size: 20px; margin: 0 0 4px; }
  p.lead { margin: 0 0 20px; color: #5f6b7a; }
  label { display: block; font-weight: 600; margin: 14px 0 6px; font-size: 13px; }
  input { width: 100%; padding: 10px 12px; border: 1px solid #aab7c4; border-radius: 8px; font-size: 15px; }
  input:focus { outline: 2px solid #0972d3; border-color: #0972d3; }
  button { width: 100%; margin-top: 22px; padding: 11px; border: 0; border-radius: 20px; background: #0972d3;
           color: #fff; font-weight: 700; font-size: 15px; cursor: pointer; }
  button:hover { background: #065299; }
  .error { background: #fff1f0; border: 1px solid #d91515; color: #a0150f; border-radius: 8px; padding: 10px 12px; margin: 0 0 8px; }
  .foot { margin-top: 18px; font-size: 12px; color: #7d8998; text-align: center; }
  code { font-size: 12px; }
  .logo-customizable { display: block; max-width: 100%; max-height: 64px; margin: 0 auto 16px; }
  .idp-button { display: block; margin: 10px 0 0; padding: 10px; border: 1px solid #0972d3; border-radius: 20px; color: #0972d3;
                text-align: center; font-weight: 700; text-decoration: none; }
  .idp-button:hover { background: #f0f6fc; }
  p.or { text-align: center; color: #7d8998; margin: 14px 0 0; }
  .legal { margin-top: 14px; font-size: 12px; color: #5f6b7a; text-align: center; }
  {{with .Look}}{{if .Background}}body.background-customizable { background: {{.Background}}; }{{end}}
  {{if .Form}}.card { background: {{.Form}}; }{{end}}
  {{if .Button}}button.submitButton-customizable { background: {{.Button}}; }{{end}}
  {{if .ButtonText}}button.submitButton-customizable { color: {{.ButtonText}}; }{{end}}{{end}}
</style>
{{if .Look.CSS}}<style id="ui-customization">{{.Look.CSS}}</style>{{end}}
</head>
<body class="background-customizable">
<main class="card">
  {{if .Look.Logo}}<img id="logo" class="logo-customizable" src="{{.Look.Logo}}" alt="{{.Pool}}">{{end}}
  <div class="brand banner-customizable"><div class="logo">C</div><div><strong>{{.Pool}}</strong><small>cognitotest managed login</small></div></div>
  {{if .ErrorPage}}
    <h1>Something went wrong</h1>
    <p id="error" class="error errorMessage-customizable" role="alert"><code>{{.Code}}</code> {{.Message}}</p>
  {{else}}
    <h1>{{.Title}}</h1>
    <p class="lead textDescription-customizable">{{.Lead}}</p>
    {{if .Message}}<p id="error" class="error errorMessage-customizable" role="alert">{{.Message}}</p>{{end}}
    {{if and .Providers (not .MFA) (not .NewPassword)}}<div class="providers">{{range .Providers}}
      <a class="idp-button" id="idp-{{.Name}}" data-provider="{{.Name}}" href="{{.URL}}">Sign in with {{.Name}}</a>{{end}}
    </div>{{if not .NoPassword}}<p class="or">or</p>{{end}}{{end}}
    {{if not .NoPassword}}<form method="post" action="/login" autocomplete="off">
      <input type="hidden" name="request" value="{{.Request}}">
      {{if .MFA}}
        <label class="label-customizable" for="code">Code from your authenticator app</label>
        <input class="inputField-customizable" id="code" name="code" inputmode="numeric" pattern="[0-9]*" maxlength="6" autofocus required>
      {{else if .NewPassword}}
        <label class="label-customizable" for="new_password">New password</label>
        <input class="inputField-customizable" id="new_password" name="new_password" type="password" autofocus required>
        <label class="label-customizable" for="confirm_password">Confirm new password</label>
        <input class="inputField-customizable" id="confirm_password" name="confirm_password" type="password" required>
      {{else}}
        <label class="label-customizable" for="username">Username</label>
        <input class="inputField-customizable" id="username" name="username" value="{{.Hint}}" autocapitalize="none" autofocus required>
        <label class="label-customizable" for="password">Password</label>
        <input class="inputField-customizable" id="password" name="password" type="password" required>
      {{end}}
      <button id="submit" class="submitButton-customizable" type="submit">{{if .MFA}}Verify{{else if .NewPassword}}Change password{{else}}Sign in{{end}}</button>
    </form>
    {{if .Passkeys}}<p class="foot"><a id="passkey-link" href="/login/passkey?request={{.Request}}">Sign in with a passkey</a></p>{{end}}{{end}}
    {{if .Look.Terms}}<p class="legal legalText-customizable">By signing in, you agree to the <a id="terms" href="{{.Look.Terms}}" target="_blank" rel="noopener">Terms of use</a> and the <a id="privacy" href="{{.Look.Privacy}}" target="_blank" rel="noopener">Privacy policy</a>.</p>{{end}}
  {{end}}
  <p class="foot">Emulated Amazon Cognito &middot; app client {{.Client}}</p>
</main>
</body>
</html>`))

type oauthPage struct {
	Title, Lead, Pool, Client, Request, Hint, Message, Code string
	MFA, NewPassword, ErrorPage                             bool
	Passkeys                                                bool // the pool allows passkeys: a link to the passkey sign-in (passkeys.go)
	Look                                                    look
	// Providers are the buttons of the identity providers of the app
	// client; NoPassword hides the password form (COGNITO is not one of
	// the client's providers). See federation.go.
	Providers  []providerButton
	NoPassword bool
}

func (o *Server) renderLogin(w http.ResponseWriter, status int, req *authzRequest, msg string) {
	var pool string
	var lk look
	var passkeys bool
	o.view(func(tx *state.Tx) {
		if p := tx.Pool(req.client.PoolID); p != nil {
			pool = p.Name
			passkeys = userpool.PasskeysEnabled(p) == nil
		}
		lk = lookOf(tx, req.client)
	})
	providers, noPassword := o.providerButtons(req)
	pg := oauthPage{
		Title: "Sign in", Lead: "Sign in with your username and password.",
		Pool: pool, Client: req.client.Name, Request: req.id, Hint: req.loginHint, Message: msg, Look: lk,
		Providers: providers, NoPassword: noPassword && req.step == "",
		Passkeys: passkeys && req.step == "",
	}
	switch req.step {
	case "mfa":
		pg.MFA = true
		pg.Title, pg.Lead = "Two-step verification", "Enter the 6-digit code from your authenticator app."
	case "newpw":
		pg.NewPassword = true
		pg.Title, pg.Lead = "Change your password", "Your temporary password must be replaced before you continue."
	}
	writePage(w, status, pg)
}

func errorPage(w http.ResponseWriter, status int, code, msg string) {
	writePage(w, status, oauthPage{Title: "Sign-in error", Pool: "Amazon Cognito", Client: "-", Code: code, Message: msg, ErrorPage: true})
}

func writePage(w http.ResponseWriter, status int, pg oauthPage) {
	writeHTML(w, status, oauthPages, pg, "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'")
}

// writeHTML writes the page t makes of data, with the security headers of
// every page (never cached nor framed) and its Content-Security-Policy
// csp.
func writeHTML(w http.ResponseWriter, status int, t *template.Template, data any, csp string) {
	var buf bytes.Buffer
	if err := t.Execute(&buf, data); err != nil {
		http.Error(w, "template error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Content-Security-Policy", csp)
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}
