# optparse as programs use it (pyopaque brings its own module): options from sys.argv.
import optparse

parser = optparse.OptionParser(usage="%prog [options] FILE...", description="Sums numbers.")
parser.add_option("-n", "--count", type="int", default=3, help="how many [default: %default]")
parser.add_option("-s", "--scale", type="float", dest="scale", default=1.0)
parser.add_option("-q", "--quiet", action="store_true", default=False)
parser.add_option("-v", action="count", dest="verbosity")
parser.add_option("-I", action="append", dest="include")
parser.add_option("--mode", type="choice", choices=["fast", "slow"], default="fast")
options, args = parser.parse_args()
print(options.count, options.scale, options.quiet, options.verbosity, options.include, options.mode)
print(args)
print(sum(i * options.scale for i in range(options.count)))
