"""Photos: uploaded once, stripped of metadata, stored content-addressed, referenced by id."""
