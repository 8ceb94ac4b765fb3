// The snag extension: starts `snag lsp` for Python, TypeScript, JavaScript
// and Rust files. Everything else (diagnostics, hover, quick fixes, config
// reloads) is the language server's.
const vscode = require('vscode');
const { LanguageClient } = require('vscode-languageclient/node');

const LANGUAGES = [
  'python',
  'typescript',
  'typescriptreact',
  'javascript',
  'javascriptreact',
  'rust',
];

let client;

function activate(context) {
  const settings = vscode.workspace.getConfiguration('snag');
  const serverOptions = { command: settings.get('path', 'snag'), args: ['lsp'] };
  const clientOptions = {
    documentSelector: LANGUAGES.map((language) => ({ language })),
    initializationOptions: {
      changedLinesOnly: settings.get('changedLinesOnly', false),
      debounceMs: settings.get('debounceMs', 0),
      ruleDocsUrl: settings.get('ruleDocsUrl', '') || undefined,
    },
  };
  client = new LanguageClient('snag', 'snag', serverOptions, clientOptions);
  context.subscriptions.push(client);
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
