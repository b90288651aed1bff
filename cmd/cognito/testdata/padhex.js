// Encodes integers with the padding function of the reference JavaScript
// client's SRP (amazon-cognito-identity-js, AuthenticationHelper.padHex),
// for TestJSPadHexMatchesPad.
//
// Usage: NODE_PATH=.../jsclient/node_modules node padhex.js < VALUES.json
// VALUES: a JSON array of hex integers, each with an optional leading '-'.
// Prints a JSON array of their padHex encodings, in lowercase.
'use strict';

const fs = require('fs');
const AuthenticationHelper = require('amazon-cognito-identity-js/lib/AuthenticationHelper').default;
const BigInteger = require('amazon-cognito-identity-js/lib/BigInteger').default;

const helper = Object.create(AuthenticationHelper.prototype); // padHex uses no state
const values = JSON.parse(fs.readFileSync(0, 'utf8'));
const out = values.map((s) => {
  const negative = s.startsWith('-');
  let v = new BigInteger(negative ? s.slice(1) : s, 16);
  if (negative) {
    v = v.negate();
  }
  return helper.padHex(v).toLowerCase();
});
process.stdout.write(JSON.stringify(out) + '\n');
