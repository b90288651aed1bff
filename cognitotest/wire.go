package cognitotest

import (
	"strconv"
	"time"
)

// epoch is a time written as AWS JSON 1.1 writes timestamps: epoch seconds.
type epoch time.Time

func (e epoch) MarshalJSON() ([]byte, error) {
	t := time.Time(e)
	return strconv.AppendFloat(nil, float64(t.UnixMilli())/1000, 'f', -1, 64), nil
}

type attributeType struct {
	Name  string
	Value string
}

func attrsOut(u *user, c *appClient) []attributeType {
	l := u.attributeList()
	out := make([]attributeType, 0, len(l))
	for _, kv := range l {
		if c != nil && !readable(c, kv[0]) {
			continue
		}
		out = append(out, attributeType{Name: kv[0], Value: kv[1]})
	}
	return out
}

type codeDeliveryDetails struct {
	AttributeName  string `json:",omitempty"`
	DeliveryMedium string `json:",omitempty"`
	Destination    string `json:",omitempty"`
}

type userType struct {
	Username             string
	Attributes           []attributeType `json:",omitempty"`
	UserCreateDate       epoch
	UserLastModifiedDate epoch
	Enabled              bool
	UserStatus           string
}

func userOut(u *user) userType {
	return userType{Username: u.username, Attributes: attrsOut(u, nil), UserCreateDate: epoch(u.createdAt),
		UserLastModifiedDate: epoch(u.modified), Enabled: u.enabled, UserStatus: u.status}
}

type groupType struct {
	GroupName        string
	UserPoolId       string
	Description      string `json:",omitempty"`
	Precedence       *int32 `json:",omitempty"`
	RoleArn          string `json:",omitempty"`
	CreationDate     epoch
	LastModifiedDate epoch
}

func groupOut(p *Pool, g *group) groupType {
	return groupType{GroupName: g.name, UserPoolId: p.id, Description: g.description, Precedence: g.precedence,
		RoleArn: g.roleArn, CreationDate: epoch(g.createdAt), LastModifiedDate: epoch(g.createdAt)}
}
