// @healthmatch/platform/testing: what every service's tests share. A fresh database per test
// file, a real token issuer (jose, Ed25519) with its JWKS, and small real HTTP servers that
// play another service of ours. Each service keeps its own fixtures, built on these.
export * from './database.ts';
export * from './json-server.ts';
export * from './token-issuer.ts';
export * from './smtp-receiver.ts';
