package guard

import (
	"encoding/json"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/cognitokit/cognitokit/cognitotest/internal/emulator"
	"github.com/cognitokit/cognitokit/cognitotest/internal/wire"
)

// Headers a preflight may ask for. Any origin may send the headers of an
// unsigned call (the AWS SDK for JavaScript, Amplify and
// amazon-cognito-identity-js send these); trusted origins may also send
// the SigV4 headers.
var (
	publicAPIHeaders  = setOf("amz-sdk-invocation-id", "amz-sdk-request", "cache-control", "content-type", "x-amz-date", "x-amz-target", "x-amz-user-agent")
	signedAPIHeaders  = setOf("authorization", "x-amz-content-sha256", "x-amz-security-token")
	publicHTTPHeaders = setOf("authorization", "cache-control", "content-type")

	publicAPIHeaderList  = headerList(publicAPIHeaders)
	trustedAPIHeaderList = headerList(publicAPIHeaders, signedAPIHeaders)
	publicHTTPHeaderList = headerList(publicHTTPHeaders)
)

const (
	exposedAPIHeaders = "x-amzn-requestid, x-amzn-errortype"
	preflightMaxAge   = "600" // seconds; short, so that a restart with other flags takes effect soon
)

// headerList joins the names of sets for Access-Control-Allow-Headers.
func headerList(sets ...map[string]bool) string {
	var names []string
	for _, set := range sets {
		for n := range set {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	return strings.Join(names, ", ")
}

// Guard holds the allow-lists. It is immutable once the server serves.
type Guard struct {
	hosts   map[string]bool // extra Host names and IPs, normalized by canonicalHost
	origins map[string]bool // trusted origins, normalized by canonicalOrigin
	cop     *http.CrossOriginProtection
}

// New returns a guard that also allows the given hosts and trusts the
// given origins. Bad entries wrap emulator.ErrInvalidConfig.
func New(hosts, origins []string) (*Guard, error) {
	g := &Guard{hosts: map[string]bool{}, origins: map[string]bool{}, cop: http.NewCrossOriginProtection()}
	for _, h := range hosts {
		c, ok := canonicalHost(h)
		if !ok {
			return nil, emulator.Invalidf("allowed host %q (WithAllowedHosts, cognito local --allow-host): want a host name or an IP address, without scheme or port, such as cognito or 192.168.1.20", wire.Truncate(h, 64))
		}
		g.hosts[c] = true
	}
	for _, o := range origins {
		c, err := CanonicalOrigin(o)
		if err != nil {
			return nil, err
		}
		if err := g.cop.AddTrustedOrigin(c); err != nil {
			return nil, emulator.Invalidf("CORS origin %q (WithCORSOrigins, cognito local --cors-origin): %v", wire.Truncate(o, 64), err)
		}
		g.origins[c] = true
	}
	return g, nil
}

// AllowListenHost allows the host of the listen address (as given, and as
// bound: "0.0.0.0" when given ":9229"). Hosts that are not valid names or
// addresses are ignored: requests cannot name them.
func (g *Guard) AllowListenHost(hostport string) {
	host, _, err := net.SplitHostPort(hostport)
	if err != nil {
		host = hostport
	}
	if c, ok := canonicalHost(host); ok {
		g.hosts[c] = true
	}
}

var hostNameRE = regexp.MustCompile(`^[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*$`)

// canonicalHost returns h (a host name, an IP address, or a bracketed IPv6
// address; no port) in canonical form: lower case without a trailing dot,
// IP addresses as net.IP.String formats them.
func canonicalHost(h string) (string, bool) {
	if strings.HasPrefix(h, "[") && strings.HasSuffix(h, "]") {
		ip := net.ParseIP(h[1 : len(h)-1])
		if ip == nil || ip.To4() != nil && !strings.Contains(h, ":") {
			return "", false
		}
		return ip.String(), true
	}
	if ip := net.ParseIP(h); ip != nil {
		return ip.String(), true
	}
	h = strings.ToLower(strings.TrimSuffix(h, "."))
	if len(h) == 0 || len(h) > 253 || !hostNameRE.MatchString(h) {
		return "", false
	}
	return h, true
}

// HostAllowed reports whether the Host header value hostport names this
// emulator.
func (g *Guard) HostAllowed(hostport string) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
		if strings.HasPrefix(hostport, "[") {
			host = "[" + h + "]" // canonicalHost checks it is IPv6
		}
	}
	c, ok := canonicalHost(host)
	if !ok {
		return false
	}
	if c == "localhost" || g.hosts[c] {
		return true
	}
	ip := net.ParseIP(c)
	return ip != nil && ip.IsLoopback()
}

// CanonicalOrigin validates a trusted origin and returns it as browsers
// send it in the Origin header: lower-case scheme and host, no default
// port, no trailing slash.
func CanonicalOrigin(o string) (string, error) {
	bad := func(why string) error {
		return emulator.Invalidf("CORS origin %q (WithCORSOrigins, cognito local --cors-origin): %s; want scheme://host[:port], such as http://localhost:3000", wire.Truncate(o, 64), why)
	}
	switch o {
	case "*":
		return "", bad(`"*" would let every web page call the admin operations; list the origins of your apps`)
	case "null":
		return "", bad(`"null" is the origin of sandboxed frames and file: pages, which any page can create`)
	}
	u, err := url.Parse(strings.TrimSuffix(o, "/"))
	switch {
	case err != nil:
		return "", bad("not a URL")
	case u.Scheme != "http" && u.Scheme != "https":
		return "", bad("the scheme must be http or https")
	case u.Host == "" || u.User != nil || u.Path != "" || u.RawQuery != "" || u.Fragment != "" || u.Opaque != "":
		return "", bad("only a scheme, a host and a port are allowed")
	}
	host := strings.ToLower(u.Hostname())
	if _, ok := canonicalHost(host); !ok {
		return "", bad("bad host")
	}
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	port := u.Port()
	if port == "80" && u.Scheme == "http" || port == "443" && u.Scheme == "https" {
		port = ""
	}
	if port != "" {
		host += ":" + port
	}
	return u.Scheme + "://" + host, nil
}

// Wrap returns h guarded. mux is the ServeMux inside h, consulted for the
// route a request (or a preflight) is for; routes say which web pages may
// call each route, and reg which operations of the API route are public.
func (g *Guard) Wrap(mux *http.ServeMux, routes []emulator.Route, reg *emulator.Registry, log *slog.Logger, h http.Handler) http.Handler {
	w := &wrapped{g: g, mux: mux, access: map[string]emulator.Access{}, reg: reg, log: log, next: h}
	for _, r := range routes {
		w.access[r.Pattern] = r.Access
	}
	return w
}

type wrapped struct {
	g      *Guard
	mux    *http.ServeMux
	access map[string]emulator.Access // by ServeMux pattern
	reg    *emulator.Registry
	log    *slog.Logger
	next   http.Handler
}

func (gw *wrapped) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	g := gw.g
	if !g.HostAllowed(r.Host) {
		gw.log.Warn("cognitotest: refused request", "reason", "host", "host", wire.Truncate(r.Host, 64))
		msg := "cognitotest: the Host " + quote(r.Host) + " is not allowed: requests must name the emulator by a loopback name " +
			"(localhost, 127.0.0.1, [::1]) or its listen address, which protects it from DNS rebinding. "
		if h := hostOnly(r.Host); h != "" {
			msg += "To allow this host, start cognito local with --allow-host " + h + " (cognitotest.WithAllowedHosts)."
		} else {
			msg += "Send a Host header, or allow more hosts with --allow-host (cognitotest.WithAllowedHosts)."
		}
		writeGuardError(w, "HostNotAllowedException", msg)
		return
	}
	origin := r.Header.Get("Origin")
	if r.Method == http.MethodOptions && origin != "" && r.Header.Get("Access-Control-Request-Method") != "" {
		gw.preflight(w, r)
		return
	}
	_, pattern := gw.mux.Handler(r)
	route := gw.access[pattern]
	crossOrigin := g.cop.Check(r) != nil // only for unsafe methods
	trusted := g.origins[origin]
	public := false
	switch route {
	case emulator.AnyOrigin:
		public = true
	case emulator.APIAccess:
		public = gw.publicAPIRequest(r)
	}
	if crossOrigin && !public {
		op := "this request"
		if route == emulator.APIAccess {
			op = apiOperationName(r)
		}
		from, trust := "a page of another site", "ORIGIN"
		if origin != "" {
			from, trust = "the web origin "+quote(origin), wire.Truncate(origin, 64)
		}
		gw.log.Warn("cognitotest: refused request", "reason", "cross-origin", "origin", wire.Truncate(origin, 64), "path", wire.Truncate(r.URL.Path, 64), "op", op)
		msg := "cognitotest: " + op + " is not open to web pages of other origins, and " + from + " sent it. "
		if route == emulator.APIAccess {
			msg += "Pages may call only the operations Cognito serves without AWS credentials (InitiateAuth, RespondToAuthChallenge, SignUp, GetUser, ...). "
		}
		msg += "To trust this origin, start cognito local with --cors-origin " + trust + " (cognitotest.WithCORSOrigins)."
		writeGuardError(w, "AccessDeniedException", msg)
		return
	}
	if route != emulator.SameOrigin {
		hd := w.Header()
		hd.Add("Vary", "Origin")
		switch {
		case trusted:
			hd.Set("Access-Control-Allow-Origin", origin)
		case public:
			hd.Set("Access-Control-Allow-Origin", "*")
		}
		if route == emulator.APIAccess {
			hd.Set("Access-Control-Expose-Headers", exposedAPIHeaders)
		}
	}
	gw.next.ServeHTTP(w, r)
}

// preflight answers a CORS preflight request.
func (gw *wrapped) preflight(w http.ResponseWriter, r *http.Request) {
	origin := r.Header.Get("Origin")
	method := r.Header.Get("Access-Control-Request-Method")
	probe := &http.Request{Method: method, URL: r.URL, Host: r.Host, Header: http.Header{}}
	_, pattern := gw.mux.Handler(probe)
	route := gw.access[pattern]
	trusted := gw.g.origins[origin]
	refuse := func(why string) {
		gw.log.Warn("cognitotest: refused preflight", "origin", wire.Truncate(origin, 64), "path", wire.Truncate(r.URL.Path, 64), "reason", why)
		writeGuardError(w, "AccessDeniedException", "cognitotest: "+why+" To trust the origin "+quote(origin)+
			", start cognito local with --cors-origin "+quote(origin)+" (cognitotest.WithCORSOrigins).")
	}
	if route == emulator.SameOrigin {
		refuse(method + " " + wire.Truncate(r.URL.Path, 64) + " is not open to web pages of other origins.")
		return
	}
	allowed, list := publicHTTPHeaders, publicHTTPHeaderList
	if route == emulator.APIAccess {
		allowed, list = publicAPIHeaders, publicAPIHeaderList
		if trusted {
			list = trustedAPIHeaderList
		}
	}
	for _, h := range strings.Split(r.Header.Get("Access-Control-Request-Headers"), ",") {
		h = strings.ToLower(strings.TrimSpace(h))
		if h == "" || allowed[h] || trusted && route == emulator.APIAccess && signedAPIHeaders[h] {
			continue
		}
		if route == emulator.APIAccess && signedAPIHeaders[h] {
			refuse("web pages of other origins may not send the header " + quote(h) + ": it carries AWS credentials, for the operations Cognito authorizes with IAM.")
			return
		}
		refuse("the header " + quote(wire.Truncate(h, 64)) + " is not allowed.")
		return
	}
	hd := w.Header()
	hd.Add("Vary", "Origin")
	if trusted {
		hd.Set("Access-Control-Allow-Origin", origin)
		// Chrome's Private Network Access: a trusted page on a public
		// address may reach the loopback emulator; other pages may not.
		if r.Header.Get("Access-Control-Request-Private-Network") == "true" {
			hd.Set("Access-Control-Allow-Private-Network", "true")
		}
	} else {
		hd.Set("Access-Control-Allow-Origin", "*")
	}
	hd.Set("Access-Control-Allow-Methods", method+", OPTIONS")
	hd.Set("Access-Control-Allow-Headers", list)
	hd.Set("Access-Control-Max-Age", preflightMaxAge)
	w.WriteHeader(http.StatusNoContent)
}

// publicAPIRequest reports whether a request to POST / is for an
// operation Cognito serves without AWS credentials. It reads the
// X-Amz-Target header as the dispatcher does; requests without one are
// STS (AssumeRoleWithWebIdentity only) or malformed. Operations the
// registry does not hold are not public.
func (gw *wrapped) publicAPIRequest(r *http.Request) bool {
	target := r.Header.Get("X-Amz-Target")
	if target == "" {
		return true
	}
	svc, op, ok := emulator.ServiceOf(target)
	return ok && gw.reg.Public(svc, op)
}

func apiOperationName(r *http.Request) string {
	target := r.Header.Get("X-Amz-Target")
	if _, op, ok := strings.Cut(target, "."); ok && op != "" {
		return wire.Truncate(op, 64)
	}
	return "this request"
}

// writeGuardError answers 403 with the AWS JSON error shape, which the
// SDKs report as an API error with this type and message.
func writeGuardError(w http.ResponseWriter, typ, msg string) {
	h := w.Header()
	h.Set("Content-Type", "application/x-amz-json-1.1")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Amzn-Errortype", typ)
	w.WriteHeader(http.StatusForbidden)
	json.NewEncoder(w).Encode(map[string]string{"__type": typ, "message": msg})
}

func quote(s string) string { return `"` + wire.Truncate(s, 64) + `"` }

// hostOnly returns the host of a Host header value, for messages.
func hostOnly(hostport string) string {
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		return wire.Truncate(h, 64)
	}
	return wire.Truncate(hostport, 64)
}

func setOf(names ...string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}
