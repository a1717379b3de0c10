// Admin accounts are never self-registered (the API refuses role admin): an operator makes
// them with the create-admin command, which runs this against auth's database.
import { NewPassword, RegistrationEmail } from '@healthmatch/contracts';
import { AppError, compileSchemaCheck } from '@healthmatch/platform';
import { uuidv7 } from 'uuidv7';
import type { PasswordHasher } from './passwords.ts';
import type { AuthStore } from './ports.ts';

const emailCheck = compileSchemaCheck(RegistrationEmail);
const passwordCheck = compileSchemaCheck(NewPassword);

/** The registration rules for the e-mail and the password; throws VALIDATION_FAILED. */
export function checkAdminInput(input: { email: string; password: string }): void {
  if (!emailCheck.check(input.email)) throw new AppError('VALIDATION_FAILED', 'ADMIN_EMAIL is not an address accounts can have', { errors: emailCheck.errors('email') });
  if (!passwordCheck.check(input.password)) throw new AppError('VALIDATION_FAILED', 'ADMIN_PASSWORD must have 10 to 128 characters, at least one of them visible, no control characters', { errors: passwordCheck.errors('password') });
}

/** Creates an admin account; AUTH_EMAIL_TAKEN when the address has an account already. */
export async function createAdminAccount(store: AuthStore, hasher: PasswordHasher, input: { email: string; password: string; locale?: 'it' | 'en' }): Promise<{ id: string; email: string }> {
  checkAdminInput(input);
  const passwordHash = await hasher.hash(input.password);
  return store.transaction(async (tx) => {
    const user = await tx.credentials.insert({ id: uuidv7(), email: input.email, passwordHash, role: 'admin' });
    await tx.events.userRegistered({ userId: user.id, role: user.role, email: user.email, locale: input.locale ?? 'it' });
    return { id: user.id, email: user.email };
  });
}
