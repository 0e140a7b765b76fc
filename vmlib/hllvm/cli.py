"""``python -m vmlib.hllvm``: compile Tiny programs, list and run class files on either platform.

    python -m vmlib.hllvm compile prog.tiny [-o prog.tclass]
    python -m vmlib.hllvm run prog.tiny|prog.tclass [--platform python|rv32|both] [--stats]
    python -m vmlib.hllvm dis prog.tiny|prog.tclass
    python -m vmlib.hllvm rv32-source prog.tiny|prog.tclass -o prog.s   (for: vmlib boot prog.s)
    python -m vmlib.hllvm table

A program's run-time error ends the command with the program's exit status (1); a compile or
class-file error prints one message and exits with status 2.
"""

import argparse
import os
import sys

from .classfile import ClassFile
from .compiler import compile_source
from .errors import TinyError
from .opcodes import table_text


def load(path):
    """A class file from ``path``: compiled if it is Tiny source, read if it is a class file."""
    with open(path, 'rb') as f:
        data = f.read()
    if data[:4] == b'TINY':
        return ClassFile.from_bytes(data)
    return compile_source(data.decode('utf-8'), filename=path)


def main(argv=None):
    p = argparse.ArgumentParser(prog='python -m vmlib.hllvm',
                                description='Tiny: compile once, run on two VMs.')
    sub = p.add_subparsers(dest='command', required=True)
    c = sub.add_parser('compile', help='compile a .tiny file to a class file')
    c.add_argument('file')
    c.add_argument('-o', '--output', help='default: the input with .tclass')
    r = sub.add_parser('run', help='run a .tiny or class file')
    r.add_argument('file')
    r.add_argument('--platform', choices=('python', 'rv32', 'both'), default='python')
    r.add_argument('--max-steps', type=int, default=None)
    r.add_argument('--stats', action='store_true', help='instructions executed, to stderr')
    d = sub.add_parser('dis', help='list the class file')
    d.add_argument('file')
    s = sub.add_parser('rv32-source', help='one .s file: the RV32 VM with the class file')
    s.add_argument('file')
    s.add_argument('-o', '--output', required=True)
    sub.add_parser('table', help='the instruction set')
    args = p.parse_args(argv)

    try:
        if args.command == 'table':
            print(table_text())
            return 0
        cf = load(args.file)
        if args.command == 'compile':
            out = args.output or os.path.splitext(args.file)[0] + '.tclass'
            cf.save(out)
            print(f'{out}: {len(cf.to_bytes())} bytes')
            return 0
        if args.command == 'dis':
            print(cf.listing())
            return 0
        if args.command == 'rv32-source':
            from .rv32 import rv32_source
            with open(args.output, 'w') as f:
                f.write(rv32_source(cf))
            return 0
        return _run(cf, args)
    except (TinyError, OSError, UnicodeDecodeError) as e:
        print(f'error: {e}', file=sys.stderr)
        return 2


def _run(cf, args):
    from .pyvm import PythonVM
    from .rv32 import run_rv32, DEFAULT_MAX_STEPS
    results = {}
    if args.platform in ('python', 'both'):
        results['python'] = PythonVM(cf, args.max_steps).run()
    if args.platform in ('rv32', 'both'):
        results['rv32'] = run_rv32(cf, args.max_steps or DEFAULT_MAX_STEPS)
    outputs = {tuple(r[:2]) for r in results.values()}
    first = next(iter(results.values()))
    sys.stdout.write(first[0])
    if args.stats:
        for name, r in results.items():
            unit = 'bytecode instructions' if name == 'python' else 'RV32 instructions'
            print(f'{name}: exit status {r[1]}, {r[2]:,} {unit}', file=sys.stderr)
    if len(outputs) > 1:
        print('the platforms disagree!', file=sys.stderr)
        return 3
    return first[1]
