"""Shared plumbing: errors, project paths, atomic writers, number and year parsing, config files."""
