"""`python -m bench append|catchup|views|http|marks [--db sqlite|postgres|both] ...`."""

from __future__ import annotations

import argparse
import logging
from collections.abc import Sequence

from bench import append, catchup, http, marks, views


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    for name, module in (("append", append), ("catchup", catchup), ("views", views),
                         ("http", http), ("marks", marks)):
        sub = commands.add_parser(name, help=module.__doc__)
        sub.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
        sub.add_argument("--tmp", default=None, help="where SQLite scratch files go")
        module.add_arguments(sub)
        sub.set_defaults(run=module.run)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    args.run(args)


if __name__ == "__main__":
    main()
