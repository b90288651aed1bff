package weblogin

import (
	"html/template"
	"net/http"
)

var pageTmpl = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;background:#f4f6f8;color:#16191f;margin:0;display:flex;min-height:100vh;align-items:center;justify-content:center}
main{background:#fff;max-width:440px;padding:28px 32px;border-radius:12px;box-shadow:0 8px 30px rgba(0,0,0,.08)}
h1{font-size:20px;margin:0 0 8px}.status{color:#7d8998;font-size:13px}
a,button{display:inline-block;margin-top:16px;padding:9px 18px;border-radius:18px;background:#0972d3;color:#fff;text-decoration:none;border:0;font:inherit;font-weight:600;cursor:pointer}
</style></head><body><main>
<p class="status">{{.Status}}</p><h1 id="title">{{.Title}}</h1><p id="message">{{.Message}}</p>
{{if .Logout}}<form method="post" action="{{.Logout}}"><button id="signout" type="submit">Sign out</button>{{if .Everywhere}} <button id="signout-everywhere" type="submit" name="everywhere" value="1">Sign out everywhere</button>{{end}}</form>
{{else if .Login}}<a id="signin" href="{{.Login}}">Sign in again</a>{{end}}
</main></body></html>`))

type pageData struct {
	Status         int
	Title, Message string
	Login, Logout  string
	Everywhere     bool // the logout form offers "sign out everywhere"
}

func renderPage(w http.ResponseWriter, status int, d pageData) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'")
	w.WriteHeader(status)
	d.Status = status
	pageTmpl.Execute(w, d)
}

func defaultErrorPage(loginPath string) func(http.ResponseWriter, *http.Request, int, string, string) {
	return func(w http.ResponseWriter, r *http.Request, status int, title, message string) {
		d := pageData{Title: title, Message: message}
		if status != http.StatusForbidden && status != http.StatusMethodNotAllowed {
			d.Login = loginPath
		}
		renderPage(w, status, d)
	}
}

func writeLogoutPage(w http.ResponseWriter, logoutPath string, everywhere bool) {
	renderPage(w, http.StatusOK, pageData{Title: "Sign out", Message: "Do you want to sign out?", Logout: logoutPath, Everywhere: everywhere})
}
