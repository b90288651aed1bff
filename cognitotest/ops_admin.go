package cognitotest

import (
	"sort"
	"strconv"
	"strings"
)

type adminInput struct {
	UserPoolId             string
	Username               string
	Password               string
	Permanent              bool
	TemporaryPassword      string
	UserAttributes         []attributeType
	MessageAction          string
	DesiredDeliveryMediums []string
	GroupName              string
	Description            string
	Precedence             *int32
	RoleArn                string
	Limit                  int32
	NextToken              string
	PaginationToken        string
	Filter                 string
	AttributesToGet        []string
}

// withAdminUser serves an Admin* operation on one user: it decodes the
// request, takes the server lock, finds the pool and the user, and runs fn
// under the lock.
func (s *Server) withAdminUser(c *call, fn func(in *adminInput, p *Pool, u *user) (any, error)) (any, error) {
	var in adminInput
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p, u, aerr := s.adminUserLocked(in.UserPoolId, in.Username)
	if aerr != nil {
		return nil, aerr
	}
	return fn(&in, p, u)
}

// adminUserLocked finds the pool and user of an Admin* call.
func (s *Server) adminUserLocked(poolID, username string) (*Pool, *user, *apiError) {
	p, aerr := s.adminPoolLocked(poolID)
	if aerr != nil {
		return nil, nil, aerr
	}
	if username == "" {
		return nil, nil, errInvalidParameter("Missing required parameter Username")
	}
	u := p.lookupLocked(username)
	if u == nil {
		return nil, nil, errUserNotFound()
	}
	return p, u, nil
}

func (s *Server) adminPoolLocked(poolID string) (*Pool, *apiError) {
	if poolID == "" {
		return nil, errInvalidParameter("Missing required parameter UserPoolId")
	}
	p, ok := s.pools[poolID]
	if !ok {
		return nil, errResourceNotFound("User pool %s does not exist.", truncate(poolID, 64))
	}
	return p, nil
}

func (s *Server) opAdminCreateUser(c *call) (any, error) {
	var in adminInput
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	attrs, aerr := userAttrsIn(in.UserAttributes, true)
	if aerr != nil {
		return nil, aerr
	}
	s.mu.Lock()
	p, aerr := s.adminPoolLocked(in.UserPoolId)
	s.mu.Unlock()
	if aerr != nil {
		return nil, aerr
	}
	if in.MessageAction != "" && in.MessageAction != "SUPPRESS" && in.MessageAction != "RESEND" {
		return nil, errInvalidParameter("MessageAction must be SUPPRESS or RESEND")
	}
	if in.MessageAction == "RESEND" {
		s.mu.Lock()
		defer s.mu.Unlock()
		u := p.lookupLocked(in.Username)
		if u == nil {
			return nil, errUserNotFound()
		}
		if u.status != StatusForceChangePassword {
			return nil, apiErr("UnsupportedUserStateException", "Resend not possible. %s status is not FORCE_CHANGE_PASSWORD", u.username)
		}
		s.deliver(Message{PoolID: p.id, Username: u.username, Kind: MsgTemporaryPassword, Medium: "EMAIL", Destination: u.attrs["email"], Code: u.password})
		return map[string]any{"User": userOut(u)}, nil
	}
	temp := in.TemporaryPassword
	if temp == "" {
		temp = s.randString(4, "ABCDEFGHJKLMNPQRSTUVWXYZ") + s.randString(4, "abcdefghijkmnpqrstuvwxyz") + s.randDigits(3) + "!"
	}
	if msg := p.checkPasswordPolicy(temp); msg != "" {
		return nil, apiErr("InvalidPasswordException", "%s", msg)
	}
	cfg := UserConfig{Username: in.Username, TemporaryPassword: temp, Attributes: map[string]string{}}
	for k, v := range attrs {
		switch k {
		case "email_verified", "phone_number_verified":
		default:
			cfg.Attributes[k] = v
		}
	}
	if len(p.cfg.UsernameAttributes) > 0 {
		cfg.Username = ""
		if emailRE.MatchString(in.Username) && cfg.Attributes["email"] == "" {
			cfg.Attributes["email"] = in.Username
		} else if phoneRE.MatchString(in.Username) && cfg.Attributes["phone_number"] == "" {
			cfg.Attributes["phone_number"] = in.Username
		}
	}
	cfg.Email, cfg.PhoneNumber = cfg.Attributes["email"], cfg.Attributes["phone_number"]
	delete(cfg.Attributes, "email")
	delete(cfg.Attributes, "phone_number")
	cfg.UnverifiedEmail = attrs["email_verified"] != "true"
	cfg.UnverifiedPhone = attrs["phone_number_verified"] != "true"
	created, err := p.CreateUser(cfg)
	if err != nil {
		if strings.Contains(err.Error(), "already exists") || strings.Contains(err.Error(), "another user") {
			return nil, apiErr("UsernameExistsException", "User account already exists")
		}
		return nil, errInvalidParameter("%s", strings.TrimPrefix(err.Error(), ErrInvalidConfig.Error()+": "))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	u := p.users[p.normUsername(created.Username)]
	if in.MessageAction != "SUPPRESS" {
		medium, dest := "EMAIL", u.attrs["email"]
		if hasString(in.DesiredDeliveryMediums, "SMS") && u.attrs["phone_number"] != "" || dest == "" {
			medium, dest = "SMS", u.attrs["phone_number"]
		}
		s.deliver(Message{PoolID: p.id, Username: u.username, Kind: MsgTemporaryPassword, Medium: medium, Destination: dest, Code: temp})
	}
	return map[string]any{"User": userOut(u)}, nil
}

func (s *Server) opAdminSetUserPassword(c *call) (any, error) {
	var in adminInput
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	if in.Password == "" {
		return nil, errInvalidParameter("Missing required parameter Password")
	}
	s.mu.Lock()
	p, u, aerr := s.adminUserLocked(in.UserPoolId, in.Username)
	s.mu.Unlock()
	if aerr != nil {
		return nil, aerr
	}
	if msg := p.checkPasswordPolicy(in.Password); msg != "" {
		return nil, apiErr("InvalidPasswordException", "%s", msg)
	}
	if err := p.SetPassword(u.username, in.Password, !in.Permanent); err != nil {
		return nil, errUserNotFound()
	}
	return struct{}{}, nil
}

func (s *Server) opAdminGetUser(c *call) (any, error) {
	return s.withAdminUser(c, func(in *adminInput, p *Pool, u *user) (any, error) {
		pref, list := mfaOut(u, p)
		out := map[string]any{"Username": u.username, "UserAttributes": attrsOut(u, nil), "UserCreateDate": epoch(u.createdAt),
			"UserLastModifiedDate": epoch(u.modified), "Enabled": u.enabled, "UserStatus": u.status}
		if pref != "" {
			out["PreferredMfaSetting"] = pref
		}
		if len(list) > 0 {
			out["UserMFASettingList"] = list
		}
		return out, nil
	})
}

func (s *Server) opAdminDeleteUser(c *call) (any, error) {
	return s.withAdminUser(c, func(in *adminInput, p *Pool, u *user) (any, error) {
		p.deleteUserLocked(u)
		return struct{}{}, nil
	})
}

func (s *Server) opAdminConfirmSignUp(c *call) (any, error) {
	return s.withAdminUser(c, func(in *adminInput, p *Pool, u *user) (any, error) {
		if u.status != StatusUnconfirmed {
			return nil, errNotAuthorized("User cannot be confirmed. Current status is %s", u.status)
		}
		u.status = StatusConfirmed
		u.modified = s.now()
		return struct{}{}, nil
	})
}

func (s *Server) setEnabled(c *call, enabled bool) (any, error) {
	return s.withAdminUser(c, func(in *adminInput, p *Pool, u *user) (any, error) {
		u.enabled = enabled
		if !enabled {
			p.signOutLocked(u)
		}
		u.modified = s.now()
		return struct{}{}, nil
	})
}

func (s *Server) opAdminDisableUser(c *call) (any, error) { return s.setEnabled(c, false) }
func (s *Server) opAdminEnableUser(c *call) (any, error)  { return s.setEnabled(c, true) }

func (s *Server) opAdminResetUserPassword(c *call) (any, error) {
	return s.withAdminUser(c, func(in *adminInput, p *Pool, u *user) (any, error) {
		if u.attrs["email_verified"] != "true" && u.attrs["phone_number_verified"] != "true" {
			return nil, errInvalidParameter("Cannot reset password for the user as there is no registered/verified email or phone_number")
		}
		u.status = StatusResetRequired
		attr := "email"
		if u.attrs["email_verified"] != "true" {
			attr = "phone_number"
		}
		s.sendCodeLocked(p, u, "reset", MsgForgotPassword, resetCodeLifetime, attr)
		return struct{}{}, nil
	})
}

func (s *Server) opAdminUpdateUserAttributes(c *call) (any, error) {
	var in adminInput
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	attrs, aerr := userAttrsIn(in.UserAttributes, true)
	if aerr != nil {
		return nil, aerr
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p, u, aerr := s.adminUserLocked(in.UserPoolId, in.Username)
	if aerr != nil {
		return nil, aerr
	}
	return s.updateAttrsLocked(p, u, attrs, true)
}

func (s *Server) opAdminUserGlobalSignOut(c *call) (any, error) {
	return s.withAdminUser(c, func(in *adminInput, p *Pool, u *user) (any, error) {
		p.signOutLocked(u)
		return struct{}{}, nil
	})
}

func (s *Server) opAdminAddUserToGroup(c *call) (any, error) {
	return s.withAdminUser(c, func(in *adminInput, p *Pool, u *user) (any, error) {
		if _, ok := p.groups[in.GroupName]; !ok {
			return nil, errResourceNotFound("Group not found.")
		}
		u.groups[in.GroupName] = true
		return struct{}{}, nil
	})
}

func (s *Server) opAdminRemoveUserFromGroup(c *call) (any, error) {
	return s.withAdminUser(c, func(in *adminInput, p *Pool, u *user) (any, error) {
		if _, ok := p.groups[in.GroupName]; !ok {
			return nil, errResourceNotFound("Group not found.")
		}
		delete(u.groups, in.GroupName)
		return struct{}{}, nil
	})
}

// page returns items [start, start+limit) of n with the next token.
func page(n int, limit int32, token string, max int32) (int, int, string, *apiError) {
	if limit == 0 {
		limit = max
	}
	if limit < 0 || limit > max {
		return 0, 0, "", errInvalidParameter("Limit must be between 0 and %d", max)
	}
	start := 0
	if token != "" {
		v, err := strconv.Atoi(token)
		if err != nil || v < 0 || v > n {
			return 0, 0, "", errInvalidParameter("Invalid pagination token")
		}
		start = v
	}
	end := start + int(limit)
	next := ""
	if end < n {
		next = strconv.Itoa(end)
	} else {
		end = n
	}
	return start, end, next, nil
}

func (s *Server) opAdminListGroupsForUser(c *call) (any, error) {
	return s.withAdminUser(c, func(in *adminInput, p *Pool, u *user) (any, error) {
		names := u.groupList()
		start, end, next, aerr := page(len(names), in.Limit, in.NextToken, 60)
		if aerr != nil {
			return nil, aerr
		}
		groups := make([]groupType, 0, end-start)
		for _, n := range names[start:end] {
			if g, ok := p.groups[n]; ok {
				groups = append(groups, groupOut(p, g))
			}
		}
		out := map[string]any{"Groups": groups}
		if next != "" {
			out["NextToken"] = next
		}
		return out, nil
	})
}

func (s *Server) opCreateGroup(c *call) (any, error) {
	var in adminInput
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p, aerr := s.adminPoolLocked(in.UserPoolId)
	if aerr != nil {
		return nil, aerr
	}
	if _, dup := p.groups[in.GroupName]; dup {
		return nil, apiErr("GroupExistsException", "A group with the name %s already exists.", in.GroupName)
	}
	g, err := p.createGroupLocked(in.GroupName, in.Description, in.Precedence, in.RoleArn)
	if err != nil {
		return nil, errInvalidParameter("GroupName must be 1 to 128 printable characters without spaces")
	}
	return map[string]any{"Group": groupOut(p, g)}, nil
}

func (s *Server) opGetGroup(c *call) (any, error) {
	var in adminInput
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p, aerr := s.adminPoolLocked(in.UserPoolId)
	if aerr != nil {
		return nil, aerr
	}
	g, ok := p.groups[in.GroupName]
	if !ok {
		return nil, errResourceNotFound("Group not found.")
	}
	return map[string]any{"Group": groupOut(p, g)}, nil
}

func (s *Server) opDeleteGroup(c *call) (any, error) {
	var in adminInput
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p, aerr := s.adminPoolLocked(in.UserPoolId)
	if aerr != nil {
		return nil, aerr
	}
	if _, ok := p.groups[in.GroupName]; !ok {
		return nil, errResourceNotFound("Group not found.")
	}
	delete(p.groups, in.GroupName)
	for _, u := range p.users {
		delete(u.groups, in.GroupName)
	}
	return struct{}{}, nil
}

func (s *Server) opListGroups(c *call) (any, error) {
	var in adminInput
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p, aerr := s.adminPoolLocked(in.UserPoolId)
	if aerr != nil {
		return nil, aerr
	}
	names := sortedKeys(p.groups)
	start, end, next, aerr := page(len(names), in.Limit, in.NextToken, 60)
	if aerr != nil {
		return nil, aerr
	}
	groups := make([]groupType, 0, end-start)
	for _, n := range names[start:end] {
		groups = append(groups, groupOut(p, p.groups[n]))
	}
	out := map[string]any{"Groups": groups}
	if next != "" {
		out["NextToken"] = next
	}
	return out, nil
}

// userFilter is a parsed ListUsers filter: `attr = "value"` or
// `attr ^= "prefix"`.
type userFilter struct {
	attr   string
	prefix bool
	value  string
}

var filterAttrs = []string{"username", "email", "phone_number", "name", "given_name", "family_name", "preferred_username", "cognito:user_status", "status", "sub"}

func parseUserFilter(f string) (*userFilter, *apiError) {
	f = strings.TrimSpace(f)
	if f == "" {
		return nil, nil
	}
	bad := errInvalidParameter("Invalid filter: want attribute = \"value\" or attribute ^= \"prefix\" with attribute one of %v", filterAttrs)
	if len(f) > 256 {
		return nil, bad
	}
	var uf userFilter
	var rest string
	if a, r, ok := strings.Cut(f, "^="); ok {
		uf.attr, rest, uf.prefix = strings.TrimSpace(a), strings.TrimSpace(r), true
	} else if a, r, ok := strings.Cut(f, "="); ok {
		uf.attr, rest = strings.TrimSpace(a), strings.TrimSpace(r)
	} else {
		return nil, bad
	}
	if !hasString(filterAttrs, uf.attr) {
		return nil, bad
	}
	v, err := strconv.Unquote(rest)
	if err != nil || !strings.HasPrefix(rest, `"`) {
		return nil, bad
	}
	uf.value = v
	return &uf, nil
}

func (f *userFilter) match(u *user) bool {
	if f == nil {
		return true
	}
	var v string
	switch f.attr {
	case "username":
		v = u.username
	case "sub":
		v = u.sub
	case "cognito:user_status":
		v = u.status
	case "status":
		v = "Disabled"
		if u.enabled {
			v = "Enabled"
		}
	default:
		v = u.attrs[f.attr]
	}
	if f.prefix {
		return strings.HasPrefix(strings.ToLower(v), strings.ToLower(f.value))
	}
	return strings.EqualFold(v, f.value)
}

func (s *Server) listUsersLocked(p *Pool, users []*user, in *adminInput) (any, *apiError) {
	sort.Slice(users, func(i, j int) bool { return users[i].username < users[j].username })
	token := in.PaginationToken
	if token == "" {
		token = in.NextToken
	}
	start, end, next, aerr := page(len(users), in.Limit, token, 60)
	if aerr != nil {
		return nil, aerr
	}
	out := make([]userType, 0, end-start)
	for _, u := range users[start:end] {
		ut := userOut(u)
		if len(in.AttributesToGet) > 0 {
			var keep []attributeType
			for _, a := range ut.Attributes {
				if hasString(in.AttributesToGet, a.Name) {
					keep = append(keep, a)
				}
			}
			ut.Attributes = keep
		}
		out = append(out, ut)
	}
	res := map[string]any{"Users": out}
	if next != "" {
		res["PaginationToken"] = next
		res["NextToken"] = next
	}
	return res, nil
}

func (s *Server) opListUsers(c *call) (any, error) {
	var in adminInput
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	f, aerr := parseUserFilter(in.Filter)
	if aerr != nil {
		return nil, aerr
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p, aerr := s.adminPoolLocked(in.UserPoolId)
	if aerr != nil {
		return nil, aerr
	}
	var users []*user
	for _, u := range p.users {
		if f.match(u) {
			users = append(users, u)
		}
	}
	out, aerr := s.listUsersLocked(p, users, &in)
	if aerr != nil {
		return nil, aerr
	}
	m := out.(map[string]any)
	delete(m, "NextToken")
	return m, nil
}

func (s *Server) opListUsersInGroup(c *call) (any, error) {
	var in adminInput
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p, aerr := s.adminPoolLocked(in.UserPoolId)
	if aerr != nil {
		return nil, aerr
	}
	if _, ok := p.groups[in.GroupName]; !ok {
		return nil, errResourceNotFound("Group not found.")
	}
	var users []*user
	for _, u := range p.users {
		if u.groups[in.GroupName] {
			users = append(users, u)
		}
	}
	out, aerr := s.listUsersLocked(p, users, &in)
	if aerr != nil {
		return nil, aerr
	}
	m := out.(map[string]any)
	delete(m, "PaginationToken")
	return m, nil
}
