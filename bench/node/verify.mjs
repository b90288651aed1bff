// verify.mjs measures aws-jwt-verify (the reference JavaScript verifier of
// Cognito tokens) on the token corpus that bench/'s
// BenchmarkVersusAWSJWTVerify writes, on one Node.js thread.
//
// Usage: node verify.mjs corpus.json
//
// corpus.json holds {"userPoolId", "clientId", "jwks", "tokens", "ms"}. The
// script verifies the tokens in turn, each one in full (aws-jwt-verify has no
// verified-token cache), for about "ms" milliseconds after a warm-up, and
// prints one JSON line: {"n", "wallNs", "cpuNs"} where cpuNs is the process
// CPU time (every thread: OpenSSL, V8's and the garbage collector's) spent in
// the timed loop.
import { readFileSync } from "node:fs";
import { CognitoJwtVerifier } from "aws-jwt-verify";

const corpus = JSON.parse(readFileSync(process.argv[2], "utf8"));
const verifier = CognitoJwtVerifier.create({
  userPoolId: corpus.userPoolId,
  tokenUse: "access",
  clientId: corpus.clientId,
});
verifier.cacheJwks(corpus.jwks); // no network: the keys are given

const tokens = corpus.tokens;
// Every token must verify, so that the loop below measures the work of an
// accepted token; a rejection is a broken corpus, not a result.
for (const t of tokens) {
  verifier.verifySync(t);
}

const deadline = BigInt(corpus.ms) * 1_000_000n;
let n = 0;
const cpu0 = process.cpuUsage();
const t0 = process.hrtime.bigint();
let elapsed = 0n;
while (elapsed < deadline) {
  for (let i = 0; i < 64; i++) {
    verifier.verifySync(tokens[n % tokens.length]);
    n++;
  }
  elapsed = process.hrtime.bigint() - t0;
}
const cpu = process.cpuUsage(cpu0);
process.stdout.write(
  JSON.stringify({ n, wallNs: Number(elapsed), cpuNs: (cpu.user + cpu.system) * 1000 }) + "\n",
);
