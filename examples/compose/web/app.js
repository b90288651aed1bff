// Signs in with USER_PASSWORD_AUTH through the Cognito API (the same call
// the AWS SDK for JavaScript and Amplify make), then calls the API with the
// access token. No build step, no library.
'use strict';
(() => {
  const clientId = 'spa';
  const $ = (id) => document.getElementById(id);
  let accessToken = '';

  const claims = (jwt) => JSON.parse(atob(jwt.split('.')[1].replace(/-/g, '+').replace(/_/g, '/')));

  $('signin').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const f = new FormData(ev.target);
    $('status').textContent = 'Signing in…';
    const r = await fetch('/cognito/', {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': 'AWSCognitoIdentityProviderService.InitiateAuth' },
      body: JSON.stringify({ AuthFlow: 'USER_PASSWORD_AUTH', ClientId: clientId,
        AuthParameters: { USERNAME: f.get('username'), PASSWORD: f.get('password') } }),
    });
    const out = await r.json();
    if (!r.ok || !out.AuthenticationResult) {
      $('status').textContent = 'Sign-in failed: ' + (out.message || out.__type || r.status);
      return;
    }
    accessToken = out.AuthenticationResult.AccessToken;
    const id = claims(out.AuthenticationResult.IdToken);
    $('username').textContent = id['cognito:username'];
    $('groups').textContent = (id['cognito:groups'] || []).join(', ') || '(none)';
    $('issuer').textContent = id.iss;
    $('status').textContent = '';
    $('result').hidden = false;
  });

  $('call').addEventListener('click', async () => {
    const r = await fetch('/api/me', { headers: { Authorization: 'Bearer ' + accessToken } });
    $('api').textContent = r.status + ' ' + await r.text();
  });
})();
