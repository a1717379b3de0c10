// HTTP DTOs of the auth service.
export {};
