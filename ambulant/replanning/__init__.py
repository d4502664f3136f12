"""Replanning a published day: its state at a moment, the new version, the diff, options."""
