import { describe, expect, it } from 'vitest';
import { nodePlatform } from '../src/node-platform.js';

// The live mDNS discovery test multicasts on the LAN, so it lives in checks/ (npm run check:lan);
// here only the wiring is checked, without sending anything.
describe('mDNS option', () => {
  it('adds the mDNS service only when asked', async () => {
    const off = await nodePlatform.configure({});
    expect(off.services?.mdns).toBeUndefined();
    const on = await nodePlatform.configure({ mdns: { interval: 500, serviceTag: 'symmetric-test.local' } });
    expect(typeof on.services?.mdns).toBe('function');
    const defaults = await nodePlatform.configure({ mdns: true });
    expect(typeof defaults.services?.mdns).toBe('function');
  });
});
