"""The contest entry pack: one archive a jury can check without trusting us."""
