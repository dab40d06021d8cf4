/** Jest runs TypeScript through swc (no type check here: `tsc --noEmit` does that in `npm test`). */
const swc = ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } }];

module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test', '<rootDir>/sandbox/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': swc,
    // otplib's @scure/base and @noble/hashes 2 ship only ES modules. Node 20 loads them with require(esm); Jest's
    // CommonJS runtime does not, so swc turns those two packages into CommonJS for the tests.
    '/node_modules/@(scure/base|noble/hashes)/.+\\.js$': ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }],
  },
  transformIgnorePatterns: ['/node_modules/(?!.*@(scure/base|noble/hashes)/)'],
  maxWorkers: 2,
  testTimeout: 30000,
};
