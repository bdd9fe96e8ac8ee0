"""The production format: the human-readable sources a director writes.

This package imports nothing else of Aktion's: it is plain data plus loading.
"""
