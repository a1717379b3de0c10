// HTTP DTOs of the users service.
export {};
