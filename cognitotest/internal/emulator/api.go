package emulator

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/cognitokit/cognitokit/cognitotest/internal/wire"
)

// APIHandler returns the handler of POST /: the AWS JSON 1.1 API of the
// services in reg, dispatched by X-Amz-Target. Requests without
// X-Amz-Target and with a form body (the AWS query protocol) go to form,
// which serves STS.
//
// For each call it checks the content type, finds the operation, reads the
// body (at most Config.MaxBodyBytes), asks for an Authorization header
// when the operation is not public, applies an injected failure, and runs
// the handler, answering InternalErrorException for a panic. It logs one
// line per request, without bodies.
func (e *Emulator) APIHandler(reg *Registry, form http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		target := r.Header.Get("X-Amz-Target")
		if target == "" && form != nil && strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
			form.ServeHTTP(w, r)
			return
		}
		start := time.Now()
		svc, name, ok := ServiceOf(target)
		var resp any
		var err error
		switch {
		case !ok:
			err = wire.Errorf("UnknownOperationException", "missing or invalid X-Amz-Target header; want %s<Operation>", wire.UserPoolTarget)
		case !strings.HasPrefix(r.Header.Get("Content-Type"), wire.ContentType):
			err = wire.Errorf("SerializationException", "Content-Type must be %s", wire.ContentType)
		default:
			resp, err = e.dispatch(reg, svc, name, r)
		}
		w.Header().Set("Content-Type", wire.ContentType)
		w.Header().Set("X-Amzn-Requestid", e.requestID())
		status := http.StatusOK
		var ae *wire.Error
		if err != nil {
			if !errors.As(err, &ae) {
				ae = wire.Internal("internal error")
				e.cfg.Logger.Error("cognitotest: internal error", "service", string(svc), "op", name, "err", err)
			}
			status = ae.HTTPStatus()
			wire.WriteError(w, ae)
		} else {
			if resp == nil {
				resp = struct{}{}
			}
			b, merr := json.Marshal(resp)
			if merr != nil {
				e.cfg.Logger.Error("cognitotest: encode response", "service", string(svc), "op", name, "err", merr)
				ae = wire.Internal("internal error")
				status = ae.HTTPStatus()
				wire.WriteError(w, ae)
			} else {
				w.Write(b)
			}
		}
		attrs := []any{"op", wire.Truncate(name, 64), "status", status, "duration", time.Since(start)}
		if svc == Identity {
			attrs = append([]any{"service", string(svc)}, attrs...)
		}
		if ae != nil {
			attrs = append(attrs, "error", ae.Type)
		}
		e.cfg.Logger.Info("cognitotest: request", attrs...)
	})
}

func (e *Emulator) dispatch(reg *Registry, svc Service, name string, r *http.Request) (resp any, err error) {
	defer func() {
		// A bug (or a failing WithRand source) must not drop the
		// connection: answer InternalErrorException and log it.
		if v := recover(); v != nil {
			e.cfg.Logger.Error("cognitotest: panic in operation", "service", string(svc), "op", name, "panic", fmt.Sprint(v))
			resp, err = nil, wire.Internal("cognitotest: internal error in %s; see the server log", name)
		}
	}()
	op := reg.Lookup(svc, name)
	if op == nil {
		what := "the operation"
		if svc == Identity {
			what = "the Cognito Identity operation"
		}
		return nil, wire.Errorf("UnknownOperationException", "cognitotest does not implement %s %q", what, wire.Truncate(name, 64))
	}
	if e.throttle != nil && svc == UserPools {
		if te := e.throttle.Allow(RequestRegion(r, e.cfg.Region), name); te != nil {
			return nil, te
		}
	}
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, e.cfg.MaxBodyBytes))
	if err != nil {
		var mb *http.MaxBytesError
		if errors.As(err, &mb) {
			return nil, wire.InvalidParameter("request body exceeds %d bytes", e.cfg.MaxBodyBytes)
		}
		return nil, wire.InvalidParameter("cannot read request body")
	}
	c := &Call{Op: op, Request: r.WithContext(WithOperation(r.Context(), name)), Body: body, IAM: r.Header.Get("Authorization") != ""}
	setCallerFromBody(c.Context(), body)
	if !op.Public && !c.IAM { // Cognito authorizes the others with IAM
		return nil, wire.Errorf("MissingAuthenticationTokenException", "%s requires AWS credentials (SigV4 Authorization header)", name)
	}
	if fe := e.Faults.TakeFailure(name); fe != nil {
		return nil, fe
	}
	return op.Handler(c)
}

// setCallerFromBody records the ClientId and ClientMetadata of a request
// (see [SetCaller]), which every operation that runs Lambda triggers
// takes at the top level of its body. A body that does not decode is left
// for the operation to refuse.
func setCallerFromBody(ctx context.Context, body []byte) {
	if !bytes.Contains(body, []byte(`"ClientId"`)) && !bytes.Contains(body, []byte(`"ClientMetadata"`)) {
		return
	}
	var in struct {
		ClientId       string
		ClientMetadata map[string]string
	}
	if json.Unmarshal(body, &in) == nil {
		SetCaller(ctx, in.ClientId, in.ClientMetadata)
	}
}

// requestID returns a random request ID, or a fixed one when the random
// source fails (the failure is reported by the operation itself).
func (e *Emulator) requestID() (id string) {
	defer func() {
		if recover() != nil {
			id = "00000000-0000-4000-8000-000000000000"
		}
	}()
	return e.UUID()
}

// WithLatency delays every request by the injected latency
// ([Faults.SetLatency]); a delayed request ends early when the client
// gives up or the emulator closes.
func (e *Emulator) WithLatency(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if d := e.Faults.Latency(); d > 0 {
			t := time.NewTimer(d)
			select {
			case <-t.C:
			case <-r.Context().Done():
				t.Stop()
				return
			case <-e.closing:
				t.Stop()
				return
			}
		}
		h.ServeHTTP(w, r)
	})
}

// Invoke runs the operation name of reg as an IAM-authorized API call
// would, with in (encoded as JSON) as its request, and returns its
// response or error (a *wire.Error for the errors of the API). It is for
// the emulator's own tools, such as the console, which act through the
// operations so that they validate and commit as the API does. Injected
// failures do not apply.
func (e *Emulator) Invoke(ctx context.Context, reg *Registry, svc Service, name string, in any) (resp any, err error) {
	op := reg.Lookup(svc, name)
	if op == nil {
		return nil, fmt.Errorf("emulator: no operation %s %s", svc, name)
	}
	body, err := json.Marshal(in)
	if err != nil {
		return nil, fmt.Errorf("emulator: encode the request of %s: %w", name, err)
	}
	r, err := http.NewRequestWithContext(WithOperation(ctx, name), http.MethodPost, "/", http.NoBody)
	if err != nil {
		return nil, err
	}
	defer func() {
		if v := recover(); v != nil {
			e.cfg.Logger.Error("cognitotest: panic in operation", "service", string(svc), "op", name, "panic", fmt.Sprint(v))
			resp, err = nil, wire.Internal("cognitotest: internal error in %s; see the server log", name)
		}
	}()
	return op.Handler(&Call{Op: op, Request: r, Body: body, IAM: true})
}
