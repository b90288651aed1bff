package pools

import (
	"bytes"
	"encoding/json"
	"slices"

	"github.com/cognitokit/cognitokit/cognitotest/internal/emulator"
	"github.com/cognitokit/cognitokit/cognitotest/internal/state"
	"github.com/cognitokit/cognitokit/cognitotest/internal/userpool"
	"github.com/cognitokit/cognitokit/cognitotest/internal/wire"
)

// Cognito's limits on managed-login branding.
const (
	MaxBrandings         = 20       // branding styles per pool
	MaxAssets            = 40       // assets per style
	MaxAssetBytes        = 2 << 20  // bytes of an asset
	maxBrandingSettings  = 64 << 10 // bytes of a style's settings document
	maxBrandingDocDepth  = 16
	brandingNotFoundText = "Managed login branding %s does not exist."
)

var (
	assetCategories = []string{"FAVICON_ICO", "FAVICON_SVG", "EMAIL_GRAPHIC", "SMS_GRAPHIC", "AUTH_APP_GRAPHIC", "PASSWORD_GRAPHIC",
		"PASSKEY_GRAPHIC", "PAGE_HEADER_LOGO", "PAGE_HEADER_BACKGROUND", "PAGE_FOOTER_LOGO", "PAGE_FOOTER_BACKGROUND", "PAGE_BACKGROUND",
		"FORM_BACKGROUND", "FORM_LOGO", "IDP_BUTTON_ICON"}
	colorModes      = []string{"LIGHT", "DARK", "DYNAMIC"}
	assetExtensions = []string{"ICO", "JPEG", "PNG", "SVG", "WEBP"}
)

type assetWire struct {
	Category   string
	ColorMode  string
	Extension  string
	Bytes      []byte `json:",omitempty"`
	ResourceId string `json:",omitempty"`
}

type brandingWire struct {
	UserPoolId               string
	ClientId                 string
	ManagedLoginBrandingId   string
	UseCognitoProvidedValues bool
	Settings                 json.RawMessage
	Assets                   []assetWire
	ReturnMergedResources    bool
}

// settings checks and returns the settings document of the request: a
// JSON object, or nil.
func (in *brandingWire) settings() (json.RawMessage, *wire.Error) {
	s := bytes.TrimSpace(in.Settings)
	if len(s) == 0 || bytes.Equal(s, []byte("null")) {
		return nil, nil
	}
	if len(s) > maxBrandingSettings {
		return nil, wire.InvalidParameter("Settings: at most %d bytes", maxBrandingSettings)
	}
	var doc map[string]any
	if json.Unmarshal(s, &doc) != nil {
		return nil, wire.InvalidParameter("Settings must be a JSON object")
	}
	if depth(doc) > maxBrandingDocDepth {
		return nil, wire.InvalidParameter("Settings: nested too deep")
	}
	out, _ := json.Marshal(doc) // canonical: sorted keys, no spaces
	return out, nil
}

func depth(v any) int {
	switch v := v.(type) {
	case map[string]any:
		d := 0
		for _, e := range v {
			d = max(d, depth(e))
		}
		return d + 1
	case []any:
		d := 0
		for _, e := range v {
			d = max(d, depth(e))
		}
		return d + 1
	}
	return 0
}

func (in *brandingWire) assets() ([]state.Asset, *wire.Error) {
	if len(in.Assets) > MaxAssets {
		return nil, wire.InvalidParameter("Assets: at most %d", MaxAssets)
	}
	var out []state.Asset
	seen := map[[2]string]bool{}
	for _, a := range in.Assets {
		switch {
		case !slices.Contains(assetCategories, a.Category):
			return nil, wire.InvalidParameter("Asset Category %q: want one of %v", wire.Truncate(a.Category, 32), assetCategories)
		case !slices.Contains(colorModes, a.ColorMode):
			return nil, wire.InvalidParameter("Asset ColorMode %q: want LIGHT, DARK or DYNAMIC", wire.Truncate(a.ColorMode, 32))
		case !slices.Contains(assetExtensions, a.Extension):
			return nil, wire.InvalidParameter("Asset Extension %q: want ICO, JPEG, PNG, SVG or WEBP", wire.Truncate(a.Extension, 32))
		case len(a.Bytes) > MaxAssetBytes:
			return nil, wire.InvalidParameter("Asset %s: at most %d bytes", a.Category, MaxAssetBytes)
		case len(a.ResourceId) > 40:
			return nil, wire.InvalidParameter("Asset ResourceId: at most 40 characters")
		case len(a.Bytes) == 0 && a.ResourceId == "":
			return nil, wire.InvalidParameter("Asset %s needs Bytes or a ResourceId", a.Category)
		case seen[[2]string{a.Category, a.ColorMode}]:
			return nil, wire.InvalidParameter("Asset %s %s is given twice", a.Category, a.ColorMode)
		}
		seen[[2]string{a.Category, a.ColorMode}] = true
		out = append(out, state.Asset{Category: a.Category, ColorMode: a.ColorMode, Extension: a.Extension, Bytes: a.Bytes, ResourceID: a.ResourceId})
	}
	return out, nil
}

func brandingOut(b *state.Branding, merged bool) map[string]any {
	assets := make([]assetWire, 0, len(b.Assets))
	for _, a := range b.Assets {
		assets = append(assets, assetWire{Category: a.Category, ColorMode: a.ColorMode, Extension: a.Extension, Bytes: a.Bytes, ResourceId: a.ResourceID})
	}
	out := map[string]any{"ManagedLoginBrandingId": b.ID, "UserPoolId": b.PoolID, "UseCognitoProvidedValues": b.UseCognitoProvidedValues,
		"Assets": assets, "CreationDate": wire.Epoch(b.CreatedAt), "LastModifiedDate": wire.Epoch(b.ModifiedAt)}
	switch {
	case merged:
		out["Settings"] = userpool.MergeBrandingSettings(b.Settings)
	case b.Settings != nil:
		out["Settings"] = b.Settings
	}
	return out
}

// content checks the style's settings and assets, which
// UseCognitoProvidedValues excludes.
func (in *brandingWire) content() (json.RawMessage, []state.Asset, *wire.Error) {
	settings, aerr := in.settings()
	if aerr != nil {
		return nil, nil, aerr
	}
	assets, aerr := in.assets()
	if aerr != nil {
		return nil, nil, aerr
	}
	if in.UseCognitoProvidedValues && (settings != nil || len(assets) > 0) {
		return nil, nil, wire.InvalidParameter("UseCognitoProvidedValues takes no Settings or Assets")
	}
	return settings, assets, nil
}

func (o *ops) createManagedLoginBranding(c *emulator.Call) (any, error) {
	return userpool.Write(o.svc, c, func(tx *state.Tx, in *brandingWire) (any, error) {
		settings, assets, aerr := in.content()
		if aerr != nil {
			return nil, aerr
		}
		cl, aerr := poolClient(tx, &clientWire{UserPoolId: in.UserPoolId, ClientId: in.ClientId})
		if aerr != nil {
			return nil, aerr
		}
		if tx.BrandingOfClient(cl.PoolID, cl.ID) != nil {
			return nil, wire.Errorf("ManagedLoginBrandingExistsException", "The app client %s has a managed login branding style already; update it", cl.ID)
		}
		if len(tx.Brandings(cl.PoolID)) >= MaxBrandings {
			return nil, wire.Errorf("LimitExceededException", "The user pool %s has %d branding styles, the most it can have", cl.PoolID, MaxBrandings)
		}
		now := o.svc.Now()
		b := &state.Branding{PoolID: cl.PoolID, ID: o.svc.UUID(), ClientID: cl.ID, Settings: settings, Assets: assets,
			UseCognitoProvidedValues: in.UseCognitoProvidedValues, CreatedAt: now, ModifiedAt: now}
		tx.PutBranding(b)
		return brandingAnswer(b, false), nil
	})
}

// poolBranding finds a branding style of the request's pool.
func poolBranding(tx *state.Tx, in *brandingWire) (*state.Branding, *wire.Error) {
	if _, aerr := userpool.AdminPool(tx, in.UserPoolId); aerr != nil {
		return nil, aerr
	}
	if in.ManagedLoginBrandingId == "" {
		return nil, wire.InvalidParameter("Missing required parameter ManagedLoginBrandingId")
	}
	b := tx.Branding(in.UserPoolId, in.ManagedLoginBrandingId)
	if b == nil {
		return nil, wire.ResourceNotFound(brandingNotFoundText, wire.Truncate(in.ManagedLoginBrandingId, 64))
	}
	return b, nil
}

func (o *ops) describeManagedLoginBranding(c *emulator.Call) (any, error) {
	return userpool.Read(o.svc, c, func(tx *state.Tx, in *brandingWire) (any, *wire.Error) {
		b, aerr := poolBranding(tx, in)
		if aerr != nil {
			return nil, aerr
		}
		return brandingAnswer(b, in.ReturnMergedResources), nil
	})
}

func (o *ops) describeManagedLoginBrandingByClient(c *emulator.Call) (any, error) {
	return userpool.Read(o.svc, c, func(tx *state.Tx, in *brandingWire) (any, *wire.Error) {
		cl, aerr := poolClient(tx, &clientWire{UserPoolId: in.UserPoolId, ClientId: in.ClientId})
		if aerr != nil {
			return nil, aerr
		}
		b := tx.BrandingOfClient(cl.PoolID, cl.ID)
		if b == nil {
			return nil, wire.ResourceNotFound("The app client %s has no managed login branding style.", cl.ID)
		}
		return brandingAnswer(b, in.ReturnMergedResources), nil
	})
}

// updateManagedLoginBranding serves UpdateManagedLoginBranding: given
// settings and assets replace the style's; UseCognitoProvidedValues drops
// both.
func (o *ops) updateManagedLoginBranding(c *emulator.Call) (any, error) {
	return userpool.Write(o.svc, c, func(tx *state.Tx, in *brandingWire) (any, error) {
		settings, assets, aerr := in.content()
		if aerr != nil {
			return nil, aerr
		}
		b, aerr := poolBranding(tx, in)
		if aerr != nil {
			return nil, aerr
		}
		nb := b.Clone()
		nb.UseCognitoProvidedValues = in.UseCognitoProvidedValues
		if nb.UseCognitoProvidedValues {
			nb.Settings, nb.Assets = nil, nil
		}
		if settings != nil {
			nb.Settings = settings
		}
		if in.Assets != nil {
			nb.Assets = assets
		}
		nb.ModifiedAt = o.svc.Now()
		tx.PutBranding(nb)
		return brandingAnswer(nb, false), nil
	})
}

func (o *ops) deleteManagedLoginBranding(c *emulator.Call) (any, error) {
	return userpool.Write(o.svc, c, func(tx *state.Tx, in *brandingWire) (any, error) {
		b, aerr := poolBranding(tx, in)
		if aerr != nil {
			return nil, aerr
		}
		tx.DeleteBranding(b)
		return struct{}{}, nil
	})
}

// brandingAnswer is the answer of the operations on one branding style.
func brandingAnswer(b *state.Branding, merged bool) map[string]any {
	return map[string]any{"ManagedLoginBranding": brandingOut(b, merged)}
}

// PutBranding stores a branding style given as a record (a seed's),
// checked as CreateManagedLoginBranding checks it; an empty ID gets a
// random one.
func PutBranding(svc *userpool.Service, b *state.Branding) error {
	in := brandingWire{Settings: b.Settings, UseCognitoProvidedValues: b.UseCognitoProvidedValues}
	for _, a := range b.Assets {
		in.Assets = append(in.Assets, assetWire{Category: a.Category, ColorMode: a.ColorMode, Extension: a.Extension, Bytes: a.Bytes, ResourceId: a.ResourceID})
	}
	settings, aerr := in.settings()
	if aerr != nil {
		return aerr
	}
	if _, aerr := in.assets(); aerr != nil {
		return aerr
	}
	if b.UseCognitoProvidedValues && (settings != nil || len(b.Assets) > 0) {
		return wire.InvalidParameter("UseCognitoProvidedValues takes no Settings or Assets")
	}
	b.Settings = settings
	return svc.State.Update(func(tx *state.Tx) error {
		if _, aerr := poolClient(tx, &clientWire{UserPoolId: b.PoolID, ClientId: b.ClientID}); aerr != nil {
			return aerr
		}
		if b.ID == "" {
			b.ID = svc.UUID()
		}
		if tx.Branding(b.PoolID, b.ID) != nil || tx.BrandingOfClient(b.PoolID, b.ClientID) != nil {
			return emulator.Existsf("a branding style of app client %s", b.ClientID)
		}
		if len(tx.Brandings(b.PoolID)) >= MaxBrandings {
			return emulator.Invalidf("a user pool has at most %d branding styles", MaxBrandings)
		}
		b.CreatedAt = svc.Now()
		b.ModifiedAt = b.CreatedAt
		tx.PutBranding(b)
		return nil
	})
}
