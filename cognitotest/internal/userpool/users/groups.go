package users

import (
	"math"
	"regexp"

	"github.com/cognitokit/cognitokit/cognitotest/internal/emulator"
	"github.com/cognitokit/cognitokit/cognitotest/internal/state"
	"github.com/cognitokit/cognitokit/cognitotest/internal/userpool"
	"github.com/cognitokit/cognitokit/cognitotest/internal/wire"
)

type groupType struct {
	GroupName        string
	UserPoolId       string
	Description      string `json:",omitempty"`
	Precedence       *int32 `json:",omitempty"`
	RoleArn          string `json:",omitempty"`
	CreationDate     wire.Epoch
	LastModifiedDate wire.Epoch
}

func groupOut(g *state.Group) groupType {
	return groupType{GroupName: g.Name, UserPoolId: g.PoolID, Description: g.Description, Precedence: g.Precedence,
		RoleArn: g.RoleARN, CreationDate: wire.Epoch(g.CreatedAt), LastModifiedDate: wire.Epoch(g.ModifiedAt)}
}

// AddToGroup adds a user to a group, creating the group if needed.
func AddToGroup(svc *userpool.Service, poolID, username, group string) error {
	return svc.State.Update(func(tx *state.Tx) error {
		p := tx.Pool(poolID)
		if p == nil {
			return emulator.NotFoundf("user pool %q", poolID)
		}
		u := userpool.LookupUser(tx, p, username)
		if u == nil {
			return emulator.NotFoundf("user %q in pool %s", username, poolID)
		}
		if tx.Group(p.ID, group) == nil {
			if _, err := svc.CreateGroup(tx, p, group, "", nil, ""); err != nil {
				return err
			}
		}
		nu := u.Clone()
		nu.AddGroup(group)
		tx.PutUser(p, nu)
		return nil
	})
}

func (o *ops) adminAddUserToGroup(c *emulator.Call) (any, error) {
	return o.adminUser(c, true, func(tx *state.Tx, in *adminInput, p *state.Pool, u *state.User) (any, error) {
		if tx.Group(p.ID, in.GroupName) == nil {
			return nil, wire.ResourceNotFound("Group not found.")
		}
		nu := u.Clone()
		nu.AddGroup(in.GroupName)
		tx.PutUser(p, nu)
		return struct{}{}, nil
	})
}

func (o *ops) adminRemoveUserFromGroup(c *emulator.Call) (any, error) {
	return o.adminUser(c, true, func(tx *state.Tx, in *adminInput, p *state.Pool, u *state.User) (any, error) {
		if tx.Group(p.ID, in.GroupName) == nil {
			return nil, wire.ResourceNotFound("Group not found.")
		}
		nu := u.Clone()
		nu.RemoveGroup(in.GroupName)
		tx.PutUser(p, nu)
		return struct{}{}, nil
	})
}

func (o *ops) adminListGroupsForUser(c *emulator.Call) (any, error) {
	return o.adminUser(c, false, func(tx *state.Tx, in *adminInput, p *state.Pool, u *state.User) (any, error) {
		names := u.Groups
		start, end, next, aerr := userpool.Page(len(names), in.Limit, in.NextToken, 60)
		if aerr != nil {
			return nil, aerr
		}
		groups := make([]groupType, 0, end-start)
		for _, n := range names[start:end] {
			if g := tx.Group(p.ID, n); g != nil {
				groups = append(groups, groupOut(g))
			}
		}
		out := map[string]any{"Groups": groups}
		if next != "" {
			out["NextToken"] = next
		}
		return out, nil
	})
}

func (o *ops) createGroup(c *emulator.Call) (any, error) {
	return o.adminPool(c, true, func(tx *state.Tx, in *adminInput, p *state.Pool) (any, error) {
		if tx.Group(p.ID, in.GroupName) != nil {
			return nil, wire.Errorf("GroupExistsException", "A group with the name %s already exists.", in.GroupName)
		}
		g, err := o.svc.CreateGroup(tx, p, in.GroupName, in.Description, in.Precedence, in.RoleArn)
		if err != nil {
			return nil, wire.InvalidParameter("GroupName must be 1 to 128 printable characters without spaces")
		}
		return map[string]any{"Group": groupOut(g)}, nil
	})
}

// roleARNRE is the pattern of IAM role ARNs in the user pool API.
var roleARNRE = regexp.MustCompile(`^arn:[\w+=/,.@-]+:[\w+=/,.@-]+:([\w+=/,.@-]*)?:[0-9]+:[\w+=/,.@-]+(:[\w+=/,.@-]+)?(:[\w+=/,.@-]+)?$`)

// updateGroup changes the description, precedence and role of a group;
// what the request leaves out stays as it is. Members' next ID tokens
// carry the new roles (cognito:roles, cognito:preferred_role).
func (o *ops) updateGroup(c *emulator.Call) (any, error) {
	var in struct {
		UserPoolId, GroupName string
		Description, RoleArn  *string
		Precedence            *int64
	}
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	switch {
	case in.GroupName == "":
		return nil, wire.InvalidParameter("Missing required parameter GroupName")
	case in.Description != nil && len(*in.Description) > 2048:
		return nil, wire.InvalidParameter("1 validation error detected: Value at 'description' failed to satisfy constraint: Member must have length less than or equal to 2048")
	case in.Precedence != nil && (*in.Precedence < 0 || *in.Precedence > math.MaxInt32):
		return nil, wire.InvalidParameter("1 validation error detected: Value '%d' at 'precedence' failed to satisfy constraint: Member must have value between 0 and 2147483647", *in.Precedence)
	case in.RoleArn != nil && *in.RoleArn != "" && (len(*in.RoleArn) > 2048 || !roleARNRE.MatchString(*in.RoleArn)):
		return nil, wire.InvalidParameter("1 validation error detected: Value '%s' at 'roleArn' failed to satisfy constraint: Member must satisfy the pattern of an IAM role ARN", wire.Truncate(*in.RoleArn, 128))
	}
	return o.update(func(tx *state.Tx) (any, error) {
		p, aerr := userpool.AdminPool(tx, in.UserPoolId)
		if aerr != nil {
			return nil, aerr
		}
		g := tx.Group(p.ID, in.GroupName)
		if g == nil {
			return nil, wire.ResourceNotFound("Group not found.")
		}
		ng := *g
		if in.Description != nil {
			ng.Description = *in.Description
		}
		if in.RoleArn != nil {
			ng.RoleARN = *in.RoleArn
		}
		if in.Precedence != nil {
			v := int32(*in.Precedence)
			ng.Precedence = &v
		}
		ng.ModifiedAt = o.svc.Now()
		tx.PutGroup(&ng)
		return map[string]any{"Group": groupOut(&ng)}, nil
	})
}

func (o *ops) getGroup(c *emulator.Call) (any, error) {
	return o.adminPool(c, false, func(tx *state.Tx, in *adminInput, p *state.Pool) (any, error) {
		g := tx.Group(p.ID, in.GroupName)
		if g == nil {
			return nil, wire.ResourceNotFound("Group not found.")
		}
		return map[string]any{"Group": groupOut(g)}, nil
	})
}

func (o *ops) deleteGroup(c *emulator.Call) (any, error) {
	return o.adminPool(c, true, func(tx *state.Tx, in *adminInput, p *state.Pool) (any, error) {
		if tx.Group(p.ID, in.GroupName) == nil {
			return nil, wire.ResourceNotFound("Group not found.")
		}
		tx.DeleteGroup(p.ID, in.GroupName)
		for _, u := range tx.Users(p.ID) {
			if u.InGroup(in.GroupName) {
				nu := u.Clone()
				nu.RemoveGroup(in.GroupName)
				tx.PutUser(p, nu)
			}
		}
		return struct{}{}, nil
	})
}

func (o *ops) listGroups(c *emulator.Call) (any, error) {
	return o.adminPool(c, false, func(tx *state.Tx, in *adminInput, p *state.Pool) (any, error) {
		all := tx.Groups(p.ID)
		start, end, next, aerr := userpool.Page(len(all), in.Limit, in.NextToken, 60)
		if aerr != nil {
			return nil, aerr
		}
		groups := make([]groupType, 0, end-start)
		for _, g := range all[start:end] {
			groups = append(groups, groupOut(g))
		}
		out := map[string]any{"Groups": groups}
		if next != "" {
			out["NextToken"] = next
		}
		return out, nil
	})
}

func (o *ops) listUsersInGroup(c *emulator.Call) (any, error) {
	return o.adminPool(c, false, func(tx *state.Tx, in *adminInput, p *state.Pool) (any, error) {
		if tx.Group(p.ID, in.GroupName) == nil {
			return nil, wire.ResourceNotFound("Group not found.")
		}
		var users []*state.User
		for _, u := range tx.Users(p.ID) {
			if u.InGroup(in.GroupName) {
				users = append(users, u)
			}
		}
		out, aerr := listUsers(users, in)
		if aerr != nil {
			return nil, aerr
		}
		delete(out, "PaginationToken")
		return out, nil
	})
}
