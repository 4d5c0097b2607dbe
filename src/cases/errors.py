"""The one error path: exceptions whose message a user can read unchanged."""


class CasesError(Exception):
    """A user error: printed as ``Error: <message>`` and exit status 1."""


class NotFound(CasesError):
    """A reference, name or file that does not exist."""


class Ambiguous(CasesError):
    """A name that matches more than one record."""


class Invalid(CasesError):
    """A value that cannot be accepted (bad date, unknown vocabulary value...)."""


class Conflict(CasesError):
    """A change that would contradict what is stored (duplicate, not a database...)."""


class ImportRefused(CasesError):
    """An import refused as a whole; the message names the file and line."""
