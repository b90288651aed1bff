package pools

import (
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/cognitokit/cognitokit/cognitotest/internal/emulator"
	"github.com/cognitokit/cognitokit/cognitotest/internal/state"
	"github.com/cognitokit/cognitokit/cognitotest/internal/userpool"
	"github.com/cognitokit/cognitokit/cognitotest/internal/wire"
)

// MaxCustomAttributes is Cognito's limit of custom attributes per pool.
const MaxCustomAttributes = 50

// CustomAttrNameRE is the name of a custom attribute, without "custom:".
var CustomAttrNameRE = regexp.MustCompile(`^[\w-]{1,20}$`)

// schemaAttributeWire is a SchemaAttributeType.
type schemaAttributeWire struct {
	Name                       string
	AttributeDataType          string
	DeveloperOnlyAttribute     *bool
	Mutable                    *bool
	Required                   *bool
	NumberAttributeConstraints *struct{ MinValue, MaxValue *string }
	StringAttributeConstraints *struct{ MinLength, MaxLength *string }
}

// customAttribute returns the custom attribute a describes (its name
// without "custom:").
func (a *schemaAttributeWire) customAttribute() (state.CustomAttribute, *wire.Error) {
	name := strings.TrimPrefix(a.Name, "custom:")
	ca := state.CustomAttribute{Name: name, Type: a.AttributeDataType, Mutable: a.Mutable == nil || *a.Mutable}
	switch {
	case !CustomAttrNameRE.MatchString(name):
		return ca, wire.InvalidParameter("Invalid custom attribute name %q: 1 to 20 letters, digits, _ or -", wire.Truncate(a.Name, 64))
	case a.DeveloperOnlyAttribute != nil && *a.DeveloperOnlyAttribute:
		return ca, wire.InvalidParameter("cognitotest does not emulate developer-only attributes (DeveloperOnlyAttribute), which Cognito deprecated; use a custom attribute that app clients cannot write (WriteAttributes)")
	case a.Required != nil && *a.Required:
		return ca, wire.InvalidParameter("Required custom attributes are not supported currently.")
	}
	switch ca.Type {
	case "":
		ca.Type = "String"
	case "String", "Number", "DateTime", "Boolean":
	default:
		return ca, wire.InvalidParameter("AttributeDataType %q of %s: want String, Number, DateTime or Boolean", wire.Truncate(ca.Type, 32), name)
	}
	parse := func(what string, s *string, lo, hi int64) (*int64, *wire.Error) {
		if s == nil {
			return nil, nil
		}
		n, err := strconv.ParseInt(*s, 10, 64)
		if err != nil || n < lo || n > hi {
			return nil, wire.InvalidParameter("%s of custom attribute %s: %q is not an integer from %d to %d", what, name, wire.Truncate(*s, 32), lo, hi)
		}
		return &n, nil
	}
	var aerr *wire.Error
	switch ca.Type {
	case "String":
		if c := a.StringAttributeConstraints; c != nil {
			if ca.Min, aerr = parse("MinLength", c.MinLength, 0, 2048); aerr != nil {
				return ca, aerr
			}
			if ca.Max, aerr = parse("MaxLength", c.MaxLength, 0, 2048); aerr != nil {
				return ca, aerr
			}
		}
	case "Number":
		if c := a.NumberAttributeConstraints; c != nil {
			const big = 1 << 53
			if ca.Min, aerr = parse("MinValue", c.MinValue, -big, big); aerr != nil {
				return ca, aerr
			}
			if ca.Max, aerr = parse("MaxValue", c.MaxValue, -big, big); aerr != nil {
				return ca, aerr
			}
		}
	}
	if ca.Min != nil && ca.Max != nil && *ca.Min > *ca.Max {
		return ca, wire.InvalidParameter("custom attribute %s: the minimum is more than the maximum", name)
	}
	return ca, nil
}

// applySchema sets the required attributes and the custom attributes of
// a CreateUserPool Schema on p. Pools created through the API accept only
// the custom attributes they declare.
func applySchema(p *state.Pool, schema []schemaAttributeWire) *wire.Error {
	if len(schema) > MaxCustomAttributes+len(userpool.StandardAttributes) {
		return wire.InvalidParameter("Schema: too many attributes")
	}
	p.StrictSchema = true
	seen := map[string]bool{}
	for i := range schema {
		a := &schema[i]
		if seen[a.Name] {
			return wire.InvalidParameter("Schema: duplicate attribute %q", wire.Truncate(a.Name, 64))
		}
		seen[a.Name] = true
		if slices.Contains(userpool.StandardAttributes, a.Name) {
			if a.Required != nil && *a.Required && !slices.Contains(p.RequiredAttributes, a.Name) {
				p.RequiredAttributes = append(p.RequiredAttributes, a.Name)
			}
			continue
		}
		ca, aerr := a.customAttribute()
		if aerr != nil {
			return aerr
		}
		p.CustomAttributes = append(p.CustomAttributes, ca)
	}
	if len(p.CustomAttributes) > MaxCustomAttributes {
		return wire.InvalidParameter("A user pool has at most %d custom attributes", MaxCustomAttributes)
	}
	return nil
}

// schemaOut returns the SchemaAttributes of DescribeUserPool: the standard
// attributes and the custom ones.
func schemaOut(p *state.Pool) []map[string]any {
	str := func(lo, hi string) map[string]string { return map[string]string{"MinLength": lo, "MaxLength": hi} }
	var out []map[string]any
	add := func(name, typ string, mutable bool, constraints map[string]any) {
		a := map[string]any{"Name": name, "AttributeDataType": typ, "DeveloperOnlyAttribute": false, "Mutable": mutable,
			"Required": name == "sub" || slices.Contains(p.RequiredAttributes, name)}
		for k, v := range constraints {
			a[k] = v
		}
		out = append(out, a)
	}
	add("sub", "String", false, map[string]any{"StringAttributeConstraints": str("1", "2048")})
	for _, name := range userpool.StandardAttributes {
		switch name {
		case "sub":
		case "email_verified", "phone_number_verified":
			add(name, "Boolean", true, nil)
		case "updated_at":
			add(name, "Number", true, map[string]any{"NumberAttributeConstraints": map[string]string{"MinValue": "0"}})
		case "birthdate":
			add(name, "String", true, map[string]any{"StringAttributeConstraints": str("10", "10")})
		default:
			add(name, "String", true, map[string]any{"StringAttributeConstraints": str("0", "2048")})
		}
	}
	add("identities", "String", true, map[string]any{"StringAttributeConstraints": map[string]string{}})
	for _, ca := range p.CustomAttributes {
		c := map[string]any{}
		bounds := map[string]string{}
		lo, hi := "MinLength", "MaxLength"
		key := "StringAttributeConstraints"
		if ca.Type == "Number" {
			lo, hi, key = "MinValue", "MaxValue", "NumberAttributeConstraints"
		}
		if ca.Min != nil {
			bounds[lo] = strconv.FormatInt(*ca.Min, 10)
		}
		if ca.Max != nil {
			bounds[hi] = strconv.FormatInt(*ca.Max, 10)
		}
		if ca.Type == "String" || ca.Type == "Number" {
			c[key] = bounds
		}
		add("custom:"+ca.Name, ca.Type, ca.Mutable, c)
	}
	return out
}

// AddCustomAttributes declares custom attributes of a pool, which users
// may then have (with their type and bounds checked).
func AddCustomAttributes(svc *userpool.Service, poolID string, attrs []state.CustomAttribute) error {
	return svc.State.Update(func(tx *state.Tx) error {
		p := tx.Pool(poolID)
		if p == nil {
			return emulator.NotFoundf("user pool %q", poolID)
		}
		return wire.Err(addCustomAttributes(svc, tx, p, attrs))
	})
}

func addCustomAttributes(svc *userpool.Service, tx *state.Tx, p *state.Pool, attrs []state.CustomAttribute) *wire.Error {
	np := p.Clone()
	for _, a := range attrs {
		if np.CustomAttribute(a.Name) != nil {
			return wire.InvalidParameter("Existing attribute already has name custom:%s.", a.Name)
		}
		np.CustomAttributes = append(np.CustomAttributes, a)
	}
	if len(np.CustomAttributes) > MaxCustomAttributes {
		return wire.InvalidParameter("A user pool has at most %d custom attributes; it has %d", MaxCustomAttributes, len(p.CustomAttributes))
	}
	np.StrictSchema = true
	np.ModifiedAt = svc.Now()
	tx.PutPool(np)
	return nil
}

func (o *ops) addCustomAttributes(c *emulator.Call) (any, error) {
	var in struct {
		UserPoolId       string
		CustomAttributes []schemaAttributeWire
	}
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	if len(in.CustomAttributes) == 0 || len(in.CustomAttributes) > 25 {
		return nil, wire.InvalidParameter("CustomAttributes: 1 to 25 attributes")
	}
	var attrs []state.CustomAttribute
	for i := range in.CustomAttributes {
		ca, aerr := in.CustomAttributes[i].customAttribute()
		if aerr != nil {
			return nil, aerr
		}
		attrs = append(attrs, ca)
	}
	err := o.svc.State.Update(func(tx *state.Tx) error {
		p, aerr := userpool.AdminPool(tx, in.UserPoolId)
		if aerr != nil {
			return aerr
		}
		return wire.Err(addCustomAttributes(o.svc, tx, p, attrs))
	})
	if err != nil {
		return nil, err
	}
	return struct{}{}, nil
}

// CSVHeader returns the header of a pool's user import CSV files, as
// GetCSVHeader gives it.
func CSVHeader(p *state.Pool) []string {
	h := []string{"name", "given_name", "family_name", "middle_name", "nickname", "preferred_username", "profile", "picture", "website",
		"email", "email_verified", "gender", "birthdate", "zoneinfo", "locale", "phone_number", "phone_number_verified", "address", "updated_at"}
	for _, ca := range p.CustomAttributes {
		h = append(h, "custom:"+ca.Name)
	}
	return append(h, "cognito:mfa_enabled", "cognito:username")
}

func (o *ops) getCSVHeader(c *emulator.Call) (any, error) {
	return o.readPool(c, func(_ *state.Tx, p *state.Pool) map[string]any {
		return map[string]any{"UserPoolId": p.ID, "CSVHeader": CSVHeader(p)}
	})
}

// CheckCustomAttribute checks a custom attribute declared through the Go
// API, as the API checks one.
func CheckCustomAttribute(ca state.CustomAttribute) error {
	a := schemaAttributeWire{Name: ca.Name, AttributeDataType: ca.Type, Mutable: &ca.Mutable}
	str := func(v *int64) *string {
		if v == nil {
			return nil
		}
		s := strconv.FormatInt(*v, 10)
		return &s
	}
	switch ca.Type {
	case "Number":
		a.NumberAttributeConstraints = &struct{ MinValue, MaxValue *string }{str(ca.Min), str(ca.Max)}
	default:
		a.StringAttributeConstraints = &struct{ MinLength, MaxLength *string }{str(ca.Min), str(ca.Max)}
	}
	if _, aerr := a.customAttribute(); aerr != nil {
		return emulator.Invalidf("custom attribute %q: %s", ca.Name, aerr.Message)
	}
	return nil
}
