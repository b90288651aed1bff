package imports

import (
	"bytes"
	"crypto/subtle"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/cognitokit/cognitokit/cognitotest/internal/emulator"
	"github.com/cognitokit/cognitokit/cognitotest/internal/state"
	"github.com/cognitokit/cognitokit/cognitotest/internal/userpool"
	"github.com/cognitokit/cognitokit/cognitotest/internal/userpool/pools"
	"github.com/cognitokit/cognitokit/cognitotest/internal/userpool/users"
	"github.com/cognitokit/cognitokit/cognitotest/internal/wire"
)

// User import jobs. CreateUserImportJob hands out a pre-signed URL that
// the emulator serves (ImportPath): a PUT of the CSV file there stores it
// in the job. StartUserImportJob queues the job; a goroutine of the
// emulator imports it ImportDelay after the start, by the emulator's
// clock (so a test with an injected clock decides when it runs, and can
// stop it before), ImportChunk rows per transaction. Imported users have
// no password: their status is RESET_REQUIRED, and they sign in after a
// password reset (ForgotPassword, ConfirmForgotPassword), as in Cognito.
const (
	ImportPath     = "/_cognitokit/import/"
	MaxImportBytes = 16 << 20 // of a CSV file (Cognito: 100 MB)
	MaxImportJobs  = 1000     // per pool
	MaxImportRow   = 16000    // characters of a row
	ImportDelay    = time.Second
	ImportChunk    = 100
	importPoll     = 10 * time.Millisecond
)

// Statuses of import jobs.
const (
	jobCreated    = "Created"
	jobPending    = "Pending"
	jobInProgress = "InProgress"
	jobStopping   = "Stopping"
	jobStopped    = "Stopped"
	jobSucceeded  = "Succeeded"
	jobFailed     = "Failed"
)

var (
	jobNameRE = userpool.MustRuneClass(`[\w\s+=,.@-]`, 1, 128)
	jobIDRE   = regexp.MustCompile(`^import-[0-9a-zA-Z-]{1,48}$`)
)

// importURL returns the pre-signed URL of a job.
func importURL(svc *userpool.Service, j *state.ImportJob) string {
	return svc.URL() + ImportPath + j.PoolID + "/" + j.ID + "?X-Amz-Expires=900&X-Amz-Signature=" + url.QueryEscape(j.UploadToken)
}

func (o *ops) jobOut(j *state.ImportJob) map[string]any {
	out := map[string]any{"JobName": j.Name, "JobId": j.ID, "UserPoolId": j.PoolID, "PreSignedUrl": importURL(o.svc, j),
		"CreationDate": wire.Epoch(j.CreatedAt), "Status": j.Status, "CloudWatchLogsRoleArn": j.RoleARN,
		"ImportedUsers": j.Imported, "SkippedUsers": j.Skipped, "FailedUsers": j.Failed}
	if !j.StartedAt.IsZero() {
		out["StartDate"] = wire.Epoch(j.StartedAt)
	}
	if !j.CompletedAt.IsZero() {
		out["CompletionDate"] = wire.Epoch(j.CompletedAt)
	}
	if j.Message != "" {
		out["CompletionMessage"] = j.Message
	}
	return out
}

// jobAnswer is the answer of the operations on one import job.
func (o *ops) jobAnswer(j *state.ImportJob) map[string]any {
	return map[string]any{"UserImportJob": o.jobOut(j)}
}

type importWire struct {
	UserPoolId            string
	JobName               string
	JobId                 string
	CloudWatchLogsRoleArn string
	MaxResults            *int32
	PaginationToken       string
}

func (o *ops) createUserImportJob(c *emulator.Call) (any, error) {
	var in importWire
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	switch {
	case !jobNameRE.MatchString(in.JobName):
		return nil, wire.InvalidParameter("JobName: 1 to 128 letters, digits, spaces and +=,.@-")
	case in.CloudWatchLogsRoleArn == "":
		return nil, wire.InvalidParameter("Missing required parameter CloudWatchLogsRoleArn")
	case !userpool.RoleARNRE.MatchString(in.CloudWatchLogsRoleArn):
		return nil, wire.InvalidParameter("CloudWatchLogsRoleArn %q is not the ARN of an IAM role", wire.Truncate(in.CloudWatchLogsRoleArn, 128))
	}
	var out map[string]any
	err := o.svc.State.Update(func(tx *state.Tx) error {
		p, aerr := userpool.AdminPool(tx, in.UserPoolId)
		if aerr != nil {
			return aerr
		}
		if len(tx.ImportJobs(p.ID)) >= MaxImportJobs {
			return wire.Errorf("LimitExceededException", "The user pool %s has %d import jobs, the most it can have", p.ID, MaxImportJobs)
		}
		j := &state.ImportJob{PoolID: p.ID, ID: "import-" + o.svc.RandString(10, emulator.Alnum), Name: in.JobName, RoleARN: in.CloudWatchLogsRoleArn,
			Status: jobCreated, UploadToken: o.svc.RandString(40, emulator.Alnum), CreatedAt: o.svc.Now()}
		tx.PutImportJob(j)
		out = o.jobOut(j)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return map[string]any{"UserImportJob": out}, nil
}

// poolJob finds an import job of the request's pool.
func poolJob(tx *state.Tx, in *importWire) (*state.ImportJob, *wire.Error) {
	if _, aerr := userpool.AdminPool(tx, in.UserPoolId); aerr != nil {
		return nil, aerr
	}
	if !jobIDRE.MatchString(in.JobId) {
		return nil, wire.InvalidParameter("JobId %q is not an import job ID (import-...)", wire.Truncate(in.JobId, 64))
	}
	j := tx.ImportJob(in.UserPoolId, in.JobId)
	if j == nil {
		return nil, wire.ResourceNotFound("Import job %s does not exist.", in.JobId)
	}
	return j, nil
}

func (o *ops) startUserImportJob(c *emulator.Call) (any, error) {
	var in importWire
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	var out map[string]any
	var started *state.ImportJob
	err := o.svc.State.Update(func(tx *state.Tx) error {
		j, aerr := poolJob(tx, &in)
		if aerr != nil {
			return aerr
		}
		switch {
		case j.Status != jobCreated:
			return wire.InvalidParameter("The import job %s is %s: only a Created job can start", j.ID, j.Status)
		case len(j.CSV) == 0:
			return wire.InvalidParameter("The import job %s has no CSV file: PUT it to the job's PreSignedUrl first", j.ID)
		}
		nj := *j
		nj.Status, nj.StartedAt = jobPending, o.svc.Now()
		tx.PutImportJob(&nj)
		started = &nj
		out = o.jobOut(&nj)
		return nil
	})
	if err != nil {
		return nil, err
	}
	RunImport(o.svc, started.PoolID, started.ID)
	return map[string]any{"UserImportJob": out}, nil
}

func (o *ops) stopUserImportJob(c *emulator.Call) (any, error) {
	return userpool.Write(o.svc, c, func(tx *state.Tx, in *importWire) (any, error) {
		j, aerr := poolJob(tx, in)
		if aerr != nil {
			return nil, aerr
		}
		nj := *j
		switch j.Status {
		case jobPending: // nothing imported yet: it stops at once
			nj.Status, nj.CompletedAt, nj.CSV = jobStopped, o.svc.Now(), nil
			nj.Message = "The job was stopped before it started."
		case jobInProgress: // the import stops after its current rows
			nj.Status = jobStopping
		default:
			return nil, wire.InvalidParameter("The import job %s is %s: only a Pending or InProgress job can stop", j.ID, j.Status)
		}
		tx.PutImportJob(&nj)
		return o.jobAnswer(&nj), nil
	})
}

func (o *ops) describeUserImportJob(c *emulator.Call) (any, error) {
	return userpool.Read(o.svc, c, func(tx *state.Tx, in *importWire) (any, *wire.Error) {
		j, aerr := poolJob(tx, in)
		if aerr != nil {
			return nil, aerr
		}
		return o.jobAnswer(j), nil
	})
}

func (o *ops) listUserImportJobs(c *emulator.Call) (any, error) {
	return userpool.Read(o.svc, c, func(tx *state.Tx, in *importWire) (any, *wire.Error) {
		if in.MaxResults == nil || *in.MaxResults < 1 || *in.MaxResults > 60 {
			return nil, wire.InvalidParameter("1 validation error detected: Value at 'maxResults' failed to satisfy constraint: Member must have value between 1 and 60")
		}
		p, aerr := userpool.AdminPool(tx, in.UserPoolId)
		if aerr != nil {
			return nil, aerr
		}
		list, next, aerr := userpool.PageOf(tx.ImportJobs(p.ID), *in.MaxResults, in.PaginationToken, 60, o.jobOut)
		if aerr != nil {
			return nil, aerr
		}
		out := map[string]any{"UserImportJobs": list}
		if next != "" {
			out["PaginationToken"] = next
		}
		return out, nil
	})
}

type ops struct{ svc *userpool.Service }

// Register adds the operations of this package to r. None is public.
func Register(r *emulator.Registry, svc *userpool.Service) {
	o := &ops{svc}
	op := func(name string, h emulator.Handler, writes bool) emulator.Op {
		return emulator.Op{Service: emulator.UserPools, Name: name, Handler: h, Writes: writes}
	}
	r.Add(
		op("CreateUserImportJob", o.createUserImportJob, true),
		op("StartUserImportJob", o.startUserImportJob, true),
		op("StopUserImportJob", o.stopUserImportJob, true),
		op("DescribeUserImportJob", o.describeUserImportJob, false),
		op("ListUserImportJobs", o.listUserImportJobs, false),
	)
}

// Routes returns the endpoints of this package: the pre-signed upload URL
// of import jobs.
func Routes(svc *userpool.Service) []emulator.Route {
	return []emulator.Route{{Pattern: "PUT " + ImportPath + "{pool}/{job}", Handler: func(w http.ResponseWriter, r *http.Request) {
		upload(svc, w, r)
	}}}
}

// upload serves the PUT of a job's CSV file to its pre-signed URL, as S3
// would: 403 for a wrong signature, 200 with an ETag once stored.
func upload(svc *userpool.Service, w http.ResponseWriter, r *http.Request) {
	token := r.URL.Query().Get("X-Amz-Signature")
	tooLarge := func() {
		http.Error(w, fmt.Sprintf("EntityTooLarge: the emulator takes CSV files of at most %d bytes", MaxImportBytes), http.StatusRequestEntityTooLarge)
	}
	// A declared length over the limit is refused before the body is
	// read; a body without one (chunked) is cut at the limit.
	if r.ContentLength > MaxImportBytes {
		tooLarge()
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxImportBytes))
	if err != nil {
		tooLarge()
		return
	}
	status, msg := http.StatusOK, ""
	err = svc.State.Update(func(tx *state.Tx) error {
		j := tx.ImportJob(r.PathValue("pool"), r.PathValue("job"))
		switch {
		case j == nil || subtle.ConstantTimeCompare([]byte(token), []byte(j.UploadToken)) != 1:
			status, msg = http.StatusForbidden, "SignatureDoesNotMatch: the URL is not the PreSignedUrl of an import job"
			return errors.New(msg)
		case j.Status != jobCreated:
			status, msg = http.StatusConflict, "the import job is "+j.Status+": upload the file before StartUserImportJob"
			return errors.New(msg)
		}
		nj := *j
		nj.CSV = body
		tx.PutImportJob(&nj)
		return nil
	})
	if status != http.StatusOK {
		http.Error(w, msg, status)
		return
	}
	if err != nil {
		http.Error(w, "InternalError", http.StatusInternalServerError)
		return
	}
	w.Header().Set("ETag", fmt.Sprintf("%q", state.TokenHash(string(body))[:32]))
	w.WriteHeader(http.StatusOK)
}

// ResumeImports restarts the import jobs a previous server left running
// (a durable state keeps them).
func ResumeImports(svc *userpool.Service) {
	var jobs []*state.ImportJob
	svc.State.View(func(tx *state.Tx) error {
		for _, j := range tx.AllImportJobs() {
			if j.Status == jobPending || j.Status == jobInProgress || j.Status == jobStopping {
				jobs = append(jobs, j)
			}
		}
		return nil
	})
	for _, j := range jobs {
		RunImport(svc, j.PoolID, j.ID)
	}
}

// RunImport imports a started job in a goroutine of the emulator.
func RunImport(svc *userpool.Service, poolID, jobID string) {
	svc.Go(func() {
		if err := runImport(svc, poolID, jobID); err != nil {
			svc.Logger().Error("cognitotest: user import job", "pool", poolID, "job", jobID, "err", err)
		}
	})
}

// errStopped ends an import that was stopped or deleted.
var errStopped = errors.New("stopped")

func runImport(svc *userpool.Service, poolID, jobID string) error {
	// Wait for the start, by the emulator's clock.
	for {
		var start time.Time
		var status string
		svc.State.View(func(tx *state.Tx) error {
			if j := tx.ImportJob(poolID, jobID); j != nil {
				start, status = j.StartedAt, j.Status
			}
			return nil
		})
		if status != jobPending && status != jobInProgress && status != jobStopping {
			return nil
		}
		if status != jobPending || !svc.Now().Before(start.Add(ImportDelay)) {
			break
		}
		select {
		case <-svc.Closing():
			return nil
		case <-time.After(importPoll):
		}
	}
	for {
		select {
		case <-svc.Closing():
			return nil
		default:
		}
		done, err := importChunk(svc, poolID, jobID)
		if errors.Is(err, errStopped) {
			return nil
		}
		if err != nil || done {
			return err
		}
	}
}

// importChunk imports the next rows of a job; done reports the end of the
// job.
func importChunk(svc *userpool.Service, poolID, jobID string) (done bool, err error) {
	var j *state.ImportJob
	var p *state.Pool
	svc.State.View(func(tx *state.Tx) error { j, p = tx.ImportJob(poolID, jobID), tx.Pool(poolID); return nil })
	if j == nil || p == nil {
		return true, errStopped
	}
	switch j.Status {
	case jobStopping:
		return true, finishJob(svc, j, jobStopped, "The job was stopped.", 0, 0, 0, 0)
	case jobPending, jobInProgress:
	default:
		return true, errStopped
	}
	rd := CSVReader(j.CSV)
	header, msg := ReadHeader(rd, pools.CSVHeader(p))
	if msg != "" {
		return true, finishJob(svc, j, jobFailed, msg, 0, 0, 0, 0)
	}
	for range j.Offset { // rows imported before
		if _, err := rd.Read(); err != nil {
			break
		}
	}
	var imported, skipped, failed int64
	rows := 0
	for rows < ImportChunk {
		rec, err := rd.Read()
		if err == io.EOF {
			break
		}
		rows++
		switch {
		case err != nil && !errors.Is(err, csv.ErrFieldCount):
			return true, finishJob(svc, j, jobFailed, "The CSV file is malformed: "+wire.Truncate(err.Error(), 128), rows-1, imported, skipped, failed)
		case err != nil || len(rec) != len(header) || RowLen(rec) > MaxImportRow:
			failed++
			continue
		}
		switch importRow(svc, p, header, rec) {
		case rowImported:
			imported++
		case rowSkipped:
			skipped++
		default:
			failed++
		}
	}
	last := rows < ImportChunk
	status, msg := jobInProgress, ""
	if last {
		status, msg = jobSucceeded, "The import job has completed."
	}
	return last, finishJob(svc, j, status, msg, rows, imported, skipped, failed)
}

// CSVReader returns a strict reader of an import file: RFC 4180 quoting
// (no lazy quotes), rows of any length (a row of the wrong length fails
// alone, as in Cognito).
func CSVReader(data []byte) *csv.Reader {
	rd := csv.NewReader(bytes.NewReader(data))
	rd.FieldsPerRecord = -1
	rd.LazyQuotes = false
	return rd
}

// ReadHeader reads the header row of an import file: every column must be
// one of allowed (GetCSVHeader's) and cognito:username and
// cognito:mfa_enabled must be there. On failure it returns the job's
// completion message.
func ReadHeader(rd *csv.Reader, allowed []string) (header []string, failure string) {
	header, err := rd.Read()
	if err != nil {
		return nil, "The CSV file has no header row."
	}
	header = slices.Clone(header)
	for i, h := range header {
		h = strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))
		header[i] = h
		if !slices.Contains(allowed, h) {
			return nil, fmt.Sprintf("The header of the CSV file has the column %q, which is not an attribute of the user pool: use the header of GetCSVHeader.", wire.Truncate(h, 64))
		}
		if slices.Contains(header[:i], h) {
			return nil, fmt.Sprintf("The header of the CSV file has the column %q twice.", wire.Truncate(h, 64))
		}
	}
	for _, need := range []string{"cognito:username", "cognito:mfa_enabled"} {
		if !slices.Contains(header, need) {
			return nil, "The header of the CSV file lacks the column " + need + "."
		}
	}
	return header, ""
}

func RowLen(rec []string) int {
	n := 0
	for _, f := range rec {
		n += len(f) + 1
	}
	return n
}

type rowResult int

const (
	rowImported rowResult = iota
	rowSkipped
	rowFailed
)

// importRow creates the user of a row, in RESET_REQUIRED.
func importRow(svc *userpool.Service, p *state.Pool, header, rec []string) rowResult {
	spec, ok := RowSpec(p, header, rec)
	if !ok {
		return rowFailed
	}
	var existing bool
	svc.State.View(func(tx *state.Tx) error {
		existing = userpool.LookupUser(tx, tx.Pool(p.ID), spec.Username) != nil
		return nil
	})
	if existing {
		return rowSkipped
	}
	if _, err := users.Create(svc, p.ID, spec); err != nil {
		if errors.Is(err, emulator.ErrAlreadyExists) {
			return rowSkipped
		}
		return rowFailed
	}
	return rowImported
}

// RowSpec returns the user a row (of header's columns) describes, or false
// for a row that fails: no username, a bad boolean, a missing required
// attribute, a username that is not the email or phone number of a pool
// whose usernames are those. The attributes themselves are checked when
// the user is created.
func RowSpec(p *state.Pool, header, rec []string) (users.Spec, bool) {
	spec := users.Spec{Attributes: map[string]string{}, Status: userpool.StatusResetRequired}
	emailVerified, phoneVerified := "", ""
	for i, h := range header {
		v := strings.TrimSpace(rec[i])
		if v == "" {
			continue
		}
		switch h {
		case "cognito:username":
			spec.Username = v
		case "cognito:mfa_enabled":
			switch strings.ToLower(v) {
			case "true":
				spec.SMSMFA = true
			case "false":
			default:
				return spec, false
			}
		case "email":
			spec.Email = v
		case "phone_number":
			spec.PhoneNumber = v
		case "email_verified":
			emailVerified = strings.ToLower(v)
		case "phone_number_verified":
			phoneVerified = strings.ToLower(v)
		default:
			spec.Attributes[h] = v
		}
	}
	for _, b := range []string{emailVerified, phoneVerified} {
		if b != "" && b != "true" && b != "false" {
			return spec, false
		}
	}
	spec.UnverifiedEmail, spec.UnverifiedPhone = emailVerified != "true", phoneVerified != "true"
	if spec.Username == "" {
		return spec, false
	}
	for _, a := range p.RequiredAttributes {
		if _, ok := spec.Attributes[a]; !ok && !(a == "email" && spec.Email != "") && !(a == "phone_number" && spec.PhoneNumber != "") {
			return spec, false
		}
	}
	if len(p.UsernameAttributes) > 0 && spec.Username != spec.Email && spec.Username != spec.PhoneNumber {
		return spec, false
	}
	return spec, true
}

// finishJob records the progress of a chunk (rows more rows read) and the
// job's new status; the CSV file goes when the job ends.
func finishJob(svc *userpool.Service, j *state.ImportJob, status, msg string, rows int, imported, skipped, failed int64) error {
	return svc.State.Update(func(tx *state.Tx) error {
		cur := tx.ImportJob(j.PoolID, j.ID)
		if cur == nil {
			return errStopped
		}
		nj := *cur
		nj.Offset += rows
		nj.Imported += imported
		nj.Skipped += skipped
		nj.Failed += failed
		if cur.Status == jobStopping && status == jobInProgress {
			status, msg = jobStopped, "The job was stopped."
		}
		nj.Status, nj.Message = status, msg
		if status != jobInProgress {
			nj.CompletedAt, nj.CSV = svc.Now(), nil
		}
		tx.PutImportJob(&nj)
		return nil
	})
}
