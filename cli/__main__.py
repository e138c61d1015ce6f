"""Run the command line as `python -m cli`."""

from cli import main

main()
