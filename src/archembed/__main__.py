"""``python -m archembed`` runs the command line."""

from archembed.cli import main

main()
