"""The stylesheet parses: every block it opens it closes (an unclosed @media print once made a page's styles
print-only, and the phone layout fell apart without an error anywhere)."""
from pathlib import Path

CSS = Path(__file__).resolve().parents[2] / "static" / "css" / "serumpun.css"


def test_every_block_of_the_stylesheet_is_closed_where_it_should_be():
    depth = 0
    for number, line in enumerate(CSS.read_text().splitlines(), start=1):
        if line.startswith(("@media", "@page", "/*")) or (line[:1] == "." and depth == 0):
            assert depth == 0, f"line {number} starts a top-level rule inside an unclosed block"
        depth += line.count("{") - line.count("}")
        assert depth >= 0, f"line {number} closes a block that was never opened"
    assert depth == 0
