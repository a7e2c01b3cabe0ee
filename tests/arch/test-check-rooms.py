#!/usr/bin/env python3
"""test-check-rooms.py - check-rooms.py on a small tree of three modules,
built here with the C compiler: clean, it must pass; with one leak of each
kind added, it must name each at its file and line, and nothing else.

usage: test-check-rooms.py CC AR NM
"""
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))

CLEAN = {
    'CMakeLists.txt': 'sl_module(sl_a a)\n'
                      '# sl_module(sl_nope nope): a comment, not a module\n'
                      'sl_module(sl_b b Threads::Threads sl_a)\n'
                      'sl_module(sl_c c)\n',
    'include/schedlab/a.h': 'int sl_a_f(void);\n',
    'include/schedlab/b.h': '#include "schedlab/a.h"\nint sl_b_f(void);\n',
    'include/schedlab/c.h': 'int sl_c_g(void);\n',
    'src/a/a-private.h': 'int sl__a_internal(void);\n',
    'src/a/a.c': '#include <stdio.h>\n#include "schedlab/a.h"\n#include "a-private.h"\n'
                 'int sl__a_internal(void) { return 1; }\n'
                 'int sl_a_f(void) { return sl__a_internal(); }\n',
    'src/b/b.c': '#include "schedlab/b.h"\nint sl_b_f(void) { return sl_a_f(); }\n',
    'src/c/c.c': '#include "schedlab/c.h"\nint sl_c_g(void) { return 3; }\n',
}

# Each leak, and the line (file:line: start of the message) it must print.
LEAKS = {
    'src/b/leak.c': '#include "schedlab/b.h"\n'
                    '#include "a/a-private.h"\n'
                    '#include "schedlab/c.h"\n'
                    'int sl_b_leak(void)\n{\n'
                    '    return sl__a_internal() + sl_c_g();\n}\n',
    'include/schedlab/c.h': '#include "c/c-private.h"\nint sl_c_g(void);\n',
    'src/c/c-private.h': 'int sl__c_h(void);\n',
    'include/schedlab/stray.h': 'int sl_stray(void);\n',
    'src/c/x.h': '#include "y.h"\n',
    'src/c/y.h': '\n#include "x.h"\n',
    'src/c/p.c': 'int sl_c_q(void);\nint sl_c_p(int n) { return n ? sl_c_q() : 0; }\n',
    'src/c/q.c': 'int sl_c_p(int);\nint sl_c_q(void) { return sl_c_p(0); }\n',
}
EXPECTED = [
    'include/schedlab/c.h:1: includes "c/c-private.h" of sl_c, but a door exposes no private',
    'include/schedlab/stray.h:1: not the door of any module',
    'src/b/leak.c:2: includes "a/a-private.h" of sl_a, but it is private to sl_a',
    'src/b/leak.c:3: includes "schedlab/c.h" of sl_c, but sl_b does not depend on sl_c',
    'src/b/leak.c:6: sl_b uses sl__a_internal, internal to src/a/a.c (sl_a)',
    'src/b/leak.c:6: sl_b uses sl_c_g of src/c/c.c (sl_c), but does not depend on sl_c',
    'src/c/p.c:2: circle between files: src/c/p.c:2 uses sl_c_q of src/c/q.c, '
    'src/c/q.c:2 uses sl_c_p of src/c/p.c',
    'src/c/x.h:1: include circle: src/c/x.h:1 includes src/c/y.h, '
    'src/c/y.h:2 includes src/c/x.h',
]


def build(root, files, cc, ar):
    for rel, text in files.items():
        path = os.path.join(root, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, 'w') as f:
            f.write(text)
    libs = []
    for m in ('a', 'b', 'c'):
        objs = []
        for fn in sorted(os.listdir(os.path.join(root, 'src', m))):
            if fn.endswith('.c'):
                obj = os.path.join(root, 'build', fn + '.o')
                os.makedirs(os.path.dirname(obj), exist_ok=True)
                subprocess.run([cc, '-g', '-c', '-I', os.path.join(root, 'include'), '-I',
                                os.path.join(root, 'src'), os.path.join(root, 'src', m, fn),
                                '-o', obj], check=True)
                objs.append(obj)
        lib = os.path.join(root, 'build', 'libsl_%s.a' % m)
        if os.path.exists(lib):
            os.unlink(lib)
        subprocess.run([ar, 'rcs', lib] + objs, check=True)
        for obj in objs:
            os.unlink(obj)
        libs.append('sl_%s=%s' % (m, lib))
    return libs


def check(root, nm, libs):
    run = subprocess.run([sys.executable, os.path.join(HERE, 'check-rooms.py'), root, nm] + libs,
                         capture_output=True, text=True)
    lines = [l for l in run.stdout.splitlines() if not l.startswith('check-rooms:')]
    return run.returncode, lines, run.stdout + run.stderr


def main(argv):
    cc, ar, nm = argv[1:4]
    failed = False
    with tempfile.TemporaryDirectory() as root:
        rc, lines, out = check(root, nm, build(root, CLEAN, cc, ar))
        if rc != 0 or lines:
            print('FAIL: a clean tree was refused (exit %d):\n%s' % (rc, out))
            failed = True
        rc, lines, out = check(root, nm, build(root, LEAKS, cc, ar))
        if rc != 1:
            print('FAIL: leaks gave exit %d, want 1' % rc)
            failed = True
        for want in EXPECTED:
            if not any(l.startswith(want) for l in lines):
                print('FAIL: missing: %s' % want)
                failed = True
        for line in lines:
            if not any(line.startswith(w) for w in EXPECTED):
                print('FAIL: unexpected: %s' % line)
                failed = True
        if failed:
            print('---- check-rooms said ----\n' + out)
    print('test-check-rooms: %s' % ('FAILED' if failed else 'passed'))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
