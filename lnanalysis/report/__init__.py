"""Helpers the briefing notebooks call to show tables, verdicts and coverage."""
