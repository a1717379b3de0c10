// Tests only: request bodies of the users service.
export const patientInput = (over: Record<string, unknown> = {}) => ({
  role: 'patient',
  email: 'mario.rossi@example.it',
  profile: { firstName: 'Mario', lastName: 'Rossi', phone: '+39 333 1234567', birthDate: '1980-02-29', locale: 'en', ...over },
});

export const providerInput = (over: Record<string, unknown> = {}) => ({
  role: 'provider',
  email: 'studio.bianchi@example.it',
  profile: {
    displayName: 'Studio Medico Bianchi',
    kind: 'practitioner',
    languages: ['it', 'en'],
    address: 'Via del Corso 10',
    city: 'Roma',
    lat: 41.9028,
    lon: 12.4964,
    bio: 'Cardiologia e medicina dello sport.',
    ...over,
  },
});

/** Fields only the owner may see; none of them may appear in a public answer. */
export const PRIVATE_FIELDS = ['email', 'phone', 'birthDate', 'lastName', 'firstName', 'locale', 'createdAt', 'updatedAt', 'role'];
