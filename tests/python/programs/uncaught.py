# An uncaught exception is printed (type and message) and gives exit status 1.
print("before")
raise ValueError("boom")
