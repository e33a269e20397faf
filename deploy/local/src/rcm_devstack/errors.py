"""The one error the local stack raises: its message says what to do next."""


class StackError(RuntimeError):
    """The local stack could not start, stop or answer; the message tells the user why."""
