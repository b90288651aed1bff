package managedlogin

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"html/template"
	"net/http"
	"regexp"
	"strings"

	"github.com/cognitokit/cognitokit/cognitotest/internal/state"
	"github.com/cognitokit/cognitokit/cognitotest/internal/userpool"
)

// Managed login answers only for the app clients of pools with a domain,
// as in Cognito, where its endpoints live on the pool's domain; the
// emulator serves every pool's on its own URL. The look of the sign-in
// page follows the pool's domain: with managed login version 2, the app
// client's branding style (ManagedLoginBranding: colours and logo); with
// version 1, the classic hosted UI's customization (SetUICustomization:
// CSS of the customizable classes, and logo), the client's or the
// pool's. The page links the app client's terms documents once it has
// both a terms of use and a privacy policy, as Cognito's sign-up page
// does.

// noDomainMessage says why managed login refuses an app client.
const noDomainMessage = "The app client's user pool has no domain: managed login answers only for pools with one (CreateUserPoolDomain)."

// hasDomain reports whether a pool has a domain.
func hasDomain(tx *state.Tx, poolID string) bool { return len(tx.Domains(poolID)) > 0 }

// look is how the sign-in page of an app client looks.
type look struct {
	CSS        template.CSS // the classic hosted UI's, checked by SetUICustomization
	Logo       template.URL // a data: URL of an image
	Terms      string       // URLs of the terms documents, when both exist
	Privacy    string
	Background string // colours of a managed-login branding style: #rrggbbaa
	Form       string
	Button     string
	ButtonText string
}

var hexColorRE = regexp.MustCompile(`^[0-9a-fA-F]{6}([0-9a-fA-F]{2})?$`)

// lookOf returns the look of client c's sign-in page.
func lookOf(tx *state.Tx, c *state.Client) look {
	var l look
	version := 0
	for _, d := range tx.Domains(c.PoolID) {
		version = max(version, d.ManagedLoginVersion)
	}
	switch version {
	case 1:
		u := tx.UICustomization(c.PoolID, c.ID)
		if u == nil {
			u = tx.UICustomization(c.PoolID, state.UIClientAll)
		}
		if u != nil {
			l.CSS = template.CSS(u.CSS) // #nosec: only the customizable classes with plain values (pools.CheckUICSS)
			if len(u.Image) > 0 {
				l.Logo = dataURL(u.ImageType, u.Image)
			}
		}
	case 2:
		if b := tx.BrandingOfClient(c.PoolID, c.ID); b != nil {
			var doc map[string]any
			json.Unmarshal(userpool.MergeBrandingSettings(b.Settings), &doc)
			color := func(path ...string) string {
				var v any = doc
				for _, k := range path {
					m, _ := v.(map[string]any)
					v = m[k]
				}
				s, _ := v.(string)
				if !hexColorRE.MatchString(s) {
					return ""
				}
				return "#" + s
			}
			l.Background = color("components", "pageBackground", "lightMode", "color")
			l.Form = color("components", "form", "lightMode", "backgroundColor")
			l.Button = color("components", "primaryButton", "lightMode", "defaults", "backgroundColor")
			l.ButtonText = color("components", "primaryButton", "lightMode", "defaults", "textColor")
			for _, cat := range []string{"FORM_LOGO", "PAGE_HEADER_LOGO"} {
				for _, a := range b.Assets {
					if a.Category == cat && a.ColorMode != "DARK" && len(a.Bytes) > 0 && l.Logo == "" {
						l.Logo = dataURL(assetType(a.Extension), a.Bytes)
					}
				}
			}
		}
	}
	for _, t := range tx.TermsOf(c.PoolID) {
		if t.ClientID != c.ID {
			continue
		}
		link := t.Links["cognito:default"]
		if link == "" {
			for _, u := range t.Links {
				link = u
				break
			}
		}
		switch {
		case strings.HasPrefix(t.Name, "terms-of-use"):
			l.Terms = link
		case strings.HasPrefix(t.Name, "privacy-policy"):
			l.Privacy = link
		}
	}
	if l.Terms == "" || l.Privacy == "" {
		l.Terms, l.Privacy = "", ""
	}
	return l
}

func assetType(ext string) string {
	switch ext {
	case "PNG":
		return "image/png"
	case "JPEG":
		return "image/jpeg"
	case "SVG":
		return "image/svg+xml"
	case "WEBP":
		return "image/webp"
	case "ICO":
		return "image/x-icon"
	}
	return "application/octet-stream"
}

// dataURL returns an image as a data: URL, which an <img> shows without
// running anything (an SVG's scripts do not run in an image).
func dataURL(typ string, b []byte) template.URL {
	return template.URL("data:" + typ + ";base64," + base64.StdEncoding.EncodeToString(b)) // #nosec: an image type and base64
}

// uiLogo serves the logo of a UI customization (its ImageUrl).
func (o *Server) uiLogo(w http.ResponseWriter, r *http.Request) {
	var u *state.UICustomization
	o.view(func(tx *state.Tx) { u = tx.UICustomization(r.PathValue("pool"), r.PathValue("client")) })
	if u == nil || len(u.Image) == 0 {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Content-Type", u.ImageType)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-cache")
	w.Write(u.Image)
}

// errNoDomain refuses a token of a pool without a domain at userInfo.
var errNoDomain = errors.New("user pool without a domain")
