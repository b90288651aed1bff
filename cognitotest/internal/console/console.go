package console

import (
	"embed"
	"encoding/json"
	"html/template"
	"net/http"

	"github.com/cognitokit/cognitokit/cognitotest/internal/emulator"
	"github.com/cognitokit/cognitokit/cognitotest/internal/userpool"
)

// The emulator's own URL space: everything it serves that Cognito does not
// lives under Prefix, apart from Cognito's paths (a pool ID cannot start
// with "_", so no pool's paths collide with it).
const (
	Prefix       = "/_cognitokit/"
	HealthPath   = Prefix + "health"   // GET: {"status":"ok"}
	MessagesPath = Prefix + "messages" // GET, DELETE: the outbox as JSON
	ConsolePath  = Prefix + "console/" // GET: the web console; its API under api/
	apiPath      = ConsolePath + "api/"
)

// Limits of the console's API.
const (
	maxActionBody = 64 << 10 // bytes of an action's JSON body
	// ActionHeader must be set (to "1") on every call of the console's
	// API. Browsers let a page of another origin send it only after a
	// CORS preflight, which the guard refuses for the console's routes:
	// a page elsewhere cannot make the console act (no CSRF), even where
	// the guard's origin check has nothing to go by.
	ActionHeader = "X-Cognitokit-Console"
	// pageMessages is the number of messages the page shows.
	pageMessages = 200
)

//go:embed assets
var assets embed.FS

// Server serves the emulator's own endpoints: health, the outbox and the
// console. It holds no state of its own.
type Server struct {
	up   *userpool.Service
	reg  *emulator.Registry
	page *template.Template
}

// New returns the console of up; its actions run the operations of reg.
func New(up *userpool.Service, reg *emulator.Registry) *Server {
	page := template.Must(template.New("index.html").Funcs(funcs).ParseFS(assets, "assets/index.html"))
	return &Server{up: up, reg: reg, page: page}
}

// Routes returns the endpoints. All are for the emulator's own origin
// only: the guard refuses state-changing requests (and every preflight)
// from other origins, and gives no other origin the right to read an
// answer.
func (c *Server) Routes() []emulator.Route {
	return []emulator.Route{
		{Pattern: "GET " + HealthPath, Handler: c.health},
		{Pattern: "GET " + MessagesPath, Handler: c.listMessages},
		{Pattern: "DELETE " + MessagesPath, Handler: c.deleteMessages},
		{Pattern: "GET " + LogsPath, Handler: c.listLogs},
		{Pattern: "GET /{$}", Handler: c.toConsole},
		{Pattern: "GET " + Prefix + "{$}", Handler: c.toConsole},
		{Pattern: "GET " + ConsolePath + "{$}", Handler: c.index},
		{Pattern: "GET " + ConsolePath + "console.js", Handler: c.asset("assets/console.js", "text/javascript; charset=utf-8")},
		{Pattern: "GET " + ConsolePath + "console.css", Handler: c.asset("assets/console.css", "text/css; charset=utf-8")},
		{Pattern: "GET " + apiPath + "secret", Handler: c.secret},
		{Pattern: "POST " + apiPath + "{action}", Handler: c.action},
	}
}

// health answers 200 while the server serves: for docker-compose health
// checks and CI scripts that wait for the emulator.
func (c *Server) health(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// toConsole sends a person who opens the emulator's URL in a browser to
// the console.
func (c *Server) toConsole(w http.ResponseWriter, r *http.Request) {
	http.Redirect(w, r, ConsolePath, http.StatusFound)
}

func (c *Server) asset(name, contentType string) http.HandlerFunc {
	body, err := assets.ReadFile(name)
	if err != nil {
		panic("console: missing asset " + name) // a build error
	}
	return func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Type", contentType)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Cache-Control", "no-cache")
		w.Write(body)
	}
}

// writeJSON writes v with the given status, uncacheable, not to be
// sniffed as anything else.
func writeJSON(w http.ResponseWriter, status int, v any) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(true)
	enc.Encode(v)
}

// writeError answers {"error": msg}.
func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}
