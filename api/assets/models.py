"""Models of this domain (not built yet)."""
