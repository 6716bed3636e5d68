"""A one-line progress bar for a terminal: redrawn in place on stderr, only when stderr is a terminal."""

from __future__ import annotations

from typing import TextIO

WIDTH = 30


class TerminalBar:
    """Called as an import's progress(done, total, label); redraws only when the drawn line would change."""

    def __init__(self, stream: TextIO, columns: int = 80) -> None:
        self.stream, self.columns, self.last = stream, columns, ""

    def __call__(self, done: int, total: int, label: str) -> None:
        fraction = min(max(done / total, 0.0), 1.0) if total > 0 else 0.0
        filled = round(fraction * WIDTH)
        head = f"[{'#' * filled}{'.' * (WIDTH - filled)}] {fraction:4.0%} "
        line = head + label[: max(self.columns - len(head) - 1, 0)]
        if line != self.last:
            # \r and clear-to-end-of-line: a shorter label leaves nothing of the longer one behind
            self.stream.write("\r" + line + "\x1b[K")
            self.stream.flush()
            self.last = line

    def close(self) -> None:
        """Wipe the bar, so what the command prints next starts on a clean line."""
        if self.last:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self.last = ""
