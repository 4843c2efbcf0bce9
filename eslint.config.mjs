// ESLint flat config: the recommended JavaScript and typescript-eslint rules, with Prettier owning layout.
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import prettier from "eslint-config-prettier";
import globals from "globals";

export default tseslint.config(
  { ignores: ["dist/", ".test-build/", "coverage/", "node_modules/"] },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      // Unused names are errors, except the ones spelled as deliberately unused.
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrorsIgnorePattern: "^_" },
      ],
    },
  },
  {
    files: ["**/*.js", "**/*.cjs"],
    languageOptions: { sourceType: "commonjs" },
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
  {
    // The shim requires the implementation by package name at call time, by design (see its JSDoc);
    // its text is serialized into state, so it carries no lint comments.
    files: ["provider/shim.ts"],
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
  {
    // Tests read JSON from Pulumi state and API answers, where `any` is the honest type.
    files: ["test/**/*.ts"],
    languageOptions: { globals: { ...globals.jest } },
    rules: { "@typescript-eslint/no-explicit-any": "off" },
  },
  prettier,
);
