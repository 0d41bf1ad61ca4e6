"""Getting figures out of publications: compiled workbooks, provenance sidecars, yearbook tables."""
