package oauth

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
)

// maxResponse bounds the bodies read from userInfo and revoke.
const maxResponse = 1 << 20

// UserInfo is the answer of the userInfo endpoint: the user's attributes
// allowed by the access token's scopes.
type UserInfo struct {
	Subject             string // sub
	Username            string // username (the internal username)
	Email               string
	EmailVerified       bool
	PhoneNumber         string
	PhoneNumberVerified bool
	Name                string
	GivenName           string
	FamilyName          string
	PreferredUsername   string
	// Attributes holds every member of the answer as a string, custom
	// attributes ("custom:tenant") included. Cognito sends booleans as
	// the strings "true" and "false"; both forms are accepted.
	Attributes map[string]string
}

// UserInfo calls the userInfo endpoint with an access token that has the
// openid scope. An invalid, expired or revoked token gives an [*Error]
// matching ErrInvalidToken.
func (c *Client) UserInfo(ctx context.Context, accessToken string) (*UserInfo, error) {
	if ctx == nil {
		return nil, errNilContext
	}
	if accessToken == "" || len(accessToken) > MaxTokenSize || strings.ContainsAny(accessToken, " \r\n") {
		return nil, inputErr("access token: want 1 to %d bytes without spaces", MaxTokenSize)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.ep.UserInfoURL, nil)
	if err != nil {
		return nil, fmt.Errorf("%w: userinfo: %v", ErrInvalidConfig, err)
	}
	req.Header.Set("Authorization", "Bearer "+accessToken)
	req.Header.Set("Accept", "application/json")
	status, hdr, body, err := c.do(req)
	if err != nil {
		return nil, c.wrap(ctx, "userinfo", err)
	}
	if status != http.StatusOK {
		return nil, endpointError("userinfo", status, hdr, body)
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(body, &raw); err != nil {
		return nil, fmt.Errorf("%w: userinfo: the answer is not a JSON object", ErrBadResponse)
	}
	ui := &UserInfo{Attributes: make(map[string]string, len(raw))}
	for k, v := range raw {
		var s string
		var b bool
		switch {
		case json.Unmarshal(v, &s) == nil:
		case json.Unmarshal(v, &b) == nil:
			s = fmt.Sprint(b)
		default:
			s = string(v)
		}
		ui.Attributes[k] = s
	}
	a := ui.Attributes
	ui.Subject, ui.Username, ui.Email, ui.PhoneNumber = a["sub"], a["username"], a["email"], a["phone_number"]
	ui.EmailVerified, ui.PhoneNumberVerified = a["email_verified"] == "true", a["phone_number_verified"] == "true"
	ui.Name, ui.GivenName, ui.FamilyName, ui.PreferredUsername = a["name"], a["given_name"], a["family_name"], a["preferred_username"]
	if ui.Subject == "" {
		return nil, fmt.Errorf("%w: userinfo: the answer has no sub", ErrBadResponse)
	}
	return ui, nil
}

// Revoke revokes a refresh token and the access and ID tokens issued from
// it (RFC 7009). Unknown tokens are not an error. Revoking an access token
// fails with ErrUnsupportedTokenType.
func (c *Client) Revoke(ctx context.Context, refreshToken string) error {
	if ctx == nil {
		return errNilContext
	}
	if refreshToken == "" || len(refreshToken) > MaxTokenSize {
		return inputErr("refresh token: want 1 to %d bytes", MaxTokenSize)
	}
	form := url.Values{"token": {refreshToken}}
	if c.cfg.ClientSecret == "" {
		form.Set("client_id", c.cfg.ClientID)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.ep.RevokeURL, strings.NewReader(form.Encode()))
	if err != nil {
		return fmt.Errorf("%w: revoke: %v", ErrInvalidConfig, err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if c.cfg.ClientSecret != "" {
		req.SetBasicAuth(url.QueryEscape(c.cfg.ClientID), url.QueryEscape(c.cfg.ClientSecret))
	}
	status, hdr, body, err := c.do(req)
	if err != nil {
		return c.wrap(ctx, "revoke", err)
	}
	if status != http.StatusOK {
		return endpointError("revoke", status, hdr, body)
	}
	return nil
}

// LogoutURL returns the URL that ends the managed-login session and then
// sends the browser to logoutURI, which must be one of the app client's
// allowed sign-out URLs: {domain}/logout?client_id=...&logout_uri=....
func (c *Client) LogoutURL(logoutURI string) (string, error) {
	if err := checkAbsURL(logoutURI); err != nil {
		return "", inputErr("logout URI: %v", err)
	}
	q := url.Values{"client_id": {c.cfg.ClientID}, "logout_uri": {logoutURI}}
	return c.ep.LogoutURL + "?" + q.Encode(), nil
}

// CallbackError returns the error the authorization endpoint sent to the
// redirect URI (error, error_description), as an [*Error] with Op
// "authorize" matching ErrAccessDenied (or the sentinel of its code), or nil
// when query carries no error.
func CallbackError(query url.Values) error {
	code := query.Get("error")
	if code == "" {
		return nil
	}
	if !validCode(code) {
		code = "invalid_request"
	}
	return &Error{Op: "authorize", Code: code, Description: cleanDescription(query.Get("error_description"))}
}

func (c *Client) do(req *http.Request) (int, http.Header, []byte, error) {
	resp, err := c.hc.Do(req)
	if err != nil {
		return 0, nil, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse+1))
	if err != nil {
		return 0, nil, nil, err
	}
	if len(body) > maxResponse {
		return 0, nil, nil, fmt.Errorf("%w: response body larger than %d bytes", ErrBadResponse, maxResponse)
	}
	return resp.StatusCode, resp.Header, body, nil
}

// endpointError builds the *Error of a non-200 answer from its JSON body or
// its WWW-Authenticate header (RFC 6750).
func endpointError(op string, status int, hdr http.Header, body []byte) error {
	e := &Error{Op: op, StatusCode: status}
	var v struct {
		Error       string `json:"error"`
		Description string `json:"error_description"`
		URI         string `json:"error_uri"`
	}
	ct, _, _ := mime.ParseMediaType(hdr.Get("Content-Type"))
	if (ct == "application/json" || bytes.HasPrefix(bytes.TrimSpace(body), []byte("{"))) && json.Unmarshal(body, &v) == nil {
		e.Code, e.Description, e.URI = v.Error, v.Description, v.URI
	}
	if e.Code == "" {
		params := parseBearerChallenge(hdr.Get("WWW-Authenticate"))
		e.Code, e.Description = params["error"], params["error_description"]
	}
	if e.Code != "" && !validCode(e.Code) {
		e.Code = ""
	}
	if e.Code == "" && status == http.StatusUnauthorized {
		e.Code = "invalid_token"
	}
	e.Description = cleanDescription(e.Description)
	e.URI = cleanDescription(e.URI)
	return e
}

// parseBearerChallenge parses `Bearer k="v", k2="v2"` leniently.
func parseBearerChallenge(h string) map[string]string {
	out := map[string]string{}
	rest, ok := strings.CutPrefix(h, "Bearer")
	if !ok || len(h) > 4096 {
		return out
	}
	for _, part := range strings.Split(rest, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			continue
		}
		out[strings.TrimSpace(k)] = strings.Trim(strings.TrimSpace(v), `"`)
	}
	return out
}
