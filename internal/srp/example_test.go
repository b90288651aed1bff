package srp_test

import (
	"crypto/rand"
	"fmt"
	"math/big"
	"time"

	"github.com/cognitokit/cognitokit/internal/srp"
)

func ExamplePad() {
	for _, v := range []int64{20, 200, -20, -200, -128} {
		fmt.Printf("%d %x\n", v, srp.Pad(big.NewInt(v)))
	}
	// Output:
	// 20 14
	// 200 00c8
	// -20 ec
	// -200 ff38
	// -128 80
}

func ExampleTimestamp() {
	fmt.Println(srp.Timestamp(time.Date(2026, 3, 5, 14, 7, 9, 0, time.UTC)))
	// Output: Thu Mar 5 14:07:09 UTC 2026
}

func ExampleSecretHash() {
	fmt.Println(srp.SecretHash("123abd", "clientSecret", "test"))
	// Output: LoIX/oPJWZzFYv8liJYRo+CHv16FNDY10JlZEDjL3Vg=
}

// A full handshake between the client half and the server half, as the
// emulator and srpclient run it.
func ExampleClient() {
	const pool, user, password = "AbC123", "7d0e6b4e-internal-id", "correct horse"
	salt, _ := srp.ParseHex("-7a3f") // Cognito may send negative salts

	// Server: stores the verifier, answers USER_SRP_AUTH with SRP_B and SALT.
	srv, _ := srp.NewServer(rand.Reader, srp.Verifier(pool, user, password, salt))

	// Client: sends SRP_A, then signs the SECRET_BLOCK with the key.
	cli, _ := srp.NewClient(rand.Reader)
	B, _ := srp.ParseHex(srv.BHex())
	key, _ := cli.PasswordKey(pool, user, password, B, salt)
	block := []byte("secret block from the server")
	ts := srp.Timestamp(time.Now())
	sig := srp.Signature(key, pool, user, block, ts)

	// Server: derives the same key from SRP_A and checks the signature.
	A, _ := srp.ParseHex(cli.AHex())
	serverKey, _ := srv.PasswordKey(A)
	fmt.Println(srp.VerifySignature(serverKey, pool, user, block, ts, sig))
	// Output: true
}
