import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { scaleSections, withScaleSections } from '../src/scale-doc.js';

const doc = readFileSync(new URL('../../../docs/scale.md', import.meta.url), 'utf8');
const results = new URL('../results/', import.meta.url).pathname;

describe('docs/scale.md', () => {
  it('its measured sections are exactly what the results files generate (npm run scale-doc)', () => {
    expect(withScaleSections(doc, scaleSections(results))).toBe(doc);
  });

  it('refuses a page without the markers', () => {
    expect(() => withScaleSections('# no markers', scaleSections(results))).toThrow(/markers/);
  });
});
