"""Markdown shared by the reports the perf scripts write (imported by the scripts beside it)."""

from __future__ import annotations


def command_block(command: str) -> list[str]:
    """The lines of a report that give the command that wrote it, run from the repository root."""
    return ["Command (from the repository root):", "", "```", command, "```", ""]
