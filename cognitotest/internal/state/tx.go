package state

import (
	"cmp"
	"maps"
	"slices"
	"strings"
)

// sorted returns the values of m sorted by less.
func sorted[R any](m map[string]*R, cmpf func(a, b *R) int) []*R {
	out := slices.Collect(maps.Values(m))
	slices.SortFunc(out, cmpf)
	return out
}

// ---- user pools ---------------------------------------------------------

// Pool returns the pool with the given ID, or nil.
func (tx *Tx) Pool(id string) *Pool { return tx.s.pools.get(id) }

// Pools returns the pools, sorted by ID.
func (tx *Tx) Pools() []*Pool {
	return sorted(tx.s.pools.rows, func(a, b *Pool) int { return strings.Compare(a.ID, b.ID) })
}

// PutPool stores p.
func (tx *Tx) PutPool(p *Pool) { put(tx, tx.s.pools, p.ID, p) }

// DeletePool deletes the pool and every record of it: signing keys,
// clients, resource servers, domains, groups, users, devices, refresh
// tokens, token origins, the messages sent to its users and their auth
// events.
func (tx *Tx) DeletePool(id string) {
	s := tx.s
	for _, k := range s.signingKeys.keysOfPool(id) {
		put(tx, s.signingKeys, k, nil)
	}
	for _, k := range s.clients.keysOfPool(id) {
		put(tx, s.clients, k, nil)
	}
	for _, k := range s.resourceServers.keysOfPool(id) {
		put(tx, s.resourceServers, k, nil)
	}
	for _, k := range s.domains.keysOfPool(id) {
		put(tx, s.domains, k, nil)
	}
	for _, k := range s.groups.keysOfPool(id) {
		put(tx, s.groups, k, nil)
	}
	for _, k := range s.users.keysOfPool(id) {
		put(tx, s.users, k, nil)
	}
	for _, k := range s.devices.keysOfPool(id) {
		put(tx, s.devices, k, nil)
	}
	for _, k := range s.refreshTokens.keysOfPool(id) {
		put(tx, s.refreshTokens, k, nil)
	}
	for _, k := range s.tokenOrigins.keysOfPool(id) {
		put(tx, s.tokenOrigins, k, nil)
	}
	for _, k := range s.messages.keysOfPool(id) {
		put(tx, s.messages, k, nil)
	}
	for _, k := range s.authEvents.keysOfPool(id) {
		put(tx, s.authEvents, k, nil)
	}
	tx.deletePoolRecords(id)
	tx.deleteIdPRecords(id)
	tx.deletePasskeysOfPool(id)
	put(tx, s.pools, id, nil)
}

// ---- signing keys -------------------------------------------------------

// SigningKeys returns the keys of owner (a pool ID or IdentityKeyOwner),
// oldest first.
func (tx *Tx) SigningKeys(owner string) []*SigningKey {
	return sorted(tx.s.signingKeys.children[owner], func(a, b *SigningKey) int { return cmp.Compare(a.Seq, b.Seq) })
}

// SigningKey returns the key of owner with the given kid, or nil. It
// allocates nothing: token checks call it.
func (tx *Tx) SigningKey(owner, kid string) *SigningKey {
	for _, k := range tx.s.signingKeys.children[owner] {
		if k.KID == kid {
			return k
		}
	}
	return nil
}

// PutSigningKey stores k.
func (tx *Tx) PutSigningKey(k *SigningKey) {
	put(tx, tx.s.signingKeys, signingKeyKey(k.Owner, k.Seq), k)
}

// DeleteSigningKey deletes k.
func (tx *Tx) DeleteSigningKey(k *SigningKey) {
	put[SigningKey](tx, tx.s.signingKeys, signingKeyKey(k.Owner, k.Seq), nil)
}

// ---- app clients --------------------------------------------------------

// Client returns the app client with the given ID (of any pool), or nil.
func (tx *Tx) Client(id string) *Client { return tx.s.clients.get(id) }

// Clients returns the app clients of a pool in creation order.
func (tx *Tx) Clients(poolID string) []*Client {
	return sorted(tx.s.clients.children[poolID], func(a, b *Client) int { return cmp.Compare(a.Seq, b.Seq) })
}

// PutClient stores c.
func (tx *Tx) PutClient(c *Client) { put(tx, tx.s.clients, c.ID, c) }

// DeleteClient deletes the app client and its refresh tokens.
func (tx *Tx) DeleteClient(id string) {
	c := tx.s.clients.get(id)
	if c == nil {
		return
	}
	for k, rt := range tx.s.refreshTokens.children[c.PoolID] {
		if rt.ClientID == id {
			put[RefreshToken](tx, tx.s.refreshTokens, k, nil)
		}
	}
	tx.deleteClientRecords(c)
	put[Client](tx, tx.s.clients, id, nil)
}

// ---- resource servers ---------------------------------------------------

// ResourceServer returns a resource server of a pool, or nil.
func (tx *Tx) ResourceServer(poolID, identifier string) *ResourceServer {
	return tx.s.resourceServers.get(poolID + "/" + identifier)
}

// ResourceServers returns the resource servers of a pool, sorted by
// identifier.
func (tx *Tx) ResourceServers(poolID string) []*ResourceServer {
	return sorted(tx.s.resourceServers.children[poolID], func(a, b *ResourceServer) int { return strings.Compare(a.Identifier, b.Identifier) })
}

// PutResourceServer stores r.
func (tx *Tx) PutResourceServer(r *ResourceServer) {
	put(tx, tx.s.resourceServers, r.PoolID+"/"+r.Identifier, r)
}

// ---- groups -------------------------------------------------------------

// Group returns a group of a pool, or nil.
func (tx *Tx) Group(poolID, name string) *Group { return tx.s.groups.get(poolID + "/" + name) }

// Groups returns the groups of a pool, sorted by name.
func (tx *Tx) Groups(poolID string) []*Group {
	return sorted(tx.s.groups.children[poolID], func(a, b *Group) int { return strings.Compare(a.Name, b.Name) })
}

// PutGroup stores g.
func (tx *Tx) PutGroup(g *Group) { put(tx, tx.s.groups, g.PoolID+"/"+g.Name, g) }

// DeleteGroup deletes a group. It does not change the users' groups.
func (tx *Tx) DeleteGroup(poolID, name string) { put[Group](tx, tx.s.groups, poolID+"/"+name, nil) }

// ---- users --------------------------------------------------------------

// User returns the user of pool p with the given username (folded as the
// pool folds usernames), or nil.
func (tx *Tx) User(p *Pool, username string) *User { return tx.s.users.get(UserKey(p, username)) }

// Users returns the users of a pool, in no particular order.
func (tx *Tx) Users(poolID string) []*User {
	return slices.Collect(maps.Values(tx.s.users.children[poolID]))
}

// UserBySub returns the user of a pool with the given sub, or nil.
func (tx *Tx) UserBySub(poolID, sub string) *User { return tx.s.subs[poolID+"/"+sub] }

// FindUser returns the first user of a pool for which match returns true,
// or nil. It allocates nothing.
func (tx *Tx) FindUser(poolID string, match func(*User) bool) *User {
	for _, u := range tx.s.users.children[poolID] {
		if match(u) {
			return u
		}
	}
	return nil
}

// UserCount returns the number of users of a pool.
func (tx *Tx) UserCount(poolID string) int { return len(tx.s.users.children[poolID]) }

// PutUser stores u, a user of pool p.
func (tx *Tx) PutUser(p *Pool, u *User) { put(tx, tx.s.users, UserKey(p, u.Username), u) }

// DeleteUser deletes the user record of u (only: see the userpool
// package for what else goes with a user).
func (tx *Tx) DeleteUser(p *Pool, u *User) { put[User](tx, tx.s.users, UserKey(p, u.Username), nil) }

// ---- devices ------------------------------------------------------------

// Device returns a device of a pool by device key, or nil.
func (tx *Tx) Device(poolID, key string) *Device { return tx.s.devices.get(poolID + "/" + key) }

// Devices returns the devices of the user with the given sub, oldest
// first.
func (tx *Tx) Devices(poolID, sub string) []*Device {
	return sorted(tx.s.devices.children[poolID+"/"+sub], func(a, b *Device) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), strings.Compare(a.Key, b.Key))
	})
}

// PutDevice stores d.
func (tx *Tx) PutDevice(d *Device) { put(tx, tx.s.devices, d.PoolID+"/"+d.Key, d) }

// DeleteDevice deletes d.
func (tx *Tx) DeleteDevice(d *Device) { put[Device](tx, tx.s.devices, d.PoolID+"/"+d.Key, nil) }

// ---- refresh tokens and token origins ------------------------------------

// RefreshToken returns the record of a refresh token, or nil.
func (tx *Tx) RefreshToken(token string) *RefreshToken {
	return tx.s.refreshTokens.get(TokenHash(token))
}

// RefreshTokens returns the refresh tokens of a pool, in no particular
// order.
func (tx *Tx) RefreshTokens(poolID string) []*RefreshToken {
	return slices.Collect(maps.Values(tx.s.refreshTokens.children[poolID]))
}

// RefreshTokenCount returns the number of refresh tokens of a pool.
func (tx *Tx) RefreshTokenCount(poolID string) int { return len(tx.s.refreshTokens.children[poolID]) }

// PutRefreshToken stores rt.
func (tx *Tx) PutRefreshToken(rt *RefreshToken) { put(tx, tx.s.refreshTokens, rt.Hash, rt) }

// DeleteRefreshToken deletes rt.
func (tx *Tx) DeleteRefreshToken(rt *RefreshToken) {
	put[RefreshToken](tx, tx.s.refreshTokens, rt.Hash, nil)
}

// TokenOrigin returns a token origin of a pool, or nil.
func (tx *Tx) TokenOrigin(poolID, jti string) *TokenOrigin {
	return tx.s.tokenOrigins.get(poolID + "/" + jti)
}

// TokenOriginsOf returns the token origins of the user with the given
// sub, in no particular order.
func (tx *Tx) TokenOriginsOf(poolID, sub string) []*TokenOrigin {
	return slices.Collect(maps.Values(tx.s.tokenOrigins.children[poolID+"/"+sub]))
}

// TokenOrigins returns the token origins of a pool, in no particular
// order.
func (tx *Tx) TokenOrigins(poolID string) []*TokenOrigin {
	var out []*TokenOrigin
	for _, o := range tx.s.tokenOrigins.rows {
		if o.PoolID == poolID {
			out = append(out, o)
		}
	}
	return out
}

// TokenOriginCount returns the number of token origins of all pools.
func (tx *Tx) TokenOriginCount() int { return tx.s.tokenOrigins.size() }

// PutTokenOrigin stores o.
func (tx *Tx) PutTokenOrigin(o *TokenOrigin) { put(tx, tx.s.tokenOrigins, o.PoolID+"/"+o.JTI, o) }

// DeleteTokenOrigin deletes o.
func (tx *Tx) DeleteTokenOrigin(o *TokenOrigin) {
	put[TokenOrigin](tx, tx.s.tokenOrigins, o.PoolID+"/"+o.JTI, nil)
}

// ---- identity pools, identities, credentials -------------------------------

// IdentityPool returns the identity pool with the given ID, or nil.
func (tx *Tx) IdentityPool(id string) *IdentityPool { return tx.s.identityPools.get(id) }

// IdentityPools returns the identity pools in creation order.
func (tx *Tx) IdentityPools() []*IdentityPool {
	return sorted(tx.s.identityPools.rows, func(a, b *IdentityPool) int { return cmp.Compare(a.Seq, b.Seq) })
}

// PutIdentityPool stores p, giving it the next sequence number when its
// Seq is 0.
func (tx *Tx) PutIdentityPool(p *IdentityPool) {
	if p.Seq == 0 {
		tx.s.idPoolSeq++
		p.Seq = tx.s.idPoolSeq
	}
	put(tx, tx.s.identityPools, p.ID, p)
}

// DeleteIdentityPool deletes an identity pool and its identities.
func (tx *Tx) DeleteIdentityPool(id string) {
	for k := range tx.s.identities.children[id] {
		put[Identity](tx, tx.s.identities, k, nil)
	}
	put[IdentityPool](tx, tx.s.identityPools, id, nil)
}

// Identity returns the identity with the given ID, or nil.
func (tx *Tx) Identity(id string) *Identity { return tx.s.identities.get(id) }

// Identities returns the identities of an identity pool in creation order.
func (tx *Tx) Identities(poolID string) []*Identity {
	return sorted(tx.s.identities.children[poolID], func(a, b *Identity) int { return cmp.Compare(a.Seq, b.Seq) })
}

// IdentityCount returns the number of identities of an identity pool.
func (tx *Tx) IdentityCount(poolID string) int { return len(tx.s.identities.children[poolID]) }

// LinkedIdentity returns the ID of the identity of an identity pool that
// a login (provider and subject) is linked to, or "".
func (tx *Tx) LinkedIdentity(poolID, provider, subject string) string {
	return tx.s.links[linkKey(poolID, provider, subject)]
}

// PutIdentity stores i, giving it the next sequence number when its Seq is
// 0. Its logins are linked to it; a login cannot be linked to two
// identities, so link it only after unlinking it elsewhere.
func (tx *Tx) PutIdentity(i *Identity) {
	if i.Seq == 0 {
		tx.s.identitySeq++
		i.Seq = tx.s.identitySeq
	}
	put(tx, tx.s.identities, i.ID, i)
}

// DeleteIdentity deletes an identity and unlinks its logins.
func (tx *Tx) DeleteIdentity(id string) { put[Identity](tx, tx.s.identities, id, nil) }

// Credentials returns the record of issued credentials, or nil.
func (tx *Tx) Credentials(accessKeyID string) *Credentials { return tx.s.credentials.get(accessKeyID) }

// AllCredentials returns every record of issued credentials, in no
// particular order.
func (tx *Tx) AllCredentials() []*Credentials {
	return slices.Collect(maps.Values(tx.s.credentials.rows))
}

// CredentialsCount returns the number of records of issued credentials.
func (tx *Tx) CredentialsCount() int { return tx.s.credentials.size() }

// PutCredentials stores c.
func (tx *Tx) PutCredentials(c *Credentials) { put(tx, tx.s.credentials, c.AccessKeyID, c) }

// DeleteCredentials deletes c.
func (tx *Tx) DeleteCredentials(c *Credentials) {
	put[Credentials](tx, tx.s.credentials, c.AccessKeyID, nil)
}

// ---- messages (the outbox) -------------------------------------------------

// PutMessage stores m, a new message, giving it the next sequence number
// (which an undone transaction gives back).
func (tx *Tx) PutMessage(m *Message) {
	if !tx.putMessageSeq {
		tx.messageSeq, tx.putMessageSeq = tx.s.messageSeq, true
	}
	tx.s.messageSeq++
	m.Seq = tx.s.messageSeq
	put(tx, tx.s.messages, messageKey(m.Seq), m)
}

// DeleteMessage deletes m.
func (tx *Tx) DeleteMessage(m *Message) { put[Message](tx, tx.s.messages, messageKey(m.Seq), nil) }

// Messages returns the messages, oldest first.
func (tx *Tx) Messages() []*Message { return tx.MessagesWhere(nil, 0) }

// MessagesWhere returns the newest limit (0: all) messages for which
// match (nil: any) returns true, oldest first. It reads the messages
// newest first, and stops at limit.
func (tx *Tx) MessagesWhere(match func(*Message) bool, limit int) []*Message {
	order := tx.s.messageOrder
	var out []*Message
	for i := len(order) - 1; i >= 0 && (limit <= 0 || len(out) < limit); i-- {
		if match == nil || match(order[i]) {
			out = append(out, order[i])
		}
	}
	slices.Reverse(out)
	return out
}

// LastMessage returns the newest message for which match returns true,
// or nil. It allocates nothing.
func (tx *Tx) LastMessage(match func(*Message) bool) *Message {
	order := tx.s.messageOrder
	for i := len(order) - 1; i >= 0; i-- {
		if match(order[i]) {
			return order[i]
		}
	}
	return nil
}

// MessageCount returns the number of messages.
func (tx *Tx) MessageCount() int { return tx.s.messages.size() }

// OldestMessage returns the oldest message, or nil.
func (tx *Tx) OldestMessage() *Message {
	if len(tx.s.messageOrder) == 0 {
		return nil
	}
	return tx.s.messageOrder[0]
}

// ---- domains ----------------------------------------------------------------

// Domain returns the domain (a prefix or a custom domain's host name), or
// nil.
func (tx *Tx) Domain(domain string) *Domain { return tx.s.domains.get(domain) }

// Domains returns the domains of a pool, sorted.
func (tx *Tx) Domains(poolID string) []*Domain {
	return sorted(tx.s.domains.children[poolID], func(a, b *Domain) int { return strings.Compare(a.Domain, b.Domain) })
}

// PutDomain stores d.
func (tx *Tx) PutDomain(d *Domain) { put(tx, tx.s.domains, d.Domain, d) }

// DeleteDomain deletes a domain.
func (tx *Tx) DeleteDomain(domain string) { put[Domain](tx, tx.s.domains, domain, nil) }

// ---- auth events -------------------------------------------------------------

// AuthEvents returns the auth events of the user with the given sub,
// newest first.
func (tx *Tx) AuthEvents(poolID, sub string) []*AuthEvent {
	return sorted(tx.s.authEvents.children[poolID+"/"+sub], func(a, b *AuthEvent) int { return cmp.Compare(b.Seq, a.Seq) })
}

// AuthEvent returns an auth event of a user, or nil.
func (tx *Tx) AuthEvent(poolID, sub, id string) *AuthEvent {
	return tx.s.authEvents.get(poolID + "/" + sub + "/" + id)
}

// AuthEventCount returns the number of auth events of a user.
func (tx *Tx) AuthEventCount(poolID, sub string) int {
	return len(tx.s.authEvents.children[poolID+"/"+sub])
}

// PutAuthEvent stores e.
func (tx *Tx) PutAuthEvent(e *AuthEvent) { put(tx, tx.s.authEvents, authEventKey(e), e) }

// DeleteAuthEvent deletes e.
func (tx *Tx) DeleteAuthEvent(e *AuthEvent) {
	put[AuthEvent](tx, tx.s.authEvents, authEventKey(e), nil)
}
