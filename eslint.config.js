// Lint rules that keep the service boundaries of ARCHITECTURE.md from eroding.
import tseslint from 'typescript-eslint';

const serviceNames = ['gateway', 'auth', 'users', 'catalog', 'booking', 'payments', 'notifications'];

export default tseslint.config(
  { ignores: ['**/node_modules/**', '.data/**', '**/dist/**', '**/migrations/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
    },
  },
  // A service never imports another service.
  ...serviceNames.map((name) => ({
    files: [`services/${name}/**/*.ts`],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: serviceNames.filter((n) => n !== name).map((n) => `@healthmatch/${n}`), message: 'services never import each other; use HTTP contracts or events' },
          { group: ['**/services/*/**', '../../*/src/**'], message: 'services never import each other' },
        ],
      }],
    },
  })),
  // Domain code knows neither the web framework nor the ORM.
  {
    files: ['services/*/src/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['fastify', 'fastify/*', '@fastify/*', 'drizzle-orm', 'drizzle-orm/*', 'pg'], message: 'domain/ imports neither fastify nor drizzle' },
          { group: ['**/routes/**', '**/db/**'], message: 'domain/ depends on nothing outside itself' },
        ],
      }],
    },
  },
  // Packages never import services; contracts import nothing internal.
  {
    files: ['packages/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: serviceNames.map((n) => `@healthmatch/${n}`), message: 'packages never import services' }, { group: ['**/services/**'], message: 'packages never import services' }] }],
    },
  },
  {
    files: ['packages/contracts/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['@healthmatch/*'], message: 'contracts import nothing internal' }] }],
    },
  },
);
