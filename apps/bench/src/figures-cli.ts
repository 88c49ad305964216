#!/usr/bin/env node
/**
 * `npm run figures`: regenerate the root README's "Figures" table from the results files
 * (`--check`: only say whether it is up to date, exit 1 if not).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { figuresMarkdown, readFigureInputs, withFigures } from './figures.js';

const readmeUrl = new URL('../../../README.md', import.meta.url);
const readme = readFileSync(readmeUrl, 'utf8');
const next = withFigures(readme, figuresMarkdown(readFigureInputs()));
if (process.argv.includes('--check')) {
  if (next !== readme) {
    process.stderr.write('figures: README.md is out of date with apps/bench/results (run npm run figures)\n');
    process.exitCode = 1;
  } else process.stderr.write('figures: README.md matches the results files\n');
} else if (next !== readme) {
  writeFileSync(readmeUrl, next);
  process.stderr.write('figures: README.md updated\n');
} else process.stderr.write('figures: README.md already up to date\n');
