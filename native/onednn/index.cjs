'use strict';
// Where the addon was built, or why it was not: install.mjs leaves its reason in build/not-built.txt when it skips.
const { existsSync, readFileSync } = require('node:fs');
const { join } = require('node:path');

const file = join(__dirname, 'build', 'Release', 'not_onednn.node');
const reason = join(__dirname, 'build', 'not-built.txt');

function locateAddon() {
  if (existsSync(file)) return { file };
  const why = existsSync(reason) ? readFileSync(reason, 'utf8').trim() : 'its install step has not run';
  return { file: null, why };
}

module.exports = { locateAddon };
