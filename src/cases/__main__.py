"""Run the command line as ``python -m cases``."""

from cases.cli import main

if __name__ == "__main__":
    main()
