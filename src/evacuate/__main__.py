"""``python -m evacuate``: the same command line as the ``evacuate`` script."""

from evacuate.cli import main

__all__: list[str] = []

if __name__ == "__main__":
    main()
