// verify.mjs is the Node.js worker of bench/'s BenchmarkVersusAWSJWTVerify:
// it verifies Cognito tokens with aws-jwt-verify (the reference JavaScript
// verifier) on its one JavaScript thread, in batches the benchmark asks for,
// so that the benchmark can alternate short batches of Node and Go.
//
// Usage: node verify.mjs corpus.json
//
// corpus.json holds {"userPoolId", "clientId", "jwks", "tokens"}. After
// checking that every token verifies, the worker prints "ready" and then,
// for each line "n" on standard input, verifies the next n tokens of the
// corpus in turn, each one in full (aws-jwt-verify has no verified-token
// cache), and prints one JSON line {"n", "wallNs", "cpuNs"}, where cpuNs is
// the process CPU time (every thread: OpenSSL's, V8's, the garbage
// collector's) the batch took. It exits at the end of its input.
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { CognitoJwtVerifier } from "aws-jwt-verify";

const corpus = JSON.parse(readFileSync(process.argv[2], "utf8"));
const verifier = CognitoJwtVerifier.create({
  userPoolId: corpus.userPoolId,
  tokenUse: "access",
  clientId: corpus.clientId,
});
verifier.cacheJwks(corpus.jwks); // no network: the keys are given

const tokens = corpus.tokens;
// Every token must verify, so that a batch measures the work of accepted
// tokens; a rejection is a broken corpus, not a result.
for (const t of tokens) {
  verifier.verifySync(t);
}
process.stdout.write("ready\n");

let next = 0;
for await (const line of createInterface({ input: process.stdin })) {
  const n = Number.parseInt(line, 10);
  if (!(n > 0)) {
    throw new Error(`bad batch size ${JSON.stringify(line)}`);
  }
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    verifier.verifySync(tokens[next]);
    next = (next + 1) % tokens.length;
  }
  const wallNs = Number(process.hrtime.bigint() - t0);
  const cpu = process.cpuUsage(cpu0);
  process.stdout.write(JSON.stringify({ n, wallNs, cpuNs: (cpu.user + cpu.system) * 1000 }) + "\n");
}
