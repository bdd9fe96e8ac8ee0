"""Backends: the renderers the router can choose per shot. One readable file each."""
