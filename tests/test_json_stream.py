"""Long JSON lists are written as they come, in the very text of the whole list."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clientcoach.cli import common
from clientcoach.cli.common import print_json, print_json_items

_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12)
_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**60), 2**60) | _TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_TEXT, inner, max_size=3),
    max_leaves=8,
)


def _printed(capsys: pytest.CaptureFixture[str], write: Any, data: Any) -> str:
    capsys.readouterr()
    write(data)
    return capsys.readouterr().out


# capsys is read (and so emptied) on each example: what one writes never reaches another.
@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(items=st.lists(_VALUES, max_size=6), batch=st.integers(1, 200))
def test_a_streamed_list_is_the_text_of_the_whole_list(
    capsys: pytest.CaptureFixture[str], items: list[Any], batch: int
) -> None:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(common, "_BATCH", batch)  # batches of every size, one item and up
        streamed = _printed(capsys, lambda d: print_json_items(iter(d)), items)
    assert streamed == _printed(capsys, print_json, items)


def test_an_empty_list_is_two_brackets(capsys: pytest.CaptureFixture[str]) -> None:
    assert _printed(capsys, print_json_items, iter([])) == "[]\n"


def test_text_with_newlines_and_unsafe_characters_in_a_long_list(
    capsys: pytest.CaptureFixture[str],
) -> None:
    items = [{"what": f"line one\nline two {n}\u202e", "n": n} for n in range(3000)]
    streamed = _printed(capsys, print_json_items, iter(items))
    assert streamed == _printed(capsys, print_json, items)
    assert "\\u202e" in streamed  # a bidi override is escaped, as in the whole list
    assert streamed.count("\n") == 1 + 3000 * 4 + 1
