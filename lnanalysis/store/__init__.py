"""The indicator store: observations, schema, preferred values, vintages, derived series, diffs."""
