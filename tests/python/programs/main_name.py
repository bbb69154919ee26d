# A program's top level runs as __main__ with sys.argv set.
import sys

print(__name__)
print(sys.argv[1:])
