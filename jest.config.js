/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  transform: { "^.+\\.ts$": "<rootDir>/test/support/esbuild-jest.js" },
  moduleFileExtensions: ["ts", "js", "json"],
  testTimeout: 60000,
  setupFiles: ["<rootDir>/test/support/today.js"],
  // Two cores: one worker per core keeps the SDK loads from fighting over the CPU.
  maxWorkers: 2,
};
