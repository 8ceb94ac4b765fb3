#!/usr/bin/env tsx
// scripts/eval-config.ts — print the resolved app config for an environment.
//   tsx scripts/eval-config.ts staging 'config.db.poolSize'
//   cat overrides.js | tsx scripts/eval-config.ts production
import { readFileSync } from 'node:fs';
import path from 'node:path';

const [envName = 'development', selector] = process.argv.slice(2);

const base = JSON.parse(readFileSync(path.join(__dirname, '..', 'config', 'base.json'), 'utf8')); // snag-ok: code-injection
const perEnv = JSON.parse(readFileSync(path.join(__dirname, '..', 'config', `${envName}.json`), 'utf8')); // snag-ok: code-injection
const config = { ...base, ...perEnv };

if (!process.stdin.isTTY) {
  const overrides = readFileSync(0, 'utf8');
  const patch = new Function('config', overrides); // snag-expect: code-injection
  patch(config);
}

const flagsExpr = process.env.FEATURE_FLAGS_EXPR;
if (flagsExpr) {
  config.flags = eval(`(${flagsExpr})`); // snag-expect: code-injection
}

if (selector) {
  console.log(JSON.stringify(eval(selector), null, 2)); // snag-expect: code-injection
} else {
  console.log(JSON.stringify(config, null, 2));
}
