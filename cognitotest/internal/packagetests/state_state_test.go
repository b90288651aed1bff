package packagetests_test

import (
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cognitokit/cognitokit/cognitotest/internal/state"
)

var t0 = time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)

var testKey = sync.OnceValue(func() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return k
})

func mustOpen(t testing.TB, st state.Store) *state.State {
	t.Helper()
	s, err := state.Open(st)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return s
}

func testPool() *state.Pool {
	return &state.Pool{ID: "us-east-1_Test", Name: "Test", MFA: "OFF", PasswordPolicy: state.PasswordPolicy{MinimumLength: 8}, CreatedAt: t0, ModifiedAt: t0}
}

// fill writes one record of every kind.
func fill(t testing.TB, s *state.State) {
	t.Helper()
	err := s.Update(func(tx *state.Tx) error {
		p := testPool()
		min := int64(1)
		p.CustomAttributes = []state.CustomAttribute{{Name: "tenant", Type: "String", Mutable: true, Min: &min}}
		tx.PutPool(p)
		k, err := state.NewSigningKey(p.ID, 1, "kid1", "RS256", testKey(), t0)
		if err != nil {
			return err
		}
		tx.PutSigningKey(k)
		tx.PutClient(&state.Client{PoolID: p.ID, ID: "client1", Name: "web", Seq: 1, Secret: "s3cr3t", ExplicitAuthFlows: []string{"ALLOW_USER_SRP_AUTH"}, CreatedAt: t0})
		tx.PutResourceServer(&state.ResourceServer{PoolID: p.ID, Identifier: "https://api.example.com", Name: "api", Scopes: map[string]string{"read": "r"}})
		tx.PutDomain(&state.Domain{Domain: "test-app", PoolID: p.ID, ManagedLoginVersion: 2, CreatedAt: t0})
		tx.PutGroup(&state.Group{PoolID: p.ID, Name: "admin", CreatedAt: t0})
		tx.PutUser(p, &state.User{PoolID: p.ID, Username: "Alice", Sub: "sub-a", Status: "CONFIRMED", Enabled: true,
			Salt: big.NewInt(-42), Verifier: big.NewInt(12345), Groups: []string{"admin"}, Attributes: map[string]string{"email": "a@example.com"},
			Codes: map[string]state.Code{"signup": {Code: "123456", Expires: t0.Add(time.Hour)}}, CreatedAt: t0})
		tx.PutDevice(&state.Device{PoolID: p.ID, Sub: "sub-a", Key: "us-east-1_dev1", GroupKey: "-g", Salt: []byte{1, 2}, Verifier: big.NewInt(7), CreatedAt: t0})
		tx.PutRefreshToken(&state.RefreshToken{Hash: state.TokenHash("rt"), PoolID: p.ID, ClientID: "client1", Username: "Alice", Sub: "sub-a", OriginJTI: "o1", Expires: t0.Add(time.Hour)})
		tx.PutTokenOrigin(&state.TokenOrigin{PoolID: p.ID, JTI: "o1", Sub: "sub-a", Expires: t0.Add(time.Hour)})
		tx.PutIdentityPool(&state.IdentityPool{ID: "us-east-1:00000000-0000-0000-0000-000000000001", Name: "ids", Roles: map[string]string{"authenticated": "arn"},
			RoleMappings: map[string]state.RoleMapping{"p": {Type: "Rules", AmbiguousRoleResolution: "Deny", Rules: []state.MappingRule{{Claim: "c", MatchType: "Equals", Value: "v", RoleARN: "r"}}}}})
		tx.PutIdentity(&state.Identity{ID: "us-east-1:00000000-0000-0000-0000-000000000002", PoolID: "us-east-1:00000000-0000-0000-0000-000000000001",
			Logins: map[string][]string{"dev": {"u1", "u2"}}, CreatedAt: t0})
		tx.PutCredentials(&state.Credentials{AccessKeyID: "ASIAX", IdentityID: "us-east-1:00000000-0000-0000-0000-000000000002", Expiration: t0})
		tx.PutMessage(&state.Message{PoolID: p.ID, Username: "Alice", Destination: "a@example.com", Medium: "EMAIL", Kind: "SignUp", Code: "123456", Text: "Your verification code is 123456. ", Time: t0})
		tx.PutPasskey(&state.Passkey{PoolID: p.ID, Sub: "sub-a", ID: []byte{1, 2, 3}, PublicKey: []byte{0xa5}, RPID: "localhost", SignCount: 3, CreatedAt: t0})
		fillPoolRecords(tx, p)
		tx.PutAuthEvent(&state.AuthEvent{PoolID: p.ID, Sub: "sub-a", ID: "ev1", Seq: 1, Type: "SignIn", Response: "Pass",
			Challenges: []state.AuthEventChallenge{{Name: "Password", Response: "Success"}}, IPAddress: "127.0.0.1", Feedback: "Valid", FeedbackAt: t0, CreatedAt: t0})
		fillIdPRecords(tx, p)
		return nil
	})
	if err != nil {
		t.Fatalf("Update: %v", err)
	}
}

// TestStateReopen: every kind of record survives a round trip through a store.
func TestStateReopen(t *testing.T) {
	st := state.NewMemoryStore()
	fill(t, mustOpen(t, st))
	for _, k := range state.Kinds {
		if st.Len(k) != 1 {
			t.Errorf("store has %d records of %s; want 1", st.Len(k), k)
		}
	}
	s := mustOpen(t, st)
	s.View(func(tx *state.Tx) error {
		p := tx.Pool("us-east-1_Test")
		if p == nil || p.Name != "Test" || p.SRPName() != "Test" || p.Region() != "us-east-1" {
			t.Fatalf("pool: %+v", p)
		}
		if a := p.CustomAttribute("custom:tenant"); a == nil || *a.Min != 1 || !a.Mutable {
			t.Errorf("custom attribute: %+v", a)
		}
		if d := tx.Domain("test-app"); d == nil || d.PoolID != p.ID || d.Custom() {
			t.Errorf("domain: %+v", d)
		}
		keys := tx.SigningKeys(p.ID)
		if len(keys) != 1 || keys[0].Private() == nil || keys[0].Private().N.Cmp(testKey().N) != 0 {
			t.Errorf("signing key not restored: %+v", keys)
		}
		u := tx.User(p, "alice") // folded: the pool is case insensitive
		if u == nil || u.Username != "Alice" || u.Salt.Cmp(big.NewInt(-42)) != 0 || u.Verifier.Int64() != 12345 || !u.InGroup("admin") || u.Codes["signup"].Code != "123456" {
			t.Errorf("user: %+v", u)
		}
		if ds := tx.Devices(p.ID, "sub-a"); len(ds) != 1 || ds[0].Verifier.Int64() != 7 {
			t.Errorf("devices: %+v", ds)
		}
		if rt := tx.RefreshToken("rt"); rt == nil || rt.OriginJTI != "o1" {
			t.Errorf("refresh token: %+v", rt)
		}
		if os := tx.TokenOriginsOf(p.ID, "sub-a"); len(os) != 1 {
			t.Errorf("token origins: %+v", os)
		}
		if got := tx.LinkedIdentity("us-east-1:00000000-0000-0000-0000-000000000001", "dev", "u2"); got != "us-east-1:00000000-0000-0000-0000-000000000002" {
			t.Errorf("LinkedIdentity = %q", got)
		}
		ip := tx.IdentityPool("us-east-1:00000000-0000-0000-0000-000000000001")
		if ip == nil || ip.Seq != 1 || ip.RoleMappings["p"].Rules[0].RoleARN != "r" {
			t.Errorf("identity pool: %+v", ip)
		}
		if c := tx.Credentials("ASIAX"); c == nil || !c.Expiration.Equal(t0) {
			t.Errorf("credentials: %+v", c)
		}
		if ms := tx.Messages(); len(ms) != 1 || ms[0].Seq != 1 || ms[0].Code != "123456" || !ms[0].Time.Equal(t0) {
			t.Errorf("messages: %+v", ms)
		}
		return nil
	})
	// Sequence numbers continue after a reopen.
	s.Update(func(tx *state.Tx) error {
		ip := &state.IdentityPool{ID: "us-east-1:00000000-0000-0000-0000-000000000003"}
		tx.PutIdentityPool(ip)
		if ip.Seq != 2 {
			t.Errorf("next identity pool Seq = %d; want 2", ip.Seq)
		}
		m := &state.Message{PoolID: "us-east-1_Test", Kind: "SignUp"}
		tx.PutMessage(m)
		if m.Seq != 2 {
			t.Errorf("next message Seq = %d; want 2", m.Seq)
		}
		return nil
	})
}

func TestUpdateRollsBack(t *testing.T) {
	st := state.NewMemoryStore()
	s := mustOpen(t, st)
	fill(t, s)
	boom := errors.New("boom")
	err := s.Update(func(tx *state.Tx) error {
		p := tx.Pool("us-east-1_Test")
		u := tx.User(p, "alice").Clone()
		u.Status = "DISABLED"
		tx.PutUser(p, u)
		if tx.User(p, "alice").Status != "DISABLED" {
			t.Error("a transaction does not read its own write")
		}
		tx.DeletePool(p.ID)
		if tx.Pool(p.ID) != nil || tx.UserCount(p.ID) != 0 {
			t.Error("DeletePool left records")
		}
		tx.PutIdentity(&state.Identity{ID: "x", PoolID: "us-east-1:00000000-0000-0000-0000-000000000001", Logins: map[string][]string{"dev": {"u9"}}})
		return boom
	})
	if err != boom {
		t.Fatalf("Update = %v; want the function's error", err)
	}
	s.View(func(tx *state.Tx) error {
		p := tx.Pool("us-east-1_Test")
		if p == nil {
			t.Fatal("the pool is still deleted after a failed Update")
		}
		if u := tx.User(p, "alice"); u == nil || u.Status != "CONFIRMED" {
			t.Errorf("user after rollback: %+v", u)
		}
		if len(tx.Devices(p.ID, "sub-a")) != 1 || len(tx.Clients(p.ID)) != 1 || len(tx.SigningKeys(p.ID)) != 1 || len(tx.Domains(p.ID)) != 1 {
			t.Error("cascaded records not restored")
		}
		if tx.LinkedIdentity("us-east-1:00000000-0000-0000-0000-000000000001", "dev", "u9") != "" {
			t.Error("the link of an undone identity remains")
		}
		return nil
	})
	for _, k := range state.Kinds {
		if st.Len(k) != 1 {
			t.Errorf("after a failed Update the store has %d records of %s; want 1", st.Len(k), k)
		}
	}
}

func TestUpdatePanicRollsBack(t *testing.T) {
	s := mustOpen(t, nil)
	fill(t, s)
	func() {
		defer func() { recover() }()
		s.Update(func(tx *state.Tx) error {
			tx.DeletePool("us-east-1_Test")
			panic("bug")
		})
	}()
	s.View(func(tx *state.Tx) error {
		if tx.Pool("us-east-1_Test") == nil {
			t.Error("a panicking Update was not undone")
		}
		return nil
	})
}

// failingStore fails every Update.
type failingStore struct{ *state.MemoryStore }

func (failingStore) Update(func(state.StoreTx) error) error { return errors.New("disk full") }

func TestCommitFailureRollsBack(t *testing.T) {
	mem := state.NewMemoryStore()
	fill(t, mustOpen(t, mem))
	s := mustOpen(t, failingStore{mem})
	err := s.Update(func(tx *state.Tx) error {
		tx.DeletePool("us-east-1_Test")
		return nil
	})
	if !errors.Is(err, state.ErrCommit) || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("Update = %v; want ErrCommit with the store's error", err)
	}
	s.View(func(tx *state.Tx) error {
		if tx.Pool("us-east-1_Test") == nil {
			t.Error("memory changed although the store did not commit")
		}
		return nil
	})
	// A transaction that changes nothing does not touch the store.
	if err := s.Update(func(tx *state.Tx) error { tx.Pool("x"); return nil }); err != nil {
		t.Errorf("read-only Update = %v; want nil (no commit)", err)
	}
}

func TestViewIsReadOnly(t *testing.T) {
	s := mustOpen(t, nil)
	defer func() {
		if r := recover(); r != state.ErrReadOnly {
			t.Errorf("Put in a View: recovered %v; want ErrReadOnly", r)
		}
	}()
	s.View(func(tx *state.Tx) error { tx.PutPool(testPool()); return nil })
}

func TestOpenRefuses(t *testing.T) {
	newer := state.NewMemoryStore()
	newer.Update(func(tx state.StoreTx) error { return tx.Put(state.KindMeta, "format", []byte("99")) })
	if _, err := state.Open(newer); !errors.Is(err, state.ErrFormat) || !strings.Contains(err.Error(), "newer") {
		t.Errorf("Open(newer format) = %v; want ErrFormat naming a newer emulator", err)
	}
	bare := state.NewMemoryStore()
	bare.Update(func(tx state.StoreTx) error { return tx.Put(state.KindPool, "x", []byte(`{}`)) })
	if _, err := state.Open(bare); !errors.Is(err, state.ErrFormat) {
		t.Errorf("Open(records without format) = %v; want ErrFormat", err)
	}
	corrupt := state.NewMemoryStore()
	mustOpen(t, corrupt)
	corrupt.Update(func(tx state.StoreTx) error {
		return tx.Put(state.KindUser, "us-east-1_X/a", []byte(`{"username": 5}`))
	})
	_, err := state.Open(corrupt)
	if !errors.Is(err, state.ErrCorrupt) || !strings.Contains(err.Error(), "us-east-1_X/a") {
		t.Errorf("Open(corrupt) = %v; want ErrCorrupt naming the record", err)
	}
	// Refused stores are not written to.
	for _, st := range []*state.MemoryStore{newer, bare, corrupt} {
		st.View(func(tx state.StoreTx) error {
			if v, ok, _ := tx.Get(state.KindMeta, "format"); ok && string(v) == "1" && st != corrupt {
				t.Error("Open wrote its format version to a store it refused")
			}
			return nil
		})
	}
	// A kind or a field this emulator does not know: a newer emulator
	// wrote them, and rewriting the records would drop them.
	newKind := state.NewMemoryStore()
	mustOpen(t, newKind)
	newKind.Update(func(tx state.StoreTx) error { return tx.Put("webauthn_credentials", "x", []byte(`{}`)) })
	if _, err := state.Open(newKind); !errors.Is(err, state.ErrFormat) || !strings.Contains(err.Error(), "webauthn_credentials") {
		t.Errorf("Open(unknown kind) = %v; want ErrFormat naming the kind", err)
	}
	newField := state.NewMemoryStore()
	mustOpen(t, newField)
	newField.Update(func(tx state.StoreTx) error {
		return tx.Put(state.KindPool, "us-east-1_X", []byte(`{"id":"us-east-1_X","name":"X","future_setting":true}`))
	})
	if _, err := state.Open(newField); !errors.Is(err, state.ErrFormat) || !strings.Contains(err.Error(), "future_setting") || !strings.Contains(err.Error(), "newer") {
		t.Errorf("Open(unknown field) = %v; want ErrFormat naming the field", err)
	}
	// A record under another record's key.
	moved := state.NewMemoryStore()
	mustOpen(t, moved)
	moved.Update(func(tx state.StoreTx) error {
		return tx.Put(state.KindPool, "us-east-1_Y", []byte(`{"id":"us-east-1_X"}`))
	})
	if _, err := state.Open(moved); !errors.Is(err, state.ErrCorrupt) {
		t.Errorf("Open(record under another key) = %v; want ErrCorrupt", err)
	}
	badKey := state.NewMemoryStore()
	mustOpen(t, badKey)
	badKey.Update(func(tx state.StoreTx) error {
		return tx.Put(state.KindSigningKey, "p/1", []byte(`{"owner":"p","seq":1,"kid":"k","alg":"RS256","private_key":"AAAA"}`))
	})
	if _, err := state.Open(badKey); !errors.Is(err, state.ErrCorrupt) {
		t.Errorf("Open(unparsable key) = %v; want ErrCorrupt", err)
	}
}

func TestMemoryStore(t *testing.T) {
	checkStoreContract(t, state.NewMemoryStore())
}

func TestUserGroups(t *testing.T) {
	u := &state.User{}
	for _, g := range []string{"b", "a", "c", "a"} {
		u.AddGroup(g)
	}
	u.RemoveGroup("c")
	if strings.Join(u.Groups, ",") != "a,b" || !u.InGroup("a") || u.InGroup("c") {
		t.Errorf("groups = %v", u.Groups)
	}
}

func TestUserBySub(t *testing.T) {
	s := mustOpen(t, nil)
	fill(t, s)
	s.Update(func(tx *state.Tx) error {
		p := tx.Pool("us-east-1_Test")
		if u := tx.UserBySub(p.ID, "sub-a"); u == nil || u.Username != "Alice" {
			t.Errorf("UserBySub = %+v", u)
		}
		tx.DeleteUser(p, tx.User(p, "alice"))
		if tx.UserBySub(p.ID, "sub-a") != nil {
			t.Error("UserBySub finds a deleted user")
		}
		return errors.New("undo")
	})
	s.View(func(tx *state.Tx) error {
		if tx.UserBySub("us-east-1_Test", "sub-a") == nil {
			t.Error("UserBySub lost the user after an undone delete")
		}
		return nil
	})
}

// TestMessages: messages keep their order, the oldest is found after
// deletions and after an undone transaction puts one back, DeletePool
// deletes its pool's messages, and OnCommit runs only after a commit.
func TestMessages(t *testing.T) {
	s := mustOpen(t, state.NewMemoryStore())
	put := func(pool string, n int) {
		t.Helper()
		err := s.Update(func(tx *state.Tx) error {
			for i := range n {
				tx.PutMessage(&state.Message{PoolID: pool, Username: fmt.Sprint("u", i)})
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	put("us-east-1_A", 3)
	put("us-east-1_B", 2)
	put("us-east-1_A", 1)
	oldest := func() (seq int64) {
		s.Update(func(tx *state.Tx) error {
			if m := tx.OldestMessage(); m != nil {
				seq = m.Seq
			}
			return nil
		})
		return seq
	}
	if got := oldest(); got != 1 {
		t.Errorf("oldest = %d; want 1", got)
	}
	// Delete the two oldest; then the third, in a transaction that is undone.
	s.Update(func(tx *state.Tx) error {
		tx.DeleteMessage(tx.OldestMessage())
		tx.DeleteMessage(tx.OldestMessage())
		return nil
	})
	if got := oldest(); got != 3 {
		t.Errorf("oldest after deleting two = %d; want 3", got)
	}
	ran := false
	s.Update(func(tx *state.Tx) error {
		tx.OnCommit(func() { ran = true })
		tx.DeleteMessage(tx.OldestMessage())
		if m := tx.OldestMessage(); m == nil || m.Seq != 4 {
			t.Errorf("oldest inside the transaction = %+v; want 4", m)
		}
		return errors.New("undo")
	})
	if ran {
		t.Error("OnCommit ran for an undone transaction")
	}
	if got := oldest(); got != 3 {
		t.Errorf("oldest after an undone deletion = %d; want 3", got)
	}
	s.Update(func(tx *state.Tx) error { tx.DeletePool("us-east-1_B"); tx.OnCommit(func() { ran = true }); return nil })
	if !ran {
		t.Error("OnCommit did not run after a commit")
	}
	s.View(func(tx *state.Tx) error {
		var seqs []int64
		for _, m := range tx.Messages() {
			seqs = append(seqs, m.Seq)
		}
		if !slices.Equal(seqs, []int64{3, 6}) {
			t.Errorf("messages after DeletePool(B) = %v; want [3 6]", seqs)
		}
		if m := tx.LastMessage(func(m *state.Message) bool { return m.Username == "u2" }); m == nil || m.Seq != 3 {
			t.Errorf("LastMessage(u2) = %+v; want seq 3", m)
		}
		if m := tx.LastMessage(func(*state.Message) bool { return true }); m == nil || m.Seq != 6 {
			t.Errorf("LastMessage = %+v; want seq 6", m)
		}
		return nil
	})
}
