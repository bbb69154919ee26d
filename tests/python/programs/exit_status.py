# SystemExit gives the exit status: none -> 0, an int -> that int, anything else -> printed, 1.
import sys

how = sys.argv[1]
if how == "none":
    sys.exit()
elif how == "message":
    sys.exit("leaving with a message")
else:
    sys.exit(int(how))
