package cognitotest

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"

	"github.com/cognitokit/cognitokit/cognitotest/internal/emulator"
	"github.com/cognitokit/cognitokit/cognitotest/internal/state"
	"github.com/cognitokit/cognitokit/cognitotest/internal/userpool/pools"
)

// The parts of a seed for the settings of UpdateUserPool, and for terms
// documents, branding, the classic hosted UI, threat protection, log
// delivery, replicas, app client secrets and provisioned limits.

// SeedMessageTemplates are a pool's message templates ("{####}" is the
// code, "{username}" the username).
type SeedMessageTemplates struct {
	EmailVerificationMessage string `json:"email_verification_message,omitempty"`
	EmailVerificationSubject string `json:"email_verification_subject,omitempty"`
	SMSVerificationMessage   string `json:"sms_verification_message,omitempty"`
	SMSAuthenticationMessage string `json:"sms_authentication_message,omitempty"`
	DefaultEmailOption       string `json:"default_email_option,omitempty"` // CONFIRM_WITH_CODE (default), CONFIRM_WITH_LINK
	EmailMessageByLink       string `json:"email_message_by_link,omitempty"`
	EmailSubjectByLink       string `json:"email_subject_by_link,omitempty"`
	InviteEmailMessage       string `json:"invite_email_message,omitempty"`
	InviteEmailSubject       string `json:"invite_email_subject,omitempty"`
	InviteSMSMessage         string `json:"invite_sms_message,omitempty"`
}

// SeedEmailConfiguration is a pool's email configuration.
type SeedEmailConfiguration struct {
	SendingAccount   string `json:"sending_account,omitempty"` // COGNITO_DEFAULT, DEVELOPER
	SourceARN        string `json:"source_arn,omitempty"`
	From             string `json:"from,omitempty"`
	ReplyTo          string `json:"reply_to,omitempty"`
	ConfigurationSet string `json:"configuration_set,omitempty"`
}

// SeedSMSConfiguration is a pool's SMS configuration.
type SeedSMSConfiguration struct {
	SNSCallerARN string `json:"sns_caller_arn"`
	ExternalID   string `json:"external_id,omitempty"`
	SNSRegion    string `json:"sns_region,omitempty"`
}

// SeedRecoveryOption is an account recovery mechanism.
type SeedRecoveryOption struct {
	Name     string `json:"name"` // verified_email, verified_phone_number, admin_only
	Priority int    `json:"priority"`
}

// SeedLogConfiguration is a log delivery configuration: one destination
// ARN.
type SeedLogConfiguration struct {
	EventSource    string `json:"event_source"` // userNotification, userAuthEvents
	LogLevel       string `json:"log_level"`    // ERROR, INFO
	CloudWatchLogs string `json:"cloudwatch_logs,omitempty"`
	S3Bucket       string `json:"s3_bucket,omitempty"`
	Firehose       string `json:"firehose,omitempty"`
}

// SeedReplica is a replica of a pool in another region.
type SeedReplica struct {
	Region string            `json:"region"`
	Status string            `json:"status,omitempty"` // ACTIVE (default), INACTIVE
	Tags   map[string]string `json:"tags,omitempty"`
}

// SeedTerms is a terms document of an app client.
type SeedTerms struct {
	ID       string            `json:"id,omitempty"` // default: random
	ClientID string            `json:"client_id"`
	Name     string            `json:"name"`  // begins with terms-of-use or privacy-policy
	Links    map[string]string `json:"links"` // "cognito:default" -> URL
}

// SeedBranding is a managed-login branding style of an app client.
type SeedBranding struct {
	ID                       string `json:"id,omitempty"` // default: random
	ClientID                 string `json:"client_id"`
	UseCognitoProvidedValues bool   `json:"use_cognito_provided_values,omitempty"`
	// Settings is the style's document, as the API takes it.
	Settings json.RawMessage `json:"settings,omitempty"`
	Assets   []SeedAsset     `json:"assets,omitempty"`
}

// SeedAsset is an image of a branding style.
type SeedAsset struct {
	Category   string `json:"category"`
	ColorMode  string `json:"color_mode"`
	Extension  string `json:"extension"`
	Bytes      []byte `json:"bytes,omitempty"` // base64
	ResourceID string `json:"resource_id,omitempty"`
}

// SeedUICustomization is the CSS and logo of the classic hosted UI, for
// an app client or (client_id "ALL" or empty) the pool.
type SeedUICustomization struct {
	ClientID string `json:"client_id,omitempty"`
	CSS      string `json:"css,omitempty"`
	Image    []byte `json:"image,omitempty"` // PNG or JPEG, base64
}

// SeedRiskConfiguration is a threat protection configuration of the pool
// (client_id empty) or an app client. AccountTakeover and
// CompromisedCredentials are as the API takes them
// (AccountTakeoverRiskConfigurationType,
// CompromisedCredentialsRiskConfigurationType).
type SeedRiskConfiguration struct {
	ClientID               string          `json:"client_id,omitempty"`
	AccountTakeover        json.RawMessage `json:"account_takeover,omitempty"`
	CompromisedCredentials json.RawMessage `json:"compromised_credentials,omitempty"`
	BlockedIPRanges        []string        `json:"blocked_ip_ranges,omitempty"`
	SkippedIPRanges        []string        `json:"skipped_ip_ranges,omitempty"`
}

// SeedClientSecret is an app client secret besides its first.
type SeedClientSecret struct {
	ID     string `json:"id,omitempty"`
	Secret string `json:"secret"`
}

// SeedProvisionedLimit is a provisioned API rate limit of the account.
type SeedProvisionedLimit struct {
	Region   string `json:"region,omitempty"` // default: the server's
	Category string `json:"category"`
	Value    int    `json:"value"`
}

// seedPoolsSchema adds the fields above to seedSchema's objects.
var seedPoolsSchema = map[string]map[string]string{
	"message_templates": {"email_verification_message": "string", "email_verification_subject": "string", "sms_verification_message": "string",
		"sms_authentication_message": "string", "default_email_option": "string", "email_message_by_link": "string",
		"email_subject_by_link": "string", "invite_email_message": "string", "invite_email_subject": "string", "invite_sms_message": "string"},
	"email_configuration": {"sending_account": "string", "source_arn": "string", "from": "string", "reply_to": "string", "configuration_set": "string"},
	"sms_configuration":   {"sns_caller_arn": "string", "external_id": "string", "sns_region": "string"},
	"recovery_option":     {"name": "string", "priority": "int"},
	"log_configuration":   {"event_source": "string", "log_level": "string", "cloudwatch_logs": "string", "s3_bucket": "string", "firehose": "string"},
	"replica":             {"region": "string", "status": "string", "tags": "{string}"},
	"terms":               {"id": "string", "client_id": "string", "name": "string", "links": "{string}"},
	"branding":            {"id": "string", "client_id": "string", "use_cognito_provided_values": "bool", "settings": "json", "assets": "[asset]"},
	"asset":               {"category": "string", "color_mode": "string", "extension": "string", "bytes": "string", "resource_id": "string"},
	"ui_customization":    {"client_id": "string", "css": "string", "image": "string"},
	"risk_configuration": {"client_id": "string", "account_takeover": "json", "compromised_credentials": "json",
		"blocked_ip_ranges": "[string]", "skipped_ip_ranges": "[string]"},
	"client_secret":     {"id": "string", "secret": "string"},
	"provisioned_limit": {"region": "string", "category": "string", "value": "int"},
}

// seedPoolSettings returns the settings of a seed pool as the API's
// CreateUserPool takes them (pools.ApplySettings), so that a seed is
// checked exactly as the API would check it.
func seedPoolSettings(sp *SeedPool, draft *state.Pool) map[string]any {
	in := map[string]any{"MfaConfiguration": sp.MFA, "AutoVerifiedAttributes": sp.AutoVerifiedAttributes, "UserPoolTags": sp.Tags}
	pol := map[string]any{}
	if pp := sp.PasswordPolicy; pp != nil {
		pw := map[string]any{"RequireUppercase": pp.RequireUppercase, "RequireLowercase": pp.RequireLowercase,
			"RequireNumbers": pp.RequireNumbers, "RequireSymbols": pp.RequireSymbols, "TemporaryPasswordValidityDays": pp.TemporaryPasswordValidityDays}
		if pp.MinimumLength != 0 {
			pw["MinimumLength"] = pp.MinimumLength
		}
		pol["PasswordPolicy"] = pw
	}
	if len(sp.FirstAuthFactors) > 0 {
		pol["SignInPolicy"] = map[string]any{"AllowedFirstAuthFactors": sp.FirstAuthFactors}
	}
	in["Policies"] = pol
	if sp.DeviceRemembering != "" {
		in["DeviceConfiguration"] = map[string]any{"ChallengeRequiredOnNewDevice": sp.ChallengeRequiredOnNewDevice,
			"DeviceOnlyRememberedOnUserPrompt": sp.DeviceRemembering == DevicesUserOptIn}
	}
	ac := map[string]any{"AllowAdminCreateUserOnly": sp.AdminCreateUserOnly}
	if t := sp.MessageTemplates; t != nil {
		in["EmailVerificationMessage"], in["EmailVerificationSubject"] = t.EmailVerificationMessage, t.EmailVerificationSubject
		in["SmsVerificationMessage"], in["SmsAuthenticationMessage"] = t.SMSVerificationMessage, t.SMSAuthenticationMessage
		in["VerificationMessageTemplate"] = map[string]any{"DefaultEmailOption": t.DefaultEmailOption, "EmailMessageByLink": t.EmailMessageByLink,
			"EmailSubjectByLink": t.EmailSubjectByLink}
		ac["InviteMessageTemplate"] = map[string]any{"EmailMessage": t.InviteEmailMessage, "EmailSubject": t.InviteEmailSubject, "SMSMessage": t.InviteSMSMessage}
	}
	in["AdminCreateUserConfig"] = ac
	if e := sp.EmailConfiguration; e != nil {
		in["EmailConfiguration"] = map[string]any{"EmailSendingAccount": e.SendingAccount, "SourceArn": e.SourceARN, "From": e.From,
			"ReplyToEmailAddress": e.ReplyTo, "ConfigurationSet": e.ConfigurationSet}
	}
	if s := sp.SMSConfiguration; s != nil {
		in["SmsConfiguration"] = map[string]any{"SnsCallerArn": s.SNSCallerARN, "ExternalId": s.ExternalID, "SnsRegion": s.SNSRegion}
	}
	if len(sp.AccountRecovery) > 0 {
		var ms []map[string]any
		for _, m := range sp.AccountRecovery {
			ms = append(ms, map[string]any{"Name": m.Name, "Priority": m.Priority})
		}
		in["AccountRecoverySetting"] = map[string]any{"RecoveryMechanisms": ms}
	}
	if len(sp.VerifyBeforeUpdate) > 0 {
		in["UserAttributeUpdateSettings"] = map[string]any{"AttributesRequireVerificationBeforeUpdate": sp.VerifyBeforeUpdate}
	}
	if sp.Tier != "" {
		in["UserPoolTier"] = sp.Tier
	}
	if sp.AdvancedSecurity != "" {
		in["UserPoolAddOns"] = map[string]any{"AdvancedSecurityMode": sp.AdvancedSecurity}
	}
	if sp.DeletionProtection {
		in["DeletionProtection"] = "ACTIVE"
	}
	return in
}

// invoke runs an operation of the user pool API for the seed.
func (s *Server) invoke(op string, in any) error {
	_, err := s.emu.Invoke(context.Background(), s.reg, emulator.UserPools, op, in)
	return err
}

// applyPoolParts applies the parts of a seed pool that need its app
// clients: terms, branding, UI customization, threat protection, log
// delivery and replicas.
func (s *Server) applyPoolParts(sp *SeedPool, pp string) error {
	id := sp.ID
	fail := func(path string, err error) error { return &SeedError{pp + "." + path, trimSentinel(err)} }
	if len(sp.LogDelivery) > 0 {
		var confs []map[string]any
		for _, l := range sp.LogDelivery {
			c := map[string]any{"EventSource": l.EventSource, "LogLevel": l.LogLevel}
			switch {
			case l.CloudWatchLogs != "":
				c["CloudWatchLogsConfiguration"] = map[string]string{"LogGroupArn": l.CloudWatchLogs}
			case l.S3Bucket != "":
				c["S3Configuration"] = map[string]string{"BucketArn": l.S3Bucket}
			case l.Firehose != "":
				c["FirehoseConfiguration"] = map[string]string{"StreamArn": l.Firehose}
			}
			confs = append(confs, c)
		}
		if err := s.invoke("SetLogDeliveryConfiguration", map[string]any{"UserPoolId": id, "LogConfigurations": confs}); err != nil {
			return fail("log_delivery", err)
		}
	}
	for j, r := range sp.Replicas {
		if err := s.invoke("CreateUserPoolReplica", map[string]any{"UserPoolId": id, "RegionName": r.Region, "UserPoolTags": r.Tags}); err != nil {
			return fail(fmt.Sprintf("replicas[%d]", j), err)
		}
		if r.Status != "" && r.Status != "ACTIVE" {
			if err := s.invoke("UpdateUserPoolReplica", map[string]any{"UserPoolId": id, "RegionName": r.Region, "Status": r.Status}); err != nil {
				return fail(fmt.Sprintf("replicas[%d].status", j), err)
			}
		}
	}
	for j, u := range sp.UICustomizations {
		in := map[string]any{"UserPoolId": id, "ClientId": u.ClientID, "CSS": u.CSS, "ImageFile": u.Image}
		if err := s.invoke("SetUICustomization", in); err != nil {
			return fail(fmt.Sprintf("ui_customizations[%d]", j), err)
		}
	}
	for j, r := range sp.RiskConfigurations {
		in := map[string]any{"UserPoolId": id, "ClientId": r.ClientID}
		if r.AccountTakeover != nil {
			in["AccountTakeoverRiskConfiguration"] = r.AccountTakeover
		}
		if r.CompromisedCredentials != nil {
			in["CompromisedCredentialsRiskConfiguration"] = r.CompromisedCredentials
		}
		if r.BlockedIPRanges != nil || r.SkippedIPRanges != nil {
			in["RiskExceptionConfiguration"] = map[string]any{"BlockedIPRangeList": r.BlockedIPRanges, "SkippedIPRangeList": r.SkippedIPRanges}
		}
		if err := s.invoke("SetRiskConfiguration", in); err != nil {
			return fail(fmt.Sprintf("risk_configurations[%d]", j), err)
		}
	}
	for j, t := range sp.Terms {
		rec := &state.Terms{PoolID: id, ID: t.ID, ClientID: t.ClientID, Name: t.Name, Links: maps.Clone(t.Links)}
		if err := pools.PutTerms(s.up, rec); err != nil {
			return fail(fmt.Sprintf("terms[%d]", j), err)
		}
	}
	for j, b := range sp.Brandings {
		rec := &state.Branding{PoolID: id, ID: b.ID, ClientID: b.ClientID, Settings: b.Settings, UseCognitoProvidedValues: b.UseCognitoProvidedValues}
		for _, a := range b.Assets {
			rec.Assets = append(rec.Assets, state.Asset{Category: a.Category, ColorMode: a.ColorMode, Extension: a.Extension, Bytes: a.Bytes, ResourceID: a.ResourceID})
		}
		if err := pools.PutBranding(s.up, rec); err != nil {
			return fail(fmt.Sprintf("brandings[%d]", j), err)
		}
	}
	return nil
}

// applyProvisionedLimits applies the provisioned limits of a seed.
func (s *Server) applyProvisionedLimits(limits []SeedProvisionedLimit) error {
	for i, l := range limits {
		region := l.Region
		if region == "" {
			region = s.opts.region
		}
		if err := pools.PutProvisionedLimit(s.up, region, l.Category, l.Value); err != nil {
			return &SeedError{fmt.Sprintf("provisioned_limits[%d]", i), trimSentinel(err)}
		}
	}
	return nil
}

// exportPoolParts adds the parts of a pool that seed_pools.go describes
// to its seed.
func exportPoolParts(tx *state.Tx, p *state.Pool, sp *SeedPool) {
	sp.Tags = p.Tags
	sp.DeletionProtection = p.DeletionProtection
	sp.AdminCreateUserOnly = p.AllowAdminCreateUserOnly
	sp.Tier = p.Tier
	sp.AdvancedSecurity = p.AdvancedSecurity
	if t := p.Templates; t != nil {
		st := SeedMessageTemplates(*t)
		sp.MessageTemplates = &st
	}
	if e := p.EmailConfiguration; e != nil {
		se := SeedEmailConfiguration(*e)
		sp.EmailConfiguration = &se
	}
	if c := p.SMSConfiguration; c != nil {
		sc := SeedSMSConfiguration(*c)
		sp.SMSConfiguration = &sc
	}
	for _, r := range p.AccountRecovery {
		sp.AccountRecovery = append(sp.AccountRecovery, SeedRecoveryOption(r))
	}
	sp.VerifyBeforeUpdate = p.VerifyBeforeUpdate
	for _, l := range p.LogDelivery {
		sp.LogDelivery = append(sp.LogDelivery, SeedLogConfiguration(l))
	}
	for _, r := range p.Replicas {
		sr := SeedReplica{Region: r.Region, Tags: r.Tags}
		if r.Status != "ACTIVE" {
			sr.Status = r.Status
		}
		sp.Replicas = append(sp.Replicas, sr)
	}
	for _, t := range tx.TermsOf(p.ID) {
		sp.Terms = append(sp.Terms, SeedTerms{ID: t.ID, ClientID: t.ClientID, Name: t.Name, Links: t.Links})
	}
	for _, b := range tx.Brandings(p.ID) {
		sb := SeedBranding{ID: b.ID, ClientID: b.ClientID, UseCognitoProvidedValues: b.UseCognitoProvidedValues, Settings: b.Settings}
		for _, a := range b.Assets {
			sb.Assets = append(sb.Assets, SeedAsset{Category: a.Category, ColorMode: a.ColorMode, Extension: a.Extension, Bytes: a.Bytes, ResourceID: a.ResourceID})
		}
		sp.Brandings = append(sp.Brandings, sb)
	}
	for _, u := range tx.UICustomizations(p.ID) {
		su := SeedUICustomization{ClientID: u.ClientID, CSS: u.CSS, Image: u.Image}
		if su.ClientID == state.UIClientAll {
			su.ClientID = ""
		}
		sp.UICustomizations = append(sp.UICustomizations, su)
	}
	for _, r := range tx.RiskConfigs(p.ID) {
		sp.RiskConfigurations = append(sp.RiskConfigurations, SeedRiskConfiguration{ClientID: r.ClientID, AccountTakeover: r.AccountTakeover,
			CompromisedCredentials: r.CompromisedCredentials, BlockedIPRanges: r.BlockedIPRanges, SkippedIPRanges: r.SkippedIPRanges})
	}
	// Domains: the default one is left out; a pool without one says so.
	ds := tx.Domains(p.ID)
	switch {
	case len(ds) == 0:
		sp.Domains = []SeedDomain{}
	case len(ds) == 1 && ds[0].Domain == pools.DefaultDomainPrefix(p.ID) && ds[0].ManagedLoginVersion == 1:
		sp.Domains = nil
	}
	// A strict schema without custom attributes says so.
	if p.StrictSchema && len(sp.CustomAttributes) == 0 {
		sp.CustomAttributes = []SeedCustomAttribute{}
	}
}

// exportClientParts adds the secrets beyond the first to a client's seed.
func exportClientParts(c *state.Client, sc *SeedClient) {
	sc.SecretID = c.SecretID
	for _, s := range c.MoreSecrets {
		sc.MoreSecrets = append(sc.MoreSecrets, SeedClientSecret{ID: s.ID, Secret: s.Value})
	}
}

// exportProvisionedLimits returns the provisioned limits of the state.
func exportProvisionedLimits(tx *state.Tx) []SeedProvisionedLimit {
	var out []SeedProvisionedLimit
	for _, l := range tx.ProvisionedLimits() {
		out = append(out, SeedProvisionedLimit{Region: l.Region, Category: l.Category, Value: l.Value})
	}
	return out
}

// checkPoolParts checks what ParseSeed can of the parts above.
func (c *seedCheck) poolParts(p *SeedPool, pp string) {
	if p.Tier != "" {
		c.one(pp+".tier", p.Tier, "LITE", "ESSENTIALS", "PLUS")
	}
	if p.AdvancedSecurity != "" {
		c.one(pp+".advanced_security", p.AdvancedSecurity, "OFF", "AUDIT", "ENFORCED")
	}
	for j, b := range p.Brandings {
		if len(b.Settings) > 0 && !json.Valid(b.Settings) {
			c.fail(fmt.Sprintf("%s.brandings[%d].settings", pp, j), "not JSON")
		}
	}
	clientIDs := map[string]bool{}
	for _, cl := range p.Clients {
		clientIDs[cl.ID] = true
	}
	for j, t := range p.Terms {
		if !clientIDs[t.ClientID] {
			c.fail(fmt.Sprintf("%s.terms[%d].client_id", pp, j), "%q is not the id of one of the pool's clients", truncate(t.ClientID, 64))
		}
	}
	for j, b := range p.Brandings {
		if !clientIDs[b.ClientID] {
			c.fail(fmt.Sprintf("%s.brandings[%d].client_id", pp, j), "%q is not the id of one of the pool's clients", truncate(b.ClientID, 64))
		}
	}
	for j, cl := range p.Clients {
		if len(cl.MoreSecrets) > 0 && cl.Secret == "" {
			c.fail(fmt.Sprintf("%s.clients[%d].more_secrets", pp, j), "a client with more secrets needs its first secret")
		}
		if n := len(cl.MoreSecrets); n > pools.MaxClientSecrets-1 {
			c.fail(fmt.Sprintf("%s.clients[%d].more_secrets", pp, j), "an app client has at most %d secrets", pools.MaxClientSecrets)
		}
	}
}

// checkLimits checks the provisioned limits of a seed.
func (c *seedCheck) limits(limits []SeedProvisionedLimit) {
	for i, l := range limits {
		cat, ok := pools.LimitCategories[l.Category]
		switch {
		case !ok:
			c.fail(fmt.Sprintf("provisioned_limits[%d].category", i), "%q is not an API category", truncate(l.Category, 64))
		case !cat.Adjustable:
			c.fail(fmt.Sprintf("provisioned_limits[%d].category", i), "%s is not adjustable", l.Category)
		case l.Value < cat.Free || l.Value > cat.Free*pools.MaxProvisionedFactor:
			c.fail(fmt.Sprintf("provisioned_limits[%d].value", i), "%d is not between %d and %d", l.Value, cat.Free, cat.Free*pools.MaxProvisionedFactor)
		}
	}
	seen := map[string]bool{}
	for i, l := range limits {
		k := l.Region + "/" + l.Category
		if seen[k] {
			c.fail(fmt.Sprintf("provisioned_limits[%d]", i), "%s is given twice", l.Category)
		}
		seen[k] = true
	}
}
