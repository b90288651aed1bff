package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	"github.com/cognitokit/cognitokit/srpclient"
)

// realAPI is the user pool API of AWS (or of COGNITO_ENDPOINT). Sign-in
// needs no AWS credentials.
func realAPI(getenv func(string) string, pool string) (*cip.Client, error) {
	region := getenv("AWS_REGION")
	if region == "" {
		region, _, _ = strings.Cut(pool, "_")
	}
	cfg := aws.Config{Region: region, Credentials: aws.AnonymousCredentials{}}
	if ep := getenv("COGNITO_ENDPOINT"); ep != "" {
		cfg.BaseEndpoint = aws.String(ep)
	}
	return cip.NewFromConfig(cfg), nil
}

// signIn signs in and answers every step with the prompter. It returns the
// tokens and the names of the challenges that were asked.
func signIn(ctx context.Context, c *srpclient.Client, cfg *config) (*srpclient.Tokens, []string, error) {
	password := cfg.password
	if password == "" {
		var err error
		if password, err = cfg.prompt.ask("Password for "+cfg.username, true); err != nil {
			return nil, nil, err
		}
	}
	var asked []string
	res, err := c.SignIn(ctx, srpclient.SignInInput{Username: cfg.username, Password: password, RememberDevice: true})
	for err == nil && !res.Done() {
		asked = append(asked, res.Next.ChallengeName())
		switch step := res.Next.(type) {
		case *srpclient.MFACodeRequired:
			code, perr := cfg.prompt.ask(fmt.Sprintf("%s code", step.ChallengeName()), false)
			if perr != nil {
				return nil, asked, perr
			}
			res, err = step.Answer(ctx, code)
		case *srpclient.SelectMFAType:
			res, err = step.Choose(ctx, "SOFTWARE_TOKEN_MFA")
		case *srpclient.TOTPSetup:
			fmt.Fprintf(os.Stderr, "Add this account to your authenticator app: %s\n", step.URI)
			code, perr := cfg.prompt.ask("authenticator code", false)
			if perr != nil {
				return nil, asked, perr
			}
			res, err = step.Answer(ctx, code, "cli-login")
		case *srpclient.NewPasswordRequired:
			pw, perr := cfg.prompt.ask("New password", true)
			if perr != nil {
				return nil, asked, perr
			}
			res, err = step.Answer(ctx, pw, nil)
		default:
			return nil, asked, fmt.Errorf("this example does not answer %s", step.ChallengeName())
		}
	}
	if err != nil {
		return nil, asked, err
	}
	if res.DeviceErr != nil {
		return nil, asked, fmt.Errorf("signed in, but the device was not remembered: %w", res.DeviceErr)
	}
	return res.Tokens, asked, nil
}

// scene plays the five steps and checks each.
func scene(ctx context.Context, cfg *config, out io.Writer) error {
	store, err := srpclient.NewFileDeviceStore(cfg.deviceFile)
	if err != nil {
		return err
	}
	c, err := srpclient.New(srpclient.Config{
		API: cfg.api, UserPoolID: cfg.poolID, ClientID: cfg.clientID, ClientSecret: cfg.secret,
		Devices: store, DeviceName: "cli-login example",
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "user pool %s, app client %s, user %s, devices in %s\n", cfg.poolID, cfg.clientID, cfg.username, cfg.deviceFile)
	if _, ok, _ := store.Get(ctx, cfg.poolID, cfg.username); ok && cfg.emu == nil {
		fmt.Fprintln(out, "(a device is already remembered for this user: step 1 will not ask for a code)")
	}

	fmt.Fprintln(out, "\n1. first sign-in (SRP)")
	t1, asked, err := signIn(ctx, c, cfg)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "   challenges: %s\n", strings.Join(asked, ", "))
	if t1.NewDevice == nil && t1.DeviceKey == "" {
		return errors.New("no device announced by Cognito: is device remembering on in the pool?")
	}
	dev, ok, err := store.Get(ctx, cfg.poolID, t1.Username)
	if err != nil || !ok {
		return fmt.Errorf("the device was not stored (%v)", err)
	}
	fi, err := os.Stat(cfg.deviceFile)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "   device %s confirmed and stored (file mode %v)\n", dev.Key, fi.Mode().Perm())
	if fi.Mode().Perm() != 0o600 {
		return fmt.Errorf("device file mode %v; want 0600", fi.Mode().Perm())
	}
	if cfg.emu != nil && (len(asked) != 1 || asked[0] != "SOFTWARE_TOKEN_MFA") {
		return fmt.Errorf("first sign-in asked %v; want SOFTWARE_TOKEN_MFA", asked)
	}

	fmt.Fprintln(out, "\n2. second sign-in: the remembered device answers DEVICE_SRP_AUTH")
	t2, asked, err := signIn(ctx, c, cfg)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "   challenges: %s; device key %s\n", orNone(asked), t2.DeviceKey)
	if len(asked) != 0 || t2.DeviceKey != dev.Key {
		return fmt.Errorf("second sign-in asked %v with device %q; want no challenge and device %s", asked, t2.DeviceKey, dev.Key)
	}

	fmt.Fprintln(out, "\n3. refresh with the device key")
	t3, err := c.Refresh(ctx, t2)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "   new access token, expires %s\n", t3.Expiry.Format("15:04:05"))

	fmt.Fprintln(out, "\n4. forget the device")
	if err := c.ForgetDevice(ctx, t3); err != nil {
		return err
	}
	if _, ok, _ := store.Get(ctx, cfg.poolID, t1.Username); ok {
		return errors.New("the device is still in the store")
	}
	fmt.Fprintln(out, "   forgotten by Cognito and removed from the store")

	fmt.Fprintln(out, "\n5. next sign-in asks for a code again")
	_, asked, err = signIn(ctx, c, cfg)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "   challenges: %s\n", orNone(asked))
	if len(asked) == 0 {
		return errors.New("no MFA challenge after the device was forgotten")
	}
	return nil
}

func orNone(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, ", ")
}
