"""``python -m pygotchi``: the server by default, tools as subcommands."""

from pygotchi.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
