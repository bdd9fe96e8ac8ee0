"""Storyboard outputs: what a crew reads before anything is generated."""
