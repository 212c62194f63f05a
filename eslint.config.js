// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  // models/training is the retraining toolchain (its own package, run by models/retrain.sh), not the appliance.
  { ignores: ['dist/**', 'packages/*/dist/**', 'node_modules/**', 'coverage/**', '.tap/**', 'eslint.config.js', 'models/training/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // A dropped promise is a dropped error: every one must be awaited, returned or voided on purpose.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'error',
    },
  },
  {
    // tap tracks every subtest it is handed, so a top-level t.test() promise is not dropped;
    // and a subtest callback is async by tap's contract, await or not.
    files: ['**/*.test.ts'],
    rules: { '@typescript-eslint/no-floating-promises': 'off', '@typescript-eslint/require-await': 'off' },
  },
  {
    // Tests and scripts talk to a terminal on purpose.
    files: ['**/*.test.ts', 'scripts/**/*.ts', 'appliance/cli.ts', 'appliance/commands/**/*.ts'],
    rules: { 'no-console': 'off' },
  },
);
