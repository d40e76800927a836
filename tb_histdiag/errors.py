"""The errors the Python API raises about the caller's input, and the one way to list names in
an error message."""

from __future__ import annotations

from collections.abc import Iterable


class InputError(ValueError):
    """A problem with what the caller asked for, explained in one line."""


class NoHistogramsError(InputError):
    """The logdir (or the selection of runs and tags) holds no histogram series."""


class DataServerError(RuntimeError):
    """TensorBoard's Rust data server is not installed, did not start, or stopped."""


def names_list(
    names: Iterable[object], limit: int = 8, *, none: str = "", in_all: bool = False
) -> str:
    """Up to ``limit`` names for an error message (each as its ``repr``), then how many more there
    are (``… 3 more``) or, with ``in_all``, how many there are in all (``… (11 in all)``);
    ``none`` when there are no names."""
    shown = [repr(name) for name in names]
    if not shown:
        return none
    text = ", ".join(shown[:limit])
    if len(shown) > limit:
        text += f", … ({len(shown)} in all)" if in_all else f", … {len(shown) - limit} more"
    return text
