package identity

import (
	"encoding/xml"
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/cognitokit/cognitokit/cognitotest/internal/state"
	"github.com/cognitokit/cognitokit/cognitotest/internal/wire"
)

// STS: AssumeRoleWithWebIdentity (the AWS query protocol: a form-encoded
// POST answered with XML) for the basic (classic) flow of Cognito
// Identity: the web identity token must be an OpenID token of
// GetOpenIdToken or GetOpenIdTokenForDeveloperIdentity from this server.
// It is the only STS action, and STS serves it unsigned; every other
// action is refused before any state is read.

const stsNamespace = "https://sts.amazonaws.com/doc/2011-06-15/"

var sessionNameRE = regexp.MustCompile(`^[\w+=,.@-]{2,64}$`)

type stsError struct {
	Status  int
	Code    string
	Message string
}

func (e *stsError) Error() string { return e.Code + ": " + e.Message }

type stsCredentials struct {
	AccessKeyId     string
	SecretAccessKey string
	SessionToken    string
	Expiration      string
}

type stsAssumeRoleResult struct {
	XMLName xml.Name `xml:"AssumeRoleWithWebIdentityResponse"`
	Xmlns   string   `xml:"xmlns,attr"`
	Result  struct {
		SubjectFromWebIdentityToken string
		Audience                    string
		AssumedRoleUser             struct {
			Arn           string
			AssumedRoleId string
		}
		Credentials stsCredentials
		Provider    string
	} `xml:"AssumeRoleWithWebIdentityResult"`
	RequestID string `xml:"ResponseMetadata>RequestId"`
}

type stsErrorResponse struct {
	XMLName xml.Name `xml:"ErrorResponse"`
	Xmlns   string   `xml:"xmlns,attr"`
	Error   struct {
		Type    string
		Code    string
		Message string
	}
	RequestID string `xml:"RequestId"`
}

// STSHandler serves STS requests (form-encoded POST /).
func (s *Service) STSHandler() http.Handler { return http.HandlerFunc(s.serveSTS) }

func (s *Service) serveSTS(w http.ResponseWriter, r *http.Request) {
	up := s.up
	start := time.Now()
	reqID := up.UUID()
	action := ""
	res, err := func() (*stsAssumeRoleResult, error) {
		r.Body = http.MaxBytesReader(w, r.Body, up.Config().MaxBodyBytes)
		if err := r.ParseForm(); err != nil {
			return nil, &stsError{400, "ValidationError", "the request body is not a valid form or exceeds the size limit"}
		}
		f := r.PostForm
		action = f.Get("Action")
		if len(action) > 64 {
			action = action[:64]
		}
		if e := up.Faults.TakeFailure(action); e != nil {
			return nil, &stsError{e.HTTPStatus(), e.Type, e.Message}
		}
		switch action {
		case "AssumeRoleWithWebIdentity":
		case "":
			return nil, &stsError{400, "MissingAction", "Action is required"}
		default:
			return nil, &stsError{400, "InvalidAction", "cognitotest implements only AssumeRoleWithWebIdentity of STS"}
		}
		if v := f.Get("Version"); v != "2011-06-15" {
			return nil, &stsError{400, "InvalidParameterValue", "Version must be 2011-06-15"}
		}
		return s.assumeRoleWithWebIdentity(f, reqID)
	}()
	status := http.StatusOK
	w.Header().Set("Content-Type", "text/xml")
	w.Header().Set("X-Amzn-Requestid", reqID)
	code := ""
	if err != nil {
		var se *stsError
		if !errors.As(err, &se) {
			up.Logger().Error("cognitotest: internal error", "op", action, "err", err)
			se = &stsError{500, "InternalFailure", "internal error"}
		}
		status, code = se.Status, se.Code
		out := stsErrorResponse{Xmlns: stsNamespace, RequestID: reqID}
		out.Error.Type = "Sender"
		if status >= 500 {
			out.Error.Type = "Receiver"
		}
		out.Error.Code, out.Error.Message = se.Code, se.Message
		w.WriteHeader(status)
		xml.NewEncoder(w).Encode(out)
	} else {
		xml.NewEncoder(w).Encode(res)
	}
	attrs := []any{"service", "sts", "op", action, "status", status, "duration", time.Since(start)}
	if code != "" {
		attrs = append(attrs, "error", code)
	}
	up.Logger().Info("cognitotest: request", attrs...)
}

func (s *Service) assumeRoleWithWebIdentity(f url.Values, reqID string) (*stsAssumeRoleResult, error) {
	for k, v := range f {
		if len(v) > 1 {
			return nil, &stsError{400, "ValidationError", "parameter " + wire.Truncate(k, 64) + " is repeated"}
		}
	}
	role, session, tok := f.Get("RoleArn"), f.Get("RoleSessionName"), f.Get("WebIdentityToken")
	if !RoleARNRE.MatchString(role) {
		return nil, &stsError{400, "ValidationError", "1 validation error detected: Value at 'roleArn' failed to satisfy constraint: Member must be an IAM role ARN"}
	}
	if !sessionNameRE.MatchString(session) {
		return nil, &stsError{400, "ValidationError", "1 validation error detected: Value at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]* and length 2-64"}
	}
	if len(tok) < 4 || len(tok) > 20000 {
		return nil, &stsError{400, "ValidationError", "1 validation error detected: Value at 'webIdentityToken' failed to satisfy constraint: Member must have length between 4 and 20000"}
	}
	dur := time.Hour
	if d := f.Get("DurationSeconds"); d != "" {
		n, err := strconv.Atoi(d)
		if err != nil || n < 900 || n > 43200 {
			return nil, &stsError{400, "ValidationError", "DurationSeconds must be between 900 and 43200"}
		}
		dur = time.Duration(n) * time.Second
	}
	out := &stsAssumeRoleResult{Xmlns: stsNamespace, RequestID: reqID}
	err := s.up.State.Update(func(tx *state.Tx) error {
		c, verr := s.verifyOpenID(tx, tok)
		switch {
		case verr == openIDExpired:
			return &stsError{400, "ExpiredTokenException", "Token is expired"}
		case verr != 0:
			return &stsError{400, "InvalidIdentityToken", "Couldn't verify the web identity token: it was not issued by this emulator's Cognito Identity, or it was altered"}
		}
		p := tx.IdentityPool(c.Aud)
		ident := tx.Identity(c.Sub)
		if p == nil || ident == nil || ident.PoolID != p.ID {
			return &stsError{400, "InvalidIdentityToken", "The identity or identity pool of the token no longer exists"}
		}
		authenticated := len(c.Amr) > 0 && c.Amr[0] == "authenticated"
		want := p.Roles["unauthenticated"]
		if authenticated {
			want = p.Roles["authenticated"]
		}
		// The emulator stands in for the role's trust policy: the role must
		// be the identity pool's role for the token's kind of identity.
		if role != want {
			return &stsError{403, "AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity"}
		}
		cred, secret, sessionTok := s.issue(tx, ident.ID, role, authenticated, dur, "AssumeRoleWithWebIdentity", tagsOfClaim(c.Tags))
		roleName := role[strings.LastIndexByte(role, '/')+1:]
		out.Result.SubjectFromWebIdentityToken = ident.ID
		out.Result.Audience = p.ID
		out.Result.Provider = "cognito-identity.amazonaws.com"
		out.Result.AssumedRoleUser.Arn = "arn:aws:sts::" + TestAccountID + ":assumed-role/" + roleName + "/" + session
		out.Result.AssumedRoleUser.AssumedRoleId = "AROA" + s.up.RandString(17, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") + ":" + session
		out.Result.Credentials = stsCredentials{cred.AccessKeyID, secret, sessionTok, cred.Expiration.UTC().Format(time.RFC3339)}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
