package cognitotest_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognitokit/cognitokit/cognitotest"
)

const importRole = "arn:aws:iam::123456789012:role/CognitoImport"

// putCSV PUTs a file to a pre-signed URL with a plain HTTP client, as
// users do with curl, and returns the status.
func putCSV(t testing.TB, u, body string) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodPut, u, strings.NewReader(body))
	noErr(t, err)
	req.Header.Set("Content-Type", "text/csv")
	resp, err := http.DefaultClient.Do(req)
	noErr(t, err)
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// waitJob advances the clock past the import delay and polls the job until
// it ends.
func waitJob(t testing.TB, e *env, jobID *string) *types.UserImportJobType {
	t.Helper()
	e.clock.Advance(2 * time.Second)
	for range 500 {
		j := must(e.api.DescribeUserImportJob(ctx(), &cip.DescribeUserImportJobInput{UserPoolId: aws.String(e.pool.ID()), JobId: jobID})).UserImportJob
		switch j.Status {
		case types.UserImportJobStatusTypeSucceeded, types.UserImportJobStatusTypeFailed, types.UserImportJobStatusTypeStopped:
			return j
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("the import job does not end")
	return nil
}

// TestUserImportJob: the CSV file goes to the pre-signed URL the emulator
// serves; the imported users appear in RESET_REQUIRED and sign in after a
// password reset; bad rows fail alone, existing users are skipped.
func TestUserImportJob(t *testing.T) {
	t.Parallel()
	e := newEnv(t, cognitotest.PoolConfig{CustomAttributes: []cognitotest.CustomAttribute{{Name: "tenant"}}})
	e.pool.MustCreateUser(cognitotest.UserConfig{Username: "existing", Password: testPassword})
	c := ctx()
	pid := aws.String(e.pool.ID())
	hdr := must(e.api.GetCSVHeader(c, &cip.GetCSVHeaderInput{UserPoolId: pid})).CSVHeader
	col := map[string]int{}
	for i, h := range hdr {
		col[h] = i
	}
	row := func(kv ...string) string {
		r := make([]string, len(hdr))
		for i := 0; i+1 < len(kv); i += 2 {
			r[col[kv[i]]] = kv[i+1]
		}
		return strings.Join(r, ",")
	}
	csv := strings.Join([]string{
		strings.Join(hdr, ","),
		row("cognito:username", "alice", "email", "alice@example.com", "email_verified", "true", "cognito:mfa_enabled", "false", "custom:tenant", "acme"),
		row("cognito:username", "bob", "cognito:mfa_enabled", "FALSE", "given_name", "Bob"),
		row("cognito:username", "existing", "cognito:mfa_enabled", "false"),
		row("cognito:username", "carol", "cognito:mfa_enabled", "maybe"), // not a boolean
		row("cognito:mfa_enabled", "false"),                              // no username
		"dave,false",                                                     // too few columns
	}, "\n") + "\n"

	job := must(e.api.CreateUserImportJob(c, &cip.CreateUserImportJobInput{UserPoolId: pid, JobName: aws.String("first"), CloudWatchLogsRoleArn: aws.String(importRole)})).UserImportJob
	if job.Status != types.UserImportJobStatusTypeCreated || job.PreSignedUrl == nil {
		t.Fatalf("CreateUserImportJob: status %s, URL %v", job.Status, job.PreSignedUrl)
	}
	// Starting before the upload fails.
	if _, err := e.api.StartUserImportJob(c, &cip.StartUserImportJobInput{UserPoolId: pid, JobId: job.JobId}); !isErr[*types.InvalidParameterException](err) {
		t.Errorf("StartUserImportJob before the upload: got %v; want InvalidParameterException", err)
	}
	// A URL with another signature is refused.
	forged, _ := url.Parse(*job.PreSignedUrl)
	q := forged.Query()
	q.Set("X-Amz-Signature", "forged")
	forged.RawQuery = q.Encode()
	if got := putCSV(t, forged.String(), csv); got != http.StatusForbidden {
		t.Errorf("PUT with a forged signature: status %d; want 403", got)
	}
	if got := putCSV(t, *job.PreSignedUrl, csv); got != http.StatusOK {
		t.Fatalf("PUT to the pre-signed URL: status %d", got)
	}
	started := must(e.api.StartUserImportJob(c, &cip.StartUserImportJobInput{UserPoolId: pid, JobId: job.JobId})).UserImportJob
	if started.Status != types.UserImportJobStatusTypePending || started.StartDate == nil {
		t.Errorf("StartUserImportJob: status %s", started.Status)
	}
	if got := putCSV(t, *job.PreSignedUrl, csv); got == http.StatusOK {
		t.Errorf("PUT after the start: status 200")
	}
	done := waitJob(t, e, job.JobId)
	if done.Status != types.UserImportJobStatusTypeSucceeded || done.ImportedUsers != 2 || done.SkippedUsers != 1 || done.FailedUsers != 3 {
		t.Errorf("job: %s, imported %d, skipped %d, failed %d; want Succeeded 2 1 3", done.Status, done.ImportedUsers, done.SkippedUsers, done.FailedUsers)
	}

	u := must(e.api.AdminGetUser(c, &cip.AdminGetUserInput{UserPoolId: pid, Username: aws.String("alice")}))
	if u.UserStatus != types.UserStatusTypeResetRequired {
		t.Errorf("imported user status: %s; want RESET_REQUIRED", u.UserStatus)
	}
	attrs := map[string]string{}
	for _, a := range u.UserAttributes {
		attrs[*a.Name] = *a.Value
	}
	if attrs["email"] != "alice@example.com" || attrs["email_verified"] != "true" || attrs["custom:tenant"] != "acme" || attrs["sub"] == "" {
		t.Errorf("imported attributes: %v", attrs)
	}
	// Sign-in asks for the reset; after it, the user signs in.
	if _, err := e.passwordLogin(e.public, "alice", testPassword); !isErr[*types.PasswordResetRequiredException](err) {
		t.Errorf("sign-in of an imported user: got %v; want PasswordResetRequiredException", err)
	}
	if _, _, err := e.srpStart(e.public, "bob"); !isErr[*types.PasswordResetRequiredException](err) {
		t.Errorf("SRP sign-in of an imported user: got %v; want PasswordResetRequiredException", err)
	}
	noErr(t, errOnly(e.api.ForgotPassword(c, &cip.ForgotPasswordInput{ClientId: aws.String(e.public.ID), Username: aws.String("alice")})))
	code := e.srv.LastCode("alice", cognitotest.MsgForgotPassword)
	noErr(t, errOnly(e.api.ConfirmForgotPassword(c, &cip.ConfirmForgotPasswordInput{ClientId: aws.String(e.public.ID), Username: aws.String("alice"),
		ConfirmationCode: aws.String(code), Password: aws.String(testPassword)})))
	noErr(t, errOnly(e.srpLogin(e.public, "alice", testPassword)))
	if _, err := e.api.AdminGetUser(c, &cip.AdminGetUserInput{UserPoolId: pid, Username: aws.String("carol")}); !isErr[*types.UserNotFoundException](err) {
		t.Errorf("the row with a bad boolean: got %v; want no user", err)
	}

	// A finished job cannot start or stop again.
	if _, err := e.api.StartUserImportJob(c, &cip.StartUserImportJobInput{UserPoolId: pid, JobId: job.JobId}); !isErr[*types.InvalidParameterException](err) {
		t.Errorf("starting a finished job: got %v; want InvalidParameterException", err)
	}
	if _, err := e.api.StopUserImportJob(c, &cip.StopUserImportJobInput{UserPoolId: pid, JobId: job.JobId}); !isErr[*types.InvalidParameterException](err) {
		t.Errorf("stopping a finished job: got %v; want InvalidParameterException", err)
	}
}

func TestUserImportJobFailures(t *testing.T) {
	t.Parallel()
	e := newEnv(t, cognitotest.PoolConfig{})
	c := ctx()
	pid := aws.String(e.pool.ID())
	newJob := func(name, csv string) *types.UserImportJobType {
		j := must(e.api.CreateUserImportJob(c, &cip.CreateUserImportJobInput{UserPoolId: pid, JobName: aws.String(name), CloudWatchLogsRoleArn: aws.String(importRole)})).UserImportJob
		if csv != "" {
			if got := putCSV(t, *j.PreSignedUrl, csv); got != 200 {
				t.Fatalf("PUT: status %d", got)
			}
		}
		return j
	}
	for name, csv := range map[string]string{
		"unknown column":  "cognito:username,cognito:mfa_enabled,password\nalice,false,x\n",
		"no username col": "email,cognito:mfa_enabled\na@example.com,false\n",
		"column twice":    "cognito:username,cognito:mfa_enabled,email,email\nalice,false,a@example.com,b@example.com\n",
		"bad quoting":     "cognito:username,cognito:mfa_enabled\n\"alice,false\nbob\"x,false\n",
	} {
		j := newJob(strings.ReplaceAll(name, " ", "-"), csv)
		noErr(t, errOnly(e.api.StartUserImportJob(c, &cip.StartUserImportJobInput{UserPoolId: pid, JobId: j.JobId})))
		done := waitJob(t, e, j.JobId)
		if done.Status != types.UserImportJobStatusTypeFailed || done.CompletionMessage == nil || done.ImportedUsers != 0 {
			t.Errorf("%s: status %s, imported %d; want Failed with a message", name, done.Status, done.ImportedUsers)
		}
	}
	// A pending job stops at once; nothing is imported.
	j := newJob("stopped", "cognito:username,cognito:mfa_enabled\nzed,false\n")
	noErr(t, errOnly(e.api.StartUserImportJob(c, &cip.StartUserImportJobInput{UserPoolId: pid, JobId: j.JobId})))
	st := must(e.api.StopUserImportJob(c, &cip.StopUserImportJobInput{UserPoolId: pid, JobId: j.JobId})).UserImportJob
	if st.Status != types.UserImportJobStatusTypeStopped {
		t.Errorf("StopUserImportJob of a pending job: %s; want Stopped", st.Status)
	}
	e.clock.Advance(5 * time.Second)
	if _, err := e.api.AdminGetUser(c, &cip.AdminGetUserInput{UserPoolId: pid, Username: aws.String("zed")}); !isErr[*types.UserNotFoundException](err) {
		t.Errorf("a user of a stopped job: got %v; want UserNotFoundException", err)
	}

	// Listing, two at a time.
	n := 0
	var token *string
	for {
		out := must(e.api.ListUserImportJobs(c, &cip.ListUserImportJobsInput{UserPoolId: pid, MaxResults: aws.Int32(2), PaginationToken: token}))
		if len(out.UserImportJobs) > 2 {
			t.Errorf("a page of %d jobs; want at most 2", len(out.UserImportJobs))
		}
		n += len(out.UserImportJobs)
		if token = out.PaginationToken; token == nil {
			break
		}
		if n > 10 {
			t.Fatal("ListUserImportJobs does not end")
		}
	}
	if n != 5 {
		t.Errorf("ListUserImportJobs: %d jobs; want 5", n)
	}
	for name, fn := range map[string]func() error{
		"bad job ID": func() error {
			return errOnly(e.api.DescribeUserImportJob(c, &cip.DescribeUserImportJobInput{UserPoolId: pid, JobId: aws.String("nope")}))
		},
		"bad role": func() error {
			return errOnly(e.api.CreateUserImportJob(c, &cip.CreateUserImportJobInput{UserPoolId: pid, JobName: aws.String("x"), CloudWatchLogsRoleArn: aws.String("role")}))
		},
		"bad name": func() error {
			return errOnly(e.api.CreateUserImportJob(c, &cip.CreateUserImportJobInput{UserPoolId: pid, JobName: aws.String("a/b"), CloudWatchLogsRoleArn: aws.String(importRole)}))
		},
		"forged token": func() error {
			return errOnly(e.api.ListUserImportJobs(c, &cip.ListUserImportJobsInput{UserPoolId: pid, MaxResults: aws.Int32(2), PaginationToken: aws.String("forged")}))
		},
	} {
		if err := fn(); !isErr[*types.InvalidParameterException](err) {
			t.Errorf("%s: got %v; want InvalidParameterException", name, err)
		}
	}
	_, err := e.api.DescribeUserImportJob(c, &cip.DescribeUserImportJobInput{UserPoolId: pid, JobId: aws.String("import-NoSuchJob")})
	if !isErr[*types.ResourceNotFoundException](err) {
		t.Errorf("an unknown job: got %v; want ResourceNotFoundException", err)
	}
	// A file over the limit is refused by the upload.
	big := newJob("big", "")
	if got := putCSV(t, *big.PreSignedUrl, "cognito:username,cognito:mfa_enabled\n"+strings.Repeat("x", 17<<20)); got != http.StatusRequestEntityTooLarge {
		t.Errorf("a 17 MB file: status %d; want 413", got)
	}
}
