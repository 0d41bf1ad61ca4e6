"""Briefing figures in Chinese and English: trajectories, scorecard, provinces.

Every figure is drawn once per language and saved as PNG (300 dpi), SVG and PDF
under ``figures/<lang>/``. Chinese text uses the bundled Noto Sans SC font, so it
renders on a machine with no CJK font installed.
"""

LANGS = ("zh", "en")
