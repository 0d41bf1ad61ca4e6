"""Trend models, projections with prediction intervals, and their combination."""
