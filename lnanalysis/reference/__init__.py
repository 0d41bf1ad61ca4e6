"""Reference tables: regions, units, indicators and source families."""
