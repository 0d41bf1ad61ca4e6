"""The steps that write files: data tables, briefing outputs, notebooks, explore renders."""
