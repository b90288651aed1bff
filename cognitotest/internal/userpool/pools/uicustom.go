package pools

import (
	"net/http"
	"regexp"
	"slices"
	"strings"

	"github.com/cognitokit/cognitokit/cognitotest/internal/emulator"
	"github.com/cognitokit/cognitokit/cognitotest/internal/state"
	"github.com/cognitokit/cognitokit/cognitotest/internal/userpool"
	"github.com/cognitokit/cognitokit/cognitotest/internal/wire"
)

// Limits of the classic hosted UI's customization.
const (
	MaxUICSSBytes   = 128 << 10
	MaxUIImageBytes = 100 << 10
)

// UIClasses are the CSS classes of the classic hosted UI that
// SetUICustomization may style (with :hover or :focus where Cognito
// allows them). The emulator's sign-in page carries them.
var UIClasses = []string{
	".background-customizable", ".banner-customizable", ".errorMessage-customizable", ".idpButton-customizable",
	".idpButton-customizable:hover", ".idpDescription-customizable", ".inputField-customizable", ".inputField-customizable:focus",
	".label-customizable", ".legalText-customizable", ".logo-customizable", ".passwordCheck-notValid-customizable",
	".passwordCheck-valid-customizable", ".redirect-customizable", ".socialButton-customizable", ".submitButton-customizable",
	".submitButton-customizable:hover", ".textDescription-customizable",
}

var (
	cssPropertyRE = regexp.MustCompile(`^-?[a-z][a-z-]{0,63}$`)
	cssValueRE    = userpool.MustRuneClass(`[#%\w\s.,()!+/'"-]`, 0, 256)
)

// CheckUICSS checks the CSS of SetUICustomization: rules of the classes
// of UIClasses only, with plain declarations (no url(), no at-rules, no
// escapes), so that it is safe to put in the page. It returns "" or what
// is wrong.
func CheckUICSS(css string) string {
	if len(css) > MaxUICSSBytes {
		return "the CSS is larger than 128 KiB"
	}
	rest := strings.TrimSpace(css)
	for rest != "" {
		sel, body, ok := strings.Cut(rest, "{")
		if !ok {
			return "a rule without { }"
		}
		decls, after, ok := strings.Cut(body, "}")
		if !ok {
			return "a rule without }"
		}
		rest = strings.TrimSpace(after)
		for _, s := range strings.Split(sel, ",") {
			if s = strings.TrimSpace(s); !slices.Contains(UIClasses, s) {
				return "the selector " + wire.Truncate(s, 64) + " is not one of the customizable classes " + strings.Join(UIClasses, " ")
			}
		}
		for _, d := range strings.Split(decls, ";") {
			if strings.TrimSpace(d) == "" {
				continue
			}
			prop, val, ok := strings.Cut(d, ":")
			prop, val = strings.TrimSpace(prop), strings.TrimSpace(val)
			low := strings.ToLower(val)
			if !ok || !cssPropertyRE.MatchString(prop) || !cssValueRE.MatchString(val) || strings.Contains(low, "url(") ||
				strings.Contains(low, "expression(") || strings.Contains(val, "/*") {
				return "the declaration " + wire.Truncate(strings.TrimSpace(d), 64) + " is not allowed (properties with plain values only: no url(), comments or escapes)"
			}
		}
	}
	return ""
}

// UIImageURL returns the URL the emulator serves a UI customization's
// logo at.
func UIImageURL(svc *userpool.Service, u *state.UICustomization) string {
	return svc.URL() + "/_cognitokit/ui/" + u.PoolID + "/" + u.ClientID + "/logo"
}

func (o *ops) uiOut(u *state.UICustomization) map[string]any {
	out := map[string]any{"UserPoolId": u.PoolID, "ClientId": u.ClientID, "CreationDate": wire.Epoch(u.CreatedAt),
		"LastModifiedDate": wire.Epoch(u.ModifiedAt), "CSSVersion": u.ModifiedAt.UTC().Format("20060102150405")}
	if u.CSS != "" {
		out["CSS"] = u.CSS
	}
	if len(u.Image) > 0 {
		out["ImageUrl"] = UIImageURL(o.svc, u)
	}
	return out
}

type uiWire struct {
	UserPoolId string
	ClientId   string
	CSS        *string
	ImageFile  []byte
}

// setUICustomization serves SetUICustomization: the CSS and logo of the
// classic hosted UI for one app client, or (ClientId ALL or none) for the
// pool. The pool needs a domain. The sign-in page of a pool whose prefix
// domain has managed login version 1 shows them.
func (o *ops) setUICustomization(c *emulator.Call) (any, error) {
	var in uiWire
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	if in.CSS != nil {
		if msg := CheckUICSS(*in.CSS); msg != "" {
			return nil, wire.InvalidParameter("CSS: %s", msg)
		}
	}
	imageType := ""
	if len(in.ImageFile) > 0 {
		if len(in.ImageFile) > MaxUIImageBytes {
			return nil, wire.InvalidParameter("ImageFile: at most 100 KiB")
		}
		imageType = http.DetectContentType(in.ImageFile)
		if imageType != "image/png" && imageType != "image/jpeg" {
			return nil, wire.InvalidParameter("ImageFile must be a PNG or JPEG image")
		}
	}
	clientID := in.ClientId
	if clientID == "" {
		clientID = state.UIClientAll
	}
	var out map[string]any
	err := o.svc.State.Update(func(tx *state.Tx) error {
		p, aerr := userpool.AdminPool(tx, in.UserPoolId)
		if aerr != nil {
			return aerr
		}
		if clientID != state.UIClientAll {
			if _, aerr := poolClient(tx, &clientWire{UserPoolId: p.ID, ClientId: clientID}); aerr != nil {
				return aerr
			}
		}
		if len(tx.Domains(p.ID)) == 0 {
			return wire.InvalidParameter("There has to be an existing domain associated with this user pool: create one with CreateUserPoolDomain")
		}
		now := o.svc.Now()
		u := &state.UICustomization{PoolID: p.ID, ClientID: clientID, CreatedAt: now}
		if old := tx.UICustomization(p.ID, clientID); old != nil {
			u.CreatedAt = old.CreatedAt
		}
		u.ModifiedAt = now
		if in.CSS != nil {
			u.CSS = *in.CSS
		}
		if len(in.ImageFile) > 0 {
			u.Image, u.ImageType = in.ImageFile, imageType
		}
		if u.CSS == "" && len(u.Image) == 0 {
			if old := tx.UICustomization(p.ID, clientID); old != nil {
				tx.DeleteUICustomization(old)
			}
			out = map[string]any{"UserPoolId": p.ID, "ClientId": clientID}
			return nil
		}
		tx.PutUICustomization(u)
		out = o.uiOut(u)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return map[string]any{"UICustomization": out}, nil
}

// getUICustomization serves GetUICustomization: the app client's
// customization, or the pool's.
func (o *ops) getUICustomization(c *emulator.Call) (any, error) {
	return userpool.Read(o.svc, c, func(tx *state.Tx, in *uiWire) (any, *wire.Error) {
		p, aerr := userpool.AdminPool(tx, in.UserPoolId)
		if aerr != nil {
			return nil, aerr
		}
		if in.ClientId != "" && in.ClientId != state.UIClientAll {
			if _, aerr := poolClient(tx, &clientWire{UserPoolId: p.ID, ClientId: in.ClientId}); aerr != nil {
				return nil, aerr
			}
			if u := tx.UICustomization(p.ID, in.ClientId); u != nil {
				return map[string]any{"UICustomization": o.uiOut(u)}, nil
			}
		}
		if u := tx.UICustomization(p.ID, state.UIClientAll); u != nil {
			return map[string]any{"UICustomization": o.uiOut(u)}, nil
		}
		return map[string]any{"UICustomization": map[string]any{"UserPoolId": p.ID, "ClientId": cmpOr(in.ClientId, state.UIClientAll)}}, nil
	})
}
