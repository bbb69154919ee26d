"""pyopaque's `optparse`: the part of the standard module's API that programs commonly use,
written for pyopaque (CPython's own optparse.py needs os, textwrap and gettext, which pyopaque
does not have). `pyopaque run` compiles it with Cython like any module and provides it when the
program does not bring its own.

Covered: OptionParser(usage, description, prog, version, add_help_option, option_list),
add_option with the actions store, store_const, store_true, store_false, append,
append_const, count, help and version; the types string/str, int, long, float, complex and
choice; dest, default, const, nargs, metavar, help; set_defaults, get_default_values,
parse_args (long options with `=` or a separate value, clustered short options, a short option
with its value attached, `--` ending the options), error and exit, print_usage, print_help,
format_help; Values (attributes, __eq__, ensure_value); the exceptions. Help text is laid out
in one column without wrapping (no textwrap)."""

import sys

__all__ = ["Option", "OptionParser", "Values", "OptionError", "OptionValueError",
           "BadOptionError", "SUPPRESS_HELP", "SUPPRESS_USAGE", "make_option"]

SUPPRESS_HELP = "SUPPRESS" + "HELP"
SUPPRESS_USAGE = "SUPPRESS" + "USAGE"


class OptParseError(Exception):
    def __init__(self, msg):
        self.msg = msg

    def __str__(self):
        return self.msg


class OptionError(OptParseError):
    def __init__(self, msg, option):
        self.msg = msg
        self.option_id = str(option)

    def __str__(self):
        if self.option_id:
            return "option %s: %s" % (self.option_id, self.msg)
        return self.msg


class OptionValueError(OptParseError):
    pass


class BadOptionError(OptParseError):
    def __init__(self, opt_str):
        self.opt_str = opt_str

    def __str__(self):
        return "no such option: %s" % self.opt_str


class _NoDefault:
    def __repr__(self):
        return "NO_DEFAULT"


NO_DEFAULT = _NoDefault()

_CHECKERS = {"int": int, "long": int, "float": float, "complex": complex}
_TYPED_ACTIONS = ("store", "append")
_ACTIONS = ("store", "store_const", "store_true", "store_false", "append", "append_const",
            "count", "help", "version")


def _convert(option, opt, value):
    kind = option.type
    if kind in ("string", "str"):
        return value
    if kind == "choice":
        if value not in option.choices:
            raise OptionValueError("option %s: invalid choice: %r (choose from %s)"
                                   % (opt, value, ", ".join(map(repr, option.choices))))
        return value
    checker = _CHECKERS[kind]
    try:
        return checker(value)
    except ValueError:
        what = {"int": "integer", "long": "integer", "float": "floating-point",
                "complex": "complex"}[kind]
        raise OptionValueError("option %s: invalid %s value: %r" % (opt, what, value))


class Option:
    def __init__(self, *opts, **attrs):
        self._short_opts = []
        self._long_opts = []
        for opt in opts:
            if len(opt) < 2:
                raise OptionError("invalid option string %r: must be at least two characters long"
                                  % opt, self)
            if opt.startswith("--"):
                self._long_opts.append(opt)
            elif opt[0] == "-" and len(opt) == 2:
                self._short_opts.append(opt)
            else:
                raise OptionError("invalid option string %r: must be -x or --name" % opt, self)
        self.action = attrs.pop("action", None) or "store"
        if self.action not in _ACTIONS:
            raise OptionError("invalid action: %r" % self.action, self)
        self.type = attrs.pop("type", None)
        if isinstance(self.type, type):
            self.type = self.type.__name__
        self.choices = attrs.pop("choices", None)
        if self.type is None and self.choices is not None:
            self.type = "choice"
        if self.type is None and self.action in _TYPED_ACTIONS:
            self.type = "string"
        if self.type is not None and self.type not in ("string", "str", "choice") \
                and self.type not in _CHECKERS:
            raise OptionError("invalid option type: %r" % self.type, self)
        self.dest = attrs.pop("dest", None)
        if self.dest is None and self.action in _TYPED_ACTIONS + (
                "store_const", "store_true", "store_false", "append_const", "count"):
            if self._long_opts:
                self.dest = self._long_opts[0][2:].replace("-", "_")
            elif self._short_opts:
                self.dest = self._short_opts[0][1]
        self.default = attrs.pop("default", NO_DEFAULT)
        self.const = attrs.pop("const", None)
        self.nargs = attrs.pop("nargs", None)
        if self.nargs is None and self.action in _TYPED_ACTIONS:
            self.nargs = 1
        self.metavar = attrs.pop("metavar", None)
        self.help = attrs.pop("help", None)
        self.callback = attrs.pop("callback", None)
        if attrs:
            raise OptionError("invalid keyword arguments: %s" % ", ".join(sorted(attrs)), self)

    def __str__(self):
        return "/".join(self._short_opts + self._long_opts)

    __repr__ = __str__

    def takes_value(self):
        return self.type is not None

    def get_opt_string(self):
        return (self._long_opts or self._short_opts)[0]

    def process(self, opt, value, values, parser):
        if value is not None:
            if self.nargs == 1:
                value = _convert(self, opt, value)
            else:
                value = tuple(_convert(self, opt, v) for v in value)
        action = self.action
        if action == "store":
            setattr(values, self.dest, value)
        elif action == "store_const":
            setattr(values, self.dest, self.const)
        elif action == "store_true":
            setattr(values, self.dest, True)
        elif action == "store_false":
            setattr(values, self.dest, False)
        elif action == "append":
            values.ensure_value(self.dest, []).append(value)
        elif action == "append_const":
            values.ensure_value(self.dest, []).append(self.const)
        elif action == "count":
            setattr(values, self.dest, values.ensure_value(self.dest, 0) + 1)
        elif action == "help":
            parser.print_help()
            parser.exit()
        elif action == "version":
            parser.print_version()
            parser.exit()


make_option = Option


class Values:
    def __init__(self, defaults=None):
        if defaults:
            for attr, val in defaults.items():
                setattr(self, attr, val)

    def __str__(self):
        return str(self.__dict__)

    def __repr__(self):
        return "<Values at 0x%x: %s>" % (id(self), self)

    def __eq__(self, other):
        if isinstance(other, Values):
            return self.__dict__ == other.__dict__
        if isinstance(other, dict):
            return self.__dict__ == other
        return NotImplemented

    def ensure_value(self, attr, value):
        if getattr(self, attr, None) is None:
            setattr(self, attr, value)
        return getattr(self, attr)


class OptionParser:
    def __init__(self, usage=None, option_list=None, option_class=Option, version=None,
                 conflict_handler="error", description=None, formatter=None,
                 add_help_option=True, prog=None, epilog=None):
        self.option_class = option_class
        self.usage = usage
        self.version = version
        self.description = description
        self.epilog = epilog
        self.prog = prog
        self.option_list = []
        self.defaults = {}
        self.rargs = None
        self.largs = None
        self.values = None
        if add_help_option:
            self.add_option("-h", "--help", action="help",
                            help="show this help message and exit")
        if version:
            self.add_option("--version", action="version",
                            help="show program's version number and exit")
        for option in option_list or ():
            self.add_option(option)

    def add_option(self, *args, **kwargs):
        if args and isinstance(args[0], Option):
            option = args[0]
        else:
            option = self.option_class(*args, **kwargs)
        for opt in option._short_opts + option._long_opts:
            if self._find(opt) is not None:
                raise OptionError("conflicting option string(s): %s" % opt, option)
        self.option_list.append(option)
        if option.dest is not None:
            if option.default is not NO_DEFAULT:
                self.defaults[option.dest] = option.default
            elif option.dest not in self.defaults:
                self.defaults[option.dest] = None
        return option

    def add_options(self, option_list):
        for option in option_list:
            self.add_option(option)

    def has_option(self, opt_str):
        return self._find(opt_str) is not None

    def get_option(self, opt_str):
        return self._find(opt_str)

    def set_defaults(self, **kwargs):
        self.defaults.update(kwargs)

    def set_default(self, dest, value):
        self.defaults[dest] = value

    def get_default_values(self):
        return Values(self.defaults)

    def get_prog_name(self):
        if self.prog is None:
            return sys.argv[0].split("/")[-1] if sys.argv else ""
        return self.prog

    def _find(self, opt):
        for option in self.option_list:
            if opt in option._short_opts or opt in option._long_opts:
                return option
        return None

    def _match_long(self, opt):
        if self._find(opt) is not None:
            return opt
        candidates = [o for option in self.option_list for o in option._long_opts
                      if o.startswith(opt)]
        if len(candidates) == 1:
            return candidates[0]
        if not candidates:
            raise BadOptionError(opt)
        raise OptParseError("ambiguous option: %s (%s?)" % (opt, ", ".join(sorted(candidates))))

    def _take_values(self, option, opt, rargs, first):
        n = option.nargs
        if first is not None:
            rargs.insert(0, first)
        if len(rargs) < n:
            if n == 1:
                self.error("%s option requires an argument" % opt)
            self.error("%s option requires %d arguments" % (opt, n))
        taken = rargs[:n]
        del rargs[:n]
        return taken[0] if n == 1 else tuple(taken)

    def parse_args(self, args=None, values=None):
        rargs = list(sys.argv[1:] if args is None else args)
        if values is None:
            values = self.get_default_values()
        largs = []
        self.rargs, self.largs, self.values = rargs, largs, values
        try:
            while rargs:
                arg = rargs[0]
                if arg == "--":
                    del rargs[0]
                    break
                if arg.startswith("--"):
                    del rargs[0]
                    if "=" in arg:
                        opt, attached = arg.split("=", 1)
                    else:
                        opt, attached = arg, None
                    opt = self._match_long(opt)
                    option = self._find(opt)
                    if option.takes_value():
                        value = self._take_values(option, opt, rargs, attached)
                    elif attached is not None:
                        self.error("%s option does not take a value" % opt)
                    else:
                        value = None
                    option.process(opt, value, values, self)
                elif arg.startswith("-") and arg != "-":
                    del rargs[0]
                    i = 1
                    while i < len(arg):
                        opt = "-" + arg[i]
                        option = self._find(opt)
                        i += 1
                        if option is None:
                            raise BadOptionError(opt)
                        if option.takes_value():
                            rest = arg[i:] if i < len(arg) else None
                            value = self._take_values(option, opt, rargs, rest)
                            i = len(arg)
                        else:
                            value = None
                        option.process(opt, value, values, self)
                else:
                    largs.append(rargs.pop(0))
        except (BadOptionError, OptionValueError) as err:
            self.error(str(err))
        except OptParseError as err:
            self.error(str(err))
        return values, largs + rargs

    def get_usage(self):
        if self.usage is SUPPRESS_USAGE:
            return ""
        usage = self.usage if self.usage is not None else "%prog [options]"
        return "Usage: %s\n" % usage.replace("%prog", self.get_prog_name())

    def print_usage(self, file=None):
        if self.usage is not SUPPRESS_USAGE:
            print(self.get_usage(), file=file or sys.stdout)

    def get_version(self):
        return (self.version or "").replace("%prog", self.get_prog_name())

    def print_version(self, file=None):
        if self.version:
            print(self.get_version(), file=file or sys.stdout)

    def format_option_help(self, formatter=None):
        lines = ["Options:"]
        for option in self.option_list:
            if option.help is SUPPRESS_HELP:
                continue
            names = []
            metavar = option.metavar or (option.dest or "").upper()
            for o in option._short_opts:
                names.append(o + (" " + metavar if option.takes_value() else ""))
            for o in option._long_opts:
                names.append(o + ("=" + metavar if option.takes_value() else ""))
            text = "  " + ", ".join(names)
            if option.help:
                default = self.defaults.get(option.dest, NO_DEFAULT)
                h = option.help.replace("%default", str(default))
                text = text + "  " + h
            lines.append(text)
        return "\n".join(lines) + "\n"

    def format_help(self, formatter=None):
        parts = []
        if self.usage is not SUPPRESS_USAGE:
            parts.append(self.get_usage() + "\n")
        if self.description:
            parts.append(self.description + "\n\n")
        parts.append(self.format_option_help())
        if self.epilog:
            parts.append("\n" + self.epilog + "\n")
        return "".join(parts)

    def print_help(self, file=None):
        (file or sys.stdout).write(self.format_help())

    def exit(self, status=0, msg=None):
        if msg:
            sys.stderr.write(msg)
        raise SystemExit(status)

    def error(self, msg):
        self.print_usage(sys.stderr)
        self.exit(2, "%s: error: %s\n" % (self.get_prog_name(), msg))
