package userpool

import "encoding/json"

// DefaultBrandingSettings is the part of Cognito's default managed-login
// branding style that the emulator's sign-in page uses: the colours of
// the page, the form and the primary button (RRGGBBAA).
var DefaultBrandingSettings = json.RawMessage(`{"categories":{"global":{"colorSchemeMode":"LIGHT"}},` +
	`"components":{"pageBackground":{"lightMode":{"color":"f2f8fdff"}},"form":{"lightMode":{"backgroundColor":"ffffffff"}},` +
	`"primaryButton":{"lightMode":{"defaults":{"backgroundColor":"0972d3ff","textColor":"ffffffff"}}}}}`)

// MergeBrandingSettings returns the settings of a branding style merged
// over DefaultBrandingSettings: what DescribeManagedLoginBranding answers
// with ReturnMergedResources, and what the sign-in page uses.
func MergeBrandingSettings(settings json.RawMessage) json.RawMessage {
	var base, over map[string]any
	json.Unmarshal(DefaultBrandingSettings, &base)
	if json.Unmarshal(settings, &over) == nil {
		mergeInto(base, over)
	}
	out, _ := json.Marshal(base)
	return out
}

func mergeInto(dst, src map[string]any) {
	for k, v := range src {
		if sm, ok := v.(map[string]any); ok {
			if dm, ok := dst[k].(map[string]any); ok {
				mergeInto(dm, sm)
				continue
			}
		}
		dst[k] = v
	}
}
