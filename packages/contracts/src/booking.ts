// HTTP DTOs of the booking service.
export {};
