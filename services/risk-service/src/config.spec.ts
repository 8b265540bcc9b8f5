import { describe, expect, it } from '@jest/globals';
import { DEVELOPMENT_JWT_SECRET } from '@roadloop/auth';
import { ConfigError } from '@roadloop/config';
import { loadRiskCliConfig, loadRiskConfig } from './config';

describe('risk-service settings', () => {
  it('refuses the development secret outside development; the command-line tool, which checks no token, does not', () => {
    // A new shell: no NODE_ENV, no JWT_SECRET.
    expect(() => loadRiskConfig({})).toThrow(ConfigError);
    expect(() => loadRiskConfig({})).toThrow(/JWT_SECRET/);
    expect(loadRiskCliConfig({}).JWT_SECRET).toBe(DEVELOPMENT_JWT_SECRET);
    // Everything else is still checked.
    expect(() => loadRiskCliConfig({ DATABASE_URL: 'mysql://x/y' })).toThrow(/DATABASE_URL/);
  });
});
