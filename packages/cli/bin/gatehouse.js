#!/usr/bin/env node
// The `gatehouse` command as npm links it into node_modules/.bin. npm links a bin only when its
// file exists at install time, and dist/ does not exist on a fresh clone before the first build,
// so `npx gatehouse` would not be found; this file always exists and runs the compiled command.
'use strict';
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const main = join(__dirname, '..', 'dist', 'main.js');
if (!existsSync(main)) {
  process.stderr.write('gatehouse: not built yet: run `npm run build` first (`npm start` builds too)\n');
  process.exit(1);
}
require(main);
