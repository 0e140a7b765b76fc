"""Argument types the subcommands share. argparse reports what they refuse as a usage error
(the usage, one line saying why, exit status 2), the way it reports an unknown option."""

import argparse


def at_least(low, high=None):
    """An argparse type: a whole number in ``low..high`` (no upper bound when None)."""
    def whole_number(text):
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f'{text!r} is not a whole number') from None
        if value < low or (high is not None and value > high):
            bounds = f'at least {low:,}' if high is None else f'{low:,}..{high:,}'
            raise argparse.ArgumentTypeError(f'{value:,} is out of range ({bounds})')
        return value
    return whole_number


def address(text):
    """An argparse type: an address such as 0x80000000 (any base Python reads)."""
    try:
        value = int(text, 0)
    except ValueError:
        raise argparse.ArgumentTypeError(f'{text!r} is not an address (such as '
                                         '0x80000000)') from None
    if not 0 <= value < 1 << 32:
        raise argparse.ArgumentTypeError(f'{text} is not a 32-bit address')
    return value


def definition(text):
    """An argparse type: ``NAME=VALUE`` (``--defsym``, as GNU ``as`` takes it)."""
    name, equals, value = text.partition('=')
    if not equals or not name.strip() or not value.strip():
        raise argparse.ArgumentTypeError(f'{text!r} is not NAME=VALUE (such as PV=1)')
    return name.strip(), value.strip()


def add_assembler_options(parser):
    """``--defsym NAME=VALUE`` and ``-I DIR``, for commands that assemble a source."""
    parser.add_argument('--defsym', type=definition, action='append', default=[],
                        metavar='NAME=VALUE', help='define a symbol before the source, as '
                        '"NAME = VALUE" would (like GNU as; may be repeated)')
    parser.add_argument('-I', dest='include_dirs', action='append', default=[], metavar='DIR',
                        help='also look in DIR for the files .include names (may be repeated)')


def assembler_options(args):
    """The keyword arguments of ``vmlib.asm.assemble`` that ``add_assembler_options`` read."""
    return {'defsym': dict(getattr(args, 'defsym', [])),
            'include_dirs': getattr(args, 'include_dirs', [])}
