package rsaverify_test

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"errors"
	"fmt"

	"github.com/cognitokit/cognitokit/internal/rsaverify"
)

func Example() {
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}

	// Once, when the key set is parsed.
	key, err := rsaverify.NewPublicKey(&priv.PublicKey)
	if err != nil {
		panic(err)
	}

	// For every token.
	digest := sha256.Sum256([]byte("header.payload"))
	sig, err := rsa.SignPKCS1v15(nil, priv, crypto.SHA256, digest[:])
	if err != nil {
		panic(err)
	}
	fmt.Println(key.VerifyPKCS1v15(crypto.SHA256, digest[:], sig))

	sig[0] ^= 1
	err = key.VerifyPKCS1v15(crypto.SHA256, digest[:], sig)
	fmt.Println(errors.Is(err, rsaverify.ErrVerification))
	// Output:
	// <nil>
	// true
}
