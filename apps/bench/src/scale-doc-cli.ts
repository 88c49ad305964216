#!/usr/bin/env node
/**
 * `npm run scale-doc`: regenerate the measured sections of docs/scale.md from the results files
 * (`--check`: only say whether it is up to date, exit 1 if not).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { scaleSections, withScaleSections } from './scale-doc.js';

const docUrl = new URL('../../../docs/scale.md', import.meta.url);
const results = new URL('../results/', import.meta.url).pathname;
const doc = readFileSync(docUrl, 'utf8');
const next = withScaleSections(doc, scaleSections(results));
if (process.argv.includes('--check')) {
  if (next !== doc) {
    process.stderr.write(
      'scale-doc: docs/scale.md is out of date with apps/bench/results (run npm run scale-doc)\n',
    );
    process.exitCode = 1;
  } else process.stderr.write('scale-doc: docs/scale.md matches the results files\n');
} else if (next !== doc) {
  writeFileSync(docUrl, next);
  process.stderr.write('scale-doc: docs/scale.md updated\n');
} else process.stderr.write('scale-doc: docs/scale.md already up to date\n');
