"""A progress bar for long commands: redrawn in place on a terminal, else a line a tenth."""

import sys
from typing import TextIO


class Progress:
    def __init__(self, total: int, label: str, stream: TextIO | None = None, width: int = 30):
        self.total = max(total, 1)
        self.label = label
        self.stream = stream or sys.stderr
        self.width = width
        self.done = 0
        self._last_tenth = -1
        self._tty = self.stream.isatty()

    def advance(self, step: int = 1) -> None:
        self.done = min(self.done + step, self.total)
        fraction = self.done / self.total
        if self._tty:
            filled = int(fraction * self.width)
            bar = "#" * filled + "-" * (self.width - filled)
            self.stream.write(f"\r{self.label} [{bar}] {fraction:4.0%}")
            if self.done == self.total:
                self.stream.write("\n")
            self.stream.flush()
        elif int(fraction * 10) > self._last_tenth:
            self._last_tenth = int(fraction * 10)
            self.stream.write(f"{self.label}: {fraction:.0%}\n")
