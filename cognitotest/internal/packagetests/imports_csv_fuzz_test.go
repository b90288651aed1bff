package packagetests_test

import (
	"errors"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/cognitokit/cognitokit/cognitotest/internal/state"
	"github.com/cognitokit/cognitokit/cognitotest/internal/userpool"
	"github.com/cognitokit/cognitokit/cognitotest/internal/userpool/imports"
	"github.com/cognitokit/cognitokit/cognitotest/internal/userpool/pools"
)

// FuzzImportCSV feeds arbitrary files to the import parser: it never
// panics, a header is accepted only with GetCSVHeader's columns (each
// once, with the two required ones), and every row it accepts is a user
// in RESET_REQUIRED with a username and only the header's attributes.
func FuzzImportCSV(f *testing.F) {
	p := &state.Pool{ID: "us-east-1_Fuzz", CustomAttributes: []state.CustomAttribute{{Name: "tenant", Type: "String", Mutable: true}}}
	allowed := pools.CSVHeader(p)
	f.Add([]byte("cognito:username,email,email_verified,cognito:mfa_enabled,custom:tenant\nalice,alice@example.com,true,false,acme\n"))
	f.Add([]byte("\ufeffcognito:username,cognito:mfa_enabled\r\nbob,FALSE\r\n\"quoted, name\",true\n"))
	f.Add([]byte("cognito:username,cognito:mfa_enabled\nbad\"quote,false\n"))
	f.Add([]byte("cognito:username,cognito:mfa_enabled,cognito:username\na,false,b\n"))
	f.Add([]byte("cognito:username,password\nx,y\n"))
	f.Add([]byte(""))
	f.Fuzz(func(t *testing.T, data []byte) {
		rd := imports.CSVReader(data)
		header, msg := imports.ReadHeader(rd, allowed)
		if msg != "" {
			if header != nil {
				t.Fatalf("a failed header (%s) returned columns", msg)
			}
			return
		}
		for i, h := range header {
			if !slices.Contains(allowed, h) || slices.Contains(header[:i], h) {
				t.Fatalf("header accepted with the column %q", h)
			}
		}
		if !slices.Contains(header, "cognito:username") || !slices.Contains(header, "cognito:mfa_enabled") {
			t.Fatalf("header accepted without the required columns: %q", header)
		}
		for {
			rec, err := rd.Read()
			if errors.Is(err, io.EOF) {
				return
			}
			if err != nil || len(rec) != len(header) || imports.RowLen(rec) > imports.MaxImportRow {
				continue
			}
			spec, ok := imports.RowSpec(p, header, rec)
			if !ok {
				continue
			}
			if spec.Username == "" || spec.Status != userpool.StatusResetRequired || spec.Password != "" {
				t.Fatalf("row %q: user %q, status %q, with a password: %v", rec, spec.Username, spec.Status, spec.Password != "")
			}
			for name := range spec.Attributes {
				if !slices.Contains(header, name) || strings.HasPrefix(name, "cognito:") {
					t.Fatalf("row %q: attribute %q is not a column of the header", rec, name)
				}
			}
		}
	})
}
