"""Getting figures out of publications: compiled files, provenance sidecars, yearbook tables."""
