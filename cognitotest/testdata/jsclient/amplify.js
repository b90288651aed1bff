// Runs Amplify JS v6 (aws-amplify, the real package) in Node against
// "cognito local": sign-up confirmation, password reset, attribute
// verification, EMAIL_OTP sign-in (passwordless and as MFA) and auto
// sign-in after sign-up (with a password, and passwordless), reading
// every code from the emulator's outbox over HTTP, as a script or an
// end-to-end test of an app would.
//
// Usage: node amplify.js CONFIG.json
// CONFIG: {"endpoint": "http://127.0.0.1:PORT", "issuerBase": "...", "messagesUrl": ".../_cognitokit/messages",
//          "poolId": "...", "clientId": "...", "email": "...", "newEmail": "...", "autoEmail": "...",
//          "passwordlessEmail": "...", "password": "...", "newPassword": "..."}
// Prints one JSON line: {"steps": [{"name": "...", "ok": true} | {"name": "...", "error": "..."}]}
// and exits 0; a failed step stops the run.
'use strict';

const fs = require('fs');
const { Amplify } = require('aws-amplify');
const auth = require('aws-amplify/auth');

// Node 20 has fetch and crypto.getRandomValues (globalThis.crypto) built
// in; Amplify falls back to its in-memory storage without localStorage.
if (typeof globalThis.crypto === 'undefined' || typeof globalThis.crypto.getRandomValues !== 'function') {
  globalThis.crypto = require('crypto').webcrypto;
}

const cfg = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
Amplify.configure({
  Auth: {
    Cognito: {
      userPoolId: cfg.poolId,
      userPoolClientId: cfg.clientId,
      userPoolEndpoint: cfg.endpoint,
      loginWith: { email: true },
      signUpVerificationMethod: 'code',
    },
  },
});

const steps = [];
const check = (cond, what) => {
  if (!cond) throw new Error(what);
};

// lastCode reads the newest message of a kind for a user from the outbox,
// after the message numbered `after`, waiting briefly for it.
async function lastCode(user, kind, after) {
  const q = new URLSearchParams({ user, kind, after: String(after || 0), limit: '1' });
  for (let i = 0; i < 50; i++) {
    const r = await fetch(cfg.messagesUrl + '?' + q);
    check(r.ok, `GET messages: HTTP ${r.status}`);
    const { messages } = await r.json();
    if (messages.length > 0) return messages[0];
    await new Promise((res) => setTimeout(res, 100));
  }
  throw new Error(`no ${kind} message for ${user} in the outbox`);
}

async function newestSeq() {
  const r = await fetch(cfg.messagesUrl + '?limit=1');
  const { messages } = await r.json();
  return messages.length ? messages[0].seq : 0;
}

async function step(name, fn) {
  // On standard error, so that a step that hangs shows in the test's log.
  console.error(`step: ${name}`);
  try {
    await fn();
    steps.push({ name, ok: true });
  } catch (e) {
    steps.push({ name, error: `${e && e.name}: ${e && e.message}` });
    throw e;
  }
}

async function signedInAs(email) {
  const session = await auth.fetchAuthSession();
  check(session.tokens && session.tokens.idToken, 'no ID token in the session');
  const claims = session.tokens.idToken.payload;
  check(claims.email === email, `ID token email ${claims.email}; want ${email}`);
  check(claims.iss === `${cfg.issuerBase}/${cfg.poolId}`, `iss ${claims.iss}`);
  return claims;
}

(async () => {
  const { email, newEmail, password, newPassword } = cfg;
  try {
    let seq = await newestSeq();

    await step('signUp', async () => {
      const out = await auth.signUp({ username: email, password, options: { userAttributes: { email } } });
      check(!out.isSignUpComplete, 'sign-up complete before confirmation');
      check(out.nextStep.signUpStep === 'CONFIRM_SIGN_UP', `next step ${out.nextStep.signUpStep}`);
      const d = out.nextStep.codeDeliveryDetails;
      check(d && d.deliveryMedium === 'EMAIL' && d.attributeName === 'email', `delivery ${JSON.stringify(d)}`);
    });
    await step('confirmSignUp with the code from the outbox', async () => {
      const m = await lastCode(email, 'SignUp', seq);
      check(m.operation === 'SignUp' && m.trigger === 'CustomMessage_SignUp' && m.delivery_medium === 'EMAIL', `message ${JSON.stringify(m)}`);
      seq = m.seq;
      const out = await auth.confirmSignUp({ username: email, confirmationCode: m.code });
      check(out.isSignUpComplete, `confirmSignUp: ${JSON.stringify(out)}`);
    });
    await step('signIn (SRP)', async () => {
      const out = await auth.signIn({ username: email, password });
      check(out.isSignedIn && out.nextStep.signInStep === 'DONE', `signIn: ${JSON.stringify(out.nextStep)}`);
      await signedInAs(email);
      const u = await auth.getCurrentUser();
      check(u.signInDetails.loginId === email, `current user ${JSON.stringify(u)}`);
    });

    await step('updateUserAttribute email: verify the new address', async () => {
      const out = await auth.updateUserAttribute({ userAttribute: { attributeKey: 'email', value: newEmail } });
      check(out.nextStep.updateAttributeStep === 'CONFIRM_ATTRIBUTE_WITH_CODE', `next step ${JSON.stringify(out.nextStep)}`);
      const m = await lastCode(newEmail, 'VerifyAttribute', seq);
      check(m.trigger === 'CustomMessage_UpdateUserAttribute', `trigger ${m.trigger}`);
      seq = m.seq;
      await auth.confirmUserAttribute({ userAttributeKey: 'email', confirmationCode: m.code });
      const attrs = await auth.fetchUserAttributes();
      check(attrs.email === newEmail && attrs.email_verified === 'true', `attributes ${JSON.stringify(attrs)}`);
    });
    await step('sendUserAttributeVerificationCode + confirmUserAttribute', async () => {
      const d = await auth.sendUserAttributeVerificationCode({ userAttributeKey: 'email' });
      check(d.deliveryMedium === 'EMAIL', `delivery ${JSON.stringify(d)}`);
      const m = await lastCode(newEmail, 'VerifyAttribute', seq);
      check(m.trigger === 'CustomMessage_VerifyUserAttribute', `trigger ${m.trigger}`);
      seq = m.seq;
      await auth.confirmUserAttribute({ userAttributeKey: 'email', confirmationCode: m.code });
    });
    await step('signOut', async () => {
      await auth.signOut();
      const session = await auth.fetchAuthSession();
      check(!session.tokens, 'tokens after signOut');
    });

    await step('resetPassword with the code from the outbox', async () => {
      const out = await auth.resetPassword({ username: newEmail });
      check(out.nextStep.resetPasswordStep === 'CONFIRM_RESET_PASSWORD_WITH_CODE', `next step ${JSON.stringify(out.nextStep)}`);
      const m = await lastCode(newEmail, 'ForgotPassword', seq);
      seq = m.seq;
      await auth.confirmResetPassword({ username: newEmail, confirmationCode: m.code, newPassword });
    });
    await step('signIn with the new password; the old one fails', async () => {
      let failed = null;
      try {
        await auth.signIn({ username: newEmail, password });
      } catch (e) {
        failed = e;
      }
      check(failed && failed.name === 'NotAuthorizedException', `old password: ${failed && failed.name}`);
      const out = await auth.signIn({ username: newEmail, password: newPassword });
      check(out.isSignedIn, `signIn: ${JSON.stringify(out.nextStep)}`);
      await signedInAs(newEmail);
      await auth.signOut();
    });

    await step('EMAIL_OTP sign-in (USER_AUTH, passwordless)', async () => {
      const out = await auth.signIn({ username: newEmail, options: { authFlowType: 'USER_AUTH', preferredChallenge: 'EMAIL_OTP' } });
      check(out.nextStep.signInStep === 'CONFIRM_SIGN_IN_WITH_EMAIL_CODE', `next step ${JSON.stringify(out.nextStep)}`);
      const m = await lastCode(newEmail, 'EMAIL_OTP', seq);
      check(m.operation === 'InitiateAuth' && m.trigger === 'CustomMessage_Authentication', `message ${JSON.stringify(m)}`);
      seq = m.seq;
      const done = await auth.confirmSignIn({ challengeResponse: m.code });
      check(done.isSignedIn, `confirmSignIn: ${JSON.stringify(done.nextStep)}`);
      await signedInAs(newEmail);
    });
    await step('EMAIL_OTP as MFA', async () => {
      await auth.updateMFAPreference({ email: 'PREFERRED' });
      const pref = await auth.fetchMFAPreference();
      check(pref.preferred === 'EMAIL' && (pref.enabled || []).includes('EMAIL'), `MFA preference ${JSON.stringify(pref)}`);
      await auth.signOut();
      const out = await auth.signIn({ username: newEmail, password: newPassword });
      check(out.nextStep.signInStep === 'CONFIRM_SIGN_IN_WITH_EMAIL_CODE', `next step ${JSON.stringify(out.nextStep)}`);
      const m = await lastCode(newEmail, 'EMAIL_OTP', seq);
      seq = m.seq;
      const done = await auth.confirmSignIn({ challengeResponse: m.code });
      check(done.isSignedIn, `confirmSignIn: ${JSON.stringify(done.nextStep)}`);
      await signedInAs(newEmail);
      await auth.signOut();
    });

    await step('signUp with autoSignIn, then confirmSignUp signs in', async () => {
      const email = cfg.autoEmail;
      const up = await auth.signUp({ username: email, password, options: { userAttributes: { email }, autoSignIn: true } });
      check(up.nextStep.signUpStep === 'CONFIRM_SIGN_UP', `next step ${JSON.stringify(up.nextStep)}`);
      const m = await lastCode(email, 'SignUp', seq);
      seq = m.seq;
      const conf = await auth.confirmSignUp({ username: email, confirmationCode: m.code });
      check(conf.nextStep.signUpStep === 'COMPLETE_AUTO_SIGN_IN', `confirmSignUp: ${JSON.stringify(conf.nextStep)}`);
      const out = await auth.autoSignIn();
      check(out.isSignedIn, `autoSignIn: ${JSON.stringify(out.nextStep)}`);
      await signedInAs(email);
      await auth.signOut();
    });
    await step('passwordless signUp (USER_AUTH): the confirmation code signs in', async () => {
      const email = cfg.passwordlessEmail;
      const up = await auth.signUp({ username: email, options: { userAttributes: { email }, autoSignIn: { authFlowType: 'USER_AUTH' } } });
      check(up.nextStep.signUpStep === 'CONFIRM_SIGN_UP', `next step ${JSON.stringify(up.nextStep)}`);
      const m = await lastCode(email, 'SignUp', seq);
      seq = m.seq;
      const conf = await auth.confirmSignUp({ username: email, confirmationCode: m.code });
      check(conf.nextStep.signUpStep === 'COMPLETE_AUTO_SIGN_IN', `confirmSignUp: ${JSON.stringify(conf.nextStep)}`);
      // Amplify debounces autoSignIn for 300 ms across calls (a module-level
      // timer in signUpHelpers): a second auto sign-in sooner than that
      // after the previous step's is dropped and its promise never settles.
      await new Promise((res) => setTimeout(res, 350));
      const out = await auth.autoSignIn();
      check(out.isSignedIn, `autoSignIn: ${JSON.stringify(out.nextStep)}`);
      await signedInAs(email);
      await auth.signOut();
    });
  } catch (e) {
    // The failed step is in steps.
  }
  // Amplify keeps timers (token refresh, auto sign-in) that would keep
  // Node running: exit once the result is written.
  process.stdout.write(JSON.stringify({ steps }) + '\n', () => process.exit(0));
})();
