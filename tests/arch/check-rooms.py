#!/usr/bin/env python3
"""check-rooms.py - the module rooms, checked from the sources and the
built libraries, so that a leak across a door fails the test suite.

The module graph is read from CMakeLists.txt: every `sl_module(NAME DIR
DEPS...)` is a module whose files are src/DIR/*, whose door is
include/schedlab/<NAME without sl_>.h, and which may use the modules its
DEPS reach, transitively (`target_link_libraries` adds to them). Checked:

  includes  a file includes only its own module's headers and the doors of
            modules its target depends on; src/DIR/*.h are private to
            DIR's module (tests may include them); a door includes no
            private header; every include/schedlab/*.h is some module's door
  symbols   (nm on each libsl_*.a) no sl__ symbol defined in one module's
            library is used by another's, and a library uses no symbol of
            a module it does not depend on
  circles   no #include circle between files, and no circle of use between
            the object files of src/ (a.c uses b.c's symbol, b.c uses a.c's)

Unit tests (tests/unit/test-<module>[-facet].c, as CMakeLists.txt links
them to sl_<module> alone) are checked for dependencies only.

usage: check-rooms.py ROOT NM TARGET=LIBRARY...
  ROOT      the source tree (holds CMakeLists.txt, src/, include/)
  NM        the nm to read the libraries with (CMake's CMAKE_NM)
  TARGET=LIBRARY  each sl_module's target and its built static library
Prints one line per violation, `file:line: what is wrong`, and exits 1 if
there is any, 0 if none, 2 if it cannot check (bad arguments, nm failed).
"""
import os
import re
import subprocess
import sys

COMMAND = re.compile(r'\b(\w+)\s*\(((?:[^()"]|"(?:[^"\\]|\\.)*")*)\)', re.S)
ARG = re.compile(r'"(?:[^"\\]|\\.)*"|[^\s"]+')
INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]')
TEST_SOURCE = re.compile(r'^test-([a-z]+).*\.c$')  # as CMakeLists.txt derives it
KEYWORDS = {'PRIVATE', 'PUBLIC', 'INTERFACE'}


class Rooms:
    def __init__(self, root):
        self.root = root
        self.modules = {}  # target -> directory under src/
        self.deps = {}  # target -> direct sl_ targets it links
        self.programs = {}  # executable target -> its source files (relative)
        self.problems = set()  # (file, line, message)

    def report(self, path, line, message):
        self.problems.add((path, line, message))

    # ---- CMakeLists.txt -----------------------------------------------------

    def read_cmake(self):
        path = os.path.join(self.root, 'CMakeLists.txt')
        with open(path, encoding='utf-8') as f:
            text = ''.join(re.sub(r'#.*', '', line) if '"' not in line else line
                           for line in f)
        commands = [(m.group(1), ARG.findall(m.group(2))) for m in COMMAND.finditer(text)]
        for name, args in commands:
            if name == 'sl_module' and len(args) >= 2 and '${' not in args[0]:
                self.modules[args[0]] = args[1]
            elif name == 'add_executable' and args and '${' not in args[0]:
                self.programs[args[0]] = [a for a in args[1:] if '${' not in a]
        targets = set(self.modules) | set(self.programs)
        for t in targets:
            self.deps[t] = set()
        for name, args in commands:
            if name == 'sl_module' and args[0] in self.modules:
                self.deps[args[0]] |= {a for a in args[2:] if a in self.modules}
            elif name == 'target_link_libraries' and args and args[0] in targets:
                self.deps[args[0]] |= {a for a in args[1:]
                                       if a in self.modules and a not in KEYWORDS}
        if not self.modules:
            sys.exit('%s: no sl_module(NAME DIR DEPS...) call found' % path)

    def reach(self, target):
        """The modules `target` may use: itself (if a module) and every
        module its dependencies reach."""
        seen, todo = set(), [target]
        while todo:
            t = todo.pop()
            if t in seen:
                continue
            seen.add(t)
            todo.extend(self.deps.get(t, ()))
        return {t for t in seen if t in self.modules}

    def door_of(self, target):
        return 'include/schedlab/%s.h' % target[3:]

    # ---- which module a file belongs to -------------------------------------

    def owner(self, rel):
        """The module whose room holds `rel`, or None."""
        parts = rel.split('/')
        if len(parts) == 3 and parts[:2] == ['include', 'schedlab']:
            target = 'sl_' + parts[2][:-2]
            return target if target in self.modules else None
        if len(parts) == 3 and parts[0] == 'src':
            for target, d in self.modules.items():
                if d == parts[1]:
                    return target
        return None

    def is_private(self, rel):
        return rel.startswith('src/') and rel.endswith('.h')

    # ---- includes ------------------------------------------------------------

    def resolve(self, rel, quote, name):
        here = os.path.dirname(rel)
        bases = ([here] if quote == '"' else []) + ['include', 'src']
        for b in bases:
            cand = os.path.normpath(os.path.join(b, name))
            if os.path.isfile(os.path.join(self.root, cand)):
                return cand
        return None  # a system header

    def includes(self, rel):
        """(line, written name, resolved project file) of each include."""
        out = []
        with open(os.path.join(self.root, rel), encoding='utf-8', errors='replace') as f:
            for n, line in enumerate(f, 1):
                m = INCLUDE.match(line)
                if m:
                    r = self.resolve(rel, m.group(1), m.group(2))
                    if r:
                        out.append((n, m.group(2), r))
        return out

    def check_file(self, rel, target, is_test=False, seen=None):
        """The includes of `rel`, compiled as part of `target`."""
        may = self.reach(target)
        door = rel.startswith('include/')
        for line, name, r in self.includes(rel):
            if r.startswith('tests/') and is_test:
                # A test's own helper header: its includes count for the test.
                if seen is not None and r not in seen:
                    seen.add(r)
                    self.check_file(r, target, True, seen)
                continue
            o = self.owner(r)
            if o is None:
                continue
            mine = self.owner(rel) if not is_test else None
            why = []
            if door and self.is_private(r):
                why.append('a door exposes no private header')
            if self.is_private(r) and not is_test and o != mine:
                why.append('it is private to %s (only src/%s/ and tests may include it; '
                           'others use its door %s)' % (o, self.modules[o], self.door_of(o)))
            if o not in may:
                why.append('%s does not depend on %s in CMakeLists.txt' % (target, o))
            if why:
                self.report(rel, line, 'includes "%s" of %s, but %s' % (name, o, '; '.join(why)))

    def project_files(self, top, exts):
        out = []
        for dirpath, _, files in os.walk(os.path.join(self.root, top)):
            for fn in files:
                if fn.endswith(exts):
                    out.append(os.path.relpath(os.path.join(dirpath, fn), self.root))
        return sorted(out)

    def check_includes(self):
        for target, d in self.modules.items():
            for rel in self.project_files(os.path.join('src', d), ('.c', '.h', '.S')):
                if os.path.dirname(rel) == os.path.join('src', d):
                    self.check_file(rel, target)
        for rel in self.project_files('include', ('.h',)):
            target = self.owner(rel)
            if target is None:
                self.report(rel, 1, 'not the door of any module: no sl_module(sl_%s ...) in '
                            'CMakeLists.txt (a door is include/schedlab/<module>.h)'
                            % os.path.basename(rel)[:-2])
            else:
                self.check_file(rel, target)
        for program, sources in self.programs.items():
            for src in sources:
                if os.path.isfile(os.path.join(self.root, src)):
                    self.check_file(src, program)
        for rel in self.project_files(os.path.join('tests', 'unit'), ('.c',)):
            m = TEST_SOURCE.match(os.path.basename(rel))
            if m and 'sl_' + m.group(1) in self.modules:
                name = os.path.basename(rel)[:-2]
                self.deps[name] = {'sl_' + m.group(1)}
                self.check_file(rel, name, True, set())

    def check_include_circles(self):
        files = self.project_files('src', ('.c', '.h')) + self.project_files('include', ('.h',))
        graph = {f: [(line, r) for line, _, r in self.includes(f) if r in files] for f in files}
        for cycle in circles({f: [r for _, r in e] for f, e in graph.items()}):
            steps = []
            for a, b in zip(cycle, cycle[1:] + cycle[:1]):
                line = next(n for n, r in graph[a] if r == b)
                steps.append('%s:%d includes %s' % (a, line, b))
            self.report(cycle[0], next(n for n, r in graph[cycle[0]] if r == cycle[1 % len(cycle)]),
                        'include circle: ' + ', '.join(steps))

    # ---- symbols --------------------------------------------------------------

    def read_libraries(self, nm, libs):
        """member -> (module, source file); symbol -> defining member;
        member -> {symbol: line of first use}."""
        self.defined, self.used, self.member_of = {}, {}, {}
        for target, path in libs.items():
            d = self.modules[target]
            run = subprocess.run([nm, '-A', '-g', '-l', path], capture_output=True, text=True)
            if run.returncode != 0:
                sys.exit('%s: nm failed: %s' % (path, run.stderr.strip()))
            for row in run.stdout.splitlines():
                # libsl_ui.a:pane.c.o:<address> T sl__pane_open<TAB>/src/ui/pane.c:12
                head, _, where = row.partition('\t')
                fields = head.split(':', 2)
                if len(fields) < 3:
                    continue
                kind_sym = fields[2].split()
                if len(kind_sym) < 2:
                    continue
                kind, sym = kind_sym[-2], kind_sym[-1]
                member = (target, fields[1])
                src = os.path.join('src', d, re.sub(r'\.o(bj)?$', '', fields[1]))
                self.member_of[member] = src
                line = where.rsplit(':', 1)[-1] if where else ''
                if kind == 'U':
                    uses = self.used.setdefault(member, {})
                    uses.setdefault(sym, int(line) if line.isdigit() else
                                    self.first_mention(src, sym))
                elif kind not in 'wvV':  # weak definitions defer to a strong one
                    self.defined.setdefault(sym, member)

    def first_mention(self, src, sym):
        try:
            with open(os.path.join(self.root, src), encoding='utf-8', errors='replace') as f:
                for n, line in enumerate(f, 1):
                    if re.search(r'\b%s\b' % re.escape(sym), line):
                        return n
        except OSError:
            pass
        return 1

    def check_symbols(self):
        for member, uses in sorted(self.used.items()):
            user = member[0]
            may = self.reach(user)
            for sym, line in sorted(uses.items()):
                home = self.defined.get(sym)
                if home is None or home[0] == user:
                    continue
                where = '%s (%s)' % (self.member_of[home], home[0])
                if sym.startswith('sl__'):
                    self.report(self.member_of[member], line,
                                '%s uses %s, internal to %s' % (user, sym, where))
                elif home[0] not in may:
                    self.report(self.member_of[member], line,
                                '%s uses %s of %s, but does not depend on %s in CMakeLists.txt'
                                % (user, sym, where, home[0]))

    def check_use_circles(self):
        graph = {}
        for member, uses in self.used.items():
            graph.setdefault(member, [])
            for sym in uses:
                home = self.defined.get(sym)
                if home and home != member and home not in graph[member]:
                    graph[member].append(home)
        for cycle in circles(graph):
            steps = []
            for a, b in zip(cycle, cycle[1:] + cycle[:1]):
                sym = min(s for s in self.used[a] if self.defined.get(s) == b)
                steps.append('%s:%d uses %s of %s' % (self.member_of[a], self.used[a][sym],
                                                      sym, self.member_of[b]))
            first = steps[0].split(' ')[0].rsplit(':', 1)
            self.report(first[0], int(first[1]), 'circle between files: ' + ', '.join(steps))


def circles(graph):
    """One shortest circle through each strongly connected group of nodes
    (Tarjan), as a list of nodes; self-loops are not circles here."""
    index, low, on, stack, groups, counter = {}, {}, set(), [], [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                groups.append(set(group))

    sys.setrecursionlimit(10000)
    for v in sorted(graph):
        if v not in index:
            visit(v)
    out = []
    for group in groups:
        start = min(group)
        # Breadth-first inside the group: the shortest way back to start.
        prev, todo = {start: None}, [start]
        found = None
        while todo and found is None:
            nxt = []
            for v in todo:
                for w in graph.get(v, ()):
                    if w == start:
                        found = v
                        break
                    if w in group and w not in prev:
                        prev[w] = v
                        nxt.append(w)
                if found is not None:
                    break
            todo = nxt
        path, v = [], found
        while v is not None:
            path.append(v)
            v = prev[v]
        out.append(path[::-1])
    return out


def main(argv):
    if len(argv) < 3:
        sys.stderr.write(__doc__)
        return 2
    root, nm = argv[1], argv[2]
    rooms = Rooms(root)
    rooms.read_cmake()
    libs = {}
    for arg in argv[3:]:
        target, sep, path = arg.partition('=')
        if not sep or target not in rooms.modules:
            sys.exit('%s: not TARGET=LIBRARY for an sl_module target' % arg)
        libs[target] = path
    missing = sorted(set(rooms.modules) - set(libs))
    if missing:
        sys.exit('no library given for %s' % ', '.join(missing))
    rooms.check_includes()
    rooms.check_include_circles()
    rooms.read_libraries(nm, libs)
    rooms.check_symbols()
    rooms.check_use_circles()
    for path, line, message in sorted(rooms.problems):
        print('%s:%d: %s' % (path, line, message))
    print('check-rooms: %d modules, %d violations' % (len(rooms.modules), len(rooms.problems)))
    return 1 if rooms.problems else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
