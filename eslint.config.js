// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';

export default tseslint.config(
  { ignores: ['node_modules/**', 'data/**', 'src/generated/**', 'dist/**', 'coverage/**', '.tmp/**', 'src/console/dist/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ['*.js'] }, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { 'import-x': importX },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'error',
      // The shape of the house (STYLE.md): data flows one way, each outside library has one home.
      'import-x/no-restricted-paths': ['error', {
        zones: [
          { target: './src', from: './workers', message: 'nothing in src/ imports workers/' },
          { target: './src/lib', from: ['./src/config', './src/domain', './src/formats', './src/pipeline', './src/columnar', './src/repositories', './src/storage', './src/jobs', './src/services', './src/http', './src/cli', './src/main'], message: 'lib/ imports no app folder' },
          { target: ['./src/formats', './src/pipeline', './src/columnar', './src/domain'], from: ['./src/repositories', './src/storage', './src/jobs', './src/services', './src/http', './src/main', './src/config'], message: 'the science is pure: no database, S3 or Redis inside it' },
          { target: './src/http', from: ['./src/repositories', './src/storage', './src/jobs/queues.ts'], message: 'routes call services, never repositories, storage or queues' },
        ],
      }],
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['@prisma/*', '**/generated/prisma/**'], message: 'only src/repositories imports the Prisma client', allowTypeImports: true },
          { group: ['@aws-sdk/*'], message: 'only src/storage imports the AWS SDK' },
        ],
      }],
    },
  },
  { files: ['src/repositories/**', 'prisma/**', 'prisma.config.ts', 'src/main/migrate*.ts', 'test/helpers/**'], rules: { 'no-restricted-imports': 'off' } },
  { files: ['src/storage/**', 'bench/**'], rules: { 'no-restricted-imports': 'off' } },
  { files: ['bench/**', 'src/cli/**'], rules: { 'no-console': 'off' } },
  {
    // Tests read untyped JSON answers from the API.
    files: ['test/**', '**/*.test.ts', 'bench/**', 'src/cli/demo.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  { files: ['**/*.js'], ...tseslint.configs.disableTypeChecked },
);
