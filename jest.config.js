/** Jest runs every suite under test/; the end-to-end suites need the engine, built once by globalSetup. */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  transform: {
    // Type checking happens once in `pretest` (tsc -p test); ts-jest only transpiles.
    "^.+\\.ts$": ["ts-jest", { tsconfig: "<rootDir>/test/tsconfig.json" }],
  },
  globalSetup: "<rootDir>/test/support/global-setup.js",
  maxWorkers: 2,
  testTimeout: 30000,
};
