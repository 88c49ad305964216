import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  FIGURES_END,
  FIGURES_START,
  figuresMarkdown,
  isFiguresError,
  readFigureInputs,
  withFigures,
} from '../src/figures.js';

const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');

describe('README figures', () => {
  it('the README table is exactly what the results files generate (npm run figures)', () => {
    expect(withFigures(readme, figuresMarkdown(readFigureInputs()))).toBe(readme);
  });

  it('a figure that moves in a results file makes the README disagree', () => {
    const inputs = readFigureInputs();
    const moved = {
      ...inputs,
      real: { ...inputs.real, real: { ...inputs.real.real, rollbackPct: inputs.real.real.rollbackPct + 1 } },
    };
    expect(withFigures(readme, figuresMarkdown(moved))).not.toBe(readme);
  });

  it('the table sits between its markers and states its settings', () => {
    const table = figuresMarkdown(readFigureInputs());
    expect(table.startsWith(FIGURES_START)).toBe(true);
    expect(table.endsWith(FIGURES_END)).toBe(true);
    expect(table).toContain('virtual time');
    expect(table).toContain('bound ≥ 0.1 %');
    expect(table).toContain("paper's definition");
    expect(table).not.toMatch(/0\.000 %/);
  });

  it('refuses a README without markers with a typed error', () => {
    let caught: unknown;
    try {
      withFigures('# no markers', 'x');
    } catch (e) {
      caught = e;
    }
    expect(isFiguresError(caught)).toBe(true);
  });
});
