// Request and response schemas of this domain's API; filled in with its routes.
export {};
