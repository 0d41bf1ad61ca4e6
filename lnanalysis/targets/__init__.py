"""The plan's targets: registry, progress metrics, assessment, scorecards, trajectories, replay."""
