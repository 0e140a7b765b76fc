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
