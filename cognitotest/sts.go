package cognitotest

import (
	"encoding/xml"
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// This file serves STS AssumeRoleWithWebIdentity (AWS query protocol: a
// form-encoded POST answered with XML) for the basic (classic) flow of
// Cognito Identity: the web identity token must be an OpenID token of
// GetOpenIdToken or GetOpenIdTokenForDeveloperIdentity from this server.

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

func (s *Server) serveSTS(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	reqID := s.uuid()
	action := ""
	res, err := func() (*stsAssumeRoleResult, error) {
		r.Body = http.MaxBytesReader(w, r.Body, s.opts.maxBody)
		if err := r.ParseForm(); err != nil {
			return nil, &stsError{400, "ValidationError", "the request body is not a valid form or exceeds the size limit"}
		}
		f := r.PostForm
		action = f.Get("Action")
		if len(action) > 64 {
			action = action[:64]
		}
		if e := s.faults.takeFailure(action); e != nil {
			st := e.Status
			if st == 0 {
				st = 400
			}
			return nil, &stsError{st, e.Type, e.Message}
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
			s.opts.logger.Error("cognitotest: internal error", "op", action, "err", err)
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
	s.opts.logger.Info("cognitotest: request", attrs...)
}

func (s *Server) assumeRoleWithWebIdentity(f url.Values, reqID string) (*stsAssumeRoleResult, error) {
	for k, v := range f {
		if len(v) > 1 {
			return nil, &stsError{400, "ValidationError", "parameter " + truncate(k, 64) + " is repeated"}
		}
	}
	role, session, tok := f.Get("RoleArn"), f.Get("RoleSessionName"), f.Get("WebIdentityToken")
	if !roleARNRE.MatchString(role) {
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
	st := &s.ids
	st.mu.Lock()
	defer st.mu.Unlock()
	st.initLocked()
	c, err := st.verifyOpenIDLocked(tok, s.now())
	switch {
	case errors.Is(err, errOpenIDExpired):
		return nil, &stsError{400, "ExpiredTokenException", "Token is expired"}
	case err != nil:
		return nil, &stsError{400, "InvalidIdentityToken", "Couldn't verify the web identity token: it was not issued by this emulator's Cognito Identity, or it was altered"}
	}
	p := st.pools[c.Aud]
	ident := st.identities[c.Sub]
	if p == nil || ident == nil || ident.poolID != p.id {
		return nil, &stsError{400, "InvalidIdentityToken", "The identity or identity pool of the token no longer exists"}
	}
	authenticated := len(c.Amr) > 0 && c.Amr[0] == "authenticated"
	want := p.roles["unauthenticated"]
	if authenticated {
		want = p.roles["authenticated"]
	}
	// The emulator stands in for the role's trust policy: the role must be
	// the identity pool's role for the token's kind of identity.
	if role != want {
		return nil, &stsError{403, "AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity"}
	}
	cred, secret, sessionTok := s.issueLocked(ident.id, role, authenticated, dur, "AssumeRoleWithWebIdentity")
	roleName := role[strings.LastIndexByte(role, '/')+1:]
	out := &stsAssumeRoleResult{Xmlns: stsNamespace, RequestID: reqID}
	out.Result.SubjectFromWebIdentityToken = ident.id
	out.Result.Audience = p.id
	out.Result.Provider = "cognito-identity.amazonaws.com"
	out.Result.AssumedRoleUser.Arn = "arn:aws:sts::" + TestAccountID + ":assumed-role/" + roleName + "/" + session
	out.Result.AssumedRoleUser.AssumedRoleId = "AROA" + s.randString(17, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") + ":" + session
	out.Result.Credentials = stsCredentials{cred.AccessKeyID, secret, sessionTok, cred.Expiration.UTC().Format(time.RFC3339)}
	return out, nil
}
