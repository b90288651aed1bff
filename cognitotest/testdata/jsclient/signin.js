// Signs in over SRP with the reference JavaScript client,
// amazon-cognito-identity-js, against a cognitotest emulator.
//
// Usage: node signin.js CONFIG.json
// CONFIG: {"endpoint": "...", "poolId": "...", "clientId": "...",
//          "attempts": [{"login": "alias or username", "password": "...", "username": "internal username"}]}
// Prints one JSON line: {"ok": N, "failures": N, "errors": ["..."]}.
'use strict';

const fs = require('fs');
const { CognitoUserPool, CognitoUser, AuthenticationDetails } = require('amazon-cognito-identity-js');

const cfg = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const pool = new CognitoUserPool({ UserPoolId: cfg.poolId, ClientId: cfg.clientId, endpoint: cfg.endpoint });

function signIn(attempt) {
  return new Promise((resolve) => {
    const user = new CognitoUser({ Username: attempt.login, Pool: pool });
    user.setAuthenticationFlowType('USER_SRP_AUTH');
    user.authenticateUser(new AuthenticationDetails({ Username: attempt.login, Password: attempt.password }), {
      onSuccess: (session) => {
        const got = session.getIdToken().decodePayload()['cognito:username'];
        if (got !== attempt.username) {
          resolve(`${attempt.login}: cognito:username ${got}, want ${attempt.username}`);
          return;
        }
        if (user.getUsername() !== attempt.username) {
          resolve(`${attempt.login}: client username ${user.getUsername()}, want USER_ID_FOR_SRP ${attempt.username}`);
          return;
        }
        resolve(null);
      },
      onFailure: (err) => resolve(`${attempt.login}: ${err && (err.code || err.name)}: ${err && err.message}`),
      newPasswordRequired: () => resolve(`${attempt.login}: unexpected NEW_PASSWORD_REQUIRED`),
      mfaRequired: () => resolve(`${attempt.login}: unexpected MFA`),
      totpRequired: () => resolve(`${attempt.login}: unexpected TOTP`),
      customChallenge: () => resolve(`${attempt.login}: unexpected custom challenge`),
    });
  });
}

(async () => {
  let ok = 0;
  const errors = [];
  for (const attempt of cfg.attempts) {
    const err = await signIn(attempt);
    if (err === null) {
      ok++;
    } else {
      errors.push(err);
    }
  }
  process.stdout.write(JSON.stringify({ ok, failures: errors.length, errors: errors.slice(0, 10) }) + '\n');
})();
