package pools

import (
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"maps"
	"math/big"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/cognitokit/cognitokit/cognitotest/internal/emulator"
	"github.com/cognitokit/cognitokit/cognitotest/internal/state"
	"github.com/cognitokit/cognitokit/cognitotest/internal/userpool"
	"github.com/cognitokit/cognitokit/cognitotest/internal/wire"
)

// ---- tags ------------------------------------------------------------------------

var poolARNRE = regexp.MustCompile(`^arn:aws[\w-]*:cognito-idp:([a-z0-9-]+):(\d{12}):userpool/([\w-]+_[0-9a-zA-Z]+)$`)

// poolOfARN finds the pool a resource ARN names.
func poolOfARN(tx *state.Tx, arn string) (*state.Pool, *wire.Error) {
	if arn == "" {
		return nil, wire.InvalidParameter("Missing required parameter ResourceArn")
	}
	m := poolARNRE.FindStringSubmatch(arn)
	if m == nil {
		return nil, wire.InvalidParameter("ResourceArn %q is not the ARN of a user pool (arn:aws:cognito-idp:{region}:{account}:userpool/{id})", wire.Truncate(arn, 128))
	}
	p := tx.Pool(m[3])
	if p == nil || p.Region() != m[1] || m[2] != userpool.AccountID {
		return nil, wire.ResourceNotFound("User pool %s does not exist.", wire.Truncate(arn, 128))
	}
	return p, nil
}

type tagResourceWire struct {
	ResourceArn string
	Tags        map[string]string
}

type untagResourceWire struct {
	ResourceArn string
	TagKeys     []string
}

type resourceARNWire struct{ ResourceArn string }

func (o *ops) tagResource(c *emulator.Call) (any, error) {
	return userpool.Write(o.svc, c, func(tx *state.Tx, in *tagResourceWire) (any, error) {
		if in.Tags == nil {
			return nil, wire.InvalidParameter("Missing required parameter Tags")
		}
		p, aerr := poolOfARN(tx, in.ResourceArn)
		if aerr != nil {
			return nil, aerr
		}
		np := p.Clone()
		if np.Tags == nil {
			np.Tags = map[string]string{}
		}
		maps.Copy(np.Tags, in.Tags)
		if aerr := checkTags(np.Tags); aerr != nil {
			return nil, aerr
		}
		tx.PutPool(np)
		return struct{}{}, nil
	})
}

func (o *ops) untagResource(c *emulator.Call) (any, error) {
	return userpool.Write(o.svc, c, func(tx *state.Tx, in *untagResourceWire) (any, error) {
		if in.TagKeys == nil {
			return nil, wire.InvalidParameter("Missing required parameter TagKeys")
		}
		p, aerr := poolOfARN(tx, in.ResourceArn)
		if aerr != nil {
			return nil, aerr
		}
		np := p.Clone()
		for _, k := range in.TagKeys {
			delete(np.Tags, k)
		}
		if len(np.Tags) == 0 {
			np.Tags = nil
		}
		tx.PutPool(np)
		return struct{}{}, nil
	})
}

func (o *ops) listTagsForResource(c *emulator.Call) (any, error) {
	return userpool.Read(o.svc, c, func(tx *state.Tx, in *resourceARNWire) (any, *wire.Error) {
		p, aerr := poolOfARN(tx, in.ResourceArn)
		if aerr != nil {
			return nil, aerr
		}
		return map[string]any{"Tags": nonNilMap(p.Tags)}, nil
	})
}

// ---- log delivery ----------------------------------------------------------------

var (
	logGroupARNRE = regexp.MustCompile(`^arn:[\w-]+:logs:[a-z0-9-]+:\d{12}:log-group:[\w/.#-]+(:\*)?$`)
	bucketARNRE   = regexp.MustCompile(`^arn:[\w-]+:s3:::[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)
	streamARNRE   = regexp.MustCompile(`^arn:[\w-]+:firehose:[a-z0-9-]+:\d{12}:deliverystream/[\w.-]+$`)
)

type logConfigurationWire struct {
	EventSource                 string
	LogLevel                    string
	CloudWatchLogsConfiguration *struct{ LogGroupArn string } `json:",omitempty"`
	S3Configuration             *struct{ BucketArn string }   `json:",omitempty"`
	FirehoseConfiguration       *struct{ StreamArn string }   `json:",omitempty"`
}

func (o *ops) setLogDeliveryConfiguration(c *emulator.Call) (any, error) {
	var in struct {
		UserPoolId        string
		LogConfigurations []logConfigurationWire
	}
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	if in.LogConfigurations == nil {
		return nil, wire.InvalidParameter("Missing required parameter LogConfigurations")
	}
	if len(in.LogConfigurations) > 2 {
		return nil, wire.InvalidParameter("LogConfigurations: at most 2, one per event source")
	}
	var confs []state.LogConfiguration
	for _, l := range in.LogConfigurations {
		lc := state.LogConfiguration{EventSource: l.EventSource, LogLevel: l.LogLevel}
		dests := 0
		if d := l.CloudWatchLogsConfiguration; d != nil {
			if !logGroupARNRE.MatchString(d.LogGroupArn) {
				return nil, wire.InvalidParameter("LogGroupArn %q is not the ARN of a CloudWatch Logs log group", wire.Truncate(d.LogGroupArn, 128))
			}
			lc.CloudWatchLogs, dests = d.LogGroupArn, dests+1
		}
		if d := l.S3Configuration; d != nil {
			if !bucketARNRE.MatchString(d.BucketArn) {
				return nil, wire.InvalidParameter("BucketArn %q is not the ARN of an S3 bucket", wire.Truncate(d.BucketArn, 128))
			}
			lc.S3Bucket, dests = d.BucketArn, dests+1
		}
		if d := l.FirehoseConfiguration; d != nil {
			if !streamARNRE.MatchString(d.StreamArn) {
				return nil, wire.InvalidParameter("StreamArn %q is not the ARN of a Data Firehose stream", wire.Truncate(d.StreamArn, 128))
			}
			lc.Firehose, dests = d.StreamArn, dests+1
		}
		switch {
		case l.EventSource != "userNotification" && l.EventSource != "userAuthEvents":
			return nil, wire.InvalidParameter("EventSource %q: want userNotification or userAuthEvents", wire.Truncate(l.EventSource, 32))
		case l.LogLevel != "ERROR" && l.LogLevel != "INFO":
			return nil, wire.InvalidParameter("LogLevel %q: want ERROR or INFO", wire.Truncate(l.LogLevel, 32))
		case l.EventSource == "userNotification" && l.LogLevel != "ERROR":
			return nil, wire.InvalidParameter("userNotification logs are delivered at the ERROR level")
		case l.EventSource == "userAuthEvents" && l.LogLevel != "INFO":
			return nil, wire.InvalidParameter("userAuthEvents logs are delivered at the INFO level")
		case dests != 1:
			return nil, wire.InvalidParameter("a log configuration has exactly one destination: CloudWatchLogsConfiguration, S3Configuration or FirehoseConfiguration")
		case l.EventSource == "userNotification" && lc.CloudWatchLogs == "":
			return nil, wire.InvalidParameter("userNotification logs go to CloudWatch Logs only")
		}
		for _, other := range confs {
			if other.EventSource == lc.EventSource {
				return nil, wire.InvalidParameter("LogConfigurations: %s given twice", lc.EventSource)
			}
		}
		confs = append(confs, lc)
	}
	var out map[string]any
	err := o.svc.State.Update(func(tx *state.Tx) error {
		p, aerr := userpool.AdminPool(tx, in.UserPoolId)
		if aerr != nil {
			return aerr
		}
		for _, lc := range confs {
			if lc.EventSource == "userAuthEvents" && p.Tier != TierPlus {
				return wire.Errorf("FeatureUnavailableInTierException", "Exporting userAuthEvents logs requires the PLUS tier; this pool is %s", cmpOr(p.Tier, TierEssentials))
			}
		}
		np := p.Clone()
		np.LogDelivery = confs
		tx.PutPool(np)
		out = logDeliveryOut(np)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return map[string]any{"LogDeliveryConfiguration": out}, nil
}

func logDeliveryOut(p *state.Pool) map[string]any {
	list := make([]logConfigurationWire, 0, len(p.LogDelivery))
	for _, lc := range p.LogDelivery {
		l := logConfigurationWire{EventSource: lc.EventSource, LogLevel: lc.LogLevel}
		switch {
		case lc.CloudWatchLogs != "":
			l.CloudWatchLogsConfiguration = &struct{ LogGroupArn string }{lc.CloudWatchLogs}
		case lc.S3Bucket != "":
			l.S3Configuration = &struct{ BucketArn string }{lc.S3Bucket}
		case lc.Firehose != "":
			l.FirehoseConfiguration = &struct{ StreamArn string }{lc.Firehose}
		}
		list = append(list, l)
	}
	return map[string]any{"UserPoolId": p.ID, "LogConfigurations": list}
}

func (o *ops) getLogDeliveryConfiguration(c *emulator.Call) (any, error) {
	return o.readPool(c, func(_ *state.Tx, p *state.Pool) map[string]any {
		return map[string]any{"LogDeliveryConfiguration": logDeliveryOut(p)}
	})
}

// ---- signing certificate -----------------------------------------------------------

// SigningCertificate returns the X.509 certificate (DER) of a pool's
// active signing key: what GetSigningCertificate answers, base64, for
// SAML identity providers to check the pool's signed requests. It is
// self-signed and the same for as long as the key signs (the serial
// number and dates derive from the key).
func SigningCertificate(svc *userpool.Service, poolID string) ([]byte, error) {
	svc.WaitKey(poolID)
	var k *state.SigningKey
	var p *state.Pool
	svc.State.View(func(tx *state.Tx) error {
		if p = tx.Pool(poolID); p != nil {
			k = userpool.ActiveKey(tx, poolID)
		}
		return nil
	})
	if p == nil || k == nil {
		return nil, emulator.NotFoundf("user pool %q", poolID)
	}
	sum := sha256.Sum256([]byte(k.Owner + "/" + k.KID))
	notBefore := k.CreatedAt.UTC().Truncate(time.Second)
	tmpl := &x509.Certificate{
		SerialNumber:       new(big.Int).SetBytes(sum[:16]),
		Subject:            pkix.Name{CommonName: poolID, Organization: []string{"cognitotest"}},
		NotBefore:          notBefore,
		NotAfter:           notBefore.AddDate(10, 0, 0),
		KeyUsage:           x509.KeyUsageDigitalSignature,
		SignatureAlgorithm: x509.SHA256WithRSA,
	}
	// RSA PKCS #1 v1.5 signatures draw no randomness: the certificate is
	// the same on every call.
	return x509.CreateCertificate(svc.Rand(), tmpl, tmpl, &k.Private().PublicKey, k.Private())
}

func (o *ops) getSigningCertificate(c *emulator.Call) (any, error) {
	var in poolIDWire
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	if aerr := o.checkPool(in.UserPoolId); aerr != nil {
		return nil, aerr
	}
	der, err := SigningCertificate(o.svc, in.UserPoolId)
	if err != nil {
		return nil, apiError(err)
	}
	return map[string]string{"Certificate": base64.StdEncoding.EncodeToString(der)}, nil
}

// ---- replicas ------------------------------------------------------------------------

// MaxReplicas bounds the replicas of a pool.
const MaxReplicas = 10

func replicaOut(p *state.Pool, region, role, status string) map[string]string {
	return map[string]string{"RegionName": region, "Role": role, "Status": status,
		"UserPoolArn": "arn:aws:cognito-idp:" + region + ":" + userpool.AccountID + ":userpool/" + p.ID}
}

// replicaAnswer is the answer of the operations on one replica.
func replicaAnswer(p *state.Pool, region, role, status string) map[string]any {
	return map[string]any{"UserPoolReplica": replicaOut(p, region, role, status)}
}

type replicaWire struct {
	UserPoolId   string
	RegionName   string
	Status       string
	UserPoolTags map[string]string
	NextToken    string
}

func (in *replicaWire) region() *wire.Error {
	switch {
	case in.RegionName == "":
		return wire.InvalidParameter("Missing required parameter RegionName")
	case len(in.RegionName) < 5 || len(in.RegionName) > 32 || !userpool.RegionRE.MatchString(in.RegionName):
		return wire.InvalidParameter("RegionName %q is not an AWS Region", wire.Truncate(in.RegionName, 32))
	}
	return nil
}

func (o *ops) createUserPoolReplica(c *emulator.Call) (any, error) {
	return userpool.Write(o.svc, c, func(tx *state.Tx, in *replicaWire) (any, error) {
		if aerr := in.region(); aerr != nil {
			return nil, aerr
		}
		if aerr := checkTags(in.UserPoolTags); aerr != nil {
			return nil, aerr
		}
		p, aerr := userpool.AdminPool(tx, in.UserPoolId)
		if aerr != nil {
			return nil, aerr
		}
		if in.RegionName == p.Region() {
			return nil, wire.InvalidParameter("The user pool %s is in %s already: a replica goes to another region", p.ID, p.Region())
		}
		for _, r := range p.Replicas {
			if r.Region == in.RegionName {
				return nil, wire.InvalidParameter("The user pool %s has a replica in %s already", p.ID, in.RegionName)
			}
		}
		if len(p.Replicas) >= MaxReplicas {
			return nil, wire.Errorf("LimitExceededException", "The user pool %s has %d replicas, the emulator's limit", p.ID, MaxReplicas)
		}
		np := p.Clone()
		tags := maps.Clone(in.UserPoolTags)
		if len(tags) == 0 {
			tags = nil
		}
		np.Replicas = append(np.Replicas, state.Replica{Region: in.RegionName, Status: "ACTIVE", Tags: tags, CreatedAt: o.svc.Now()})
		slices.SortFunc(np.Replicas, func(a, b state.Replica) int { return strings.Compare(a.Region, b.Region) })
		tx.PutPool(np)
		// Cognito answers while it creates the replica; the emulator's
		// is active at once.
		return replicaAnswer(np, in.RegionName, "SECONDARY", "CREATING"), nil
	})
}

func (o *ops) deleteUserPoolReplica(c *emulator.Call) (any, error) {
	return userpool.Write(o.svc, c, func(tx *state.Tx, in *replicaWire) (any, error) {
		if aerr := in.region(); aerr != nil {
			return nil, aerr
		}
		p, aerr := userpool.AdminPool(tx, in.UserPoolId)
		if aerr != nil {
			return nil, aerr
		}
		if in.RegionName == p.Region() {
			return nil, wire.InvalidParameter("%s is the primary region of the user pool %s: delete the pool instead", in.RegionName, p.ID)
		}
		i := slices.IndexFunc(p.Replicas, func(r state.Replica) bool { return r.Region == in.RegionName })
		if i < 0 {
			return nil, wire.ResourceNotFound("The user pool %s has no replica in %s.", p.ID, in.RegionName)
		}
		np := p.Clone()
		np.Replicas = slices.Delete(np.Replicas, i, i+1)
		tx.PutPool(np)
		return replicaAnswer(np, in.RegionName, "SECONDARY", "DELETING"), nil
	})
}

func (o *ops) updateUserPoolReplica(c *emulator.Call) (any, error) {
	return userpool.Write(o.svc, c, func(tx *state.Tx, in *replicaWire) (any, error) {
		if aerr := in.region(); aerr != nil {
			return nil, aerr
		}
		if in.Status != "ACTIVE" && in.Status != "INACTIVE" {
			return nil, wire.InvalidParameter("Status %q: want ACTIVE or INACTIVE", wire.Truncate(in.Status, 32))
		}
		p, aerr := userpool.AdminPool(tx, in.UserPoolId)
		if aerr != nil {
			return nil, aerr
		}
		if in.RegionName == p.Region() {
			if in.Status != "ACTIVE" {
				return nil, wire.InvalidParameter("The primary region %s of the user pool %s cannot be deactivated", p.Region(), p.ID)
			}
			return replicaAnswer(p, p.Region(), "PRIMARY", "ACTIVE"), nil
		}
		i := slices.IndexFunc(p.Replicas, func(r state.Replica) bool { return r.Region == in.RegionName })
		if i < 0 {
			return nil, wire.ResourceNotFound("The user pool %s has no replica in %s.", p.ID, in.RegionName)
		}
		np := p.Clone()
		np.Replicas[i].Status = in.Status
		tx.PutPool(np)
		return replicaAnswer(np, in.RegionName, "SECONDARY", in.Status), nil
	})
}

func (o *ops) listUserPoolReplicas(c *emulator.Call) (any, error) {
	return userpool.Read(o.svc, c, func(tx *state.Tx, in *replicaWire) (any, *wire.Error) {
		p, aerr := userpool.AdminPool(tx, in.UserPoolId)
		if aerr != nil {
			return nil, aerr
		}
		all := []map[string]string{replicaOut(p, p.Region(), "PRIMARY", "ACTIVE")}
		for _, r := range p.Replicas {
			all = append(all, replicaOut(p, r.Region, "SECONDARY", r.Status))
		}
		return userpool.List("UserPoolReplicas", all, 0, in.NextToken, 60, func(r map[string]string) map[string]string { return r })
	})
}

// ---- provisioned limits ------------------------------------------------------------------

// LimitCategory is an API category of Cognito's request rate quotas.
type LimitCategory struct {
	Free       int  // the default (free) rate, in requests per second
	Adjustable bool // UpdateProvisionedLimit may raise it
}

// LimitCategories are the categories of the user pool API's request rate
// quotas, with their default rates (Cognito's quotas page).
var LimitCategories = map[string]LimitCategory{
	"UserAuthentication": {120, true}, "UserCreation": {50, true}, "UserFederation": {25, true},
	"UserAccountRecovery": {30, false}, "UserRead": {120, true}, "UserUpdate": {25, false}, "UserToken": {120, true},
	"UserResourceRead": {50, true}, "UserResourceUpdate": {25, false}, "UserList": {30, false}, "UserPoolRead": {15, false},
	"UserPoolUpdate": {15, false}, "UserPoolResourceRead": {20, false}, "UserPoolResourceUpdate": {15, false},
	"UserPoolClientRead": {15, false}, "UserPoolClientUpdate": {15, false}, "ClientAuthentication": {150, false},
	"LimitManagement": {1, false},
}

// MaxProvisionedFactor is the emulator's account-level maximum of a
// provisioned limit, as a multiple of the default: Cognito's comes from
// Service Quotas, which the emulator does not have.
const MaxProvisionedFactor = 10

type limitDefinitionWire struct {
	LimitClass string
	Attributes map[string]string
}

func (d *limitDefinitionWire) category() (string, LimitCategory, *wire.Error) {
	switch {
	case d == nil:
		return "", LimitCategory{}, wire.InvalidParameter("Missing required parameter LimitDefinition")
	case d.LimitClass != "API_CATEGORY":
		return "", LimitCategory{}, wire.InvalidParameter("LimitClass %q: want API_CATEGORY", wire.Truncate(d.LimitClass, 32))
	}
	cat, ok := d.Attributes["Category"]
	if !ok || len(d.Attributes) != 1 {
		return "", LimitCategory{}, wire.InvalidParameter("LimitDefinition.Attributes must be {\"Category\": name}, such as {\"Category\": \"UserAuthentication\"}")
	}
	lc, ok := LimitCategories[cat]
	if !ok {
		return "", LimitCategory{}, wire.InvalidParameter("Unknown API category %q", wire.Truncate(cat, 64))
	}
	return cat, lc, nil
}

// requestRegion returns the region an API call was signed for (the
// credential scope of its Authorization header), or the emulator's.
func (o *ops) requestRegion(c *emulator.Call) string {
	auth := c.Request.Header.Get("Authorization")
	if _, scope, ok := strings.Cut(auth, "Credential="); ok {
		parts := strings.Split(strings.SplitN(scope, ",", 2)[0], "/")
		if len(parts) >= 3 && userpool.RegionRE.MatchString(parts[2]) {
			return parts[2]
		}
	}
	return o.svc.Region()
}

func limitOut(def *limitDefinitionWire, value, free int) map[string]any {
	return map[string]any{"Limit": map[string]any{"LimitDefinition": def, "ProvisionedLimitValue": value, "FreeLimitValue": free}}
}

func (o *ops) getProvisionedLimit(c *emulator.Call) (any, error) {
	var in struct{ LimitDefinition *limitDefinitionWire }
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	cat, lc, aerr := in.LimitDefinition.category()
	if aerr != nil {
		return nil, aerr
	}
	value := lc.Free
	o.svc.State.View(func(tx *state.Tx) error {
		if l := tx.ProvisionedLimit(o.requestRegion(c), cat); l != nil {
			value = l.Value
		}
		return nil
	})
	return limitOut(in.LimitDefinition, value, lc.Free), nil
}

func (o *ops) updateProvisionedLimit(c *emulator.Call) (any, error) {
	var in struct {
		LimitDefinition     *limitDefinitionWire
		RequestedLimitValue *int64
	}
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	cat, lc, aerr := in.LimitDefinition.category()
	if aerr != nil {
		return nil, aerr
	}
	switch {
	case in.RequestedLimitValue == nil:
		return nil, wire.InvalidParameter("Missing required parameter RequestedLimitValue")
	case !lc.Adjustable:
		return nil, wire.InvalidParameter("The %s category is not adjustable: only adjustable quota categories support provisioning", cat)
	case *in.RequestedLimitValue < int64(lc.Free):
		return nil, wire.InvalidParameter("RequestedLimitValue %d is below the default limit %d of %s", *in.RequestedLimitValue, lc.Free, cat)
	case *in.RequestedLimitValue > int64(lc.Free*MaxProvisionedFactor):
		return nil, wire.Errorf("LimitExceededException", "RequestedLimitValue %d exceeds the account-level maximum %d of %s", *in.RequestedLimitValue, lc.Free*MaxProvisionedFactor, cat)
	}
	value := int(*in.RequestedLimitValue)
	region := o.requestRegion(c)
	err := o.svc.State.Update(func(tx *state.Tx) error {
		l := &state.ProvisionedLimit{Region: region, Category: cat, Value: value}
		if value == lc.Free {
			if old := tx.ProvisionedLimit(region, cat); old != nil {
				tx.DeleteProvisionedLimit(old)
			}
			return nil
		}
		tx.PutProvisionedLimit(l)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return limitOut(in.LimitDefinition, value, lc.Free), nil
}

// PutProvisionedLimit sets a provisioned limit (a seed's), checked as
// UpdateProvisionedLimit checks it.
func PutProvisionedLimit(svc *userpool.Service, region, category string, value int) error {
	lc, ok := LimitCategories[category]
	switch {
	case !userpool.RegionRE.MatchString(region):
		return emulator.Invalidf("region %q", region)
	case !ok || !lc.Adjustable:
		return emulator.Invalidf("%q is not an adjustable API category", category)
	case value < lc.Free || value > lc.Free*MaxProvisionedFactor:
		return emulator.Invalidf("%d is not between %d and %d", value, lc.Free, lc.Free*MaxProvisionedFactor)
	}
	return svc.State.Update(func(tx *state.Tx) error {
		if value != lc.Free {
			tx.PutProvisionedLimit(&state.ProvisionedLimit{Region: region, Category: category, Value: value})
		}
		return nil
	})
}
