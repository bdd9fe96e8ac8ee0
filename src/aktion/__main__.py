"""``python -m aktion`` runs the command line."""

from aktion.cli import main

main()
