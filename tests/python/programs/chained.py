# An uncaught exception with a cause prints the cause first, then the exception.
try:
    raise ValueError("inner")
except ValueError as e:
    raise KeyError("outer") from e
