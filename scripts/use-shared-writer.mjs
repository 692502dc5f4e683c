// Points the grpc-js serializers ts-proto generated at encodeToBuffer (packages/contracts/src/wire),
// which reuses one writer instead of building and copying a new one per message.
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

const [genDir, helper] = process.argv.slice(2);
const serializer = /Buffer\.from\((\w+)\.encode\(value\)\.finish\(\)\)/g;

function* typeScriptFiles(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* typeScriptFiles(path);
    else if (name.endsWith('.ts')) yield path;
  }
}

for (const file of typeScriptFiles(genDir)) {
  const source = readFileSync(file, 'utf8');
  if (!source.includes('.encode(value).finish()')) continue;
  let from = relative(dirname(file), helper).replace(/\.ts$/, '');
  if (!from.startsWith('.')) from = `./${from}`;
  const rewritten = source
    .replace(serializer, 'encodeToBuffer($1, value)')
    .replace(/^import /m, `import { encodeToBuffer } from "${from}";\nimport `);
  writeFileSync(file, rewritten);
}
