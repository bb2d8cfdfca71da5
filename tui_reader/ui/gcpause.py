"""Cyclic garbage collection paused while the app starts, resumed after its first frame.

Importing Textual and the app, and building the first screen, allocate a few hundred thousand
objects that live as long as the process; the collector would walk them repeatedly (a full
collection among them) before the first frame, a large share of the launch time. Pausing it
until the first frame and then freezing the objects made so far (they are never garbage)
keeps that work out of the launch and out of every later full collection.
"""

from __future__ import annotations

import gc

_paused = False


def pause() -> None:
    """Stop automatic collection until :func:`resume` (only if it is running now)."""
    global _paused
    if gc.isenabled():
        gc.disable()
        _paused = True


def resume() -> None:
    """Undo :func:`pause`: freeze what startup made and collect automatically again.

    Does nothing unless :func:`pause` stopped the collector, so an app started some other
    way (tests) keeps the collector as it was.
    """
    global _paused
    if _paused:
        _paused = False
        gc.freeze()
        gc.enable()
