// pages/api/sandbox.js — "try it" endpoint for the docs site: runs snippets against the SDK
import vm from 'node:vm';
import { createClient } from '../../lib/sdk-mock';

const PRELUDE = new vm.Script('const sleep = (ms) => new Promise((r) => setTimeout(r, ms));'); // snag-ok: code-injection
const EXAMPLES = {
  list: 'client.items.list({ limit: 5 })',
  create: 'client.items.create({ name: "demo" })',
};

function runSnippet(code, timeout) {
  const context = vm.createContext({ client: createClient(), console, result: undefined });
  PRELUDE.runInContext(context); // snag-ok: code-injection
  return vm.runInContext(`result = (async () => { ${code} })()`, context, { timeout }); // snag-expect: code-injection
}

export default async function handler(req, res) {
  if (req.method === 'POST') {
    const { code } = req.body;
    const result = await runSnippet(code, 1000);
    return res.status(200).json({ result });
  }

  if (req.method === 'PUT') {
    const fn = vm.compileFunction(req.body.code, ['client'], { parsingContext: vm.createContext({}) }); // snag-expect: code-injection
    return res.status(200).json({ result: await fn(createClient()) });
  }

  const example = EXAMPLES[req.query.example];
  if (!example) {
    return res.status(404).json({ error: 'unknown example' });
  }
  const result = await vm.runInNewContext(example, { client: createClient() }, { timeout: 1000 }); // snag-ok: code-injection
  return res.status(200).json({ example: req.query.example, result });
}
