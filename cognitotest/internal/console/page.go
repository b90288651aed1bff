package console

import (
	"bytes"
	"html/template"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/cognitokit/cognitokit/cognitotest/internal/emulator"
	"github.com/cognitokit/cognitokit/cognitotest/internal/state"
	"github.com/cognitokit/cognitokit/cognitotest/internal/userpool"
)

// pageUsers is the number of users the page lists.
const pageUsers = 500

// The page's view of the state: plain values, read in one transaction.
type (
	pageData struct {
		Endpoint  string // as the browser reached the emulator
		Pools     []poolRef
		Pool      *poolView // the selected pool; nil when there is none
		Missing   string    // a pool asked for that does not exist
		Messages  []MessageJSON
		LastSeq   int64
		Generated time.Time
	}
	poolRef struct {
		ID, Name string
		Selected bool
	}
	poolView struct {
		ID, Name, Issuer, JWKSURL, DiscoveryURL, MFA string
		UsernameAttributes, AliasAttributes          []string
		AutoVerified                                 []string
		Clients                                      []clientView
		Groups                                       []string
		Users                                        []userView
		UserCount                                    int
	}
	clientView struct {
		ID, Name                  string
		Confidential              bool
		Flows, OAuthFlows, Scopes []string
		CallbackURLs              []string
	}
	userView struct {
		Username, Sub, Status     string
		Enabled                   bool
		Email, Phone              string
		EmailVerified, PhoneVerif bool
		Groups                    []string
		PreferredMFA              string
		MFA                       []string
		Devices                   []deviceView
		Attributes                [][2]string
		Created                   time.Time
	}
	deviceView struct {
		Key, Name             string
		Confirmed, Remembered bool
		LastAuth              time.Time
	}
)

var funcs = template.FuncMap{
	"join":  func(s []string) string { return strings.Join(s, ", ") },
	"short": func(s string) string { return short(s, 8) },
	"when":  func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05") },
}

func short(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// index renders the console for the pool of ?pool= (the first pool by
// default).
func (c *Server) index(w http.ResponseWriter, r *http.Request) {
	d := pageData{Endpoint: "http://" + r.Host, Generated: c.up.Now()}
	want := r.URL.Query().Get("pool")
	c.up.State.View(func(tx *state.Tx) error {
		pools := tx.Pools()
		for _, p := range pools {
			d.Pools = append(d.Pools, poolRef{ID: p.ID, Name: p.Name})
		}
		var sel *state.Pool
		switch {
		case want != "":
			sel = tx.Pool(want)
			if sel == nil {
				d.Missing = want
			}
		case len(pools) > 0:
			sel = pools[0]
		}
		if sel != nil {
			for i := range d.Pools {
				d.Pools[i].Selected = d.Pools[i].ID == sel.ID
			}
			d.Pool = c.poolView(tx, sel)
		}
		return nil
	})
	if d.Pool != nil {
		ms := c.up.Outbox.Messages(emulator.Filter{PoolID: d.Pool.ID})
		for i := len(ms) - 1; i >= 0 && len(d.Messages) < pageMessages; i-- {
			d.Messages = append(d.Messages, messageJSON(ms[i]))
		}
		if len(ms) > 0 {
			d.LastSeq = ms[len(ms)-1].Seq
		}
	}
	var buf bytes.Buffer
	if err := c.page.Execute(&buf, d); err != nil {
		c.up.Logger().Error("cognitotest: render the console", "err", err)
		http.Error(w, "cannot render the console; see the server log", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	// Scripts and styles come from the console's own files only, and no
	// other page may frame the console (clickjacking).
	h.Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "+
		"form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
	w.Write(buf.Bytes())
}

func (c *Server) poolView(tx *state.Tx, p *state.Pool) *poolView {
	iss := c.up.Issuer(p.ID)
	v := &poolView{ID: p.ID, Name: p.Name, Issuer: iss, JWKSURL: iss + "/.well-known/jwks.json", DiscoveryURL: iss + "/.well-known/openid-configuration",
		MFA: p.MFA, UsernameAttributes: p.UsernameAttributes, AliasAttributes: p.AliasAttributes, AutoVerified: p.AutoVerifiedAttributes,
		UserCount: tx.UserCount(p.ID)}
	for _, cl := range tx.Clients(p.ID) {
		v.Clients = append(v.Clients, clientView{ID: cl.ID, Name: cl.Name, Confidential: cl.Secret != "", Flows: cl.ExplicitAuthFlows,
			OAuthFlows: cl.AllowedOAuthFlows, Scopes: cl.AllowedOAuthScopes, CallbackURLs: cl.CallbackURLs})
	}
	for _, g := range tx.Groups(p.ID) {
		v.Groups = append(v.Groups, g.Name)
	}
	us := tx.Users(p.ID)
	slices.SortFunc(us, func(a, b *state.User) int { return strings.Compare(a.Username, b.Username) })
	for _, u := range us[:min(len(us), pageUsers)] {
		uv := userView{Username: u.Username, Sub: u.Sub, Status: u.Status, Enabled: u.Enabled, Email: u.Attributes["email"], Phone: u.Attributes["phone_number"],
			EmailVerified: u.Attributes["email_verified"] == "true", PhoneVerif: u.Attributes["phone_number_verified"] == "true",
			Groups: u.Groups, Created: u.CreatedAt}
		uv.PreferredMFA, uv.MFA = userpool.MFASettings(u)
		for k, val := range userpool.AttrMap(u) {
			uv.Attributes = append(uv.Attributes, [2]string{k, val})
		}
		slices.SortFunc(uv.Attributes, func(a, b [2]string) int { return strings.Compare(a[0], b[0]) })
		for _, d := range tx.Devices(p.ID, u.Sub) {
			uv.Devices = append(uv.Devices, deviceView{Key: d.Key, Name: d.Name, Confirmed: d.Verifier != nil, Remembered: d.Remembered, LastAuth: d.LastAuthAt})
		}
		v.Users = append(v.Users, uv)
	}
	return v
}
