"""Exceptions raised by naspred. Every error names what was wrong and what was expected."""


class NaspredError(Exception):
    """Base class of every naspred error."""


class InvalidArchitectureError(NaspredError, ValueError):
    """An architecture is malformed or lies outside its search space."""


class DataFileError(NaspredError, ValueError):
    """A data file is corrupted, truncated or not in the expected format."""


class MissingDataError(NaspredError, FileNotFoundError):
    """A data file is not in the data home; the message says where it was looked for and how to get it."""


class ChecksumMismatchError(DataFileError):
    """A file's SHA-256 differs from the one recorded for its artifact."""


class UnsafePickleError(DataFileError):
    """A pickle refers to a class that its format does not admit."""


class UnknownNameError(NaspredError, KeyError):
    """A name (benchmark, predictor, featurizer, artifact) is not registered."""

    def __str__(self) -> str:  # KeyError quotes its message otherwise
        return str(self.args[0]) if self.args else ""


class InvalidInputError(NaspredError, ValueError):
    """An argument is malformed: empty, of mismatched length, non-finite, or out of its allowed range."""


class BudgetExceeded(NaspredError):
    """A charge would take a phase past its budget; the spend was refused (see ``meter`` for the ledger)."""

    def __init__(self, message: str, meter: object = None) -> None:
        super().__init__(message)
        self.meter = meter


class HiddenGroundTruthError(NaspredError, PermissionError):
    """The ground truth of a held-out (test) architecture was requested through an oracle."""


class TrainingError(NaspredError, RuntimeError):
    """Training one architecture failed or returned a malformed learning curve."""


class SearchError(NaspredError, RuntimeError):
    """A search could not go on: its predictor failed to fit or to predict on the evaluated architectures."""


class NoTargetError(DataFileError):
    """A file holds zero-cost proxies of architectures and no target: read it with ``benchmarks.load_proxies``
    and join it onto a benchmark with ``Benchmark.with_proxies`` (``--with-proxies`` on the command line)."""
