"""Counting the work a parser does, so tests can check it grows linearly with its input.

Wall-clock time is useless for this on a shared 2-core box, and most of a parser's
work happens where a line tracer cannot see it: inside the regular expression
engine, which also holds the GIL. So :class:`WorkMeter` counts two things:

* every line of pygotchi's Python executed (``sys.settrace``);
* every step of every regular expression those modules run, replayed on a
  backtracking matcher that follows the same search order as CPython's ``re``
  (greedy, lazy and possessive repeats, alternation, groups, anchors, lookaround).
  The real ``re`` still produces every result; the replay only counts. A pattern
  that backtracks quadratically on some input counts quadratically many steps.

Built-in string methods (``split``, ``find``, ``strip``...) run in linear time and are
not counted; a parser that calls one of them once per line is linear.

:func:`growth` runs a parser at two sizes and returns the ratio of the work done.
"""

from __future__ import annotations

import re
import sys
import types
from collections.abc import Callable, Iterator
from pathlib import Path
from re import _constants as C
from re import _parser

import pygotchi

_SINGLE = {C.LITERAL, C.NOT_LITERAL, C.ANY, C.IN}


class _Replay:
    """A backtracking matcher for one compiled pattern that counts its steps."""

    def __init__(self, pattern: re.Pattern) -> None:
        tree = _parser.parse(pattern.pattern, pattern.flags)
        self.items = list(tree)
        self.flags = tree.state.flags
        self.steps = 0
        self.s = ""

    # -- single characters --------------------------------------------------------------

    def _in(self, ch: str, items, flags: int) -> bool:
        key = (id(items), flags & re.IGNORECASE)
        test = _SETS.get(key)
        if test is None:
            test = _SETS[key] = (_set_test(items, bool(flags & re.IGNORECASE)), items)
        return test[0](ch)

    def _one(self, op, av, pos: int, flags: int) -> bool:
        """Does the single-character item match at ``pos``? (one step)"""
        self.steps += 1
        if pos >= len(self.s):
            return False
        ch = self.s[pos]
        if op is C.ANY:
            return flags & re.DOTALL or ch != "\n"
        if op is C.IN:
            return self._in(ch, av, flags)
        same = ch == chr(av) or (flags & re.IGNORECASE and ch.lower() == chr(av).lower())
        return same if op is C.LITERAL else not same

    def _run(self, body, pos: int, limit: int, flags: int) -> int:
        n = 0
        while n < limit and self._one(*body[0], pos + n, flags):
            n += 1
        return n

    # -- sequences ------------------------------------------------------------------------

    def _at(self, code, pos: int, flags: int) -> bool:
        s, n = self.s, len(self.s)
        if code is C.AT_BEGINNING:
            return pos == 0 or (flags & re.MULTILINE and s[pos - 1] == "\n")
        if code is C.AT_BEGINNING_STRING:
            return pos == 0
        if code is C.AT_END:
            if flags & re.MULTILINE:
                return pos == n or s[pos] == "\n"
            return pos == n or (pos == n - 1 and s[pos] == "\n")
        if code is C.AT_END_STRING:
            return pos == n
        if code in (C.AT_BOUNDARY, C.AT_NON_BOUNDARY):
            before = pos > 0 and _word(s[pos - 1])
            after = pos < n and _word(s[pos])
            return (before != after) == (code is C.AT_BOUNDARY)
        raise NotImplementedError(f"anchor {code}")

    def seq(self, items, i: int, pos: int, flags: int) -> Iterator[int]:
        """Every end position of ``items[i:]`` matched at ``pos``, in ``re``'s order."""
        if i == len(items):
            yield pos
            return
        self.steps += 1
        op, av = items[i]
        if op in _SINGLE:
            if self._one(op, av, pos, flags):
                yield from self.seq(items, i + 1, pos + 1, flags)
        elif op is C.AT:
            if self._at(av, pos, flags):
                yield from self.seq(items, i + 1, pos, flags)
        elif op is C.SUBPATTERN:
            _, add, remove, body = av
            for end in self.seq(list(body), 0, pos, (flags | add) & ~remove):
                yield from self.seq(items, i + 1, end, flags)
        elif op is C.BRANCH:
            for alt in av[1]:
                for end in self.seq(list(alt), 0, pos, flags):
                    yield from self.seq(items, i + 1, end, flags)
        elif op is C.ATOMIC_GROUP:
            for end in self.seq(list(av), 0, pos, flags):
                yield from self.seq(items, i + 1, end, flags)
                break
        elif op in (C.ASSERT, C.ASSERT_NOT):
            direction, body = av
            body = list(body)
            start = pos if direction > 0 else pos - body_width(body)
            found = start >= 0 and any(True for _ in self.seq(body, 0, start, flags))
            if found == (op is C.ASSERT):
                yield from self.seq(items, i + 1, pos, flags)
        elif op in (C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT):
            yield from self._repeat(op, av, items, i, pos, flags)
        else:
            raise NotImplementedError(f"regex node {op}")

    def _repeat(self, op, av, items, i: int, pos: int, flags: int) -> Iterator[int]:
        lo, hi, body = av
        body = list(body)
        if len(body) == 1 and body[0][0] in _SINGLE:
            if op is C.MIN_REPEAT:
                n = self._run(body, pos, lo, flags)
                if n < lo:
                    return
                while True:
                    yield from self.seq(items, i + 1, pos + n, flags)
                    if n >= hi or not self._one(*body[0], pos + n, flags):
                        return
                    n += 1
            n = self._run(body, pos, hi, flags)
            if n < lo:
                return
            counts = [n] if op is C.POSSESSIVE_REPEAT else range(n, lo - 1, -1)
            for k in counts:
                yield from self.seq(items, i + 1, pos + k, flags)
            return
        ends = self._general(body, lo, hi, 0, pos, flags, op is C.MIN_REPEAT)
        if op is C.POSSESSIVE_REPEAT:
            ends = iter(list(ends)[:1])
        for end in ends:
            yield from self.seq(items, i + 1, end, flags)

    def _general(self, body, lo, hi, count, pos, flags, lazy) -> Iterator[int]:
        if lazy and count >= lo:
            yield pos
        if count < hi:
            for end in self.seq(body, 0, pos, flags):
                if end == pos and count >= lo:
                    continue  # an empty iteration ends the repeat, as in re
                yield from self._general(body, lo, hi, count + 1, end, flags, lazy)
        if not lazy and count >= lo:
            yield pos

    # -- what a Pattern method does ----------------------------------------------------------

    def attempt(self, pos: int, need_end: int | None = None) -> int | None:
        for end in self.seq(self.items, 0, pos, self.flags):
            if need_end is None or end == need_end:
                return end
        return None

    def scan(self, s: str, pos: int = 0, first_only: bool = False) -> None:
        """Search from ``pos`` on, match after match, as search/sub/split/findall do."""
        self.s = s
        while pos <= len(s):
            end = None
            start = pos
            while start <= len(s):
                end = self.attempt(start)
                if end is not None:
                    break
                start += 1
            if end is None or first_only:
                return
            pos = end if end > start else end + 1


_SETS: dict = {}  # (id of a parsed set, ignorecase) -> (test, the set, kept alive)


def _set_test(items, ignorecase: bool) -> Callable[[str], bool]:
    negate = any(op is C.NEGATE for op, _ in items)
    chars = {chr(av) for op, av in items if op is C.LITERAL}
    ranges = [av for op, av in items if op is C.RANGE]
    cats = [av for op, av in items if op is C.CATEGORY]
    if any(op not in (C.NEGATE, C.LITERAL, C.RANGE, C.CATEGORY) for op, _ in items):
        raise NotImplementedError(f"set {items}")

    def test(ch: str) -> bool:
        forms = (ch, ch.lower(), ch.upper()) if ignorecase else (ch,)
        hit = any(c in chars or any(lo <= ord(c) <= hi for lo, hi in ranges) for c in forms)
        hit = hit or any(_category(cat, ch) for cat in cats)
        return hit != negate
    return test


def _word(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


def _category(cat, ch: str) -> bool:
    tests = {
        C.CATEGORY_DIGIT: ch.isdecimal(),
        C.CATEGORY_SPACE: ch.isspace(),
        C.CATEGORY_WORD: _word(ch),
    }
    for positive, negative in ((C.CATEGORY_DIGIT, C.CATEGORY_NOT_DIGIT),
                               (C.CATEGORY_SPACE, C.CATEGORY_NOT_SPACE),
                               (C.CATEGORY_WORD, C.CATEGORY_NOT_WORD)):
        if cat is positive:
            return tests[positive]
        if cat is negative:
            return not tests[positive]
    raise NotImplementedError(f"category {cat}")


def body_width(items) -> int:
    lo, hi = _parser.SubPattern(_parser.State(), list(items)).getwidth()
    if lo != hi:
        raise NotImplementedError("variable-width lookbehind")
    return lo


class _CountingPattern:
    """Stands in for a compiled pattern: real results, replayed step counts."""

    def __init__(self, real: re.Pattern, meter: WorkMeter) -> None:
        self._real = real
        self._meter = meter

    def __getattr__(self, name: str):
        return getattr(self._real, name)

    def _replay(self, s: str, pos: int = 0, *, mode: str = "scan") -> None:
        if not self._meter.active:
            return
        replay = _Replay(self._real)
        replay.s = s
        if mode == "scan":
            replay.scan(s, pos)
        elif mode == "search":
            replay.scan(s, pos, first_only=True)
        elif mode == "match":
            replay.attempt(pos)
        else:
            replay.attempt(pos, need_end=len(s))
        self._meter.regex_steps += replay.steps

    def search(self, s, pos=0, endpos=sys.maxsize):
        self._replay(s, pos, mode="search")
        return self._real.search(s, pos, endpos)

    def match(self, s, pos=0, endpos=sys.maxsize):
        self._replay(s, pos, mode="match")
        return self._real.match(s, pos, endpos)

    def fullmatch(self, s, pos=0, endpos=sys.maxsize):
        self._replay(s, pos, mode="fullmatch")
        return self._real.fullmatch(s, pos, endpos)

    def sub(self, repl, s, count=0):
        self._replay(s)
        return self._real.sub(repl, s, count)

    def subn(self, repl, s, count=0):
        self._replay(s)
        return self._real.subn(repl, s, count)

    def split(self, s, maxsplit=0):
        self._replay(s)
        return self._real.split(s, maxsplit)

    def findall(self, s, pos=0, endpos=sys.maxsize):
        self._replay(s, pos)
        return self._real.findall(s, pos, endpos)

    def finditer(self, s, pos=0, endpos=sys.maxsize):
        self._replay(s, pos)
        return self._real.finditer(s, pos, endpos)


class WorkMeter:
    """Counts lines of pygotchi run, and steps of the regexes ``modules`` use.

    Use :meth:`install` (with pytest's ``monkeypatch``) once, then :meth:`measure`.
    """

    def __init__(self, *modules: types.ModuleType) -> None:
        self.modules = modules
        self.package = str(Path(pygotchi.__file__).parent)
        self.active = False
        self.lines = 0
        self.regex_steps = 0

    def install(self, monkeypatch) -> WorkMeter:
        meter = self

        def compile_counting(pattern, flags=0):
            return _CountingPattern(re.compile(pattern, flags), meter)

        fake_re = types.SimpleNamespace(**{k: getattr(re, k) for k in dir(re)
                                           if not k.startswith("__")})
        fake_re.compile = compile_counting
        fake_re.search = lambda p, s, flags=0: compile_counting(p, flags).search(s)
        fake_re.match = lambda p, s, flags=0: compile_counting(p, flags).match(s)
        fake_re.fullmatch = lambda p, s, flags=0: compile_counting(p, flags).fullmatch(s)
        fake_re.findall = lambda p, s, flags=0: compile_counting(p, flags).findall(s)
        fake_re.finditer = lambda p, s, flags=0: compile_counting(p, flags).finditer(s)
        fake_re.split = lambda p, s, maxsplit=0, flags=0: compile_counting(p, flags).split(
            s, maxsplit)
        fake_re.sub = lambda p, r, s, count=0, flags=0: compile_counting(p, flags).sub(
            r, s, count)
        fake_re.subn = lambda p, r, s, count=0, flags=0: compile_counting(p, flags).subn(
            r, s, count)
        for module in self.modules:
            for name, value in list(vars(module).items()):
                if isinstance(value, re.Pattern):
                    monkeypatch.setattr(module, name, _CountingPattern(value, self))
                elif value is re:
                    monkeypatch.setattr(module, name, fake_re)
        return self

    def measure(self, fn: Callable[[], object]) -> int:
        """Work done by ``fn()``: lines run plus regex steps. Exceptions count as results."""
        self.lines = self.regex_steps = 0
        package = self.package

        def tracer(frame, event, arg):
            if not frame.f_code.co_filename.startswith(package):
                return None

            def local(frame, event, arg):
                if event == "line":
                    self.lines += 1
                return local
            return local

        self.active = True
        old = sys.gettrace()
        sys.settrace(tracer)
        try:
            fn()
        except Exception:  # noqa: BLE001 - a refusal is a result too; its cost counts
            pass
        finally:
            sys.settrace(old)
            self.active = False
        return self.lines + self.regex_steps


def growth(meter: WorkMeter, parse: Callable[[str], object], make: Callable[[int], str],
           n: int) -> tuple[int, int]:
    """The work of parsing ``make(n)`` and ``make(4 * n)``."""
    small = meter.measure(lambda: parse(make(n)))
    large = meter.measure(lambda: parse(make(4 * n)))
    return small, large


def assert_linear(meter: WorkMeter, parse: Callable[[str], object],
                  make: Callable[[int], str], n: int, what: str = "") -> None:
    """Four times the input may cost at most about four times the work (+ a constant)."""
    small, large = growth(meter, parse, make, n)
    assert large <= 5 * small + 200, (
        f"{what or parse.__name__}: work grew from {small} to {large} steps when the input "
        f"grew 4x ({len(make(n))} -> {len(make(4 * n))} characters): not linear"
    )
