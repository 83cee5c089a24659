"""``python -m archembed`` runs the command line."""

from archembed.cli import main

if __name__ == "__main__":  # guarded: worker processes re-import this module
    main()
