"""Small, domain-free helpers (canonical JSON, working days)."""
