"""Authentication (JWT against a JWKS) and authorization (roles from the roster)."""
