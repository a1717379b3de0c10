// HTTP DTOs of the catalog service.
export {};
