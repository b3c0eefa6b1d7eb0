"""Write (or check) the options table of every zoo card from the entries' declared options.

    python scripts/zoo_cards.py          # rewrite the tables in zoo/<entry>/README.md
    python scripts/zoo_cards.py --check  # exit 1 if a card's table differs from its entry

The table sits between the markers `<!-- options -->` and `<!-- /options -->`; the rest of a card
is prose and measurements, written by hand.
"""

import argparse
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BEGIN, END = "<!-- options -->", "<!-- /options -->"


def options_table(name):
    from keras_gen import zoo

    rows = [f"| `{option}` | `{default!r}` |" for option, default in zoo.get(name).options.items()]
    intro = f"Options of `keras_gen.zoo.build({name!r}, ...)` and `keras-gen train {name} --set KEY=VALUE`, with their defaults:"
    return "\n".join([BEGIN, intro, "", "| option | default |", "|---|---|", *rows, END])


def updated_card(text, name):
    """The card with its options table replaced, or appended after the first paragraph block."""
    table = options_table(name)
    if BEGIN in text and END in text:
        start, stop = text.index(BEGIN), text.index(END) + len(END)
        return text[:start] + table + text[stop:]
    return text.rstrip("\n") + "\n\n## Options\n\n" + table + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="report stale cards instead of writing them")
    args = parser.parse_args(argv)
    from keras_gen import zoo

    stale = []
    for name in zoo.list():
        path = os.path.join(ROOT, "zoo", name, "README.md")
        with open(path) as f:
            text = f.read()
        new = updated_card(text, name)
        if new != text:
            stale.append(path)
            if not args.check:
                with open(path, "w") as f:
                    f.write(new)
    if args.check and stale:
        print(f"Stale options tables (run python scripts/zoo_cards.py): {', '.join(stale)}")
        return 1
    print(f"{len(stale)} card(s) {'stale' if args.check else 'updated'}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
