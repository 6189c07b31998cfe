"""Errors the library raises, and the exit codes the CLI maps them to.

    PipelineError                  anything the pipeline reports as one line (exit 1)
    ├── InputError                 one input file cannot be read or parsed; the batch goes on
    ├── UsageError                 a bad option, locale code or config value (exit 2)
    │   ├── UnknownLocaleError
    │   └── UnreachableError       a PostgreSQL TM or Ray cluster address that does not answer
    ├── ModelError                 a model pack is missing, corrupt or unusable (exit 3)
    │   ├── ModelMissingError      no model for a language pair the run needs
    │   └── CorruptModelError      a pack that cannot be installed or loaded
    ├── GlossaryError              a term base that cannot be read or would be broken by a change
    ├── OfflineError               an action needs the network and there is none
    ├── DownloadError              the server answered, but not with the file (HTTP status, cut short)
    ├── StateError                 the translation memory or run state cannot be used
    │   ├── ConnectionLostError    the shared TM's connection broke mid-run: that batch's articles fail
    │   └── OutputsBusy            another writer (a run, a workspace save) holds an article's outputs now
    └── WriteError                 an output could not be written (disk full, permissions)

Every message names the input and says what to do; the CLI prints ``str(error)`` on one line.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_SOME_FAILED = 1
EXIT_USAGE = 2
EXIT_MODEL = 3


class PipelineError(Exception):
    exit_code = EXIT_SOME_FAILED

    def __str__(self) -> str:
        # One line, always: a traceback-like multi-line message breaks log scraping.
        return " ".join(super().__str__().split())


class InputError(PipelineError):
    def __init__(self, path: object, problem: str):
        self.path = str(path)
        self.problem = problem
        super().__init__(f"{self.path}: {problem}")


class UsageError(PipelineError):
    exit_code = EXIT_USAGE


class UnknownLocaleError(UsageError):
    pass


class UnreachableError(UsageError):
    """Raised before any work; the message shows the address without its password."""


class ModelError(PipelineError):
    exit_code = EXIT_MODEL


class ModelMissingError(ModelError):
    pass


class CorruptModelError(ModelError):
    pass


class GlossaryError(PipelineError):
    pass


class OfflineError(PipelineError):
    pass


class DownloadError(PipelineError):
    pass


class StateError(PipelineError):
    pass


class WriteError(PipelineError):
    pass


class ConnectionLostError(StateError):
    """The PostgreSQL TM stopped answering mid-run (server gone, backend terminated, pool timed
    out). The batch it hit fails article by article, one line each; the run goes on."""


class OutputsBusy(StateError):
    """An article's outputs are being written by someone else right now (``holder`` says who)."""

    def __init__(self, article: str, holder: str):
        self.article = article
        self.holder = holder
        super().__init__(f"{article}: its outputs are being written by {holder} now; try again when it finishes")
