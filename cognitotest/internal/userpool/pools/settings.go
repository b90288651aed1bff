package pools

import (
	"encoding/json"
	"maps"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/cognitokit/cognitokit/cognitotest/internal/emulator"
	"github.com/cognitokit/cognitokit/cognitotest/internal/state"
	"github.com/cognitokit/cognitokit/cognitotest/internal/userpool"
	"github.com/cognitokit/cognitokit/cognitotest/internal/wire"
)

// The settings CreateUserPool and UpdateUserPool share. UpdateUserPool
// sets every setting it is not given to its default, as Cognito does
// (a well-known trap: an update that names only the MFA configuration
// resets the password policy); the pool's name, tier, tags, attributes,
// schema and Lambda triggers are kept.

type messageTemplateWire struct {
	EmailMessage, EmailSubject, SMSMessage string
}

type poolSettingsWire struct {
	UserPoolId             string
	PoolName               *string
	AutoVerifiedAttributes []string
	MfaConfiguration       string
	DeletionProtection     string
	UserPoolTier           string
	UserPoolTags           map[string]string
	Policies               *struct {
		PasswordPolicy *struct {
			MinimumLength                 *int32
			RequireUppercase              bool
			RequireLowercase              bool
			RequireNumbers                bool
			RequireSymbols                bool
			TemporaryPasswordValidityDays int32
			PasswordHistorySize           *int32
		}
		SignInPolicy *struct{ AllowedFirstAuthFactors []string }
	}
	DeviceConfiguration *struct {
		ChallengeRequiredOnNewDevice     bool
		DeviceOnlyRememberedOnUserPrompt bool
	}
	AdminCreateUserConfig *struct {
		AllowAdminCreateUserOnly  bool
		UnusedAccountValidityDays int32
		InviteMessageTemplate     *messageTemplateWire
	}
	EmailVerificationMessage    string
	EmailVerificationSubject    string
	SmsVerificationMessage      string
	SmsAuthenticationMessage    string
	VerificationMessageTemplate *struct {
		DefaultEmailOption                             string
		EmailMessage, EmailSubject, EmailMessageByLink string
		EmailSubjectByLink, SmsMessage                 string
	}
	EmailConfiguration *struct {
		EmailSendingAccount, SourceArn, From, ReplyToEmailAddress, ConfigurationSet string
	}
	SmsConfiguration *struct {
		SnsCallerArn, ExternalId, SnsRegion string
	}
	AccountRecoverySetting *struct {
		RecoveryMechanisms []struct {
			Name     string
			Priority int32
		}
	}
	UserAttributeUpdateSettings *struct {
		AttributesRequireVerificationBeforeUpdate []string
	}
	UserPoolAddOns *struct{ AdvancedSecurityMode string }
	LambdaConfig   *userpool.LambdaConfigWire
}

var (
	arnRE       = regexp.MustCompile(`^arn:aws[\w-]*:[a-z0-9-]+:[a-z0-9-]*:\d{12}:[\w+=,.@/:-]+$`)
	emailAddrRE = regexp.MustCompile(`^[^@\s]+@[^@\s]+$`)
	tagKeyRE    = userpool.MustRuneClass(`[\p{L}\p{Z}\p{N}_.:/=+@-]`, 1, 128)
	tagValueRE  = userpool.MustRuneClass(`[\p{L}\p{Z}\p{N}_.:/=+@-]`, 0, 256)
)

// Tiers and threat protection modes.
const (
	TierLite       = "LITE"
	TierEssentials = "ESSENTIALS"
	TierPlus       = "PLUS"
)

// checkTags validates tags as Cognito does: at most 50, keys 1 to 128
// characters, values 0 to 256, not starting with "aws:".
func checkTags(tags map[string]string) *wire.Error {
	if len(tags) > 50 {
		return wire.InvalidParameter("A resource can have at most 50 tags")
	}
	for k, v := range tags {
		if !tagKeyRE.MatchString(k) || strings.HasPrefix(strings.ToLower(k), "aws:") {
			return wire.InvalidParameter("Invalid tag key %q: 1 to 128 letters, digits, spaces and _.:/=+-@, not starting with aws:", wire.Truncate(k, 64))
		}
		if !tagValueRE.MatchString(v) {
			return wire.InvalidParameter("Invalid value for tag %q: 0 to 256 letters, digits, spaces and _.:/=+-@", wire.Truncate(k, 64))
		}
	}
	return nil
}

func lenBetween(s string, lo, hi int) bool {
	n := utf8.RuneCountInString(s)
	return n >= lo && n <= hi
}

// applySettings sets the settings of in on p (a copy), each one to its
// default when in does not give it. It returns the API's error for a bad
// setting.
func applySettings(p *state.Pool, in *poolSettingsWire) *wire.Error {
	// Password and sign-in policies.
	p.PasswordPolicy = defaultPasswordPolicy
	p.TemporaryPasswordValidity = 7 * 24 * time.Hour
	p.AllowedFirstAuthFactors = []string{"PASSWORD"}
	if pol := in.Policies; pol != nil {
		if pp := pol.PasswordPolicy; pp != nil {
			p.PasswordPolicy = state.PasswordPolicy{MinimumLength: 8, RequireUppercase: pp.RequireUppercase, RequireLowercase: pp.RequireLowercase,
				RequireNumbers: pp.RequireNumbers, RequireSymbols: pp.RequireSymbols}
			if pp.MinimumLength != nil {
				if n := *pp.MinimumLength; n < 6 || n > 99 {
					return wire.InvalidParameter("1 validation error detected: Value '%d' at 'policies.passwordPolicy.minimumLength' failed to satisfy constraint: Member must have value between 6 and 99", n)
				}
				p.PasswordPolicy.MinimumLength = int(*pp.MinimumLength)
			}
			if d := pp.TemporaryPasswordValidityDays; d != 0 {
				if d < 0 || d > 365 {
					return wire.InvalidParameter("1 validation error detected: Value '%d' at 'policies.passwordPolicy.temporaryPasswordValidityDays' failed to satisfy constraint: Member must have value between 0 and 365", d)
				}
				p.TemporaryPasswordValidity = time.Duration(d) * 24 * time.Hour
			}
			if h := pp.PasswordHistorySize; h != nil && *h != 0 {
				return wire.InvalidParameter("cognitotest does not emulate password history: leave PasswordHistorySize unset or 0")
			}
		}
		if sp := pol.SignInPolicy; sp != nil && len(sp.AllowedFirstAuthFactors) > 0 {
			for _, f := range sp.AllowedFirstAuthFactors {
				if f != "PASSWORD" && f != "EMAIL_OTP" && f != "SMS_OTP" && f != "WEB_AUTHN" {
					return wire.InvalidParameter("AllowedFirstAuthFactors: %q is not PASSWORD, EMAIL_OTP, SMS_OTP or WEB_AUTHN", wire.Truncate(f, 32))
				}
			}
			if !slices.Contains(sp.AllowedFirstAuthFactors, "PASSWORD") {
				return wire.InvalidParameter("AllowedFirstAuthFactors must include PASSWORD")
			}
			p.AllowedFirstAuthFactors = slices.Clone(sp.AllowedFirstAuthFactors)
		}
	}

	// MFA and devices.
	switch in.MfaConfiguration {
	case "":
		p.MFA = userpool.MFAOff
	case userpool.MFAOff, userpool.MFAOptional, userpool.MFAOn:
		p.MFA = in.MfaConfiguration
	default:
		return wire.InvalidParameter("MfaConfiguration %q: want OFF, ON or OPTIONAL", wire.Truncate(in.MfaConfiguration, 32))
	}
	p.DeviceRemembering, p.ChallengeRequiredOnNewDevice = userpool.DevicesOff, false
	if d := in.DeviceConfiguration; d != nil {
		p.DeviceRemembering = userpool.DevicesAlways
		if d.DeviceOnlyRememberedOnUserPrompt {
			p.DeviceRemembering = userpool.DevicesUserOptIn
		}
		p.ChallengeRequiredOnNewDevice = d.ChallengeRequiredOnNewDevice
	}

	// Verification.
	for _, a := range in.AutoVerifiedAttributes {
		if a != "email" && a != "phone_number" {
			return wire.InvalidParameter("AutoVerifiedAttributes: %q is not email or phone_number", wire.Truncate(a, 32))
		}
	}
	p.AutoVerifiedAttributes = slices.Clone(in.AutoVerifiedAttributes)
	p.VerifyBeforeUpdate = nil
	if u := in.UserAttributeUpdateSettings; u != nil {
		for _, a := range u.AttributesRequireVerificationBeforeUpdate {
			if a != "email" && a != "phone_number" {
				return wire.InvalidParameter("AttributesRequireVerificationBeforeUpdate: %q is not email or phone_number", wire.Truncate(a, 32))
			}
			if !slices.Contains(p.AutoVerifiedAttributes, a) {
				return wire.InvalidParameter("AttributesRequireVerificationBeforeUpdate: %s must be one of the AutoVerifiedAttributes", a)
			}
		}
		if len(u.AttributesRequireVerificationBeforeUpdate) > 0 {
			p.VerifyBeforeUpdate = slices.Clone(u.AttributesRequireVerificationBeforeUpdate)
		}
	}

	// Lambda triggers: none when in gives no LambdaConfig.
	lc, aerr := userpool.LambdaConfigIn(in.LambdaConfig)
	if aerr != nil {
		return aerr
	}
	p.LambdaConfig = lc

	// Messages.
	t, aerr := templatesOf(in)
	if aerr != nil {
		return aerr
	}
	p.Templates = t
	p.AllowAdminCreateUserOnly = false
	if ac := in.AdminCreateUserConfig; ac != nil {
		p.AllowAdminCreateUserOnly = ac.AllowAdminCreateUserOnly
		if d := ac.UnusedAccountValidityDays; d != 0 {
			if d < 0 || d > 365 {
				return wire.InvalidParameter("UnusedAccountValidityDays must be between 0 and 365")
			}
			// The password policy's TemporaryPasswordValidityDays wins,
			// as in Cognito.
			if in.Policies == nil || in.Policies.PasswordPolicy == nil || in.Policies.PasswordPolicy.TemporaryPasswordValidityDays == 0 {
				p.TemporaryPasswordValidity = time.Duration(d) * 24 * time.Hour
			}
		}
	}
	p.EmailConfiguration = nil
	if e := in.EmailConfiguration; e != nil {
		ec := &state.EmailConfiguration{SendingAccount: e.EmailSendingAccount, SourceARN: e.SourceArn, From: e.From, ReplyTo: e.ReplyToEmailAddress, ConfigurationSet: e.ConfigurationSet}
		switch ec.SendingAccount {
		case "", "COGNITO_DEFAULT":
		case "DEVELOPER":
			if ec.SourceARN == "" {
				return wire.InvalidParameter("EmailConfiguration: EmailSendingAccount DEVELOPER needs the SourceArn of a verified Amazon SES identity")
			}
		default:
			return wire.InvalidParameter("EmailSendingAccount %q: want COGNITO_DEFAULT or DEVELOPER", wire.Truncate(ec.SendingAccount, 32))
		}
		if ec.SourceARN != "" && (!arnRE.MatchString(ec.SourceARN) || !strings.Contains(ec.SourceARN, ":ses:")) {
			return wire.InvalidParameter("EmailConfiguration.SourceArn %q is not the ARN of an Amazon SES identity", wire.Truncate(ec.SourceARN, 64))
		}
		if ec.ReplyTo != "" && !emailAddrRE.MatchString(ec.ReplyTo) {
			return wire.InvalidParameter("EmailConfiguration.ReplyToEmailAddress is not an email address")
		}
		if ec.From != "" && !strings.Contains(ec.From, "@") {
			return wire.InvalidParameter("EmailConfiguration.From must be an email address, optionally with a name: \"Name <user@example.com>\"")
		}
		if len(ec.ConfigurationSet) > 64 {
			return wire.InvalidParameter("EmailConfiguration.ConfigurationSet: at most 64 characters")
		}
		p.EmailConfiguration = ec
	}
	p.SMSConfiguration = nil
	if s := in.SmsConfiguration; s != nil {
		sc := &state.SMSConfiguration{SNSCallerARN: s.SnsCallerArn, ExternalID: s.ExternalId, SNSRegion: s.SnsRegion}
		if aerr := userpool.CheckSMSConfiguration(sc); aerr != nil {
			return aerr
		}
		p.SMSConfiguration = sc
	}
	p.AccountRecovery = nil
	if ar := in.AccountRecoverySetting; ar != nil {
		ms := ar.RecoveryMechanisms
		if len(ms) < 1 || len(ms) > 2 {
			return wire.InvalidParameter("AccountRecoverySetting.RecoveryMechanisms: 1 or 2 mechanisms")
		}
		seen := map[int32]bool{}
		for _, m := range ms {
			switch m.Name {
			case "verified_email", "verified_phone_number":
			case "admin_only":
				if len(ms) > 1 {
					return wire.InvalidParameter("AccountRecoverySetting: admin_only cannot be combined with another mechanism")
				}
			default:
				return wire.InvalidParameter("RecoveryMechanisms: %q is not verified_email, verified_phone_number or admin_only", wire.Truncate(m.Name, 32))
			}
			if m.Priority < 1 || m.Priority > 2 || seen[m.Priority] {
				return wire.InvalidParameter("RecoveryMechanisms: priorities must be 1 and 2, each once")
			}
			seen[m.Priority] = true
			p.AccountRecovery = append(p.AccountRecovery, state.RecoveryOption{Name: m.Name, Priority: int(m.Priority)})
		}
		slices.SortFunc(p.AccountRecovery, func(a, b state.RecoveryOption) int { return a.Priority - b.Priority })
	}

	// Tier, threat protection, deletion protection, tags.
	switch in.UserPoolTier { // stored "" for ESSENTIALS, the default
	case "":
	case TierEssentials:
		p.Tier = ""
	case TierLite, TierPlus:
		p.Tier = in.UserPoolTier
	default:
		return wire.InvalidParameter("UserPoolTier %q: want LITE, ESSENTIALS or PLUS", wire.Truncate(in.UserPoolTier, 32))
	}
	p.AdvancedSecurity = "" // OFF
	if a := in.UserPoolAddOns; a != nil {
		switch a.AdvancedSecurityMode {
		case "OFF":
		case "AUDIT", "ENFORCED":
			if p.Tier != TierPlus {
				return wire.Errorf("FeatureUnavailableInTierException", "Threat protection (AdvancedSecurityMode %s) requires the PLUS tier; this pool is %s", a.AdvancedSecurityMode, cmpOr(p.Tier, TierEssentials))
			}
			p.AdvancedSecurity = a.AdvancedSecurityMode
		default:
			return wire.InvalidParameter("AdvancedSecurityMode %q: want OFF, AUDIT or ENFORCED", wire.Truncate(a.AdvancedSecurityMode, 32))
		}
	}
	switch in.DeletionProtection {
	case "", "INACTIVE":
		p.DeletionProtection = false
	case "ACTIVE":
		p.DeletionProtection = true
	default:
		return wire.InvalidParameter("DeletionProtection %q: want ACTIVE or INACTIVE", wire.Truncate(in.DeletionProtection, 32))
	}
	if in.UserPoolTags != nil {
		if aerr := checkTags(in.UserPoolTags); aerr != nil {
			return aerr
		}
		p.Tags = maps.Clone(in.UserPoolTags)
		if len(p.Tags) == 0 {
			p.Tags = nil
		}
	}
	return nil
}

// templatesOf returns the message templates of in, nil for Cognito's
// defaults.
func templatesOf(in *poolSettingsWire) (*state.MessageTemplates, *wire.Error) {
	t := state.MessageTemplates{EmailVerificationMessage: in.EmailVerificationMessage, EmailVerificationSubject: in.EmailVerificationSubject,
		SMSVerificationMessage: in.SmsVerificationMessage, SMSAuthenticationMessage: in.SmsAuthenticationMessage}
	if v := in.VerificationMessageTemplate; v != nil {
		// The template wins over the older top-level fields.
		t.EmailVerificationMessage = cmpOr(v.EmailMessage, t.EmailVerificationMessage)
		t.EmailVerificationSubject = cmpOr(v.EmailSubject, t.EmailVerificationSubject)
		t.SMSVerificationMessage = cmpOr(v.SmsMessage, t.SMSVerificationMessage)
		t.EmailMessageByLink, t.EmailSubjectByLink = v.EmailMessageByLink, v.EmailSubjectByLink
		switch v.DefaultEmailOption {
		case "", "CONFIRM_WITH_CODE":
		case "CONFIRM_WITH_LINK":
			t.DefaultEmailOption = v.DefaultEmailOption
		default:
			return nil, wire.InvalidParameter("DefaultEmailOption %q: want CONFIRM_WITH_CODE or CONFIRM_WITH_LINK", wire.Truncate(v.DefaultEmailOption, 32))
		}
	}
	if ac := in.AdminCreateUserConfig; ac != nil && ac.InviteMessageTemplate != nil {
		it := ac.InviteMessageTemplate
		t.InviteEmailMessage, t.InviteEmailSubject, t.InviteSMSMessage = it.EmailMessage, it.EmailSubject, it.SMSMessage
	}
	checks := []struct {
		name, value string
		lo, hi      int
		must        []string
	}{
		{"EmailVerificationMessage", t.EmailVerificationMessage, 6, 20000, []string{"{####}"}},
		{"EmailVerificationSubject", t.EmailVerificationSubject, 1, 140, nil},
		{"SmsVerificationMessage", t.SMSVerificationMessage, 6, 140, []string{"{####}"}},
		{"SmsAuthenticationMessage", t.SMSAuthenticationMessage, 6, 140, []string{"{####}"}},
		{"EmailMessageByLink", t.EmailMessageByLink, 6, 20000, []string{"{##", "##}"}},
		{"EmailSubjectByLink", t.EmailSubjectByLink, 1, 140, nil},
		{"InviteMessageTemplate.EmailMessage", t.InviteEmailMessage, 6, 20000, []string{"{username}", "{####}"}},
		{"InviteMessageTemplate.EmailSubject", t.InviteEmailSubject, 1, 140, nil},
		{"InviteMessageTemplate.SMSMessage", t.InviteSMSMessage, 6, 140, []string{"{username}", "{####}"}},
	}
	for _, c := range checks {
		if c.value == "" {
			continue
		}
		if !lenBetween(c.value, c.lo, c.hi) {
			return nil, wire.InvalidParameter("%s must be %d to %d characters", c.name, c.lo, c.hi)
		}
		for _, m := range c.must {
			if !strings.Contains(c.value, m) {
				return nil, wire.InvalidParameter("%s must contain %s", c.name, m)
			}
		}
	}
	if t.DefaultEmailOption == "CONFIRM_WITH_LINK" && t.EmailMessageByLink == "" {
		t.EmailMessageByLink = "Please click the link below to verify your email address. {##Verify Email##}"
	}
	if t == (state.MessageTemplates{}) {
		return nil, nil
	}
	return &t, nil
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// settingsOut adds the settings of p to a DescribeUserPool answer.
func settingsOut(tx *state.Tx, p *state.Pool, out map[string]any) {
	t := p.Templates
	if t == nil {
		t = &state.MessageTemplates{}
	}
	ac := map[string]any{"AllowAdminCreateUserOnly": p.AllowAdminCreateUserOnly,
		"UnusedAccountValidityDays": int32(p.TemporaryPasswordValidity / (24 * time.Hour))}
	if t.InviteEmailMessage != "" || t.InviteEmailSubject != "" || t.InviteSMSMessage != "" {
		ac["InviteMessageTemplate"] = omitEmpty(map[string]string{"EmailMessage": t.InviteEmailMessage, "EmailSubject": t.InviteEmailSubject, "SMSMessage": t.InviteSMSMessage})
	}
	out["AdminCreateUserConfig"] = ac
	vt := omitEmpty(map[string]string{"EmailMessage": t.EmailVerificationMessage, "EmailSubject": t.EmailVerificationSubject,
		"SmsMessage": t.SMSVerificationMessage, "EmailMessageByLink": t.EmailMessageByLink, "EmailSubjectByLink": t.EmailSubjectByLink})
	vt["DefaultEmailOption"] = cmpOr(t.DefaultEmailOption, "CONFIRM_WITH_CODE")
	out["VerificationMessageTemplate"] = vt
	for k, v := range map[string]string{"EmailVerificationMessage": t.EmailVerificationMessage, "EmailVerificationSubject": t.EmailVerificationSubject,
		"SmsVerificationMessage": t.SMSVerificationMessage, "SmsAuthenticationMessage": t.SMSAuthenticationMessage} {
		if v != "" {
			out[k] = v
		}
	}
	ec := map[string]string{"EmailSendingAccount": "COGNITO_DEFAULT"}
	if e := p.EmailConfiguration; e != nil {
		ec = omitEmpty(map[string]string{"EmailSendingAccount": cmpOr(e.SendingAccount, "COGNITO_DEFAULT"), "SourceArn": e.SourceARN, "From": e.From,
			"ReplyToEmailAddress": e.ReplyTo, "ConfigurationSet": e.ConfigurationSet})
	}
	out["EmailConfiguration"] = ec
	if s := p.SMSConfiguration; s != nil {
		out["SmsConfiguration"] = omitEmpty(map[string]string{"SnsCallerArn": s.SNSCallerARN, "ExternalId": s.ExternalID, "SnsRegion": s.SNSRegion})
	}
	if len(p.AccountRecovery) > 0 {
		ms := make([]map[string]any, len(p.AccountRecovery))
		for i, m := range p.AccountRecovery {
			ms[i] = map[string]any{"Name": m.Name, "Priority": m.Priority}
		}
		out["AccountRecoverySetting"] = map[string]any{"RecoveryMechanisms": ms}
	}
	out["UserAttributeUpdateSettings"] = map[string]any{"AttributesRequireVerificationBeforeUpdate": nonNil(p.VerifyBeforeUpdate)}
	out["UserPoolAddOns"] = map[string]string{"AdvancedSecurityMode": cmpOr(p.AdvancedSecurity, "OFF")}
	out["UserPoolTier"] = cmpOr(p.Tier, TierEssentials)
	out["DeletionProtection"] = "INACTIVE"
	if p.DeletionProtection {
		out["DeletionProtection"] = "ACTIVE"
	}
	out["UserPoolTags"] = nonNilMap(p.Tags)
	out["SchemaAttributes"] = schemaOut(p)
	for _, d := range tx.Domains(p.ID) {
		if d.Custom() {
			out["CustomDomain"] = d.Domain
		} else {
			out["Domain"] = d.Domain
		}
	}
}

func omitEmpty(m map[string]string) map[string]string {
	for k, v := range m {
		if v == "" {
			delete(m, k)
		}
	}
	return m
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func nonNilMap(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}

// ApplySettings sets on p the settings in (the JSON of CreateUserPool's
// request: Policies, MfaConfiguration, AdminCreateUserConfig, ...), checked
// as the API checks them; absent settings get their defaults.
func ApplySettings(p *state.Pool, in any) error {
	b, err := json.Marshal(in)
	if err != nil {
		return err
	}
	var s poolSettingsWire
	if err := json.Unmarshal(b, &s); err != nil {
		return emulator.Invalidf("settings: %v", err)
	}
	return wire.Err(applySettings(p, &s))
}
