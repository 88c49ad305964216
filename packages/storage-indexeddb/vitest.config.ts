import { packageConfig } from '../../tooling/vitest/package-config.ts';

export default packageConfig(import.meta.dirname);
