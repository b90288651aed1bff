package state

import (
	"cmp"
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"time"
)

// The records of a pool's further settings (issue 14): the settings of
// UpdateUserPool that are fields of [Pool], app client secrets, and the
// kinds of records of terms documents, managed-login branding, the
// classic hosted UI's customization, threat protection, user import jobs
// and provisioned API limits.

// MessageTemplates are a pool's message templates: what the outbox
// sends instead of Cognito's default wording. "{####}" stands for the
// code, "{username}" for the username (invitations). Empty fields keep
// the default.
type MessageTemplates struct {
	EmailVerificationMessage string `json:"email_verification_message,omitempty"`
	EmailVerificationSubject string `json:"email_verification_subject,omitempty"`
	SMSVerificationMessage   string `json:"sms_verification_message,omitempty"`
	SMSAuthenticationMessage string `json:"sms_authentication_message,omitempty"`
	// DefaultEmailOption is CONFIRM_WITH_CODE (the default) or
	// CONFIRM_WITH_LINK, with EmailMessageByLink ("{##Click here##}"
	// stands for the link) and EmailSubjectByLink.
	DefaultEmailOption string `json:"default_email_option,omitempty"`
	EmailMessageByLink string `json:"email_message_by_link,omitempty"`
	EmailSubjectByLink string `json:"email_subject_by_link,omitempty"`
	InviteEmailMessage string `json:"invite_email_message,omitempty"`
	InviteEmailSubject string `json:"invite_email_subject,omitempty"`
	InviteSMSMessage   string `json:"invite_sms_message,omitempty"`
}

// EmailConfiguration is a pool's email sending configuration.
type EmailConfiguration struct {
	SendingAccount   string `json:"sending_account,omitempty"` // COGNITO_DEFAULT or DEVELOPER
	SourceARN        string `json:"source_arn,omitempty"`
	From             string `json:"from,omitempty"`
	ReplyTo          string `json:"reply_to,omitempty"`
	ConfigurationSet string `json:"configuration_set,omitempty"`
}

// SMSConfiguration is a pool's SMS sending configuration.
type SMSConfiguration struct {
	SNSCallerARN string `json:"sns_caller_arn"`
	ExternalID   string `json:"external_id,omitempty"`
	SNSRegion    string `json:"sns_region,omitempty"`
}

// RecoveryOption is a mechanism of account recovery, by priority.
type RecoveryOption struct {
	Name     string `json:"name"` // verified_email, verified_phone_number, admin_only
	Priority int    `json:"priority"`
}

// LogConfiguration is a log delivery configuration of a pool.
type LogConfiguration struct {
	EventSource    string `json:"event_source"` // userNotification, userAuthEvents
	LogLevel       string `json:"log_level"`    // ERROR, INFO
	CloudWatchLogs string `json:"cloudwatch_logs,omitempty"`
	S3Bucket       string `json:"s3_bucket,omitempty"`
	Firehose       string `json:"firehose,omitempty"`
}

// Replica is a replica of a pool in another region.
type Replica struct {
	Region    string            `json:"region"`
	Status    string            `json:"status"` // ACTIVE, INACTIVE
	Tags      map[string]string `json:"tags,omitempty"`
	CreatedAt time.Time         `json:"created_at"`
}

// ClientSecret is an app client secret beyond the client's first one:
// Cognito keeps up to two, for rotation.
type ClientSecret struct {
	ID        string    `json:"id"`
	Value     string    `json:"value"`
	CreatedAt time.Time `json:"created_at"`
}

// Terms is a terms document (terms of use or privacy policy) of an app
// client, linked from its managed-login pages.
type Terms struct {
	PoolID      string            `json:"pool_id"`
	ID          string            `json:"id"`
	ClientID    string            `json:"client_id"`
	Name        string            `json:"name"` // begins with terms-of-use or privacy-policy
	Enforcement string            `json:"enforcement"`
	Source      string            `json:"source"`
	Links       map[string]string `json:"links,omitempty"` // "cognito:default", "cognito:spanish", ... -> URL
	CreatedAt   time.Time         `json:"created_at"`
	ModifiedAt  time.Time         `json:"modified_at"`
}

// Clone returns a deep copy.
func (t *Terms) Clone() *Terms { c := *t; c.Links = maps.Clone(t.Links); return &c }

// Asset is an image of a managed-login branding style.
type Asset struct {
	Category   string `json:"category"`   // FORM_LOGO, PAGE_BACKGROUND, ...
	ColorMode  string `json:"color_mode"` // LIGHT, DARK, DYNAMIC
	Extension  string `json:"extension"`  // PNG, JPEG, SVG, ICO, WEBP
	Bytes      []byte `json:"bytes,omitempty"`
	ResourceID string `json:"resource_id,omitempty"`
}

// Branding is a managed-login branding style of an app client.
type Branding struct {
	PoolID   string `json:"pool_id"`
	ID       string `json:"id"`
	ClientID string `json:"client_id"`
	// Settings is the style's JSON document; UseCognitoProvidedValues
	// styles have none.
	Settings                 json.RawMessage `json:"settings,omitempty"`
	UseCognitoProvidedValues bool            `json:"use_cognito_provided_values,omitempty"`
	Assets                   []Asset         `json:"assets,omitempty"`
	CreatedAt                time.Time       `json:"created_at"`
	ModifiedAt               time.Time       `json:"modified_at"`
}

// Clone returns a copy (assets' bytes and settings are shared: they are
// never modified).
func (b *Branding) Clone() *Branding { c := *b; c.Assets = slices.Clone(b.Assets); return &c }

// UIClientAll is the client ID of a pool's default UI customization.
const UIClientAll = "ALL"

// UICustomization is the CSS and logo of the classic hosted UI, for one
// app client or (ClientID UIClientAll) the whole pool.
type UICustomization struct {
	PoolID     string    `json:"pool_id"`
	ClientID   string    `json:"client_id"`
	CSS        string    `json:"css,omitempty"`
	Image      []byte    `json:"image,omitempty"`      // PNG or JPEG
	ImageType  string    `json:"image_type,omitempty"` // image/png, image/jpeg
	CreatedAt  time.Time `json:"created_at"`
	ModifiedAt time.Time `json:"modified_at"`
}

// RiskConfig is the threat protection configuration of a pool (ClientID
// "") or of one app client, which replaces the pool's.
type RiskConfig struct {
	PoolID   string `json:"pool_id"`
	ClientID string `json:"client_id,omitempty"`
	// AccountTakeover and CompromisedCredentials are the configurations
	// as the API gives them (AccountTakeoverRiskConfigurationType,
	// CompromisedCredentialsRiskConfigurationType).
	AccountTakeover        json.RawMessage `json:"account_takeover,omitempty"`
	CompromisedCredentials json.RawMessage `json:"compromised_credentials,omitempty"`
	BlockedIPRanges        []string        `json:"blocked_ip_ranges,omitempty"` // CIDR
	SkippedIPRanges        []string        `json:"skipped_ip_ranges,omitempty"`
	ModifiedAt             time.Time       `json:"modified_at"`
}

// ImportJob is a user import job.
type ImportJob struct {
	PoolID  string `json:"pool_id"`
	ID      string `json:"id"` // "import-..."
	Name    string `json:"name"`
	RoleARN string `json:"role_arn"`
	Status  string `json:"status"` // Created, Pending, InProgress, Stopping, Stopped, Succeeded, Failed, Expired
	// UploadToken is the secret of the job's pre-signed upload URL.
	UploadToken string    `json:"upload_token"`
	CSV         []byte    `json:"csv,omitempty"` // the uploaded file, until the job ends
	Offset      int       `json:"offset,omitempty"`
	Imported    int64     `json:"imported,omitempty"`
	Skipped     int64     `json:"skipped,omitempty"`
	Failed      int64     `json:"failed,omitempty"`
	Message     string    `json:"message,omitempty"`
	CreatedAt   time.Time `json:"created_at"`
	StartedAt   time.Time `json:"started_at,omitzero"`
	CompletedAt time.Time `json:"completed_at,omitzero"`
}

// ProvisionedLimit is a provisioned API rate limit of the account, in a
// region.
type ProvisionedLimit struct {
	Region   string `json:"region"`
	Category string `json:"category"` // UserAuthentication, ...
	Value    int    `json:"value"`    // requests per second
}

// The kinds of the records above.
const (
	KindTerms            Kind = "terms"              // key: pool ID "/" terms ID
	KindBranding         Kind = "brandings"          // key: pool ID "/" branding ID
	KindUICustomization  Kind = "ui_customizations"  // key: pool ID "/" client ID (or ALL)
	KindRiskConfig       Kind = "risk_configs"       // key: pool ID "/" client ID ("" for the pool)
	KindImportJob        Kind = "import_jobs"        // key: pool ID "/" job ID
	KindProvisionedLimit Kind = "provisioned_limits" // key: region "/" category
)

// poolTables are the tables of the records above.
type poolTables struct {
	terms     *table[Terms]
	brandings *table[Branding]
	ui        *table[UICustomization]
	risk      *table[RiskConfig]
	imports   *table[ImportJob]
	limits    *table[ProvisionedLimit]
}

func (s *State) newPoolTables() []anyTable {
	byPool := func(id string) string { return id }
	t := &s.poolTables
	t.terms = newTable(KindTerms, func(r *Terms) string { return byPool(r.PoolID) }, func(r *Terms) string { return r.PoolID }, nil)
	t.terms.keyOf = func(r *Terms) string { return r.PoolID + "/" + r.ID }
	t.brandings = newTable(KindBranding, func(r *Branding) string { return r.PoolID }, func(r *Branding) string { return r.PoolID }, nil)
	t.brandings.keyOf = func(r *Branding) string { return r.PoolID + "/" + r.ID }
	t.ui = newTable(KindUICustomization, func(r *UICustomization) string { return r.PoolID }, func(r *UICustomization) string { return r.PoolID }, nil)
	t.ui.keyOf = func(r *UICustomization) string { return r.PoolID + "/" + r.ClientID }
	t.risk = newTable(KindRiskConfig, func(r *RiskConfig) string { return r.PoolID }, func(r *RiskConfig) string { return r.PoolID }, nil)
	t.risk.keyOf = func(r *RiskConfig) string { return r.PoolID + "/" + r.ClientID }
	t.imports = newTable(KindImportJob, func(r *ImportJob) string { return r.PoolID }, func(r *ImportJob) string { return r.PoolID }, nil)
	t.imports.keyOf = func(r *ImportJob) string { return r.PoolID + "/" + r.ID }
	t.limits = newTable[ProvisionedLimit](KindProvisionedLimit, nil, nil, nil)
	t.limits.keyOf = func(r *ProvisionedLimit) string { return r.Region + "/" + r.Category }
	return []anyTable{t.terms, t.brandings, t.ui, t.risk, t.imports, t.limits}
}

// deletePoolRecords deletes the records above of a pool.
func (tx *Tx) deletePoolRecords(id string) {
	t := &tx.s.poolTables
	for _, k := range t.terms.keysOfPool(id) {
		put(tx, t.terms, k, nil)
	}
	for _, k := range t.brandings.keysOfPool(id) {
		put(tx, t.brandings, k, nil)
	}
	for _, k := range t.ui.keysOfPool(id) {
		put(tx, t.ui, k, nil)
	}
	for _, k := range t.risk.keysOfPool(id) {
		put(tx, t.risk, k, nil)
	}
	for _, k := range t.imports.keysOfPool(id) {
		put(tx, t.imports, k, nil)
	}
}

// deleteClientRecords deletes the records above of an app client.
func (tx *Tx) deleteClientRecords(c *Client) {
	t := &tx.s.poolTables
	for k, r := range t.terms.children[c.PoolID] {
		if r.ClientID == c.ID {
			put[Terms](tx, t.terms, k, nil)
		}
	}
	for k, r := range t.brandings.children[c.PoolID] {
		if r.ClientID == c.ID {
			put[Branding](tx, t.brandings, k, nil)
		}
	}
	put[UICustomization](tx, t.ui, c.PoolID+"/"+c.ID, nil)
	put[RiskConfig](tx, t.risk, c.PoolID+"/"+c.ID, nil)
}

// ---- terms ---------------------------------------------------------------------

// Terms returns a terms document of a pool, or nil.
func (tx *Tx) Terms(poolID, id string) *Terms { return tx.s.poolTables.terms.get(poolID + "/" + id) }

// TermsOf returns the terms documents of a pool, by creation date and ID.
func (tx *Tx) TermsOf(poolID string) []*Terms {
	return sorted(tx.s.poolTables.terms.children[poolID], func(a, b *Terms) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), strings.Compare(a.ID, b.ID))
	})
}

// PutTerms stores t.
func (tx *Tx) PutTerms(t *Terms) { put(tx, tx.s.poolTables.terms, t.PoolID+"/"+t.ID, t) }

// DeleteTerms deletes t.
func (tx *Tx) DeleteTerms(t *Terms) { put[Terms](tx, tx.s.poolTables.terms, t.PoolID+"/"+t.ID, nil) }

// ---- managed-login branding ----------------------------------------------------

// Branding returns a branding style of a pool, or nil.
func (tx *Tx) Branding(poolID, id string) *Branding {
	return tx.s.poolTables.brandings.get(poolID + "/" + id)
}

// Brandings returns the branding styles of a pool, by creation date and
// ID.
func (tx *Tx) Brandings(poolID string) []*Branding {
	return sorted(tx.s.poolTables.brandings.children[poolID], func(a, b *Branding) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), strings.Compare(a.ID, b.ID))
	})
}

// BrandingOfClient returns the branding style of an app client, or nil.
func (tx *Tx) BrandingOfClient(poolID, clientID string) *Branding {
	for _, b := range tx.s.poolTables.brandings.children[poolID] {
		if b.ClientID == clientID {
			return b
		}
	}
	return nil
}

// PutBranding stores b.
func (tx *Tx) PutBranding(b *Branding) { put(tx, tx.s.poolTables.brandings, b.PoolID+"/"+b.ID, b) }

// DeleteBranding deletes b.
func (tx *Tx) DeleteBranding(b *Branding) {
	put[Branding](tx, tx.s.poolTables.brandings, b.PoolID+"/"+b.ID, nil)
}

// ---- UI customization ------------------------------------------------------------

// UICustomization returns the UI customization of a pool's app client
// (or UIClientAll), or nil.
func (tx *Tx) UICustomization(poolID, clientID string) *UICustomization {
	return tx.s.poolTables.ui.get(poolID + "/" + clientID)
}

// UICustomizations returns the UI customizations of a pool, sorted by
// client ID.
func (tx *Tx) UICustomizations(poolID string) []*UICustomization {
	return sorted(tx.s.poolTables.ui.children[poolID], func(a, b *UICustomization) int { return strings.Compare(a.ClientID, b.ClientID) })
}

// PutUICustomization stores u.
func (tx *Tx) PutUICustomization(u *UICustomization) {
	put(tx, tx.s.poolTables.ui, u.PoolID+"/"+u.ClientID, u)
}

// DeleteUICustomization deletes u.
func (tx *Tx) DeleteUICustomization(u *UICustomization) {
	put[UICustomization](tx, tx.s.poolTables.ui, u.PoolID+"/"+u.ClientID, nil)
}

// ---- threat protection -------------------------------------------------------------

// RiskConfig returns the risk configuration of a pool (clientID "") or of
// an app client, or nil.
func (tx *Tx) RiskConfig(poolID, clientID string) *RiskConfig {
	return tx.s.poolTables.risk.get(poolID + "/" + clientID)
}

// RiskConfigs returns the risk configurations of a pool, the pool's
// first.
func (tx *Tx) RiskConfigs(poolID string) []*RiskConfig {
	return sorted(tx.s.poolTables.risk.children[poolID], func(a, b *RiskConfig) int { return strings.Compare(a.ClientID, b.ClientID) })
}

// PutRiskConfig stores r.
func (tx *Tx) PutRiskConfig(r *RiskConfig) { put(tx, tx.s.poolTables.risk, r.PoolID+"/"+r.ClientID, r) }

// DeleteRiskConfig deletes r.
func (tx *Tx) DeleteRiskConfig(r *RiskConfig) {
	put[RiskConfig](tx, tx.s.poolTables.risk, r.PoolID+"/"+r.ClientID, nil)
}

// ---- user import jobs ----------------------------------------------------------------

// ImportJob returns an import job of a pool, or nil.
func (tx *Tx) ImportJob(poolID, id string) *ImportJob {
	return tx.s.poolTables.imports.get(poolID + "/" + id)
}

// ImportJobs returns the import jobs of a pool, oldest first.
func (tx *Tx) ImportJobs(poolID string) []*ImportJob {
	return sorted(tx.s.poolTables.imports.children[poolID], func(a, b *ImportJob) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), strings.Compare(a.ID, b.ID))
	})
}

// AllImportJobs returns the import jobs of every pool, in no particular
// order.
func (tx *Tx) AllImportJobs() []*ImportJob {
	return slices.Collect(maps.Values(tx.s.poolTables.imports.rows))
}

// PutImportJob stores j.
func (tx *Tx) PutImportJob(j *ImportJob) { put(tx, tx.s.poolTables.imports, j.PoolID+"/"+j.ID, j) }

// ---- provisioned limits ------------------------------------------------------------------

// ProvisionedLimit returns the provisioned limit of a category in a
// region, or nil (the default applies).
func (tx *Tx) ProvisionedLimit(region, category string) *ProvisionedLimit {
	return tx.s.poolTables.limits.get(region + "/" + category)
}

// ProvisionedLimits returns the provisioned limits, sorted by region and
// category.
func (tx *Tx) ProvisionedLimits() []*ProvisionedLimit {
	return sorted(tx.s.poolTables.limits.rows, func(a, b *ProvisionedLimit) int {
		return cmp.Or(strings.Compare(a.Region, b.Region), strings.Compare(a.Category, b.Category))
	})
}

// PutProvisionedLimit stores l.
func (tx *Tx) PutProvisionedLimit(l *ProvisionedLimit) {
	put(tx, tx.s.poolTables.limits, l.Region+"/"+l.Category, l)
}

// DeleteProvisionedLimit deletes l.
func (tx *Tx) DeleteProvisionedLimit(l *ProvisionedLimit) {
	put[ProvisionedLimit](tx, tx.s.poolTables.limits, l.Region+"/"+l.Category, nil)
}

// Secrets returns every valid secret of the client, oldest first; none
// for a public client.
func (c *Client) Secrets() []string {
	if c.Secret == "" {
		return nil
	}
	out := make([]string, 0, 1+len(c.MoreSecrets))
	out = append(out, c.Secret)
	for _, s := range c.MoreSecrets {
		out = append(out, s.Value)
	}
	return out
}

// DeleteResourceServer deletes r.
func (tx *Tx) DeleteResourceServer(r *ResourceServer) {
	put[ResourceServer](tx, tx.s.resourceServers, r.PoolID+"/"+r.Identifier, nil)
}
